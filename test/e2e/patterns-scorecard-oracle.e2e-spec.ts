import { CaseResponseDto } from '../../src/cases/dto/case.dto';
import { ScorecardResponseDto } from '../../src/patterns/dto/scorecard.dto';
import { PatternProjection } from '../../src/patterns/pattern-projection';
import { createCase } from '../factories/case.factory';
import { createOrganization, createUser, TestUser } from '../factories/community.factory';
import { oracleScorecard, rawRecords } from '../support/disclosure-oracle';
import { call } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';

/*
 * Every figure of the platform scorecard against the independent oracle (raw cases and events,
 * ptable from its JSON), on data with the awkward cases: unanswered, paused, reopened, closed
 * without answer, imported, overdue, consent withdrawn, TLP:RED with consent, three
 * organisations, a month with no case. A median once counted unanswered cases as 0 s and every
 * test agreed with it: here the oracle knows only the definitions.
 */

const HOUR = 3_600_000;
const at = (iso: string, hours: number) => new Date(Date.parse(iso) + hours * HOUR).toISOString();
const MARCH = '2025-03-04T10:00:00.000Z';
const MAY = '2025-05-12T08:00:00.000Z';
const quality = (reason: string, context: string, gendered: string, retraumatising: string) => ({
  reasonGiven: reason,
  contextUnderstood: context,
  harmRecognisedAsGendered: gendered,
  retraumatisingProofRequested: retraumatising,
});

type Step = [type: string, hours: number, extra?: Record<string, unknown>];

/** Timelines, each an escalated case's steps (hours after the escalation). */
const TIMELINES: Step[][] = [
  [], // unanswered
  [], // unanswered
  [
    ['platform_acknowledged', 20],
    [
      'platform_responded',
      50,
      { outcome: 'content_removed', quality: quality('yes', 'yes', 'yes', 'no') },
    ],
  ],
  [
    ['platform_requested_info', 10],
    ['info_provided', 34],
    [
      'platform_responded',
      60,
      { outcome: 'account_suspended', quality: quality('no', 'yes', 'yes', 'no') },
    ],
  ],
  [
    [
      'platform_responded',
      30,
      { outcome: 'no_violation_found', quality: quality('yes', 'no', 'no', 'yes') },
    ],
    ['reopened', 40],
    [
      'platform_responded',
      90,
      { outcome: 'content_removed', quality: quality('yes', 'yes', 'unknown', 'yes') },
    ],
  ],
  [['closed', 200, { outcome: 'no_response' }]],
  [['platform_acknowledged', 5]],
  [
    ['platform_requested_info', 15],
    ['info_provided', 27],
    [
      'platform_responded',
      80,
      { outcome: 'content_restricted', quality: quality('no', 'no', 'no', 'no') },
    ],
  ],
  [
    ['platform_requested_info', 2],
    ['info_provided', 100],
    [
      'platform_responded',
      130,
      { outcome: 'partially_actioned', quality: quality('yes', 'no', 'no', 'yes') },
    ],
  ],
  [['closed', 300, { outcome: 'no_response' }]],
];

