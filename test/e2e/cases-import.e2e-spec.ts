import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CaseResponseDto, CaseSummaryResponseDto } from '../../src/cases/dto/case.dto';
import { createCommunity } from '../factories/community.factory';
import { countRows, Page } from '../support/checks';
import { Answer, call, expectProblem } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';

const FIXTURE = readFileSync(join(__dirname, '../fixtures/cases-import.csv'));

const HEADER = 'platform,channel,title,summary,category,subcategory,country,tlp,escalated_at';

interface ImportAnswer {
  imported: number;
  valid?: number;
  dryRun?: boolean;
  errors: { line: number; column: string | null; message: string }[];
  [key: string]: unknown;
}

/** `count` rows of HEADER; `row(i)` may replace any of them (i from 0, line i + 2). */
function bulkCsv(count: number, row?: (i: number) => string | undefined): string {
  const lines = [HEADER];
  for (let i = 0; i < count; i += 1) {
    lines.push(
      row?.(i) ??
        `facebook,in_app_report,Bulk ${i},Insults under her posts.,harassment,abusive_messages,BO,,2025-01-02T10:00:00Z`,
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

describe('case import (e2e)', () => {
  let t: TestApp;
  let community: Awaited<ReturnType<typeof createCommunity>>;

  beforeAll(async () => {
    t = await createTestApp();
    community = await createCommunity(t.app);
  });
  afterAll(() => t.close());

  const member = () => community.inA.member;
  const importCsv = (
    payload: string | Buffer,
    options: { token?: string; query?: Record<string, string>; type?: string } = {},
  ) =>
    call<ImportAnswer>(t.app, 'POST', '/v1/cases/import', {
      token: options.token ?? member().token,
      raw: payload,
      headers: { 'content-type': options.type ?? 'text/csv' },
      query: options.query,
    });
  const caseCount = () => countRows(t.db, 'SELECT count(*)::int AS n FROM cases');
  const importAudits = () =>
    t.db.query(
      `SELECT actor_user_id, organization_id, details FROM audit_entries
       WHERE action = 'case.imported' ORDER BY occurred_at DESC, id DESC`,
    ) as Promise<
      { actor_user_id: string; organization_id: string; details: Record<string, unknown> }[]
    >;
  /** A refused import: 422 problem+json with the import's answer, and nothing written. */
  const expectRejected = (answer: Answer<ImportAnswer>) => {
    const body = expectProblem(answer, 422) as ImportAnswer;
    expect(body.imported).toBe(0);
    return body.errors.map((e) => [e.line, e.column]);
  };
  const find = async (title: string, token = member().token) => {
    const answer = await call<Page<CaseSummaryResponseDto>>(t.app, 'GET', '/v1/cases', {
      token,
      query: { q: title.split(' ')[0] },
    });
    expect(answer.status).toBe(200);
    return answer.body.data.filter((c) => c.title === title);
  };

  describe('the sample file', () => {
    it('a dry run checks it and writes nothing but the audit entry', async () => {
      const before = await caseCount();
      const answer = await importCsv(FIXTURE, { query: { dryRun: 'true' } });
      expect({ status: answer.status, body: answer.body }).toEqual({
        status: 200,
        body: { imported: 0, valid: 6, errors: [], dryRun: true },
      });
      await expect(caseCount()).resolves.toBe(before);
      const [audit] = await importAudits();
      expect(audit).toEqual({
        actor_user_id: member().id,
        organization_id: community.a.id,
        details: { dryRun: true, rows: 6, count: 0, errors: 0 },
      });
    });

    it('imports it: cases of the importer organisation, with the status their past gives them', async () => {
      const before = await caseCount();
      const answer = await importCsv(FIXTURE);
      expect({ status: answer.status, body: answer.body }).toEqual({
        status: 201,
        body: { imported: 6, errors: [] },
      });
      await expect(caseCount()).resolves.toBe(before + 6);

      const [fx01] = await find('Fx01 Doxxing of a journalist');
      expect(fx01).toMatchObject({
        reference: expect.stringMatching(/^ESC-\d{4}-\d{6}$/),
        organizationId: community.a.id,
        createdBy: member().id,
        platformCode: 'facebook',
        channelCode: 'trusted_partner',
        categoryCode: 'doxxing',
        subcategoryCode: 'home_address_location',
        targetGroups: ['women', 'journalists_media'],
        country: 'BO',
        urgency: 'high',
        tlp: 'AMBER+STRICT',
        consentToSharePattern: true,
        platformReference: 'FB-1001',
        status: 'closed',
        outcome: 'content_removed',
        escalatedAt: '2025-03-02T10:00:00.000Z',
        // trusted_partner promises 72 hours.
        dueAt: '2025-03-05T10:00:00.000Z',
        firstResponseAt: '2025-03-03T09:00:00.000Z',
        resolvedAt: '2025-03-05T12:00:00.000Z',
        closedAt: '2025-03-10T08:00:00.000Z',
        timeToFirstResponseSeconds: 23 * 3600,
        version: 1,
      });
      const full = await call<CaseResponseDto>(t.app, 'GET', `/v1/cases/${fx01.id}`, {
        token: member().token,
      });
      expect(full.body.items).toEqual([
        {
          url: 'https://facebook.com/posts/1001',
          kind: 'other',
          contentSha256: null,
          capturedAt: null,
        },
        {
          url: 'https://facebook.com/posts/1002',
          kind: 'other',
          contentSha256: null,
          capturedAt: null,
        },
      ]);
      expect(full.body.indicators).toEqual([
        { kind: 'account_handle', value: 'attacker_1' },
        { kind: 'hashtag', value: 'fuera' },
      ]);
      const events = await t.db.query(
        `SELECT type, occurred_at, status_after, outcome, actor_user_id, platform_reference
         FROM case_events WHERE case_id = $1 ORDER BY occurred_at, type`,
        [fx01.id],
      );
      expect(
        events.map((e: Record<string, unknown>) => [e.type, e.status_after, e.outcome]),
      ).toEqual([
        ['escalated', 'escalated', null],
        ['platform_acknowledged', 'acknowledged', null],
        ['platform_responded', 'resolved', 'content_removed'],
        ['closed', 'closed', 'content_removed'],
        ['created', 'draft', null],
      ]);
      expect(events[0]).toMatchObject({
        actor_user_id: member().id,
        platform_reference: 'FB-1001',
      });

      const [fx02] = await find('Fx02 Sextortion threats');
      expect(fx02).toMatchObject({
        summary:
          'Threats to publish images unless she pays.\nReported twice, "urgent" per the survivor.',
        tlp: 'GREEN',
        urgency: 'critical',
        status: 'escalated',
        escalatedAt: '2025-04-01T20:30:00.000Z',
        // critical: at most 24 hours whatever the channel promises.
        dueAt: '2025-04-02T20:30:00.000Z',
        overdue: true,
        firstResponseAt: null,
        outcome: null,
      });
      const [fx03] = await find('Fx03 Draft: impersonation');
      expect(fx03).toMatchObject({
        status: 'draft',
        escalatedAt: null,
        dueAt: null,
        urgency: 'normal',
        tlp: 'AMBER+STRICT',
        consentToSharePattern: false,
        targetGroups: [],
        contentLanguage: 'es',
      });
      // The first answer was the decision itself: no separate acknowledgement.
      const [fx04] = await find('Fx04 Hate campaign');
      expect(fx04).toMatchObject({
        status: 'resolved',
        outcome: 'account_suspended',
        firstResponseAt: '2025-05-04T08:00:00.000Z',
        resolvedAt: '2025-05-04T08:00:00.000Z',
        closedAt: null,
      });
      await expect(
        t.db.query('SELECT type FROM case_events WHERE case_id = $1 ORDER BY occurred_at', [
          fx04.id,
        ]),
      ).resolves.toEqual([
        { type: 'escalated' },
        { type: 'platform_responded' },
        { type: 'created' },
      ]);
      const [fx05] = await find('Fx05 Deepfake video');
      expect(fx05).toMatchObject({
        status: 'closed',
        outcome: 'no_response',
        firstResponseAt: null,
        resolvedAt: null,
        closedAt: '2025-07-15T12:00:00.000Z',
      });
      const [fx06] = await find('Fx06 Harassing messages');
      expect(fx06).toMatchObject({
        status: 'acknowledged',
        firstResponseAt: '2025-08-02T10:00:00.000Z',
        urgency: 'low',
      });

      // TLP as for any case: another organisation sees the GREEN one only.
      const other = community.inB.member.token;
      await expect(find('Fx02 Sextortion threats', other)).resolves.toHaveLength(1);
      await expect(find('Fx01 Doxxing of a journalist', other)).resolves.toEqual([]);

      const [audit] = await importAudits();
      expect(audit.details).toEqual({ dryRun: false, rows: 6, count: 6, errors: 0 });
      // Survivor data stays out of logs.
      expect(t.rawLogs()).not.toMatch(/Fx0\d|Sextortion threats|attacker_1/);
    });

    it('tolerates a BOM and CRLF line ends', async () => {
      const crlf = Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from(FIXTURE.toString('utf8').replace(/\n/g, '\r\n')),
      ]);
      const answer = await importCsv(crlf, {
        query: { dryRun: 'true' },
        type: 'text/csv; charset=utf-8',
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ imported: 0, valid: 6, errors: [], dryRun: true });
    });
  });

  describe('rows that are not right', () => {
    it('lists every bad row with its line and column, writes nothing, and audits the refusal', async () => {
      const before = await caseCount();
      const orgB = community.b.id;
      const unknownOrg = '00000000-0000-4000-8000-000000000000';
      const base = 'facebook,trusted_partner,T,"S"';
      const csv = [
        'platform,channel,title,summary,category,subcategory,country,tlp,share_with_organization_ids,escalated_at,first_response_at,resolved_at,outcome,closed_at,item_urls,target_groups',
        `${base},doxxing,,BO,,,2025-01-01T00:00:00Z,,,,,,`, // 2: valid
        `myspace,trusted_partner,T,S,doxxing,,BO,,,,,,,,,`, // 3
        `facebook,fax,T,S,doxxing,,BO,,,,,,,,,`, // 4
        `${base},doxxing,,BO,RED,,,,,,,,`, // 5
        `${base},doxxing,,BO,AMBER,,,,,,,,`, // 6
        `${base},doxxing,,BO,AMBER,${unknownOrg};${orgB},,,,,,,`, // 7
        `${base},doxxing,,BO,,,2999-01-01T00:00:00Z,,,,,,`, // 8
        `${base},doxxing,,BO,,,2025-01-01T00:00:00Z,,2025-01-03T00:00:00Z,,,,`, // 9
        `${base},doxxing,,BO,,,2025-01-05T00:00:00Z,2025-01-03T00:00:00Z,,,,,`, // 10
        `${base},doxxing,,BO,,,,2025-01-03T00:00:00Z,,,,,`, // 11
        `${base},doxxing,threats_x,BO,,,,,,,,,`, // 12
        `${base},doxxing,,ZZ,,,,,,,,javascript:alert(1),aliens`, // 13
        `${base},doxxing,,BO,,,2025-01-01T00:00:00Z,,2025-01-03T00:00:00Z,no_response,,,`, // 14
        `${base},doxxing,,BO,,,2025-01-01T00:00:00Z,2025-01-04T00:00:00Z,2025-01-03T00:00:00Z,content_removed,,,`, // 15
        `${base},doxxing,,BO,,,,,,content_removed,,,`, // 16
        `${base},doxxing,,BO,,,2025-01-01T00:00:00Z,,,,2024-12-31T00:00:00Z,,`, // 17
      ].join('\n');
      const answer = await importCsv(csv);
      expect(expectRejected(answer)).toEqual([
        [3, 'platform'],
        [4, 'channel'],
        [5, 'tlp'],
        [6, 'share_with_organization_ids'],
        [7, 'share_with_organization_ids'],
        [8, 'escalated_at'],
        [9, 'outcome'],
        [10, 'first_response_at'],
        [11, 'first_response_at'],
        [12, 'subcategory'],
        [13, 'target_groups'],
        [13, 'country'],
        [13, 'item_urls'],
        [14, 'outcome'],
        [15, 'resolved_at'],
        [16, 'outcome'],
        [17, 'closed_at'],
      ]);
      const messages = Object.fromEntries(answer.body.errors.map((e) => [`${e.line}`, e.message]));
      expect(messages).toMatchObject({
        '3': 'platform is not a known platform code',
        '5': expect.stringContaining('tlp RED cannot be imported'),
        '6': 'TLP AMBER needs at least one organisation in share_with_organization_ids',
        '7': 'share_with_organization_ids names 1 unknown organisation(s)',
        '8': 'escalated_at must not be in the future',
        '9': 'outcome is required with platform_responded',
        '10': 'first_response_at must not be before escalated_at',
        '11': 'first_response_at needs escalated_at',
        '15': 'resolved_at must not be before first_response_at',
        '16': 'outcome needs resolved_at or closed_at',
        '12': 'subcategory must be a subcategory of doxxing in the taxonomy',
        '14': 'no_response is an outcome of closing, not of a response',
        '17': 'closed_at must not be before escalated_at',
      });
      expect(answer.body.errors.find((e) => e.column === 'item_urls')!.message).toBe(
        'item_urls entry 1: url must be an absolute http(s) URL',
      );
      // Messages name columns, never what the cells hold.
      expect(JSON.stringify(answer.body.errors)).not.toMatch(/myspace|fax|aliens|javascript/);
      await expect(caseCount()).resolves.toBe(before);
      const [audit] = await importAudits();
      expect(audit.details).toEqual({ dryRun: false, rows: 16, count: 0, errors: 17 });

      const dry = await importCsv(csv, { query: { dryRun: 'true' } });
      expect(expectRejected(dry)).toHaveLength(17);
      expect(dry.body.dryRun).toBe(true);
    });

    it('shares AMBER cases with the organisations named', async () => {
      const csv = `${HEADER},share_with_organization_ids\nfacebook,trusted_partner,Amb01 Shared case,S,doxxing,,BO,amber,,${community.b.id}\n`;
      const answer = await importCsv(csv);
      expect(answer.status).toBe(201);
      const [shared] = await find('Amb01 Shared case', community.inB.viewer.token);
      expect(shared).toMatchObject({
        tlp: 'AMBER',
        organizationId: community.a.id,
        shareWithOrganizationIds: [community.b.id],
      });
    });
  });

  describe('the file as a whole', () => {
    it.each([
      ['an empty file', '', [[1, null]]],
      ['a header only', `${HEADER}\r\n`, [[1, null]]],
      [
        'an unknown column',
        `${HEADER},colour\nfacebook,x,T,S,doxxing,,BO,,,red\n`,
        [[1, 'colour']],
      ],
      [
        'missing required columns',
        'platform,channel,title\nfacebook,trusted_partner,T\n',
        [
          [1, 'summary'],
          [1, 'category'],
          [1, 'country'],
        ],
      ],
      [
        'an unclosed quote',
        `${HEADER}\nfacebook,in_app_report,T,S,doxxing,,BO,,\nfacebook,in_app_report,"T,S,doxxing,,BO,,\nmore\n`,
        [[3, null]],
      ],
      [
        'a row with too few fields',
        `${HEADER}\nfacebook,in_app_report,T,S,doxxing,,BO\n`,
        [[2, null]],
      ],
    ])('refuses %s with 422 and writes nothing', async (_label, csv, expected) => {
      const before = await caseCount();
      expect(expectRejected(await importCsv(csv))).toEqual(expected);
      await expect(caseCount()).resolves.toBe(before);
    });

    it('refuses more than 10,000 rows, saying the limit', async () => {
      const answer = await importCsv(bulkCsv(10_001));
      expect(expectRejected(answer)).toEqual([[10_002, null]]);
      expect(answer.body.errors[0].message).toContain('at most 10000 per request');
    });

    it('with one bad row among 10,000, names its line and column and writes nothing', async () => {
      const before = await caseCount();
      const csv = bulkCsv(10_000, (i) =>
        i === 7_776
          ? 'facebook,in_app_report,Bulk bad,Insults.,harassment,abusive_messages,XX,,2025-01-02T10:00:00Z'
          : undefined,
      );
      const answer = await importCsv(csv);
      expect(expectRejected(answer)).toEqual([[7_778, 'country']]);
      await expect(caseCount()).resolves.toBe(before);
    }, 60_000);

    it('imports 10,000 rows in one request', async () => {
      const before = await caseCount();
      const events = await countRows(t.db, 'SELECT count(*)::int AS n FROM case_events');
      const answer = await importCsv(bulkCsv(10_000));
      expect({ status: answer.status, body: answer.body }).toEqual({
        status: 201,
        body: { imported: 10_000, errors: [] },
      });
      await expect(caseCount()).resolves.toBe(before + 10_000);
      // created + escalated for each.
      await expect(countRows(t.db, 'SELECT count(*)::int AS n FROM case_events')).resolves.toBe(
        events + 20_000,
      );
      await expect(
        countRows(
          t.db,
          `SELECT count(DISTINCT reference)::int AS n FROM cases WHERE title LIKE 'Bulk %'`,
        ),
      ).resolves.toBe(10_000);
    }, 60_000);
  });

  describe('the request', () => {
    it('is refused to viewers (403)', async () => {
      const answer = await importCsv(FIXTURE, { token: community.inA.viewer.token });
      expectProblem(answer, 403);
    });

    it('needs credentials (401)', async () => {
      const answer = await call(t.app, 'POST', '/v1/cases/import', {
        raw: FIXTURE,
        headers: { 'content-type': 'text/csv' },
      });
      expectProblem(answer, 401);
    });

    it.each([
      ['application/json', '{"platform":"facebook"}'],
      ['text/csv; charset=iso-8859-1', FIXTURE.toString('utf8')],
    ])('answers %s with 415', async (type, payload) => {
      const answer = await importCsv(payload, { type });
      expect(expectProblem(answer, 415).detail).toBe('Send the import as text/csv in UTF-8.');
    });

    it('answers other media types with 415 before reading them', async () => {
      expectProblem(await importCsv('platform', { type: 'text/plain' }), 415);
      expectProblem(await importCsv('<csv/>', { type: 'application/xml' }), 415);
    });

    it('takes CSV on the import route only', async () => {
      const answer = await call(t.app, 'POST', '/v1/cases', {
        token: member().token,
        raw: FIXTURE,
        headers: { 'content-type': 'text/csv' },
      });
      expectProblem(answer, 415);
    });

    it('refuses bad query parameters (400)', async () => {
      expectProblem(await importCsv(FIXTURE, { query: { dryRun: 'maybe' } }), 400);
      expectProblem(await importCsv(FIXTURE, { query: { force: 'true' } }), 400);
    });

    it('accepts more than BODY_LIMIT_BYTES up to IMPORT_BODY_LIMIT_BYTES, then 413', async () => {
      expect(t.config.http).toMatchObject({
        bodyLimit: 1024 * 1024,
        importBodyLimit: 20 * 1024 * 1024,
      });
      const over = Buffer.alloc(20 * 1024 * 1024 + 1, 'a');
      expectProblem(await importCsv(over), 413);
      // Other routes keep the global limit.
      const big = await call(t.app, 'POST', '/v1/cases', {
        token: member().token,
        body: { title: 'x'.repeat(1024 * 1024) },
      });
      expectProblem(big, 413);
    });
  });
});
