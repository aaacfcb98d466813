import { parse } from 'csv-parse/sync';
import { CaseResponseDto } from '../../src/cases/dto/case.dto';
import taxonomy from '../../src/cases/data/taxonomy.json';
import { ACTIONED_OUTCOMES } from '../../src/deadlines/response-times.repository';
import { label } from '../../src/i18n/labels';
import { OrganizationResponseDto } from '../../src/organizations/dto/organization-response.dto';
import { createCase } from '../factories/case.factory';
import { createOrganization, createUser, TestUser } from '../factories/community.factory';
import { call, expectProblem, fieldsOf } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';

/*
 * GET /v1/reports/annual: every figure is recomputed here from the cases this file created, as
 * the cases API shows them one by one (status, outcome, response times, overdue), with the
 * rules of the report written out below; nothing is a copy of an expected answer.
 */

const HOUR = 3600 * 1000;
const at = (iso: string, plusHours = 0) =>
  new Date(new Date(iso).getTime() + plusHours * HOUR).toISOString();

type Who = 'creator' | 'colleague' | 'named' | 'viewer' | 'memberOfB';

type Answer = 'yes' | 'no' | 'unknown';
const QUESTIONS = [
  'reasonGiven',
  'contextUnderstood',
  'harmRecognisedAsGendered',
  'retraumatisingProofRequested',
] as const;

interface Step {
  type: string;
  afterHours: number;
  outcome?: string;
  /** The four answers, in the order of QUESTIONS. */
  quality?: [Answer, Answer, Answer, Answer];
  statementOfReasons?: { received: boolean };
}

/** A case this file creates: who, where, what, when, and what the platform did. */
interface Spec {
  name: string;
  by: Who;
  platformCode: string;
  channelCode: string;
  categoryCode: string;
  subcategoryCode?: string;
  escalatedAt?: string;
  tlp?: string;
  shareWith?: { users?: Who[]; organizations?: 'A'[] };
  steps?: Step[];
  /** Stands in for the deadline worker (this app runs without workers): mark it overdue. */
  markedOverdue?: boolean;
}

const FB = { platformCode: 'facebook', channelCode: 'trusted_partner' }; // 72 h
const X = { platformCode: 'x', channelCode: 'in_app_report' }; // 168 h

