import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { CaseResponseDto } from '../../src/cases/dto/case.dto';
import { OrganizationResponseDto } from '../../src/organizations/dto/organization-response.dto';
import { CampaignsService } from '../../src/patterns/campaigns.service';
import { CampaignPageResponseDto, CampaignResponseDto } from '../../src/patterns/dto/campaign.dto';
import { EmergingResponseDto } from '../../src/patterns/dto/emerging.dto';
import { EmergingService } from '../../src/patterns/emerging.service';
import { PatternProjection } from '../../src/patterns/pattern-projection';
import { QueueName } from '../../src/queue/queues';
import { createCase } from '../factories/case.factory';
import { createOrganization, createUser, TestUser } from '../factories/community.factory';
import { call, expectProblem, fieldsOf } from '../support/http';
import { stixProblems } from '../fixtures/stix2-schemas/validator';
import { cellOfRecords, noisy, rawRecords } from '../support/disclosure-oracle';
import { createTestApp, TestApp } from '../support/test-app';

/*
 * Campaigns across organisations that cannot see each other's cases (the campaign is visible,
 * the cases are not), their alerts (once per organisation and campaign), and emerging patterns
 * against the statistics computed independently in emerging.stats.
 */

describe('patterns: campaigns (e2e)', () => {
  let t: TestApp;
  let orgA: OrganizationResponseDto;
  let orgB: OrganizationResponseDto;
  let a: TestUser;
  let b: TestUser;
  let d: TestUser;
  let caseA: CaseResponseDto;
  let caseB: CaseResponseDto;
  let queue: Queue;

  const shared = { kind: 'account_handle', value: '@Coordinated_Attacker' };
  const scan = () => t.app.get(CampaignsService).scan();
  const campaignsOf = async (user: TestUser) => {
    const answer = await call<CampaignPageResponseDto>(t.app, 'GET', '/v1/patterns/campaigns', {
      token: user.token,
    });
    expect(answer.status).toBe(200);
    return answer.body.data;
  };

  beforeAll(async () => {
    // SMTP on (nothing listens: no worker runs here) so alerts become e-mail jobs to count.
    t = await createTestApp({ SMTP_URL: 'smtp://127.0.0.1:2599' });
    queue = t.app.get<Queue>(getQueueToken(QueueName.Notifications));
    orgA = await createOrganization(t.app);
    orgB = await createOrganization(t.app);
    const orgD = await createOrganization(t.app);
    a = await createUser(t.app, orgA.id, 'member');
    b = await createUser(t.app, orgB.id, 'member');
    d = await createUser(t.app, orgD.id, 'member');
    caseA = await createCase(t.app, a.token, {
      consentToSharePattern: true,
      escalatedAt: '2026-03-02T10:00:00.000Z',
      indicators: [shared],
    });
    // The same handle, spelt differently, ten days later, by an organisation A cannot read.
    caseB = await createCase(t.app, b.token, {
      consentToSharePattern: true,
      escalatedAt: '2026-03-12T10:00:00.000Z',
      country: 'MX',
      platformCode: 'instagram',
      channelCode: 'trusted_partner',
      indicators: [{ kind: 'account_handle', value: 'coordinated_attacker' }],
    });
    // Without consent: the shared repository never holds it, so it links nothing.
    await createCase(t.app, d.token, { consentToSharePattern: false, indicators: [shared] });
    // TLP:RED, consenting: counted in aggregates, but never linked (its existence would leak).
    await createCase(t.app, d.token, {
      consentToSharePattern: true,
      tlp: 'RED',
      escalatedAt: '2026-03-05T10:00:00.000Z',
      indicators: [shared],
    });
  }, 60_000);
  afterAll(() => t.close());

  it('links the two organisations’ cases into one campaign and alerts each once', async () => {
    expect(await scan()).toMatchObject({ campaigns: 1, alerts: 2 });
    const [campaign] = await campaignsOf(a);
    expect(campaign).toMatchObject({
      cases: 2,
      organizations: 2,
      involved: true,
      namedOrganizations: [],
      platforms: ['facebook', 'instagram'],
      countries: ['BO', 'MX'],
      firstSeen: '2026-03-02',
      lastSeen: '2026-03-12',
    });
    // A sees the campaign and its own case, never B's (AMBER+STRICT).
    expect(campaign.visibleCases).toEqual([{ id: caseA.id, reference: caseA.reference }]);
    const [fromB] = await campaignsOf(b);
    expect(fromB.id).toBe(campaign.id);
    expect(fromB.visibleCases).toEqual([{ id: caseB.id, reference: caseB.reference }]);
    // B's case stays a 404 for A.
    expectProblem(await call(t.app, 'GET', `/v1/cases/${caseB.id}`, { token: a.token }), 404);

    // One e-mail job per member of each organisation, keyed by campaign and organisation.
    const jobs = await queue.getJobs(['waiting', 'delayed', 'prioritized']);
    const campaignJobs = jobs.filter((j) => String(j.id).startsWith(`campaign-${campaign.id}`));
    expect(campaignJobs.map((j) => j.data.userId).sort()).toEqual([a.id, b.id].sort());
    const payload = JSON.stringify(campaignJobs.map((j) => j.data));
    for (const secret of [caseA.title, caseB.title, caseA.reference, caseB.reference, orgB.name]) {
      expect(payload).not.toContain(secret);
    }

    // A second scan keeps the campaign and alerts nobody again.
    expect(await scan()).toMatchObject({ campaigns: 1, alerts: 0 });
    expect((await campaignsOf(a))[0].id).toBe(campaign.id);
  });

  it('hides a campaign of fewer than k cases from an organisation not in it (404 by id)', async () => {
    const [campaign] = await campaignsOf(a);
    expect(await campaignsOf(d)).toEqual([]);
    expectProblem(
      await call(t.app, 'GET', `/v1/patterns/campaigns/${campaign.id}`, { token: d.token }),
      404,
    );
    const mine = await call<CampaignResponseDto>(
      t.app,
      'GET',
      `/v1/patterns/campaigns/${campaign.id}`,
      { token: a.token },
    );
    expect(mine.status).toBe(200);
    expect(mine.body.cases).toBe(2);
  });

  it('exports the campaign as STIX and MISP with only the cases the reader may see', async () => {
    const [campaign] = await campaignsOf(a);
    const stix = await call(t.app, 'GET', `/v1/reports/campaigns/${campaign.id}/stix`, {
      token: a.token,
    });
    expect(stix.status).toBe(200);
    expect(stix.headers['content-type']).toBe('application/stix+json;version=2.1');
    const bundle = JSON.parse(stix.text) as { objects: { type: string; name?: string }[] };
    expect(stixProblems(bundle)).toEqual([]);
    expect(bundle.objects.filter((o) => o.type === 'grouping')).toHaveLength(1);
    const incidents = bundle.objects.filter((o) => o.type === 'incident');
    expect(incidents.map((o) => o.name).join(' ')).toContain(caseA.reference);
    expect(stix.text).not.toContain(caseB.reference);
    expect(stix.text).not.toContain(orgB.name);
    const misp = await call(t.app, 'GET', `/v1/reports/campaigns/${campaign.id}/misp`, {
      token: a.token,
    });
    expect(misp.status).toBe(200);
    expect(misp.text).not.toContain(caseB.reference);
    const audited = await t.db.query(
      `SELECT details FROM audit_entries WHERE action = 'campaign.exported' AND target_id = $1
        ORDER BY occurred_at`,
      [campaign.id],
    );
    expect(audited.map((r: { details: { format: string } }) => r.details.format)).toEqual([
      'stix',
      'misp',
    ]);
    // An organisation outside the campaign: 404, and nothing audited as an export.
    expectProblem(
      await call(t.app, 'GET', `/v1/reports/campaigns/${campaign.id}/stix`, { token: d.token }),
      404,
    );
  });

  it('names another organisation only when it opted in', async () => {
    await t.db.query('UPDATE organizations SET named_in_campaigns = true WHERE id = $1', [orgB.id]);
    expect((await campaignsOf(a))[0].namedOrganizations).toEqual([orgB.name]);
    // Never the reader's own name, and A did not opt in.
    expect((await campaignsOf(b))[0].namedOrganizations).toEqual([]);
  });

  it('shows the cases a reader may see: a GREEN case of another organisation', async () => {
    const [row] = await t.db.query('SELECT version FROM cases WHERE id = $1', [caseB.id]);
    const shared = await call(t.app, 'PATCH', `/v1/cases/${caseB.id}`, {
      token: b.token,
      headers: { 'if-match': `"${row.version}"` },
      body: { tlp: 'GREEN' },
    });
    expect(shared.status).toBe(200);
    const refs = (await campaignsOf(a))[0].visibleCases.map((c) => c.id).sort();
    expect(refs).toEqual([caseA.id, caseB.id].sort());
  });

  it('drops the campaign when consent is withdrawn', async () => {
    const [row] = await t.db.query('SELECT version FROM cases WHERE id = $1', [caseB.id]);
    const withdrawn = await call(t.app, 'PATCH', `/v1/cases/${caseB.id}`, {
      token: b.token,
      headers: { 'if-match': `"${row.version}"` },
      body: { consentToSharePattern: false },
    });
    expect(withdrawn.status).toBe(200);
    // The record (and with it the campaign's link) goes at once; the scan removes the campaign.
    expect((await campaignsOf(a))[0]?.cases ?? 0).toBeLessThan(2);
    expect(await scan()).toMatchObject({ campaigns: 0, removed: 1 });
    expect(await campaignsOf(a)).toEqual([]);
  });

  it('refuses bad ids and pages, and strangers', async () => {
    expectProblem(
      await call(t.app, 'GET', '/v1/patterns/campaigns/not-a-uuid', { token: a.token }),
      400,
    );
    expect(
      fieldsOf(
        await call(t.app, 'GET', '/v1/patterns/campaigns', {
          token: a.token,
          query: { limit: '1000' },
        }),
      ),
    ).toContain('limit');
    expectProblem(await call(t.app, 'GET', '/v1/patterns/campaigns'), 401);
  });
});

