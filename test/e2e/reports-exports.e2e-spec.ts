import { Job } from 'bullmq';
import { parse } from 'csv-parse/sync';
import { CaseResponseDto } from '../../src/cases/dto/case.dto';
import { label } from '../../src/i18n/labels';
import { ScorecardResponseDto, ScorecardRowDto } from '../../src/patterns/dto/scorecard.dto';
import { TrendsResponseDto } from '../../src/patterns/dto/trends.dto';
import { PatternProjection } from '../../src/patterns/pattern-projection';
import { ReportResponseDto } from '../../src/reports/dto/report.dto';
import { ReportsProcessor } from '../../src/reports/reports.processor';
import {
  MAX_PENDING_REPORTS,
  REPORT_ERRORS,
  ReportsService,
} from '../../src/reports/reports.service';
import { createCase } from '../factories/case.factory';
import { createOrganization, createUser, TestUser } from '../factories/community.factory';
import { Answer, call, expectProblem, fieldsOf } from '../support/http';
import { oracleScorecard, oracleTrends, rawRecords, sortRows } from '../support/disclosure-oracle';
import { createTestApp, TestApp } from '../support/test-app';

/*
 * Report files through HTTP: the trends export (CSV/JSON), the platform scorecard as CSV, and
 * large exports as jobs readable by their requester alone until they expire.
 */

const PERIOD = { from: '2026-01', to: '2026-06' };
const SCORECARD_PERIOD = { from: '2025-05', to: '2025-05' };
const CSV_TYPE = 'text/csv; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

const readCsv = (text: string): string[][] => parse(text, { bom: true });
const hours = (h: number) => h * 3_600_000;
const at = (iso: string, plusHours: number) =>
  new Date(new Date(iso).getTime() + hours(plusHours)).toISOString();

/** The CSV cell the export must write for a JSON trend value. */
function expectedCell(dimension: string, value: unknown, lang: 'en' | 'es'): string {
  if (value === null || value === undefined) return '';
  const domains: Record<string, Parameters<typeof label>[1]> = {
    category: 'category',
    subcategory: 'category',
    country: 'country',
    outcome: 'outcome',
    channelKind: 'channelKind',
    targetGroup: 'targetGroup',
    dsaCategory: 'dsaCategory',
  };
  return domains[dimension] ? label(lang, domains[dimension], String(value)) : String(value);
}

async function auditCount(t: TestApp, userId: string, where = '', params: unknown[] = []) {
  const [row] = await t.db.query(
    `SELECT count(*)::int AS n FROM audit_entries
      WHERE action = 'report.exported' AND actor_user_id = $1 ${where}`,
    [userId, ...params],
  );
  return row.n as number;
}