const SPECS: Spec[] = [
  {
    name: 'removed after an acknowledgement',
    by: 'creator',
    ...FB,
    categoryCode: 'harassment',
    subcategoryCode: 'abusive_messages',
    escalatedAt: '2025-01-10T08:00:00.000Z',
    steps: [
      { type: 'platform_acknowledged', afterHours: 10 },
      {
        type: 'platform_responded',
        afterHours: 30,
        outcome: 'content_removed',
        quality: ['yes', 'yes', 'yes', 'no'],
        statementOfReasons: { received: true },
      },
    ],
  },
  {
    name: 'account suspended',
    by: 'creator',
    ...FB,
    categoryCode: 'doxxing',
    subcategoryCode: 'home_address_location',
    escalatedAt: '2025-02-03T12:00:00.000Z',
    steps: [
      {
        type: 'platform_responded',
        afterHours: 50,
        outcome: 'account_suspended',
        quality: ['no', 'unknown', 'yes', 'no'],
        statementOfReasons: { received: false },
      },
    ],
  },
  {
    name: 'no violation found',
    by: 'creator',
    ...X,
    categoryCode: 'hate_speech',
    subcategoryCode: 'misogynistic_hate',
    escalatedAt: '2025-03-15T09:00:00.000Z',
    tlp: 'GREEN',
    steps: [
      {
        type: 'platform_responded',
        afterHours: 80,
        outcome: 'no_violation_found',
        quality: ['no', 'no', 'no', 'yes'],
      },
    ],
  },
  {
    name: 'closed without an answer',
    by: 'colleague',
    ...X,
    categoryCode: 'ncii',
    subcategoryCode: 'ncii_shared',
    escalatedAt: '2025-03-20T09:00:00.000Z',
    steps: [{ type: 'closed', afterHours: 200 }],
  },
  {
    name: 'still open and past its deadline',
    by: 'creator',
    ...FB,
    categoryCode: 'doxxing',
    escalatedAt: '2025-06-01T10:00:00.000Z',
  },
  {
    name: 'open, the platform asked for information (clock paused)',
    by: 'colleague',
    ...FB,
    categoryCode: 'impersonation',
    subcategoryCode: 'fake_profile',
    escalatedAt: '2025-07-01T10:00:00.000Z',
    steps: [{ type: 'platform_requested_info', afterHours: 5 }],
  },
  {
    name: 'acknowledged, still waiting past its deadline',
    by: 'creator',
    ...FB,
    categoryCode: 'harassment',
    subcategoryCode: 'sexual_harassment',
    escalatedAt: '2025-11-10T10:00:00.000Z',
    steps: [{ type: 'platform_acknowledged', afterHours: 4 }],
  },
  {
    name: 'answered late, marked overdue by the worker',
    by: 'creator',
    ...FB,
    categoryCode: 'threats',
    escalatedAt: '2025-09-01T10:00:00.000Z',
    steps: [
      {
        type: 'platform_responded',
        afterHours: 100,
        outcome: 'partially_actioned',
        statementOfReasons: { received: true },
      },
    ],
    markedOverdue: true,
  },
  {
    name: 'acknowledged, then closed with no outcome',
    by: 'creator',
    ...FB,
    categoryCode: 'harassment',
    escalatedAt: '2025-10-01T10:00:00.000Z',
    steps: [
      { type: 'platform_acknowledged', afterHours: 20 },
      { type: 'closed', afterHours: 300 },
    ],
  },
  {
    name: 'restricted, on the last evening of the year',
    by: 'creator',
    ...X,
    categoryCode: 'harassment',
    escalatedAt: '2025-12-31T23:59:59.999Z',
    steps: [{ type: 'platform_responded', afterHours: 2, outcome: 'content_restricted' }],
  },
  {
    name: "RED, a colleague's, naming one other member",
    by: 'colleague',
    ...FB,
    categoryCode: 'sextortion',
    escalatedAt: '2025-05-05T10:00:00.000Z',
    tlp: 'RED',
    shareWith: { users: ['named'] },
    steps: [
      {
        type: 'platform_responded',
        afterHours: 40,
        outcome: 'content_removed',
        quality: ['yes', 'yes', 'yes', 'no'],
        statementOfReasons: { received: true },
      },
    ],
  },
  {
    name: 'the year before, one second before midnight',
    by: 'creator',
    ...FB,
    categoryCode: 'harassment',
    escalatedAt: '2024-12-31T23:59:59.000Z',
    steps: [{ type: 'platform_responded', afterHours: 12, outcome: 'content_removed' }],
  },
  {
    name: 'the year after, at midnight',
    by: 'creator',
    ...X,
    categoryCode: 'threats',
    escalatedAt: '2026-01-01T00:00:00.000Z',
    steps: [{ type: 'platform_acknowledged', afterHours: 3 }],
  },
  { name: 'a draft, never escalated', by: 'creator', ...FB, categoryCode: 'harassment' },
  {
    name: 'B, shared with A (AMBER)',
    by: 'memberOfB',
    ...FB,
    categoryCode: 'harassment',
    escalatedAt: '2025-04-01T10:00:00.000Z',
    tlp: 'AMBER',
    shareWith: { organizations: ['A'] },
    steps: [{ type: 'platform_responded', afterHours: 6, outcome: 'content_removed' }],
  },
  {
    name: 'B, GREEN',
    by: 'memberOfB',
    ...X,
    categoryCode: 'doxxing',
    escalatedAt: '2025-08-01T10:00:00.000Z',
    tlp: 'GREEN',
  },
  {
    name: 'B, its own',
    by: 'memberOfB',
    ...FB,
    categoryCode: 'threats',
    escalatedAt: '2025-08-02T10:00:00.000Z',
    steps: [{ type: 'closed', afterHours: 400 }],
  },
];