describe('patterns: emerging (e2e)', () => {
  let t: TestApp;
  let orgA: OrganizationResponseDto;
  let a: TestUser;
  let b: TestUser;

  const monthsAgo = (n: number, day = 10) => {
    const now = new Date();
    return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - n, day, 12)).toISOString();
  };

  beforeAll(async () => {
    t = await createTestApp({ SMTP_URL: 'smtp://127.0.0.1:2599' });
    orgA = await createOrganization(t.app, { countries: ['AR'] });
    const orgB = await createOrganization(t.app, { countries: ['UY'] });
    a = await createUser(t.app, orgA.id, 'member');
    b = await createUser(t.app, orgB.id, 'member');
    const log = async (user: TestUser, n: number, category: string, when: string) => {
      for (let i = 0; i < n; i++) {
        await createCase(t.app, user.token, {
          consentToSharePattern: true,
          categoryCode: category,
          subcategoryCode: null,
          country: 'AR',
          escalatedAt: when,
        });
      }
    };
    // ncii in AR: 2 cases in the baseline, 12 in the window (two organisations).
    await log(a, 2, 'ncii', monthsAgo(8));
    await log(a, 6, 'ncii', monthsAgo(2));
    await log(b, 6, 'ncii', monthsAgo(1));
    // harassment in AR: steady (24 over the 12 baseline months, 6 over the 3 recent ones).
    await log(a, 12, 'harassment', monthsAgo(6));
    await log(b, 12, 'harassment', monthsAgo(10));
    await log(a, 3, 'harassment', monthsAgo(2));
    await log(b, 3, 'harassment', monthsAgo(3));
    // This month is still filling: never counted.
    await log(a, 5, 'ncii', monthsAgo(0, 1));
    await t.app.get(PatternProjection).catchUp();
  }, 120_000);
  afterAll(() => t.close());

  it('lists a pair significantly above its baseline, with its figures', async () => {
    const answer = await call<EmergingResponseDto>(t.app, 'GET', '/v1/patterns/emerging', {
      token: a.token,
      query: { window: '90', baseline: '365' },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ windowMonths: 3, baselineMonths: 12, k: 5, alpha: 0.01 });
    // The oracle, from the raw cases: the window's 12 ncii cases in AR (6 + 6) are a safe cell,
    // published with their noise; the baseline of 2 is below k: shown as null and tested as 5.
    const ym = (n: number) => monthsAgo(n).slice(0, 7);
    const ncii = (await rawRecords(t.db)).filter(
      (r) => r.category === 'ncii' && r.country === 'AR',
    );
    const window = cellOfRecords(ncii.filter((r) => r.month >= ym(3) && r.month <= ym(1)));
    expect(window.count).toBe(12);
    const recent = noisy(window);
    // One-sided P(X >= recent), X ~ Binomial(recent + 5, 3 / 15), summed plainly.
    const n = recent + 5;
    let pValue = 0;
    for (let x = recent; x <= n; x++) {
      let choose = 1;
      for (let i = 0; i < x; i++) choose = (choose * (n - i)) / (i + 1);
      pValue += choose * 0.2 ** x * 0.8 ** (n - x);
    }
    expect(answer.body.data).toEqual([
      {
        category: 'ncii',
        country: 'AR',
        recentCount: recent,
        baselineCount: null,
        baselineSuppressed: true,
        rateRatio: Math.round((recent / 3 / (5 / 12)) * 100) / 100,
        pValue: expect.closeTo(pValue, 12),
      },
    ]);
    expect(pValue).toBeLessThan(0.01);
  });

  it('alerts the organisations working in the country, once a week', async () => {
    const service = t.app.get(EmergingService);
    expect(await service.alert()).toEqual({ pairs: 1, alerts: 1, groupAlerts: 0 });
    expect(await service.alert()).toEqual({ pairs: 1, alerts: 0, groupAlerts: 0 });
    const alerts = await t.db.query('SELECT key, organization_id FROM pattern_alerts');
    expect(alerts).toEqual([
      { key: expect.stringMatching(/^emerging:\d{4}-W\d{2}:ncii:AR$/), organization_id: orgA.id },
    ]);
  });

  it('sends the same protected figures to the members of a working group that follows emerging patterns, by e-mail only', async () => {
    const admin = await createUser(t.app, orgA.id, 'admin');
    // a (AR) and b (UY, which the pattern is not about) from two organisations; c outside it.
    const c = await createUser(t.app, orgA.id, 'member');
    const create = (body: Record<string, unknown>) =>
      call(t.app, 'POST', '/v1/working-groups', { token: admin.token, body });
    const following = await create({ name: 'Pattern watch', patternAlerts: true });
    expect(following.body).toMatchObject({ patternAlerts: true });
    const quiet = await create({ name: 'Advocacy' });
    expect(quiet.body).toMatchObject({ patternAlerts: false });
    for (const [group, user] of [
      [following, a],
      [following, b],
      [quiet, c],
    ] as const) {
      await call(t.app, 'POST', `/v1/working-groups/${group.body.id as string}/members`, {
        token: admin.token,
        body: { userId: user.id },
      });
    }
    const queue = t.app.get<Queue>(getQueueToken(QueueName.Notifications));
    const service = t.app.get(EmergingService);
    expect(await service.alert()).toEqual({ pairs: 1, alerts: 0, groupAlerts: 1 });
    const api = await call<EmergingResponseDto>(t.app, 'GET', '/v1/patterns/emerging', {
      token: a.token,
    });
    const [row] = api.body.data;
    const jobs = (await queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']))
      .filter((j) => String(j.id).includes(`-group-${following.body.id as string}-`))
      .sort((x, y) => String(x.id).localeCompare(String(y.id)));
    // One e-mail job per member of the group (both organisations), none to a webhook or to c.
    expect(jobs.map((j) => [j.name, (j.data as { userId: string }).userId]).sort()).toEqual(
      [
        ['email-delivery', a.id],
        ['email-delivery', b.id],
      ].sort(),
    );
    expect(jobs[0].data.notification).toEqual({
      type: 'group.pattern_emerging',
      key: expect.stringMatching(
        new RegExp(`^emerging-\\d{4}-W\\d{2}-ncii-AR-group-${following.body.id as string}$`),
      ),
      workingGroupId: following.body.id,
      occurredAt: expect.any(String),
      // The figures the API publishes (perturbed, the small baseline hidden), nothing else.
      emerging: {
        category: 'ncii',
        country: 'AR',
        recentCount: row.recentCount,
        baselineCount: null,
        rateRatio: row.rateRatio,
        pValue: row.pValue,
        windowMonths: 3,
        baselineMonths: 12,
      },
    });
    // Once a week: the same key enqueues nothing new.
    const count = (await queue.getJobCounts()) as Record<string, number>;
    await service.alert();
    expect(await queue.getJobCounts()).toEqual(count);
  });

  it('refuses bad windows', async () => {
    const refused: Record<string, string>[] = [
      { window: '0' },
      { window: 'ninety' },
      { alpha: '0.2' },
      { extra: '1' },
    ];
    for (const query of refused) {
      const answer = await call(t.app, 'GET', '/v1/patterns/emerging', { token: a.token, query });
      expectProblem(answer, 400);
    }
    expectProblem(await call(t.app, 'GET', '/v1/patterns/emerging'), 401);
  });
});