describe('reports: exports and report jobs (e2e)', () => {
  let t: TestApp;
  let a: TestUser;
  let a2: TestUser;
  let aAdmin: TestUser;
  let b: TestUser;
  let admin: TestUser;

  /** `n` consenting escalations by `user` (March 2026 unless overridden). */
  async function log(user: TestUser, n: number, overrides: Record<string, unknown> = {}) {
    const made: CaseResponseDto[] = [];
    for (let i = 0; i < n; i++) {
      made.push(
        await createCase(t.app, user.token, {
          consentToSharePattern: true,
          escalatedAt: '2026-03-10T10:00:00.000Z',
          ...overrides,
        }),
      );
    }
    return made;
  }

  async function event(user: TestUser, caseId: string, body: Record<string, unknown>) {
    const answer = await call(t.app, 'POST', `/v1/cases/${caseId}/events`, {
      token: user.token,
      body,
    });
    expect({ status: answer.status, text: answer.status === 201 ? '' : answer.text }).toEqual({
      status: 201,
      text: '',
    });
  }

  beforeAll(async () => {
    t = await createTestApp();
    const orgA = await createOrganization(t.app);
    const orgB = await createOrganization(t.app);
    const coordination = await createOrganization(t.app);
    a = await createUser(t.app, orgA.id, 'member');
    a2 = await createUser(t.app, orgA.id, 'viewer');
    aAdmin = await createUser(t.app, orgA.id, 'org_admin');
    b = await createUser(t.app, orgB.id, 'member');
    admin = await createUser(t.app, coordination.id, 'admin');

    // Trends (March 2026, doxxing): AR 11 cases from two organisations, BO 4, CL 6 from one.
    await log(a, 6, { country: 'AR' });
    await log(b, 5, { country: 'AR' });
    await log(a, 2, { country: 'BO' });
    await log(b, 2, { country: 'BO' });
    await log(a, 6, { country: 'CL' });

    // Scorecard (May 2025): instagram trusted partner channel, 12 cases from two organisations,
    // each logging the same six stories.
    const escalatedAt = '2025-05-10T10:00:00.000Z';
    const insta = [
      ...(await log(a, 6, { platformCode: 'instagram', escalatedAt })),
      ...(await log(b, 6, { platformCode: 'instagram', escalatedAt })),
    ];
    const quality = (reasonGiven: string) => ({
      reasonGiven,
      contextUnderstood: 'yes',
      harmRecognisedAsGendered: 'unknown',
      retraumatisingProofRequested: 'no',
    });
    const outcomes = [
      'content_removed',
      'content_removed',
      'content_removed',
      'no_violation_found',
    ];
    // Of each organisation's six: 0-3 acknowledged after 24 h, answered after 72 h; 4 answered
    // after 48 h; 5 never answered.
    for (const [owner, cases] of [
      [a, insta.slice(0, 6)],
      [b, insta.slice(6)],
    ] as const) {
      for (let i = 0; i < 4; i++) {
        await event(owner, cases[i].id, {
          type: 'platform_acknowledged',
          occurredAt: at(escalatedAt, 24),
        });
        await event(owner, cases[i].id, {
          type: 'platform_responded',
          occurredAt: at(escalatedAt, 72),
          outcome: outcomes[i],
          quality: quality(i < 2 ? 'yes' : 'no'),
        });
      }
      await event(owner, cases[4].id, {
        type: 'platform_responded',
        occurredAt: at(escalatedAt, 48),
        outcome: 'account_suspended',
        quality: quality('no'),
      });
    }
    // facebook: 3 cases on the in-app tool (too few), 6 to law enforcement from one organisation.
    await log(a, 2, { channelCode: 'in_app_report', escalatedAt });
    await log(b, 1, { channelCode: 'in_app_report', escalatedAt });
    await log(a, 6, { channelCode: 'law_enforcement', escalatedAt });
    await t.app.get(PatternProjection).catchUp();
  }, 180_000);
  afterAll(() => t.close());

  describe('GET /v1/reports/trends', () => {
    const query = { ...PERIOD, groupBy: 'month,category,country', category: 'doxxing' };

    async function trendsJson(): Promise<TrendsResponseDto> {
      const answer = await call<TrendsResponseDto>(t.app, 'GET', '/v1/patterns/trends', {
        token: a.token,
        query,
      });
      expect(answer.status).toBe(200);
      return answer.body;
    }

    it('answers a CSV that parses back to the JSON trends answer, cell by cell', async () => {
      const json = await trendsJson();
      // The protection this data must show, so the comparison covers both kinds of row.
      expect(json.data.map((r) => [r.country, r.suppressed])).toEqual([
        ['AR', false],
        ['BO', true],
        ['CL', true],
      ]);
      const expected = oracleTrends(
        await rawRecords(t.db),
        { ...PERIOD, groupBy: ['month', 'category', 'country'], filters: { category: 'doxxing' } },
        5,
      );
      expect({ data: sortRows(json.data), total: json.total }).toEqual(expected);
      const ar = String(json.data[0].count);
      const total = String(json.total.count);

      const answer = await call(t.app, 'GET', '/v1/reports/trends', {
        token: a.token,
        query: { ...query, format: 'csv', lang: 'en' },
      });
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toBe(CSV_TYPE);
      expect(answer.headers['content-disposition']).toBe(
        'attachment; filename="trends-2026-01-2026-06.csv"',
      );
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(answer.text.startsWith('\ufeff')).toBe(true);
      const rows = readCsv(answer.text);
      expect(rows[0]).toEqual([
        'Month',
        'Category',
        'Country',
        'Count',
        'Organisations',
        'Suppressed (small numbers)',
      ]);
      // Header, rows, total, and the note on the protection.
      expect(rows).toHaveLength(json.data.length + 3);
      const note = rows.pop()!;
      expect(note[0]).toMatch(/^How these figures are protected: .*at most 2.*fewer than 5 cases/);
      expect(note.slice(1).every((cell) => cell === '')).toBe(true);
      json.data.forEach((row, i) => {
        expect(rows[i + 1]).toEqual([
          ...json.groupBy.map((d) => expectedCell(d, row[d], 'en')),
          row.count === null ? '' : String(row.count),
          row.organizations === null ? '' : String(row.organizations),
          String(row.suppressed),
        ]);
      });
      expect(rows[1]).toEqual([
        '2026-03',
        'Doxxing and exposure of private information',
        'Argentina',
        ar,
        '2',
        'false',
      ]);
      // Suppressed: empty figures and `true`, never a "<5".
      expect(rows[2].slice(2)).toEqual(['Bolivia', '', '', 'true']);
      expect(answer.text).not.toMatch(/<\s*\d/);
      expect(rows[rows.length - 1]).toEqual(['Total', '', '', total, '2', 'false']);
    });

    it('labels the header and values in Spanish with lang=es, or from Accept-Language', async () => {
      const json = await trendsJson();
      const [ar, total] = [String(json.data[0].count), String(json.total.count)];
      const expected = [
        ['Mes', 'Categoría', 'País', 'Cantidad', 'Organizaciones', 'Oculto (cifras pequeñas)'],
        ['2026-03', 'Doxxing y exposición de información privada', 'Argentina', ar, '2', 'false'],
        ['2026-03', 'Doxxing y exposición de información privada', 'Bolivia', '', '', 'true'],
        ['2026-03', 'Doxxing y exposición de información privada', 'Chile', '', '', 'true'],
        ['Total', '', '', total, '2', 'false'],
        [expect.stringMatching(/^Cómo se protegen estas cifras: /), '', '', '', '', ''],
      ];
      const explicit = await call(t.app, 'GET', '/v1/reports/trends', {
        token: a.token,
        query: { ...query, lang: 'es' },
        headers: { 'accept-language': 'fr' },
      });
      expect(explicit.status).toBe(200);
      expect(readCsv(explicit.text)).toEqual(expected);
      const negotiated = await call(t.app, 'GET', '/v1/reports/trends', {
        token: a.token,
        query,
        headers: { 'accept-language': 'es-BO,es;q=0.9,en;q=0.5' },
      });
      expect(readCsv(negotiated.text)).toEqual(expected);
      const mexico = await call(t.app, 'GET', '/v1/reports/trends', {
        token: a.token,
        query: { ...PERIOD, groupBy: 'country', lang: 'es', country: 'MX' },
      });
      // Nothing matches: the header and a zero total.
      expect(readCsv(mexico.text)).toEqual([
        ['País', 'Cantidad', 'Organizaciones', 'Oculto (cifras pequeñas)'],
        ['Total', '0', '0', 'false'],
        [expect.stringMatching(/^Cómo se protegen estas cifras: /), '', '', ''],
      ]);
    });

    it('answers the JSON trends answer as an attachment', async () => {
      const answer = await call<TrendsResponseDto>(t.app, 'GET', '/v1/reports/trends', {
        token: a.token,
        query: { ...query, format: 'json' },
      });
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toBe(JSON_TYPE);
      expect(answer.headers['content-disposition']).toBe(
        'attachment; filename="trends-2026-01-2026-06.json"',
      );
      expect(answer.body).toEqual(await trendsJson());
    });

    it('writes a report.exported audit entry with ids and flags only', async () => {
      const before = await auditCount(t, b.id, `AND details->>'kind' = 'trends'`);
      await call(t.app, 'GET', '/v1/reports/trends', {
        token: b.token,
        query: { ...query, format: 'csv' },
      });
      expect(await auditCount(t, b.id, `AND details->>'kind' = 'trends'`)).toBe(before + 1);
      const [entry] = await t.db.query(
        `SELECT details FROM audit_entries WHERE action = 'report.exported' AND actor_user_id = $1
          ORDER BY occurred_at DESC LIMIT 1`,
        [b.id],
      );
      expect(entry.details).toEqual({
        kind: 'trends',
        format: 'csv',
        groupBy: ['month', 'category', 'country'],
      });
    });

    it.each([
      [{ format: 'xlsx' }, 'format'],
      [{ lang: 'de' }, 'lang'],
      [{ groupBy: 'month,colour' }, 'groupBy'],
      [{ from: '2026-05', to: '2026-02' }, 'from'],
      [{ organizationId: '6b1b7e3c-1c1a-4c5e-9d7e-0f8e8b9b1a2c' }, 'organizationId'],
    ])('answers 400 problem+json for %j', async (bad, field) => {
      const answer = await call(t.app, 'GET', '/v1/reports/trends', {
        token: a.token,
        query: { ...PERIOD, ...bad },
      });
      expect(fieldsOf(answer)).toContain(field);
      expect(answer.headers['content-disposition']).toBeUndefined();
    });

    it('answers 401 without a token', async () => {
      expectProblem(await call(t.app, 'GET', '/v1/reports/trends'), 401);
    });
  });

  describe('GET /v1/reports/platform-scorecard', () => {
    async function scorecard(): Promise<ScorecardResponseDto> {
      const answer = await call<ScorecardResponseDto>(
        t.app,
        'GET',
        '/v1/reports/platform-scorecard',
        { token: a.token, query: SCORECARD_PERIOD },
      );
      expect(answer.status).toBe(200);
      expect(answer.headers['content-disposition']).toBeUndefined();
      return answer.body;
    }

    const within5 = (value: number | null, expected: number) => {
      expect(value).not.toBeNull();
      expect(Math.abs((value as number) - expected) / expected).toBeLessThanOrEqual(0.05);
    };

    it('counts cases per platform and channel, with the shares of the answers the test logged', async () => {
      const body = await scorecard();
      expect(body).toMatchObject({ from: '2025-05', to: '2025-05', k: 5 });
      expect(body.data).toEqual(oracleScorecard(await rawRecords(t.db), SCORECARD_PERIOD, body.k));
      const row = body.data.find((r) => r.platform === 'instagram')!;
      // 12 cases, 6 per organisation: shown, within the noise.
      expect(row).toMatchObject({
        channel: 'trusted_partner',
        organizations: 2,
        suppressed: false,
      });
      expect(Math.abs(row.cases! - 12)).toBeLessThanOrEqual(2);
      // 10 of 12 had a first platform answer: the 2 unanswered are too few to show the share
      // (it would tell every other case's answer); 8 actioned and 4 not: the same.
      expect(row.acknowledgedShare).toBeNull();
      within5(row.medianFirstResponseHours, 24);
      within5(row.medianResolutionHours, 72);
      expect(body.platforms).toEqual([
        { platform: 'facebook', contactDepartures: 0 },
        { platform: 'instagram', contactDepartures: 0 },
      ]);
    });

    it('suppresses a row of fewer than k cases and a row from a single organisation', async () => {
      const body = await scorecard();
      const empty = {
        cases: null,
        organizations: null,
        suppressed: true,
        acknowledgedShare: null,
        medianFirstResponseHours: null,
        overdueShare: null,
      };
      const facebook = body.data.filter((r) => r.platform === 'facebook');
      expect(facebook.map((r) => r.channel)).toEqual(['in_app_report', 'law_enforcement']);
      for (const row of facebook) expect(row).toMatchObject(empty);
      expect(body.data).toHaveLength(3);
    });

    it('answers CSV with format=csv, labels in lang, suppressed rows empty', async () => {
      const json = await scorecard();
      const before = await auditCount(t, a.id, `AND details->>'kind' = 'scorecard'`);
      const answer = await call(t.app, 'GET', '/v1/reports/platform-scorecard', {
        token: a.token,
        query: { ...SCORECARD_PERIOD, format: 'csv', lang: 'es' },
      });
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toBe(CSV_TYPE);
      expect(answer.headers['content-disposition']).toBe(
        'attachment; filename="platform-scorecard-2025-05-2025-05.csv"',
      );
      const rows = readCsv(answer.text);
      expect(rows[0].slice(0, 8)).toEqual([
        'Plataforma',
        'Nombre de la plataforma',
        'Canal',
        'Tipo de canal',
        'Casos',
        'Organizaciones',
        'Oculto (cifras pequeñas)',
        'Proporción con acuse de recibo',
      ]);
      expect(rows[0][rows[0].length - 1]).toBe('Salidas de contactos');
      const byChannel = Object.fromEntries(rows.slice(1).map((r) => [`${r[0]}/${r[2]}`, r]));
      // The platform's name beside its code, on every row.
      const names = Object.fromEntries(
        await Promise.all(
          ['facebook', 'instagram'].map(async (code) => [
            code,
            (await call(t.app, 'GET', `/v1/platforms/${code}`, { token: a.token })).body.name,
          ]),
        ),
      );
      for (const r of rows.slice(1, -1)) expect(r[1]).toBe(names[r[0]]);
      const insta = json.data.find((r) => r.platform === 'instagram') as ScorecardRowDto;
      expect(byChannel['instagram/trusted_partner'].slice(0, 8)).toEqual([
        'instagram',
        names.instagram,
        'trusted_partner',
        'Canal de socio de confianza',
        String(insta.cases),
        '2',
        'false',
        insta.acknowledgedShare === null ? '' : String(insta.acknowledgedShare),
      ]);
      expect(byChannel['facebook/law_enforcement'].slice(4)).toEqual([
        '',
        '',
        'true',
        ...Array(14).fill(''),
      ]);
      // The departures, once per platform.
      expect(byChannel['facebook/'].slice(-1)).toEqual(['0']);
      // Header, 3 channels, 2 platforms' departures, and the note on the protection.
      expect(rows).toHaveLength(1 + 3 + 2 + 1);
      expect(rows[rows.length - 1][0]).toMatch(/^Cómo se protegen estas cifras: /);
      expect(await auditCount(t, a.id, `AND details->>'kind' = 'scorecard'`)).toBe(before + 1);
    });

    it('refuses a bad format or lang (400)', async () => {
      for (const [bad, field] of [
        [{ format: 'pdf' }, 'format'],
        [{ format: 'csv', lang: 'xx' }, 'lang'],
      ] as const) {
        const answer = await call(t.app, 'GET', '/v1/reports/platform-scorecard', {
          token: a.token,
          query: bad,
        });
        expect(fieldsOf(answer)).toEqual([field]);
      }
    });
  });

  describe('report jobs without a worker (APP_ROLE=api)', () => {
    const body = {
      kind: 'trends',
      format: 'csv',
      lang: 'es',
      params: { ...PERIOD, groupBy: 'month,category,country', category: 'doxxing' },
    };

    async function ask(user: TestUser, request: Record<string, unknown> = body) {
      const answer = await call<ReportResponseDto>(t.app, 'POST', '/v1/reports', {
        token: user.token,
        body: request,
      });
      expect({ status: answer.status, text: answer.status === 202 ? '' : answer.text }).toEqual({
        status: 202,
        text: '',
      });
      return answer;
    }

    it('answers 202 with the queued report and its Location; 409 on download until built', async () => {
      const answer = await ask(a);
      const report = answer.body;
      expect(answer.headers.location).toBe(`/v1/reports/${report.id}`);
      expect(report).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        kind: 'trends',
        format: 'csv',
        status: 'queued',
        progress: 0,
        createdAt: expect.any(String),
        finishedAt: null,
        expiresAt: new Date(
          new Date(report.createdAt).getTime() + hours(t.config.patterns.reportTtlHours),
        ).toISOString(),
      });
      const status = await call(t.app, 'GET', `/v1/reports/${report.id}`, { token: a.token });
      expect(status.body).toEqual(report);
      const early = await call(t.app, 'GET', `/v1/reports/${report.id}/download`, {
        token: a.token,
      });
      expectProblem(early, 409);
      expect(early.headers['content-disposition']).toBeUndefined();
      // The question is stored validated (defaults included), with the period fixed and the
      // language chosen.
      const [row] = await t.db.query('SELECT params, content FROM reports WHERE id = $1', [
        report.id,
      ]);
      expect(row).toEqual({
        params: {
          from: '2026-01',
          to: '2026-06',
          groupBy: ['month', 'category', 'country'],
          period: 'month',
          category: 'doxxing',
          lang: 'es',
        },
        content: null,
      });
      // The job carries the report id only.
      const job = await t.app.get(ReportsService)['queue'].getJob(`report-build-${report.id}`);
      expect(job?.data).toEqual({ reportId: report.id });
    });

    it('builds the same file as the GET route when the job runs', async () => {
      const report = (await ask(a)).body;
      await expect(t.app.get(ReportsService).build(report.id)).resolves.toBe('done');
      const status = await call<ReportResponseDto>(t.app, 'GET', `/v1/reports/${report.id}`, {
        token: a.token,
      });
      expect(status.body).toMatchObject({
        status: 'done',
        progress: 100,
        downloadUrl: `/v1/reports/${report.id}/download`,
        finishedAt: expect.any(String),
      });
      const file = await call(t.app, 'GET', `/v1/reports/${report.id}/download`, {
        token: a.token,
      });
      const direct = await call(t.app, 'GET', '/v1/reports/trends', {
        token: a.token,
        query: { ...body.params, format: 'csv', lang: 'es' },
      });
      expect(file.status).toBe(200);
      expect(file.headers['content-type']).toBe(CSV_TYPE);
      expect(file.headers['content-disposition']).toBe(
        'attachment; filename="trends-2026-01-2026-06.csv"',
      );
      expect(file.text).toBe(direct.text);
      expect(readCsv(file.text)[0][0]).toBe('Mes');
      // Built once: a second run changes nothing.
      await expect(t.app.get(ReportsService).build(report.id)).resolves.toBe('finished');
    });

    it('answers 404 to anyone but the requester: same organisation, its admin, another organisation, the community admin', async () => {
      const report = (await ask(a)).body;
      await t.app.get(ReportsService).build(report.id);
      for (const other of [a2, aAdmin, b, admin]) {
        for (const path of [`/v1/reports/${report.id}`, `/v1/reports/${report.id}/download`]) {
          const answer = await call(t.app, 'GET', path, { token: other.token });
          expect({ role: other.role, path, status: answer.status }).toEqual({
            role: other.role,
            path,
            status: 404,
          });
          expectProblem(answer, 404);
          expect(answer.text).not.toContain('Argentina');
        }
      }
      const unknown = '00000000-0000-4000-8000-000000000000';
      expectProblem(await call(t.app, 'GET', `/v1/reports/${unknown}`, { token: a.token }), 404);
      expect(fieldsOf(await call(t.app, 'GET', '/v1/reports/nope', { token: a.token }))).toEqual([
        'id',
      ]);
    });

    it('records report.exported on each download, with the report id', async () => {
      const report = (await ask(b, { kind: 'scorecard', format: 'json', params: SCORECARD_PERIOD }))
        .body;
      await t.app.get(ReportsService).build(report.id);
      const where = `AND details->>'reportId' = $2`;
      expect(await auditCount(t, b.id, where, [report.id])).toBe(0);
      const file = await call<ScorecardResponseDto>(
        t.app,
        'GET',
        `/v1/reports/${report.id}/download`,
        { token: b.token },
      );
      expect(file.status).toBe(200);
      expect(file.headers['content-disposition']).toBe(
        'attachment; filename="platform-scorecard-2025-05-2025-05.json"',
      );
      expect(file.body.data).toEqual(
        oracleScorecard(await rawRecords(t.db), SCORECARD_PERIOD, file.body.k),
      );
      const [entry] = await t.db.query(
        `SELECT details, target_id FROM audit_entries
          WHERE action = 'report.exported' AND actor_user_id = $1 ${where}`,
        [b.id, report.id],
      );
      expect(entry).toEqual({
        details: { kind: 'scorecard', format: 'json', reportId: report.id },
        target_id: report.id,
      });
    });

    it('fails the report, with no data, when its requester was deactivated meanwhile', async () => {
      const leaving = await createUser(t.app, a.organizationId, 'member');
      const report = (await ask(leaving)).body;
      await t.db.query('UPDATE users SET active = false WHERE id = $1', [leaving.id]);
      await expect(t.app.get(ReportsService).build(report.id)).resolves.toBe('failed');
      const [row] = await t.db.query(
        'SELECT status, error, content, finished_at FROM reports WHERE id = $1',
        [report.id],
      );
      expect(row).toMatchObject({
        status: 'failed',
        error: REPORT_ERRORS.requesterInactive,
        content: null,
      });
      expect(row.finished_at).not.toBeNull();
    });

    it('marks the report failed with the fixed message, not the error, once the last attempt fails', async () => {
      const report = (await ask(a)).body;
      const service = t.app.get(ReportsService);
      const processor = new ReportsProcessor(service);
      const job = (attemptsMade: number) =>
        ({
          id: `report-build-${report.id}`,
          name: 'report-build',
          data: { reportId: report.id },
          attemptsMade,
          opts: { attempts: 3 },
        }) as unknown as Job;
      const spy = jest
        .spyOn(service, 'build')
        .mockRejectedValue(new Error('duplicate key value (title)=(Secreto 7f3a)'));
      try {
        await expect(processor.process(job(0))).rejects.toThrow('report build failed');
        const [first] = await t.db.query('SELECT status FROM reports WHERE id = $1', [report.id]);
        expect(first.status).toBe('queued');
        await expect(processor.process(job(2))).rejects.toThrow('report build failed');
      } finally {
        spy.mockRestore();
      }
      const status = await call<ReportResponseDto>(t.app, 'GET', `/v1/reports/${report.id}`, {
        token: a.token,
      });
      expect(status.body).toMatchObject({ status: 'failed', error: REPORT_ERRORS.failed });
      expect(status.text).not.toContain('7f3a');
      expect(t.rawLogs()).not.toContain('7f3a');
      expectProblem(
        await call(t.app, 'GET', `/v1/reports/${report.id}/download`, { token: a.token }),
        409,
      );
      await expect(
        processor.process({ ...job(0), data: { reportId: 'x' } } as unknown as Job),
      ).rejects.toThrow('malformed');
    });

    it.each([
      ['missing kind', { format: 'csv' }, ['kind']],
      ['unknown kind', { kind: 'stix', format: 'csv' }, ['kind']],
      ['missing format', { kind: 'trends' }, ['format']],
      ['bad lang', { kind: 'trends', format: 'csv', lang: 'de' }, ['lang']],
      ['extra field', { kind: 'trends', format: 'csv', color: 'red' }, ['color']],
      ['params as an array', { kind: 'trends', format: 'csv', params: ['month'] }, ['params']],
      ['params as a string', { kind: 'trends', format: 'csv', params: 'groupBy=month' }, ['params']],
      ['bad params', { kind: 'trends', format: 'csv', params: { groupBy: 'month,colour' } }, ['params.groupBy']],
      ['bad month', { kind: 'scorecard', format: 'csv', params: { from: '2026-13' } }, ['params.from']],
      ['extra param', { kind: 'trends', format: 'csv', params: { organizationId: 'x' } }, ['params.organizationId']],
      ['trends param on the scorecard', { kind: 'scorecard', format: 'csv', params: { groupBy: 'country' } }, ['params.groupBy']],
      ['format in params', { kind: 'trends', format: 'csv', params: { format: 'json' } }, ['params.format']],
      ['lang in params', { kind: 'scorecard', format: 'csv', params: { lang: 'es' } }, ['params.lang']],
      ['period upside down', { kind: 'trends', format: 'csv', params: { from: '2026-05', to: '2026-02' } }, ['params.from']],
    ])('answers 400 problem+json for %s', async (_name, request, fields) => {
      const before = await t.db.query('SELECT count(*)::int AS n FROM reports');
      const answer = await call(t.app, 'POST', '/v1/reports', { token: a.token, body: request });
      expect(fieldsOf(answer)).toEqual(fields);
      const after = await t.db.query('SELECT count(*)::int AS n FROM reports');
      expect(after[0].n).toBe(before[0].n);
    }); // prettier-ignore

    it('answers 401 without a token on every report route', async () => {
      const id = '00000000-0000-4000-8000-000000000000';
      expectProblem(await call(t.app, 'POST', '/v1/reports', { body }), 401);
      expectProblem(await call(t.app, 'GET', `/v1/reports/${id}`), 401);
      expectProblem(await call(t.app, 'GET', `/v1/reports/${id}/download`), 401);
    });

    it('refuses a sixth report while five are being built (429)', async () => {
      const busy = await createUser(t.app, b.organizationId, 'viewer');
      for (let i = 0; i < MAX_PENDING_REPORTS; i++) await ask(busy);
      const refused = await call(t.app, 'POST', '/v1/reports', { token: busy.token, body });
      expectProblem(refused, 429);
      expect(refused.headers['retry-after']).toBe('60');
      const [row] = await t.db.query(
        'SELECT count(*)::int AS n FROM reports WHERE requested_by = $1',
        [busy.id],
      );
      expect(row.n).toBe(MAX_PENDING_REPORTS);
    });

    it('queues again, in the cleanup sweep, a build whose job Redis lost', async () => {
      const report = (await ask(a)).body;
      const queue = t.app.get(ReportsService)['queue'];
      const jobId = `report-build-${report.id}`;
      await (await queue.getJob(jobId))!.remove();
      expect(await queue.getJob(jobId)).toBeUndefined();
      // Not yet: a report just asked for may still be on its way to the queue.
      await t.app.get(ReportsService).cleanup();
      expect(await queue.getJob(jobId)).toBeUndefined();
      t.clock.advance(61_000);
      const swept = await t.app.get(ReportsService).cleanup();
      expect(swept.requeued).toBeGreaterThanOrEqual(1);
      expect((await queue.getJob(jobId))?.data).toEqual({ reportId: report.id });
    });

    it('answers 404 once a report expired, and the cleanup deletes it', async () => {
      const report = (await ask(a2)).body;
      await t.app.get(ReportsService).build(report.id);
      const download = (user: TestUser) =>
        call(t.app, 'GET', `/v1/reports/${report.id}/download`, { token: user.token });
      expect((await download(a2)).status).toBe(200);
      // Nothing is deleted before its time.
      await expect(t.app.get(ReportsService).cleanup()).resolves.toMatchObject({ deleted: 0 });
      t.clock.advance(hours(t.config.patterns.reportTtlHours) + 1000);
      expectProblem(await call(t.app, 'GET', `/v1/reports/${report.id}`, { token: a2.token }), 404);
      expectProblem(await download(a2), 404);
      const [before] = await t.db.query('SELECT count(*)::int AS n FROM reports WHERE id = $1', [
        report.id,
      ]);
      expect(before.n).toBe(1);
      const swept = await t.app.get(ReportsService).cleanup();
      expect(swept.deleted).toBeGreaterThanOrEqual(1);
      const [after] = await t.db.query('SELECT count(*)::int AS n FROM reports WHERE id = $1', [
        report.id,
      ]);
      expect(after.n).toBe(0);
    });
  });
});

