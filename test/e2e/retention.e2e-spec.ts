import { CaseResponseDto } from '../../src/cases/dto/case.dto';
import { PatternProjection } from '../../src/patterns/pattern-projection';
import { RetentionService } from '../../src/retention/retention.service';
import { createCase } from '../factories/case.factory';
import { createCommunity, TestUser } from '../factories/community.factory';
import { call, expectProblem, fieldsOf } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';

/*
 * Retention per organisation (issue 20): the rule an org_admin sets, and the daily sweep (called
 * here through its service, with the app's TestClock moved past the rule) that removes the
 * content of expired closed cases and keeps their skeleton, so the shared repository's trends and
 * the platform scorecard answer exactly what they answered before.
 */

const DAY = 86_400_000;
const PERIOD = { from: '2026-01', to: '2026-06' };

describe('retention rules and the retention sweep', () => {
  let t: TestApp;
  let c: Awaited<ReturnType<typeof createCommunity>>;
  const closedOfA: CaseResponseDto[] = [];
  const closedOfB: CaseResponseDto[] = [];
  let openOfA: CaseResponseDto;

  const retentionUrl = (orgId: string) => `/v1/organizations/${orgId}/retention`;
  const figures = async (token: string) => {
    const trends = await call(t.app, 'GET', '/v1/patterns/trends', {
      token,
      query: { ...PERIOD, groupBy: 'month,platform,category,outcome' },
    });
    const scorecard = await call(t.app, 'GET', '/v1/reports/platform-scorecard', {
      token,
      query: PERIOD,
    });
    expect([trends.status, scorecard.status]).toEqual([200, 200]);
    return { trends: trends.body, scorecard: scorecard.body };
  };

  /** A consented case, answered and closed in March 2026, with an item, indicator and note. */
  async function closedCase(user: TestUser, n: number): Promise<CaseResponseDto> {
    const made = await createCase(t.app, user.token, {
      consentToSharePattern: true,
      escalatedAt: '2026-03-02T10:00:00.000Z',
      indicators: [{ kind: 'account_handle', value: `@retained_${n}` }],
    });
    for (const body of [
      { type: 'note', note: `Survivor's words ${n}`, occurredAt: '2026-03-02T12:00:00.000Z' },
      {
        type: 'platform_responded',
        outcome: 'content_removed',
        occurredAt: '2026-03-03T10:00:00.000Z',
      },
      { type: 'closed', occurredAt: '2026-03-04T10:00:00.000Z' },
    ]) {
      const step = await call(t.app, 'POST', `/v1/cases/${made.id}/events`, {
        token: user.token,
        body,
      });
      if (step.status !== 201) throw new Error(`setup: ${body.type}: ${step.text}`);
    }
    return made;
  }

  beforeAll(async () => {
    t = await createTestApp({ K_ANONYMITY: '2' });
    c = await createCommunity(t.app);
    for (let n = 0; n < 4; n += 1) closedOfA.push(await closedCase(c.inA.member, n));
    for (let n = 4; n < 8; n += 1) closedOfB.push(await closedCase(c.inB.member, n));
    openOfA = await createCase(t.app, c.inA.member.token, { consentToSharePattern: true });
    await t.app.get(PatternProjection).catchUp();
  }, 90_000);
  afterAll(() => t.close());

  describe('the rule', () => {
    it('is none until an org_admin decides', async () => {
      const answer = await call(t.app, 'GET', retentionUrl(c.a.id), {
        token: c.inA.orgAdmin.token,
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        organizationId: c.a.id,
        closedCaseMonths: null,
        keepIndicatorHashes: false,
        updatedAt: null,
      });
    });

    it('is read by its org_admins and community admins only', async () => {
      const statuses: Record<string, number> = {};
      for (const [key, user] of Object.entries({
        orgAdmin: c.inA.orgAdmin,
        admin: c.admin,
        member: c.inA.member,
        viewer: c.inA.viewer,
        otherOrgAdmin: c.inB.orgAdmin,
      })) {
        statuses[key] = (
          await call(t.app, 'GET', retentionUrl(c.a.id), { token: user.token })
        ).status;
      }
      expect(statuses).toEqual({
        orgAdmin: 200,
        admin: 200,
        member: 403,
        viewer: 403,
        otherOrgAdmin: 403,
      });
    });

    it('is set by an org_admin of the organisation only, and refused for anyone else', async () => {
      const body = { closedCaseMonths: 24, keepIndicatorHashes: false };
      const statuses: Record<string, number> = {};
      for (const [key, user] of Object.entries({
        member: c.inA.member,
        viewer: c.inA.viewer,
        otherOrgAdmin: c.inB.orgAdmin,
        admin: c.admin,
      })) {
        const answer = await call(t.app, 'PUT', retentionUrl(c.a.id), { token: user.token, body });
        statuses[key] = answer.status;
        expectProblem(answer, answer.status);
      }
      expect(statuses).toEqual({ member: 403, viewer: 403, otherOrgAdmin: 403, admin: 403 });
      const unknown = await call(
        t.app,
        'PUT',
        retentionUrl('00000000-0000-4000-8000-000000000000'),
        { token: c.inA.orgAdmin.token, body },
      );
      expectProblem(unknown, 404);
      expect(await t.db.query('SELECT * FROM retention_policies')).toEqual([]);
    });

    it.each([
      [{ closedCaseMonths: 0, keepIndicatorHashes: false }, ['closedCaseMonths']],
      [{ closedCaseMonths: 241, keepIndicatorHashes: false }, ['closedCaseMonths']],
      [{ closedCaseMonths: 1.5, keepIndicatorHashes: false }, ['closedCaseMonths']],
      [{ closedCaseMonths: '24', keepIndicatorHashes: false }, ['closedCaseMonths']],
      [{ keepIndicatorHashes: false }, ['closedCaseMonths']],
      [{ closedCaseMonths: 24 }, ['keepIndicatorHashes']],
      [{ closedCaseMonths: 24, keepIndicatorHashes: 'yes' }, ['keepIndicatorHashes']],
      [{ closedCaseMonths: 24, keepIndicatorHashes: false, months: 3 }, ['months']],
    ])('refuses %j naming %j, and changes nothing', async (body, fields) => {
      const answer = await call(t.app, 'PUT', retentionUrl(c.a.id), {
        token: c.inA.orgAdmin.token,
        body,
      });
      expect(fieldsOf(answer)).toEqual(fields);
      expect(await t.db.query('SELECT * FROM retention_policies')).toEqual([]);
    });

    it('is set, audited, and removes nothing before cases expire', async () => {
      const answer = await call(t.app, 'PUT', retentionUrl(c.a.id), {
        token: c.inA.orgAdmin.token,
        body: { closedCaseMonths: 24, keepIndicatorHashes: false },
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ closedCaseMonths: 24, keepIndicatorHashes: false });
      const [entry] = await t.db.query(
        `SELECT actor_user_id, details FROM audit_entries WHERE action = 'retention.updated'`,
      );
      expect(entry).toEqual({
        actor_user_id: c.inA.orgAdmin.id,
        details: { closedCaseMonths: 24, keepIndicatorHashes: false, previous: null },
      });
      // Closed in March 2026: 24 months have not passed yet.
      expect(await t.app.get(RetentionService).sweep()).toEqual({ organizations: 1, redacted: 0 });
      const still = await call(t.app, 'GET', `/v1/cases/${closedOfA[0].id}`, {
        token: c.inA.member.token,
      });
      expect(still.body).toMatchObject({ title: closedOfA[0].title, contentRemovedAt: null });
    });
  });

  describe('the sweep, 25 months after closing', () => {
    let before: Awaited<ReturnType<typeof figures>>;

    beforeAll(async () => {
      before = await figures(c.inA.member.token);
      // B decides too, keeping the indicators' hashes.
      const b = await call(t.app, 'PUT', retentionUrl(c.b.id), {
        token: c.inB.orgAdmin.token,
        body: { closedCaseMonths: 12, keepIndicatorHashes: true },
      });
      expect(b.status).toBe(200);
      const now = t.clock.now().getTime();
      t.clock.advance(Date.parse('2028-04-10T08:00:00.000Z') - now);
    });

    it('the figures it will compare are real ones (not suppressed)', () => {
      const total = (before.trends as { total: { count: number | null; suppressed: boolean } })
        .total;
      expect(total.suppressed).toBe(false);
      expect(total.count).toBeGreaterThanOrEqual(6);
    });

    it('removes the content of the expired closed cases and keeps their skeleton', async () => {
      expect(await t.app.get(RetentionService).sweep()).toEqual({ organizations: 2, redacted: 8 });
      const answer = await call<CaseResponseDto>(t.app, 'GET', `/v1/cases/${closedOfA[0].id}`, {
        token: c.inA.member.token,
      });
      const { contentRemovedAt, version, updatedAt, ...rest } = answer.body;
      expect(contentRemovedAt?.slice(0, 10)).toBe('2028-04-10');
      expect(version).toBeGreaterThan(closedOfA[0].version);
      expect(updatedAt).toBe(contentRemovedAt);
      expect(rest).toMatchObject({
        reference: closedOfA[0].reference,
        title: '',
        summary: '',
        items: [],
        indicators: [],
        status: 'closed',
        outcome: 'content_removed',
        platformCode: closedOfA[0].platformCode,
        channelCode: closedOfA[0].channelCode,
        categoryCode: closedOfA[0].categoryCode,
        country: closedOfA[0].country,
        escalatedAt: '2026-03-02T10:00:00.000Z',
        firstResponseAt: '2026-03-03T10:00:00.000Z',
        closedAt: '2026-03-04T10:00:00.000Z',
        timeToFirstResponseSeconds: 86_400,
      });
      const events = await call<{ data: { type: string; note: string | null }[] }>(
        t.app,
        'GET',
        `/v1/cases/${closedOfA[0].id}/events`,
        { token: c.inA.member.token },
      );
      // In the order they happened (the case was logged after the fact, in December).
      expect(events.body.data.map((e) => e.type)).toEqual([
        'escalated',
        'note',
        'platform_responded',
        'closed',
        'created',
      ]);
      expect(events.body.data.map((e) => e.note ?? null)).toEqual([null, null, null, null, null]);
      const search = await call(t.app, 'GET', '/v1/cases', {
        token: c.inA.member.token,
        query: { q: closedOfA[0].title.split(' ').pop()! },
      });
      expect(search.body.data).toEqual([]);
    });

    it('keeps hashes only where the organisation chose so; open cases and notes elsewhere stay', async () => {
      const indicators = await t.db.query(
        `SELECT c.organization_id, count(*)::int AS n, count(*) FILTER (WHERE i.value = '')::int AS emptied
           FROM case_indicators i JOIN cases c ON c.id = i.case_id
          WHERE c.id = ANY($1::uuid[]) GROUP BY c.organization_id ORDER BY 1`,
        [[...closedOfA, ...closedOfB].map((x) => x.id)],
      );
      expect(indicators).toEqual([{ organization_id: c.b.id, n: 4, emptied: 4 }]);
      const open = await call(t.app, 'GET', `/v1/cases/${openOfA.id}`, {
        token: c.inA.member.token,
      });
      expect(open.body).toMatchObject({
        title: openOfA.title,
        contentRemovedAt: null,
        indicators: openOfA.indicators,
        items: openOfA.items,
      });
    });

    it('leaves the trends and the scorecard exactly as they were', async () => {
      await t.app.get(PatternProjection).catchUp();
      expect(await figures(c.inA.member.token)).toEqual(before);
    });

    it('audits each batch, and a second run removes nothing more', async () => {
      const entries = await t.db.query(
        `SELECT organization_id, actor_user_id, details->>'count' AS count
           FROM audit_entries WHERE action = 'case.content_removed' ORDER BY organization_id`,
      );
      expect(entries).toEqual(
        [
          { organization_id: c.a.id, actor_user_id: null, count: '4' },
          { organization_id: c.b.id, actor_user_id: null, count: '4' },
        ].sort((x, y) => x.organization_id.localeCompare(y.organization_id)),
      );
      t.clock.advance(DAY);
      expect(await t.app.get(RetentionService).sweep()).toEqual({ organizations: 2, redacted: 0 });
    });

    it('takes again a redacted case written to since (a note added), and nothing else', async () => {
      const [redacted] = closedOfA;
      const note = await call(t.app, 'POST', `/v1/cases/${redacted.id}/events`, {
        token: c.inA.member.token,
        body: { type: 'note', note: 'Written after the content was removed' },
      });
      expect(note.status).toBe(201);
      t.clock.advance(DAY);
      expect(await t.app.get(RetentionService).sweep()).toEqual({ organizations: 2, redacted: 1 });
      const notes = await t.db.query(
        'SELECT count(*)::int AS n FROM case_events WHERE case_id = $1 AND note IS NOT NULL',
        [redacted.id],
      );
      expect(notes).toEqual([{ n: 0 }]);
    });
  });
});
