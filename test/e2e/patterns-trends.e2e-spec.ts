import { CaseResponseDto } from '../../src/cases/dto/case.dto';
import { OrganizationResponseDto } from '../../src/organizations/dto/organization-response.dto';
import { TrendsResponseDto } from '../../src/patterns/dto/trends.dto';
import { PatternProjection } from '../../src/patterns/pattern-projection';
import { createCase } from '../factories/case.factory';
import { createOrganization, createUser, TestUser } from '../factories/community.factory';
import { call, expectProblem, fieldsOf } from '../support/http';
import { oracleTrends, rawRecords, sortRows } from '../support/disclosure-oracle';
import { createTestApp, TestApp } from '../support/test-app';

/*
 * The shared repository through HTTP: consenting cases become pattern records in the same
 * transaction, the rollups follow within seconds (NOTIFY + worker), and every answer is
 * suppressed (k = 5, one-organisation cells, complementary cells).
 */

const PERIOD = { from: '2026-01', to: '2026-06' };

describe('patterns: trends (e2e)', () => {
  let t: TestApp;
  let a: TestUser;
  let b: TestUser;
  let c: TestUser;
  let orgA: OrganizationResponseDto;

  /** `n` consenting escalations of `category` in `country` (March 2026) by `user`. */
  async function log(user: TestUser, n: number, overrides: Record<string, unknown>) {
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

  const fold = () => t.app.get(PatternProjection).catchUp();

  async function trends(query: Record<string, string>, token = a.token) {
    const answer = await call<TrendsResponseDto>(t.app, 'GET', '/v1/patterns/trends', {
      token,
      query: { ...PERIOD, ...query },
    });
    expect(answer.status).toBe(200);
    return answer.body;
  }

  const byCountry = (body: TrendsResponseDto) =>
    Object.fromEntries(body.data.map((r) => [r.country as string, r]));

  beforeAll(async () => {
    // Workers on: the rollups must follow changes by themselves.
    t = await createTestApp({ APP_ROLE: 'all' });
    orgA = await createOrganization(t.app);
    const orgB = await createOrganization(t.app);
    const orgC = await createOrganization(t.app);
    a = await createUser(t.app, orgA.id, 'member');
    b = await createUser(t.app, orgB.id, 'member');
    c = await createUser(t.app, orgC.id, 'member');
  }, 60_000);
  afterAll(() => t.close());

  /** The answer and what it must be, computed from the raw cases (rows compared as sets). */
  async function expectOracle(query: { groupBy: string; [filter: string]: string }) {
    const { groupBy, ...filters } = query;
    const body = await trends(query);
    const expected = oracleTrends(
      await rawRecords(t.db),
      { ...PERIOD, groupBy: groupBy ? groupBy.split(',') : [], filters },
      body.k,
    );
    expect({ data: sortRows(body.data), total: body.total }).toEqual(expected);
    return body;
  }

  it('follows a consenting escalation within seconds, with no fold asked for', async () => {
    await log(a, 5, { categoryCode: 'sextortion', subcategoryCode: null, country: 'UY' });
    await log(b, 5, { categoryCode: 'sextortion', subcategoryCode: null, country: 'UY' });
    const expected = oracleTrends(
      await rawRecords(t.db),
      { ...PERIOD, groupBy: ['country'], filters: { category: 'sextortion' } },
      5,
    ).data.find((r) => r.country === 'UY');
    // 10 cases, 5 outside the largest organisation: shown, within the noise.
    expect(expected).toMatchObject({ suppressed: false, organizations: 2 });
    expect(Math.abs(expected!.count! - 10)).toBeLessThanOrEqual(2);
    const started = Date.now();
    let row: TrendsResponseDto['data'][number] | undefined;
    while (Date.now() - started < 10_000) {
      const body = await trends({ groupBy: 'country', category: 'sextortion' });
      row = body.data.find((r) => r.country === 'UY');
      if (row?.count === expected!.count) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(row).toEqual(expected);
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 60_000);

  describe('protection', () => {
    beforeAll(async () => {
      // doxxing: AR 11 cases (6 + 5), BO 4, CL 50 from one organisation.
      await log(a, 6, { country: 'AR' });
      await log(b, 5, { country: 'AR' });
      await log(a, 2, { country: 'BO' });
      await log(b, 2, { country: 'BO' });
      await log(a, 50, { country: 'CL' });
      // harassment: MX 13 of which 10 from one organisation (dominated), PE 10 (5 + 5).
      const harassment = { categoryCode: 'harassment', subcategoryCode: 'abusive_messages' };
      await log(a, 3, { ...harassment, country: 'AR' });
      await log(b, 3, { ...harassment, country: 'AR' });
      await log(b, 10, { ...harassment, country: 'MX' });
      await log(c, 3, { ...harassment, country: 'MX' });
      await log(a, 5, { ...harassment, country: 'PE' });
      await log(c, 5, { ...harassment, country: 'PE' });
      // Without consent, or TLP:RED: never counted.
      for (let i = 0; i < 6; i++) {
        await createCase(t.app, c.token, { country: 'BO', consentToSharePattern: false });
        await createCase(t.app, c.token, {
          country: 'BO',
          consentToSharePattern: true,
          tlp: 'RED',
          escalatedAt: '2026-03-10T10:00:00.000Z',
        });
      }
      await fold();
    }, 180_000);

    it('shows a cell of 11 cases from two organisations (perturbed), hides one of 4 and one of 50 from a single organisation', async () => {
      const body = await expectOracle({ groupBy: 'country', category: 'doxxing' });
      const rows = byCountry(body);
      expect(rows.AR).toMatchObject({ organizations: 2, suppressed: false });
      expect(Math.abs(rows.AR.count! - 11)).toBeLessThanOrEqual(2);
      const hidden = { count: null, organizations: null, suppressed: true };
      expect(rows.BO).toEqual({ country: 'BO', ...hidden });
      expect(rows.CL).toEqual({ country: 'CL', ...hidden });
      // The total is a cell of its own (65 cases, 7 outside the largest organisation).
      expect(body.total).toMatchObject({ organizations: 2, suppressed: false });
      expect(Math.abs(body.total.count! - 65)).toBeLessThanOrEqual(2);
      expect(body.k).toBe(5);
    });

    it('hides a cell of two organisations where the largest holds all but 3 (dominance)', async () => {
      const rows = byCountry(await expectOracle({ groupBy: 'country', category: 'harassment' }));
      expect(rows.MX.suppressed).toBe(true);
      expect(rows.AR.suppressed).toBe(true);
      expect(rows.PE.suppressed).toBe(false);
    });

    it('gives the same answer to the same question, however often it is asked', async () => {
      const first = await trends({ groupBy: 'country,category' });
      for (let i = 0; i < 3; i++) {
        expect(await trends({ groupBy: 'country,category' })).toEqual(first);
      }
      // The same cells asked another way (filtered instead of grouped) get the same noise.
      const pe = first.data.find((r) => r.country === 'PE' && r.category === 'harassment');
      const filtered = await trends({ groupBy: 'country', category: 'harassment' });
      expect(filtered.data.find((r) => r.country === 'PE')!.count).toBe(pe!.count);
    });

    it('matches the oracle grouped by the EU DSA category of the crosswalk', async () => {
      // Only cases with a subcategory: the oracle models the subcategories' crosswalk.
      await expectOracle({ groupBy: 'month,category,dsaCategory', country: 'PE' });
      await expectOracle({ groupBy: 'dsaCategory', category: 'harassment' });
    });

    it.each(['targetGroup', 'month,platform,channelKind,outcome', 'country,subcategory', ''])(
      'matches the oracle grouped by %j',
      async (groupBy) => {
        await expectOracle({ groupBy });
        await expectOracle({ groupBy, country: 'PE' });
      },
    );

    it('counts a case once per target group when grouped by them, and once in the total', async () => {
      const body = await expectOracle({ groupBy: 'targetGroup', country: 'PE' });
      expect(body.data.map((r) => r.targetGroup).sort()).toEqual(['journalists_media', 'women']);
    });

    it('never counts a TLP:RED case, whatever its consent', async () => {
      const red = await t.db.query(
        `SELECT count(*)::int AS n FROM pattern_records p JOIN cases c ON c.id = p.case_id
          WHERE c.tlp = 'RED'`,
      );
      expect(red[0].n).toBe(0);
      const cells = await t.db.query(
        `SELECT COALESCE(sum(cases), 0)::int AS n FROM pattern_cells
          WHERE grain = 0 AND country = 'BO' AND category = 'doxxing' AND organization_id = $1`,
        [c.organizationId],
      );
      expect(cells[0].n).toBe(0);
    });

    it('removes a case from every later answer when its consent is withdrawn, and returns it when given again', async () => {
      const [mine] = await t.db.query(
        `SELECT c.id, c.version FROM cases c JOIN pattern_records p ON p.case_id = c.id
          WHERE c.country = 'AR' AND c.category_code = 'doxxing' AND c.created_by = $1 LIMIT 1`,
        [a.id],
      );
      const withdraw = await call<CaseResponseDto>(t.app, 'PATCH', `/v1/cases/${mine.id}`, {
        token: a.token,
        headers: { 'if-match': `"${mine.version}"` },
        body: { consentToSharePattern: false },
      });
      expect(withdraw.status).toBe(200);
      // The record is gone in the same transaction as the change.
      const left = await t.db.query('SELECT 1 FROM pattern_records WHERE case_id = $1', [mine.id]);
      expect(left).toHaveLength(0);
      // And its counts with it: the very next answer, with no fold asked for.
      // AR now 10 cases (5 + 5), the total 64.
      await expectOracle({ groupBy: 'country', category: 'doxxing' });
      await expectOracle({ groupBy: '', category: 'doxxing' });

      const again = await call<CaseResponseDto>(t.app, 'PATCH', `/v1/cases/${mine.id}`, {
        token: a.token,
        headers: { 'if-match': `"${withdraw.body.version}"` },
        body: { consentToSharePattern: true },
      });
      expect(again.status).toBe(200);
      // Coming back is not urgent: the worker builds the record (here, at once).
      await fold();
      // The case keeps its record key: withdrawing and giving consent again never redraws the
      // noise of the cells that hold it.
      const [record] = await t.db.query(
        `SELECT p.record_key, c.pattern_key FROM pattern_records p JOIN cases c ON c.id = p.case_id
          WHERE p.case_id = $1`,
        [mine.id],
      );
      expect(record.record_key).toBe(record.pattern_key);
      await expectOracle({ groupBy: 'country', category: 'doxxing' });
    });

    it('keeps case content out of the pattern records', async () => {
      const [probe] = await log(a, 1, {
        country: 'EC',
        title: 'Título único 7f3a',
        summary: 'Resumen único 9c2b',
        items: [{ url: 'https://example.org/unique-post-5d1e', kind: 'post' }],
        indicators: [{ kind: 'account_handle', value: '@unique_handle_8e4f' }],
      });
      await fold();
      const [record] = await t.db.query(
        'SELECT to_jsonb(p) AS r FROM pattern_records p WHERE case_id = $1',
        [probe.id],
      );
      const text = JSON.stringify(record.r);
      for (const secret of ['7f3a', '9c2b', '5d1e', '8e4f', probe.reference]) {
        expect(text).not.toContain(secret);
      }
      expect(record.r.month).toBe('2026-03-01');
      expect(record.r.indicator_hashes).toHaveLength(1);
      expect(record.r.indicator_hashes[0]).toMatch(/^[0-9a-f]{64}$/);
    });

    it('never names an organisation or a case in an answer', async () => {
      const body = await trends({ groupBy: 'month,platform,country,category' });
      const text = JSON.stringify(body);
      expect(text).not.toContain(orgA.id);
      expect(text).not.toContain(orgA.slug);
      for (const row of body.data) {
        expect(Object.keys(row).sort()).toEqual(
          [
            'category',
            'count',
            'country',
            'month',
            'organizations',
            'platform',
            'suppressed',
          ].sort(),
        );
      }
    });
  });

  describe('refusals', () => {
    it.each([
      [{ groupBy: 'month,colour' }, 'groupBy'],
      [{ groupBy: 'month,month' }, 'groupBy'],
      [{ from: '2026-13' }, 'from'],
      [{ to: '2026-1' }, 'to'],
      [{ from: '2026-05', to: '2026-02' }, 'from'],
      [{ from: '2000-01', to: '2026-01' }, 'from'],
      [{ country: 'Bolivia' }, 'country'],
      [{ category: "doxxing' OR 1=1 --" }, 'category'],
      [{ targetGroup: 'women,girls' }, 'targetGroup'],
      [{ organizationId: '6b1b7e3c-1c1a-4c5e-9d7e-0f8e8b9b1a2c' }, 'organizationId'],
    ])('answers 400 problem+json for %j', async (query, field) => {
      const answer = await call(t.app, 'GET', '/v1/patterns/trends', {
        token: a.token,
        query: query as Record<string, string>,
      });
      expect(fieldsOf(answer)).toContain(field);
    });

    it('answers 401 without a token, and the public trends are off (404) by default', async () => {
      expectProblem(await call(t.app, 'GET', '/v1/patterns/trends'), 401);
      expectProblem(await call(t.app, 'GET', '/v1/public/trends'), 404);
    });

    it('writes an audit entry for each question', async () => {
      const before = await t.db.query(
        `SELECT count(*)::int AS n FROM audit_entries WHERE action = 'patterns.read' AND actor_user_id = $1`,
        [c.id],
      );
      await trends({ groupBy: 'country' }, c.token);
      const after = await t.db.query(
        `SELECT count(*)::int AS n FROM audit_entries WHERE action = 'patterns.read' AND actor_user_id = $1`,
        [c.id],
      );
      expect(after[0].n).toBe(before[0].n + 1);
    });
  });
  describe('by quarter and by year', () => {
    /** The quarter of a month, written out here, not with the service's helpers. */
    const quarterOf = (ym: string) =>
      `${ym.slice(0, 4)}-Q${[1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4][Number(ym.slice(5, 7)) - 1]}`;

    beforeAll(async () => {
      // 2025, away from the other tests' months: facebook in Feb, Mar, May and Nov from two
      // organisations (Q1 has 6 + 6, Q2 3 + 3, Q4 4 + 1), instagram in Aug from one.
      const at = (month: string) => ({ escalatedAt: `2025-${month}-14T12:00:00.000Z` });
      for (const [user, n, month, platformCode] of [
        [a, 3, '02', 'facebook'],
        [a, 3, '03', 'facebook'],
        [b, 6, '03', 'facebook'],
        [a, 3, '05', 'facebook'],
        [b, 3, '05', 'facebook'],
        [c, 7, '08', 'instagram'],
        [a, 4, '11', 'facebook'],
        [b, 1, '11', 'facebook'],
      ] as const) {
        await log(user, n, { ...at(month), platformCode });
      }
      await fold();
    }, 60_000);

    it.each([
      ['quarter', quarterOf, { from: '2025-Q1', to: '2025-Q4' }],
      ['year', (ym: string) => ym.slice(0, 4), { from: '2025', to: '2025' }],
    ] as const)(
      'period=%s: each step a protected cell of its own, the period widened to whole steps',
      async (period, stepOf, steps) => {
        const body = await trends({
          from: '2025-02',
          to: '2025-11',
          period,
          groupBy: 'month,platform',
        });
        expect({ from: body.from, to: body.to, period: body.period }).toEqual({
          from: '2025-01',
          to: '2025-12',
          period,
        });
        const records = (await rawRecords(t.db)).map((r) => ({ ...r, month: stepOf(r.month) }));
        const expected = oracleTrends(
          records,
          { ...steps, groupBy: ['month', 'platform'] },
          body.k,
        );
        expect({ data: sortRows(body.data), total: body.total }).toEqual(expected);
        // Something shown and something hidden, so the comparison can fail either way.
        expect(body.data.some((r) => !r.suppressed)).toBe(true);
        expect(body.data.some((r) => r.suppressed)).toBe(true);
      },
    );

    it('labels the steps in the CSV with the period, and refuses an unknown period', async () => {
      const answer = await call(t.app, 'GET', '/v1/reports/trends', {
        token: a.token,
        query: { from: '2025-01', to: '2025-12', period: 'quarter', groupBy: 'month', lang: 'en' },
      });
      expect(answer.status).toBe(200);
      const header = answer.text.replace(/^\uFEFF/, '').split('\r\n')[0];
      expect(header.split(',')[0]).toBe('Quarter');
      expect(answer.text).toContain('2025-Q1');
      const refused = await call(t.app, 'GET', '/v1/patterns/trends', {
        token: a.token,
        query: { period: 'week' },
      });
      expectProblem(refused, 400);
      expect(fieldsOf(refused)).toEqual(['period']);
    });
  });
});

describe('patterns: public trends (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ PUBLIC_TRENDS: 'true', K_ANONYMITY: '2' });
  }, 60_000);
  afterAll(() => t.close());

  it('counts only organisations that opted in to public statistics', async () => {
    const open1 = await createOrganization(t.app);
    const open2 = await createOrganization(t.app);
    const closed = await createOrganization(t.app);
    for (const org of [open1, open2]) {
      await t.db.query('UPDATE organizations SET public_statistics = true WHERE id = $1', [org.id]);
    }
    for (const org of [open1, open2, closed]) {
      const user = await createUser(t.app, org.id, 'member');
      for (let i = 0; i < 3; i++) {
        await createCase(t.app, user.token, {
          consentToSharePattern: true,
          country: 'GT',
          escalatedAt: '2026-02-01T09:00:00.000Z',
        });
      }
    }
    await t.app.get(PatternProjection).catchUp();
    const answer = await call<TrendsResponseDto>(t.app, 'GET', '/v1/public/trends', {
      query: { from: '2026-01', to: '2026-03', groupBy: 'country' },
    });
    expect(answer.status).toBe(200);
    // Counted from the two open organisations only (6 cases), protected like any cell.
    const open = (await rawRecords(t.db)).filter((r) => r.organizationId !== closed.id);
    expect(answer.body.data).toEqual(
      oracleTrends(open, { from: '2026-01', to: '2026-03', groupBy: ['country'] }, 2).data,
    );
    expect(answer.body.data[0]).toMatchObject({ country: 'GT', organizations: 2 });
    expect(answer.body.k).toBe(2);
    expectProblem(
      await call(t.app, 'GET', '/v1/public/trends', { query: { groupBy: 'nope' } }),
      400,
    );
  }, 60_000);
});