describe('patterns: platform scorecard against the oracle (e2e)', () => {
  let t: TestApp;
  let a: TestUser;
  let b: TestUser;
  let c: TestUser;
  let d: TestUser;
  let e: TestUser;

  async function logWithTimeline(user: TestUser, escalatedAt: string, steps: Step[], more = {}) {
    const made = await createCase(t.app, user.token, {
      consentToSharePattern: true,
      platformCode: 'facebook',
      channelCode: 'trusted_partner',
      escalatedAt,
      ...more,
    });
    for (const [type, hours, extra] of steps) {
      const answer = await call(t.app, 'POST', `/v1/cases/${made.id}/events`, {
        token: user.token,
        body: { type, occurredAt: at(escalatedAt, hours), ...extra },
      });
      expect({ type, status: answer.status }).toEqual({ type, status: 201 });
    }
    return made;
  }

  async function importCsv(user: TestUser, lines: string[]) {
    const header =
      'platform,channel,title,summary,category,subcategory,target_groups,country,content_language,urgency,tlp,share_with_organization_ids,consent_to_share_pattern,platform_reference,escalated_at,first_response_at,resolved_at,outcome,closed_at,item_urls,indicators';
    const answer = await call(t.app, 'POST', '/v1/cases/import', {
      token: user.token,
      raw: [header, ...lines].join('\n'),
      headers: { 'content-type': 'text/csv' },
    });
    expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 201 });
  }

  const imported = (escalatedAt: string, firstHours: number | null, outcome = '') =>
    [
      'facebook',
      'trusted_partner',
      'Imported case',
      'From the helpline spreadsheet.',
      'doxxing',
      'home_address_location',
      'women',
      'BO',
      'es',
      'high',
      '',
      '',
      'yes',
      '',
      escalatedAt,
      firstHours === null ? '' : at(escalatedAt, firstHours),
      outcome ? at(escalatedAt, (firstHours ?? 0) + 24) : '',
      outcome,
      outcome ? at(escalatedAt, (firstHours ?? 0) + 48) : '',
      '',
      '',
    ].join(',');

  async function scorecard(from: string, to: string, user = c) {
    const answer = await call<ScorecardResponseDto>(
      t.app,
      'GET',
      '/v1/reports/platform-scorecard',
      {
        token: user.token,
        query: { from, to },
      },
    );
    expect(answer.status).toBe(200);
    return answer.body;
  }

  async function expectOracle(from: string, to: string) {
    const body = await scorecard(from, to);
    expect(body.data).toEqual(oracleScorecard(await rawRecords(t.db), { from, to }, body.k));
    return body;
  }

  beforeAll(async () => {
    t = await createTestApp();
    const orgs = await Promise.all([1, 2, 3, 4, 5].map(() => createOrganization(t.app)));
    [a, b, c, d, e] = await Promise.all(orgs.map((o) => createUser(t.app, o.id, 'member')));
    // March: four organisations log every timeline (enough for every share to be shown), on
    // days a little apart.
    for (const [i, user] of [a, b, d, e].entries()) {
      for (const steps of TIMELINES) await logWithTimeline(user, at(MARCH, 24 * i), steps);
    }
    // C imports its past escalations: two answered, one resolved, two never answered.
    await importCsv(c, [
      imported('2025-03-06T09:00:00Z', 12, 'content_removed'),
      imported('2025-03-07T09:00:00Z', 70),
      imported('2025-03-08T09:00:00Z', null),
      imported('2025-03-09T09:00:00Z', null),
      imported('2025-05-02T09:00:00Z', 6, 'account_suspended'),
    ]);
    // May: three organisations, few cases (the month is not enough on its own).
    for (const steps of TIMELINES.slice(2, 5)) await logWithTimeline(a, MAY, steps);
    for (const steps of TIMELINES.slice(0, 3)) await logWithTimeline(b, MAY, steps);
    // Instagram: one organisation only.
    for (let i = 0; i < 6; i++) {
      await logWithTimeline(b, MARCH, TIMELINES[2], { platformCode: 'instagram' });
    }
    // Out of the repository: consent withdrawn after the answer, and TLP:RED with consent.
    const withdrawn: CaseResponseDto = await logWithTimeline(a, MARCH, TIMELINES[2]);
    const [{ version }] = await t.db.query('SELECT version FROM cases WHERE id = $1', [
      withdrawn.id,
    ]);
    const patch = await call(t.app, 'PATCH', `/v1/cases/${withdrawn.id}`, {
      token: a.token,
      headers: { 'if-match': `"${version}"` },
      body: { consentToSharePattern: false },
    });
    expect(patch.status).toBe(200);
    await logWithTimeline(a, MARCH, TIMELINES[3], { tlp: 'RED' });
    // Overdue: what the deadline job writes when a deadline passes unanswered.
    await t.db.query(
      `UPDATE cases SET overdue_for = due_at
        WHERE first_response_at IS NULL AND due_at IS NOT NULL AND status <> 'closed'`,
    );
    await t.app.get(PatternProjection).catchUp();
  }, 240_000);
  afterAll(() => t.close());

  it('matches the oracle over the whole period, each month, and an empty month', async () => {
    const body = await expectOracle('2025-03', '2025-05');
    const row = body.data.find((r) => r.platform === 'facebook')!;
    expect(row.suppressed).toBe(false);
    await expectOracle('2025-03', '2025-03');
    await expectOracle('2025-05', '2025-05');
    expect((await expectOracle('2025-04', '2025-04')).data).toEqual([]);
  });

  it('shows every figure of the month when enough cases of enough organisations stand behind it', async () => {
    const body = await scorecard('2025-03', '2025-03');
    const row = body.data.find((r) => r.platform === 'facebook')!;
    const hidden = Object.entries(row).filter(([, v]) => v === null);
    expect(hidden).toEqual([]);
  });

  it('never counts an unanswered case as an answer: the median is the answered cases’ median', async () => {
    const body = await scorecard('2025-03', '2025-03');
    const row = body.data.find(
      (r) => r.platform === 'facebook' && r.channel === 'trusted_partner',
    )!;
    // Plain: the answered cases' first answers, in hours, lie between 2 and 70; none is 0.
    const answered: { h: number }[] = await t.db.query(
      `SELECT extract(epoch FROM first_response_at - escalated_at) / 3600 AS h FROM cases
        WHERE consent_to_share_pattern AND tlp <> 'RED' AND first_response_at IS NOT NULL
          AND escalated_at < '2025-04-01' AND platform_id = (SELECT id FROM platforms WHERE code = 'facebook')`,
    );
    const hours = answered.map((r) => Number(r.h)).sort((x, y) => x - y);
    expect(hours[0]).toBeGreaterThanOrEqual(2);
    expect(row.medianFirstResponseHours).not.toBeNull();
    expect(row.medianFirstResponseHours!).toBeGreaterThanOrEqual(hours[0] * 0.95);
    expect(row.medianFirstResponseHours!).toBeLessThanOrEqual(hours[hours.length - 1] * 1.05);
  });

  it('hides a platform logged by one organisation only, every figure with it', async () => {
    const body = await scorecard('2025-03', '2025-05');
    const instagram = body.data.find((r) => r.platform === 'instagram')!;
    expect(instagram.suppressed).toBe(true);
    expect(Object.entries(instagram).filter(([, v]) => typeof v === 'number')).toEqual([]);
  });

  it('keeps the withdrawn and the RED case out', async () => {
    const red = await t.db.query(
      `SELECT count(*)::int AS n FROM pattern_records p JOIN cases c ON c.id = p.case_id
        WHERE c.tlp = 'RED' OR NOT c.consent_to_share_pattern`,
    );
    expect(red[0].n).toBe(0);
  });

  it('marks a row with the channel incidents overlapping its period, unprotected and apart from the figures', async () => {
    const report = async (body: Record<string, unknown>) => {
      const answer = await call<{ id: string }>(t.app, 'POST', '/v1/channel-incidents', {
        token: a.token,
        body: { platformCode: 'facebook', channelCode: 'trusted_partner', ...body },
      });
      expect(answer.status).toBe(201);
      return answer.body.id;
    };
    const march = await report({ kind: 'silent', since: '2025-03-10', description: 'No answers' });
    const resolved = await call(t.app, 'POST', `/v1/channel-incidents/${march}/resolve`, {
      token: a.token,
      body: { resolvedOn: '2025-03-20' },
    });
    expect(resolved.status).toBe(200);
    await report({ kind: 'broken', since: '2025-05-02', description: 'The form fails' });
    const incidents = (open: number, overlapping: number) =>
      new Map([['facebook/trusted_partner', { open, overlapping }]]);
    const check = async (from: string, to: string, open: number, overlapping: number) => {
      const body = await scorecard(from, to);
      expect(body.data).toEqual(
        oracleScorecard(await rawRecords(t.db), { from, to }, body.k, incidents(open, overlapping)),
      );
      return body;
    };
    // The figures are the oracle's as before; only the indicator moves with the period.
    await check('2025-03', '2025-05', 1, 2);
    await check('2025-03', '2025-03', 0, 1);
    await check('2025-05', '2025-05', 1, 1);
    const body = await check('2025-03', '2025-05', 1, 2);
    // A suppressed row keeps no number at all, the indicator included (it is an object).
    const instagram = body.data.find((r) => r.platform === 'instagram')!;
    expect(instagram.incidents).toEqual({ open: 0, overlapping: 0 });
    expect(Object.entries(instagram).filter(([, v]) => typeof v === 'number')).toEqual([]);
  });
});