// ---------------------------------------------------------------------------------------------
// The report's rules, from its documentation, applied to the cases as the API shows them.
// ---------------------------------------------------------------------------------------------

interface Known {
  spec: Spec;
  c: CaseResponseDto;
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Linear interpolation between closest ranks (PostgreSQL percentile_cont, Excel PERCENTILE.INC). */
function percentileCont(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

function figuresOf(cases: Known[]) {
  const n = cases.length;
  const share = (k: number) => (n > 0 ? round(k / n, 3) : null);
  const hours = (v: number | null) => (v === null ? null : round(v / 3600, 1));
  const fr = cases.map((k) => k.c.timeToFirstResponseSeconds).filter((v) => v !== null);
  const res = cases.map((k) => k.c.timeToResolutionSeconds).filter((v) => v !== null);
  return {
    escalations: n,
    responded: cases.filter((k) => k.c.firstResponseAt !== null).length,
    resolved: cases.filter((k) => k.c.resolvedAt !== null).length,
    actionedShare: share(
      cases.filter((k) => k.c.outcome !== null && ACTIONED_OUTCOMES.includes(k.c.outcome)).length,
    ),
    noResponseShare: share(cases.filter((k) => k.c.outcome === 'no_response').length),
    overdueShare: share(cases.filter((k) => k.spec.markedOverdue || k.c.overdue).length),
    medianFirstResponseHours: hours(percentileCont(fr, 0.5)),
    p90FirstResponseHours: hours(percentileCont(fr, 0.9)),
    medianResolutionHours: hours(percentileCont(res, 0.5)),
    p90ResolutionHours: hours(percentileCont(res, 0.9)),
  };
}

/**
 * The quality answers and statements of reasons: each case by its latest decision that gave
 * them (the steps are in the order they happened).
 */
function qualityOf(cases: Known[]) {
  const latest = <K extends 'quality' | 'statementOfReasons'>(k: Known, field: K) =>
    [...(k.spec.steps ?? [])].reverse().find((s) => s.type === 'platform_responded' && s[field])?.[
      field
    ];
  const share = (n: number, of: number) => (of > 0 ? round(n / of, 3) : null);
  const decisions = cases.filter((k) =>
    (k.spec.steps ?? []).some((s) => s.type === 'platform_responded'),
  ).length;
  const sor = cases.map((k) => latest(k, 'statementOfReasons'));
  const received = sor.filter((s) => s?.received === true).length;
  const notReceived = sor.filter((s) => s?.received === false).length;
  return {
    responseQuality: QUESTIONS.map((question, i) => {
      const answers = cases.map((k) => latest(k, 'quality')?.[i]);
      const count = (a: Answer) => answers.filter((x) => x === a).length;
      const [yes, no, unknown] = [count('yes'), count('no'), count('unknown')];
      return { question, yes, no, unknown, yesShare: share(yes, yes + no) };
    }),
    statementsOfReasons: {
      decisions,
      received,
      notReceived,
      notRecorded: decisions - received - notReceived,
      receivedShare: share(received, decisions),
    },
  };
}

function groupBy<K extends string>(cases: Known[], key: (k: Known) => K): Map<K, Known[]> {
  const groups = new Map<K, Known[]>();
  for (const k of cases) groups.set(key(k), [...(groups.get(key(k)) ?? []), k]);
  return groups;
}

const byKey = <T>(rows: T[], key: (r: T) => string) =>
  [...rows].sort((a, b) => key(a).localeCompare(key(b)));

const DSA_OF = new Map(taxonomy.categories.map((c) => [c.code, c.dsa_category]));

// ---------------------------------------------------------------------------------------------

describe('annual transparency report (e2e)', () => {
  let t: TestApp;
  let orgA: OrganizationResponseDto;
  let orgB: OrganizationResponseDto;
  const users = {} as Record<Who, TestUser>;
  const known: Known[] = [];
  const platformNames = new Map<string, string>();

  beforeAll(async () => {
    t = await createTestApp();
    orgA = await createOrganization(t.app);
    orgB = await createOrganization(t.app);
    users.creator = await createUser(t.app, orgA.id, 'member');
    users.colleague = await createUser(t.app, orgA.id, 'member');
    users.named = await createUser(t.app, orgA.id, 'member');
    users.viewer = await createUser(t.app, orgA.id, 'viewer');
    users.memberOfB = await createUser(t.app, orgB.id, 'member');

    for (const spec of SPECS) {
      const token = users[spec.by].token;
      const created = await createCase(t.app, token, {
        platformCode: spec.platformCode,
        channelCode: spec.channelCode,
        categoryCode: spec.categoryCode,
        subcategoryCode: spec.subcategoryCode,
        escalatedAt: spec.escalatedAt,
        tlp: spec.tlp,
        shareWithUserIds: spec.shareWith?.users?.map((w) => users[w].id),
        shareWithOrganizationIds: spec.shareWith?.organizations?.map(() => orgA.id),
      });
      for (const step of spec.steps ?? []) {
        const answer = await call(t.app, 'POST', `/v1/cases/${created.id}/events`, {
          token,
          body: {
            type: step.type,
            occurredAt: at(spec.escalatedAt!, step.afterHours),
            ...(step.outcome && { outcome: step.outcome }),
            ...(step.quality && {
              quality: Object.fromEntries(QUESTIONS.map((q, i) => [q, step.quality![i]])),
            }),
            ...(step.statementOfReasons && { statementOfReasons: step.statementOfReasons }),
          },
        });
        expect({ spec: spec.name, step: step.type, status: answer.status }).toEqual({
          spec: spec.name,
          step: step.type,
          status: 201,
        });
      }
      if (spec.markedOverdue) {
        await t.db.query('UPDATE cases SET overdue_for = due_at WHERE id = $1', [created.id]);
      }
      const read = await call<CaseResponseDto>(t.app, 'GET', `/v1/cases/${created.id}`, { token });
      expect(read.status).toBe(200);
      known.push({ spec, c: read.body });
    }
    for (const code of new Set(SPECS.map((s) => s.platformCode))) {
      const answer = await call<{ name: string }>(t.app, 'GET', `/v1/platforms/${code}`, {
        token: users.creator.token,
      });
      platformNames.set(code, answer.body.name);
    }
  });
  afterAll(() => t?.close());

  /** The cases a user's report counts: own organisation, escalated in the year, visible (TLP). */
  function counted(who: Who, year: number): Known[] {
    const user = users[who];
    return known.filter(
      ({ c }) =>
        c.organizationId === user.organizationId &&
        c.escalatedAt !== null &&
        new Date(c.escalatedAt).getUTCFullYear() === year &&
        (c.tlp !== 'RED' || c.createdBy === user.id || c.shareWithUserIds.includes(user.id)),
    );
  }

  function expectedReport(who: Who, year: number) {
    const cases = counted(who, year);
    const org = users[who].organizationId === orgA.id ? orgA : orgB;
    const months = groupBy(cases, (k) => k.c.escalatedAt!.slice(0, 7));
    const action = (k: Known) => k.c.outcome ?? (k.c.status === 'closed' ? 'closed' : 'open');
    return {
      organization: { slug: org.slug, name: org.name },
      year,
      from: `${year}-01-01T00:00:00.000Z`,
      to: `${year + 1}-01-01T00:00:00.000Z`,
      totals: figuresOf(cases),
      byPlatform: byKey(
        [...groupBy(cases, (k) => k.c.platformCode)].map(([platform, g]) => ({
          platform,
          platformName: platformNames.get(platform),
          ...figuresOf(g),
        })),
        (r) => r.platform,
      ),
      byContentType: byKey(
        [...groupBy(cases, (k) => k.c.categoryCode)].map(([category, g]) => ({
          category,
          dsaCategory: DSA_OF.get(category),
          ...figuresOf(g),
        })),
        (r) => r.category,
      ),
      byAction: byKey(
        [...groupBy(cases, action)].map(([outcome, g]) => ({ outcome, ...figuresOf(g) })),
        (r) => r.outcome,
      ),
      byMonth: Array.from({ length: 12 }, (_, i) => {
        const month = `${year}-${String(i + 1).padStart(2, '0')}`;
        return { month, ...figuresOf(months.get(month) ?? []) };
      }),
      ...qualityOf(cases),
    };
  }

  type Report = ReturnType<typeof expectedReport> & { generatedAt: string };

  async function report(who: Who, year: number) {
    const answer = await call<Report>(t.app, 'GET', '/v1/reports/annual', {
      token: users[who].token,
      query: { year: String(year) },
    });
    expect(answer.status).toBe(200);
    const { generatedAt, ...body } = answer.body;
    expect(Date.parse(generatedAt)).not.toBeNaN();
    return {
      answer,
      body: {
        ...body,
        byPlatform: byKey(body.byPlatform, (r) => r.platform),
        byContentType: byKey(body.byContentType, (r) => r.category),
        byAction: byKey(body.byAction, (r) => r.outcome),
      },
    };
  }

  it('the scenario covers what it claims to (guards the checks below from being vacuous)', () => {
    const cases = counted('creator', 2025);
    const actions = new Set(cases.map((k) => k.c.outcome ?? k.c.status));
    expect(actions).toEqual(
      new Set([
        'content_removed',
        'account_suspended',
        'no_violation_found',
        'no_response',
        'escalated',
        'acknowledged',
        'partially_actioned',
        'closed',
        'content_restricted',
      ]),
    );
    expect(cases.some((k) => k.c.overdue)).toBe(true);
    expect(cases.some((k) => k.c.paused && !k.c.overdue)).toBe(true);
    expect(cases.filter((k) => k.spec.markedOverdue)).toHaveLength(1);
    // The RED case is counted for its creator and the named user, not for the others of A.
    expect(counted('colleague', 2025)).toHaveLength(cases.length + 1);
    expect(counted('named', 2025)).toHaveLength(cases.length + 1);
    expect(counted('viewer', 2025)).toHaveLength(cases.length);
  });

  it.each(['creator', 'colleague', 'named', 'viewer', 'memberOfB'] as const)(
    '%s: every section of 2025 matches the cases counted by hand',
    async (who) => {
      const { body } = await report(who, 2025);
      expect(body).toEqual(expectedReport(who, 2025));
    },
  );

  it("counts a colleague's RED case only for its creator and the users named on it", async () => {
    const red = known.find((k) => k.spec.tlp === 'RED')!;
    const sextortion = (b: Omit<Report, 'generatedAt'>) =>
      b.byContentType.find((r) => r.category === 'sextortion');
    const creator = (await report('creator', 2025)).body;
    const named = (await report('named', 2025)).body;
    const viewer = (await report('viewer', 2025)).body;
    expect(sextortion(creator)).toBeUndefined();
    expect(sextortion(viewer)).toBeUndefined();
    expect(sextortion(named)?.escalations).toBe(1);
    expect(named.totals.escalations).toBe(creator.totals.escalations + 1);
    expect(red.c.tlp).toBe('RED');
  });

  it("never counts another organisation's cases, even those shared with the caller", async () => {
    const { body } = await report('creator', 2025);
    const ownOf = (who: Who) => counted(who, 2025).length;
    expect(body.totals.escalations).toBe(ownOf('creator'));
    // B's AMBER case shared with A and its GREEN case are visible to A's members...
    const shared = known.filter((k) => k.spec.by === 'memberOfB' && k.spec.tlp);
    for (const k of shared) {
      const seen = await call(t.app, 'GET', `/v1/cases/${k.c.id}`, { token: users.creator.token });
      expect(seen.status).toBe(200);
    }
    // ...and still count only in B's report.
    const b = (await report('memberOfB', 2025)).body;
    expect(b.totals.escalations).toBe(known.filter((k) => k.spec.by === 'memberOfB').length);
    expect(b.organization).toEqual({ slug: orgB.slug, name: orgB.name });
  });

  it('respects the year boundaries (UTC)', async () => {
    const y2024 = (await report('creator', 2024)).body;
    const y2026 = (await report('creator', 2026)).body;
    expect(y2024).toEqual(expectedReport('creator', 2024));
    expect(y2026).toEqual(expectedReport('creator', 2026));
    expect(y2024.totals.escalations).toBe(1);
    expect(y2026.totals.escalations).toBe(1);
    expect(y2026.byMonth[0]).toMatchObject({ month: '2026-01', escalations: 1 });
    const y2025 = (await report('creator', 2025)).body;
    // 2025-12-31T23:59:59.999Z is December 2025; the draft counts nowhere.
    expect(y2025.byMonth[11]).toMatchObject({ month: '2025-12', escalations: 1 });
    const everywhere = [y2024, y2025, y2026].reduce((n, r) => n + r.totals.escalations, 0);
    expect(everywhere).toBe(
      known.filter(
        ({ c }) => c.organizationId === orgA.id && c.escalatedAt !== null && c.tlp !== 'RED',
      ).length,
    );
    expect(await report('creator', 2023).then((r) => r.body.totals)).toEqual(figuresOf([]));
  });

  it('answers counts and codes only: nothing about the cases, survivors or users', async () => {
    const { answer } = await report('named', 2025);
    for (const { c } of known) {
      for (const secret of [c.id, c.reference, c.title, c.summary, c.createdBy]) {
        expect(answer.text).not.toContain(secret);
      }
      for (const item of c.items) expect(answer.text).not.toContain(item.url);
      for (const i of c.indicators) expect(answer.text).not.toContain(i.value);
    }
    for (const u of Object.values(users)) {
      expect(answer.text).not.toContain(u.email);
      expect(answer.text).not.toContain(u.id);
    }
    expect(answer.headers['cache-control']).toBe('private, no-store');
  });

  it('CSV: one table, a row per figure, labels in Spanish, parses back to the JSON figures', async () => {
    const json = (await report('creator', 2025)).body;
    const answer = await call(t.app, 'GET', '/v1/reports/annual', {
      token: users.creator.token,
      query: { year: '2025', format: 'csv', lang: 'es' },
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(answer.headers['content-disposition']).toBe(
      `attachment; filename="annual-report-${orgA.slug}-2025.csv"`,
    );
    expect(answer.text.startsWith('\ufeff')).toBe(true);
    expect(answer.text).toContain('\r\n');
    const [header, ...rows] = parse(answer.text, {
      bom: true,
      relax_column_count: false,
    }) as string[][];
    expect(header).toEqual([
      'Sección',
      'Plataforma',
      'Categoría',
      'Categoría DSA',
      'Resultado',
      'Mes',
      'Clave',
      'Valor',
    ]);

    const FIGURES = Object.keys(json.totals) as (keyof typeof json.totals)[];
    const figureOf = new Map(FIGURES.map((f) => [label('es', 'column', f), f]));
    expect(figureOf.get('Escalamientos')).toBe('escalations');
    const value = (cell: string) => (cell === '' ? null : Number(cell));
    /** The rows of one section and one dimension value, back as a figures object. */
    const back = (section: string, match: (row: string[]) => boolean) => {
      const mine = rows.filter((r) => r[0] === section && match(r));
      expect(mine.map((r) => figureOf.get(r[6]))).toEqual(FIGURES);
      return Object.fromEntries(mine.map((r) => [figureOf.get(r[6]), value(r[7])]));
    };
    expect(back('Total', () => true)).toEqual(json.totals);
    for (const p of json.byPlatform) {
      const { platform: _p, platformName, ...figures } = p;
      expect(back('Plataforma', (r) => r[1] === platformName)).toEqual(figures);
    }
    for (const c of json.byContentType) {
      const { category, dsaCategory, ...figures } = c;
      const categoryLabel = label('es', 'category', category);
      const rowsOf = rows.filter((r) => r[0] === 'Categoría' && r[2] === categoryLabel);
      expect(new Set(rowsOf.map((r) => r[3]))).toEqual(
        new Set([label('es', 'dsaCategory', dsaCategory!)]),
      );
      expect(back('Categoría', (r) => r[2] === categoryLabel)).toEqual(figures);
    }
    for (const a of json.byAction) {
      const { outcome, ...figures } = a;
      const actionLabel =
        outcome === 'open'
          ? 'Abiertos'
          : outcome === 'closed'
            ? label('es', 'status', 'closed')
            : label('es', 'outcome', outcome);
      expect(back('Resultado', (r) => r[4] === actionLabel)).toEqual(figures);
    }
    for (const m of json.byMonth) {
      const { month, ...figures } = m;
      expect(back('Mes', (r) => r[5] === month)).toEqual(figures);
    }
    const sections = 1 + json.byPlatform.length + json.byContentType.length;
    // Then a row per quality question and answer, its share of yes, and 5 statement figures.
    expect(rows).toHaveLength(
      FIGURES.length * (sections + json.byAction.length + json.byMonth.length) + 4 * 4 + 5,
    );
    const quality = rows.filter((r) => r[0] === 'Calidad de la respuesta');
    expect(quality.map((r) => [r[6], Number(r[7])])).toEqual(
      json.responseQuality.flatMap((q) => [
        [`${label('es', 'column', q.question)}: sí`, q.yes],
        [`${label('es', 'column', q.question)}: no`, q.no],
        [`${label('es', 'column', q.question)}: se desconoce`, q.unknown],
        [label('es', 'column', `${q.question}Share`), q.yesShare ?? 0],
      ]),
    );
    const sor = rows.filter((r) => r[0] === 'Declaraciones de motivos').map((r) => Number(r[7]));
    const s = json.statementsOfReasons;
    expect(sor).toEqual([s.decisions, s.received, s.notReceived, s.notRecorded, s.receivedShare]);
    // Spanish labels where Spanish exists (spot checks, written out).
    const cells = new Set(rows.flat());
    for (const text of ['Contenido eliminado', 'Sin respuesta', 'Acoso y abuso', 'Mes']) {
      expect(cells).toContain(text);
    }
    expect(cells).toContain('Ciberviolencia contra las mujeres');
  });

  it('CSV labels default to English', async () => {
    const answer = await call(t.app, 'GET', '/v1/reports/annual', {
      token: users.viewer.token,
      query: { year: '2025', format: 'csv' },
    });
    expect(answer.status).toBe(200);
    const [header] = parse(answer.text, { bom: true }) as string[][];
    expect(header[0]).toBe(label('en', 'column', 'section'));
    expect(header[0]).not.toBe('Sección');
  });

  it('refuses a bad year, format or language and unknown fields with 400 problem+json', async () => {
    const token = users.creator.token;
    const nextYear = new Date().getUTCFullYear() + 1;
    const refused: [Record<string, string>, string][] = [
      [{}, 'year'],
      [{ year: '' }, 'year'],
      [{ year: 'abc' }, 'year'],
      [{ year: '2025.5' }, 'year'],
      [{ year: '1999' }, 'year'],
      [{ year: String(nextYear + 1) }, 'year'],
      [{ year: '2025', format: 'xml' }, 'format'],
      [{ year: '2025', format: 'CSV' }, 'format'],
      [{ year: '2025', lang: 'de' }, 'lang'],
      [{ year: '2025', lang: 'es-ES' }, 'lang'],
      [{ year: '2025', organizationId: orgB.id }, 'organizationId'],
      [{ year: '2025', extra: '1' }, 'extra'],
    ];
    for (const [query, field] of refused) {
      const answer = await call(t.app, 'GET', '/v1/reports/annual', { token, query });
      expect({ query, fields: fieldsOf(answer) }).toEqual({ query, fields: [field] });
    }
    const next = await call(t.app, 'GET', '/v1/reports/annual', {
      token,
      query: { year: String(nextYear) },
    });
    expect(next.status).toBe(200);
    expect(next.body.totals).toEqual(figuresOf([]));
  });

  it('is described in the OpenAPI document', async () => {
    const doc = await call<{
      paths: Record<string, { get?: { parameters?: { name: string }[] } }>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    }>(t.app, 'GET', '/openapi.json');
    const get = doc.body.paths['/v1/reports/annual']?.get;
    expect(get?.parameters?.map((p) => p.name).sort()).toEqual(['format', 'lang', 'year']);
    expect(Object.keys(doc.body.components.schemas.AnnualReportResponseDto.properties!)).toEqual(
      expect.arrayContaining([
        'totals',
        'byPlatform',
        'byContentType',
        'byAction',
        'byMonth',
        'responseQuality',
        'statementsOfReasons',
      ]),
    );
    expect(Object.keys(doc.body.components.schemas.QualityAnswersDto.properties!).sort()).toEqual([
      'no',
      'question',
      'unknown',
      'yes',
      'yesShare',
    ]);
    expect(
      Object.keys(doc.body.components.schemas.StatementsOfReasonsDto.properties!).sort(),
    ).toEqual(['decisions', 'notReceived', 'notRecorded', 'received', 'receivedShare']);
    const trends = (
      doc.body.paths['/v1/patterns/trends']?.get as { parameters?: { name: string }[] }
    ).parameters?.map((p) => p.name);
    expect(trends).toContain('period');
  });

  it('answers 401 without a token', async () => {
    const answer = await call(t.app, 'GET', '/v1/reports/annual', { query: { year: '2025' } });
    expectProblem(answer, 401);
  });

  it('audits every export with its kind, year and format', async () => {
    const entries = async () =>
      (await t.db.query(
        `SELECT actor_user_id, organization_id, details FROM audit_entries
          WHERE action = 'report.exported' AND actor_user_id = $1 ORDER BY occurred_at, id`,
        [users.viewer.id],
      )) as { actor_user_id: string; organization_id: string; details: unknown }[];
    const before = (await entries()).length;
    for (const [year, format] of [
      ['2025', 'json'],
      ['2024', 'csv'],
    ]) {
      const answer = await call(t.app, 'GET', '/v1/reports/annual', {
        token: users.viewer.token,
        query: { year, format },
      });
      expect(answer.status).toBe(200);
    }
    const refused = await call(t.app, 'GET', '/v1/reports/annual', {
      token: users.viewer.token,
      query: { year: '2025', format: 'xml' },
    });
    expect(refused.status).toBe(400);
    const after = await entries();
    expect(after.slice(before)).toEqual([
      {
        actor_user_id: users.viewer.id,
        organization_id: orgA.id,
        details: { kind: 'annual', year: 2025, format: 'json' },
      },
      {
        actor_user_id: users.viewer.id,
        organization_id: orgA.id,
        details: { kind: 'annual', year: 2024, format: 'csv' },
      },
    ]);
  });
});