describe('reports: jobs on a worker (e2e, APP_ROLE=all)', () => {
  let t: TestApp;
  let a: TestUser;
  let b: TestUser;

  async function waitDone(user: TestUser, id: string): Promise<Answer<ReportResponseDto>> {
    const started = Date.now();
    let answer: Answer<ReportResponseDto>;
    do {
      answer = await call<ReportResponseDto>(t.app, 'GET', `/v1/reports/${id}`, {
        token: user.token,
      });
      expect(answer.status).toBe(200);
      if (answer.body.status === 'done' || answer.body.status === 'failed') return answer;
      await new Promise((r) => setTimeout(r, 100));
    } while (Date.now() - started < 15_000);
    return answer;
  }

  beforeAll(async () => {
    t = await createTestApp({ APP_ROLE: 'all' });
    const orgA = await createOrganization(t.app);
    const orgB = await createOrganization(t.app);
    a = await createUser(t.app, orgA.id, 'viewer');
    b = await createUser(t.app, orgB.id, 'member');
    const memberA = await createUser(t.app, orgA.id, 'member');
    // Escalated an hour ago: no deadline falls due while the test runs.
    const escalatedAt = new Date(Date.now() - hours(1)).toISOString();
    for (const [user, n, country] of [
      [memberA, 6, 'AR'],
      [b, 5, 'AR'],
      [memberA, 2, 'PE'],
      [b, 3, 'UY'],
    ] as const) {
      for (let i = 0; i < n; i++) {
        await createCase(t.app, user.token, { consentToSharePattern: true, escalatedAt, country });
      }
    }
    await t.app.get(PatternProjection).catchUp();
  }, 120_000);
  afterAll(() => t.close());

  it('builds a trends CSV in the background; the download equals the direct GET', async () => {
    const params = { groupBy: 'country', category: 'doxxing' };
    const asked = await call<ReportResponseDto>(t.app, 'POST', '/v1/reports', {
      token: a.token,
      body: { kind: 'trends', format: 'csv', params },
      headers: { 'accept-language': 'es' },
    });
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ status: 'queued', progress: 0 });
    const done = await waitDone(a, asked.body.id);
    expect(done.body).toMatchObject({
      status: 'done',
      progress: 100,
      downloadUrl: `/v1/reports/${asked.body.id}/download`,
    });
    const file = await call(t.app, 'GET', done.body.downloadUrl!, { token: a.token });
    expect(file.status).toBe(200);
    const direct = await call(t.app, 'GET', '/v1/reports/trends', {
      token: a.token,
      query: { ...params, lang: 'es' },
    });
    expect(file.text).toBe(direct.text);
    const json = await call<TrendsResponseDto>(t.app, 'GET', '/v1/patterns/trends', {
      token: a.token,
      query: params,
    });
    const [ar, total] = [json.body.data[0], json.body.total];
    expect([ar.country, ar.suppressed, total.suppressed]).toEqual(['AR', false, false]);
    expect(readCsv(file.text)).toEqual([
      ['País', 'Cantidad', 'Organizaciones', 'Oculto (cifras pequeñas)'],
      ['Argentina', String(ar.count), '2', 'false'],
      ['Perú', '', '', 'true'],
      ['Uruguay', '', '', 'true'],
      ['Total', String(total.count), '2', 'false'],
      [expect.stringMatching(/^Cómo se protegen estas cifras: /), '', '', ''],
    ]);
    // Only its requester: another organisation's member gets 404.
    expectProblem(await call(t.app, 'GET', done.body.downloadUrl!, { token: b.token }), 404);
  }, 30_000);

  it('builds a scorecard JSON equal to the direct GET, as the requester', async () => {
    const asked = await call<ReportResponseDto>(t.app, 'POST', '/v1/reports', {
      token: b.token,
      body: { kind: 'scorecard', format: 'json' },
    });
    expect(asked.status).toBe(202);
    const done = await waitDone(b, asked.body.id);
    expect(done.body.status).toBe('done');
    const file = await call<ScorecardResponseDto>(t.app, 'GET', done.body.downloadUrl!, {
      token: b.token,
    });
    const direct = await call<ScorecardResponseDto>(
      t.app,
      'GET',
      '/v1/reports/platform-scorecard',
      {
        token: b.token,
      },
    );
    expect(file.body).toEqual(direct.body);
    expect(file.body.data).toEqual(
      oracleScorecard(await rawRecords(t.db), { from: file.body.from, to: file.body.to }, 5),
    );
    expect(file.body.data).toEqual([
      expect.objectContaining({ platform: 'facebook', channel: 'trusted_partner' }),
    ]);
    const [entry] = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_entries
        WHERE action = 'report.exported' AND actor_user_id = $1 AND details->>'reportId' = $2`,
      [b.id, asked.body.id],
    );
    expect(entry.n).toBe(1);
  }, 30_000);
});
