import { randomUUID } from 'node:crypto';
import { PlatformsService } from '../../src/platforms/platforms.service';
import { createCommunity } from '../factories/community.factory';
import { createPlatform } from '../factories/contact.factory';
import { Answer, call, expectProblem, fieldsOf } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';

type Community = Awaited<ReturnType<typeof createCommunity>>;
type Access = Record<string, unknown> & {
  id: string;
  organizationId: string;
  status: string;
  evidenceNote: string | null;
  confirmedBy: string | null;
  confirmedOn: string | null;
  decisionReason: string | null;
  countries: string[];
  since: string;
  until: string | null;
  version: number;
};

/*
 * The trusted-partner registry through HTTP: claims, the coordination's decision, corrections,
 * ends and revocations, who sees the evidence, and that only approved access counts as access.
 */
describe('channel access registry', () => {
  let t: TestApp;
  let c: Community;
  let platform: string;
  let channel: { id: string; code: string };

  const history = async (id: string) =>
    (await t.db.query(
      `SELECT version, action, status FROM channel_access_history WHERE access_id = $1 ORDER BY version`,
      [id],
    )) as { version: number; action: string; status: string }[];
  const row = async (id: string) =>
    (
      (await t.db.query(`SELECT status, version FROM channel_access WHERE id = $1`, [id])) as {
        status: string;
        version: number;
      }[]
    )[0];
  const partners = async (country: string) =>
    (
      await call<{ data: { organizations: { id: string }[] }[] }>(
        t.app,
        'GET',
        `/v1/platforms/${platform}/partners`,
        { token: c.inB.viewer.token, query: { country } },
      )
    ).body.data.flatMap((d) => d.organizations.map((o) => o.id));
  const claim = (token: string, body: Record<string, unknown> = {}) =>
    call<Access>(t.app, 'POST', '/v1/channel-access', {
      token,
      body: {
        organizationId: c.a.id,
        channelId: channel.id,
        countries: ['BO'],
        since: '2025-01-01',
        evidenceNote: 'Welcome e-mail from the partner team, 2 January 2025',
        confirmedOn: '2025-01-02',
        confirmedBy: 'Trust & Safety partnerships, LATAM',
        ...body,
      },
    });
  const ok = <T>(answer: Answer<T>, status: number): T => {
    expect({ status: answer.status, body: answer.body }).toMatchObject({ status });
    return answer.body;
  };

  beforeAll(async () => {
    t = await createTestApp();
    c = await createCommunity(t.app);
    const p = await createPlatform(t.app, c.admin.token);
    platform = p.code;
    const answer = await call<{ id: string; code: string }>(
      t.app,
      'POST',
      `/v1/platforms/${platform}/channels`,
      {
        token: c.admin.token,
        body: {
          code: 'partner_desk',
          name: 'Partner desk',
          kind: 'trusted_partner',
          expectedResponseHours: 48,
        },
      },
    );
    channel = ok(answer, 201);
  });
  afterAll(() => t.close());

  it('keeps an organisation’s own claim a claim: shown as claimed, no access, until the coordination approves', async () => {
    const claimed = ok(await claim(c.inA.orgAdmin.token), 201);
    expect(claimed).toMatchObject({
      organizationId: c.a.id,
      organizationSlug: c.a.slug,
      platformCode: platform,
      channelCode: 'partner_desk',
      status: 'claimed',
      evidenceNote: 'Welcome e-mail from the partner team, 2 January 2025',
      confirmedOn: '2025-01-02',
      version: 1,
      decidedAt: null,
    });
    // A claim is no access: not a partner, not "your organisation's channel" on the case form.
    await expect(partners('BO')).resolves.toEqual([]);
    await expect(t.app.get(PlatformsService).usableChannelIds(c.a.id, 'BO')).resolves.not.toContain(
      channel.id,
    );

    // The org_admin cannot approve its own organisation's claim; nothing changes.
    const self = await call(t.app, 'POST', `/v1/channel-access/${claimed.id}/approve`, {
      token: c.inA.orgAdmin.token,
      body: {},
    });
    expectProblem(self, 403);
    // Nor can anyone of another organisation, whatever their role.
    for (const user of [c.inB.orgAdmin, c.inA.member, c.inA.viewer]) {
      expectProblem(
        await call(t.app, 'POST', `/v1/channel-access/${claimed.id}/approve`, {
          token: user.token,
          body: {},
        }),
        403,
      );
    }
    await expect(row(claimed.id)).resolves.toEqual({ status: 'claimed', version: 1 });
    await expect(history(claimed.id)).resolves.toEqual([
      { version: 1, action: 'claimed', status: 'claimed' },
    ]);

    // An approval of a version the claim no longer has (If-Match) decides nothing.
    expectProblem(
      await call(t.app, 'POST', `/v1/channel-access/${claimed.id}/approve`, {
        token: c.admin.token,
        headers: { 'if-match': '"7"' },
        body: {},
      }),
      412,
    );
    await expect(row(claimed.id)).resolves.toEqual({ status: 'claimed', version: 1 });

    const approved = ok(
      await call<Access>(t.app, 'POST', `/v1/channel-access/${claimed.id}/approve`, {
        token: c.admin.token,
        headers: { 'if-match': '"1"' },
        body: { reason: 'Checked with the platform' },
      }),
      200,
    );
    expect(approved).toMatchObject({
      status: 'approved',
      version: 2,
      decidedAt: expect.any(String),
    });
    await expect(partners('BO')).resolves.toEqual([c.a.id]);
    await expect(t.app.get(PlatformsService).usableChannelIds(c.a.id, 'BO')).resolves.toContain(
      channel.id,
    );
    await expect(history(claimed.id)).resolves.toEqual([
      { version: 1, action: 'claimed', status: 'claimed' },
      { version: 2, action: 'approved', status: 'approved' },
    ]);
    await expect(
      t.db.query(
        `SELECT action, actor_user_id FROM audit_entries WHERE target_id = $1 ORDER BY action`,
        [claimed.id],
      ),
    ).resolves.toEqual([
      { action: 'channel_access.approved', actor_user_id: c.admin.id },
      { action: 'channel_access.claimed', actor_user_id: c.inA.orgAdmin.id },
    ]);
    // Decided once: a second decision is a conflict.
    expectProblem(
      await call(t.app, 'POST', `/v1/channel-access/${claimed.id}/refuse`, {
        token: c.admin.token,
        body: { reason: 'Too late' },
      }),
      409,
    );
  });

  it('shows the evidence to the organisation and the admins only', async () => {
    const claimed = ok(await claim(c.inA.orgAdmin.token, { countries: ['EC'] }), 201);
    const read = async (token: string) =>
      ok(await call<Access>(t.app, 'GET', `/v1/channel-access/${claimed.id}`, { token }), 200);
    for (const token of [c.inA.viewer.token, c.admin.token]) {
      expect(await read(token)).toMatchObject({
        evidenceNote: 'Welcome e-mail from the partner team, 2 January 2025',
        confirmedBy: 'Trust & Safety partnerships, LATAM',
      });
    }
    const other = await read(c.inB.member.token);
    expect(other).toMatchObject({ status: 'claimed', evidenceNote: null, confirmedBy: null });
    // The list says the same, and no answer to another organisation carries the note.
    const list = await call(t.app, 'GET', '/v1/channel-access', {
      token: c.inB.orgAdmin.token,
      query: { organization: c.a.id, limit: '200' },
    });
    expect(list.status).toBe(200);
    expect(list.text).not.toContain('Welcome e-mail');
    expect(list.text).not.toContain('Trust & Safety partnerships');
  });

  it('requires evidence for a claim, and refuses another organisation’s claim and bad input', async () => {
    const before = await t.db.query(`SELECT count(*)::int AS n FROM channel_access`);
    expect(fieldsOf(await claim(c.inA.orgAdmin.token, { evidenceNote: undefined }))).toEqual([
      'evidenceNote',
    ]);
    expectProblem(await claim(c.inB.orgAdmin.token), 403);
    for (const [body, fields] of [
      [{ evidenceNote: 'x'.repeat(2001) }, ['evidenceNote']],
      [{ confirmedOn: '2025-13-01' }, ['confirmedOn']],
      [{ confirmedBy: 42 }, ['confirmedBy']],
      [{ status: 'approved' }, ['status']],
      [{ until: '2024-12-31' }, ['until']],
    ] as [Record<string, unknown>, string[]][]) {
      expect({ body, fields: fieldsOf(await claim(c.inA.orgAdmin.token, body)) }).toEqual({
        body,
        fields,
      });
    }
    await expect(t.db.query(`SELECT count(*)::int AS n FROM channel_access`)).resolves.toEqual(
      before,
    );
  });

  it('refuses a claim with a reason; a refusal is seen by the organisation and the admins only', async () => {
    const claimed = ok(await claim(c.inA.orgAdmin.token, { countries: ['PE'] }), 201);
    expect(
      fieldsOf(
        await call(t.app, 'POST', `/v1/channel-access/${claimed.id}/refuse`, {
          token: c.admin.token,
          body: {},
        }),
      ),
    ).toEqual(['reason']);
    const refused = ok(
      await call<Access>(t.app, 'POST', `/v1/channel-access/${claimed.id}/refuse`, {
        token: c.admin.token,
        body: { reason: 'The platform does not know this organisation' },
      }),
      200,
    );
    expect(refused).toMatchObject({
      status: 'refused',
      decisionReason: 'The platform does not know this organisation',
    });
    expect(
      ok(
        await call<Access>(t.app, 'GET', `/v1/channel-access/${claimed.id}`, {
          token: c.inA.member.token,
        }),
        200,
      ),
    ).toMatchObject({ status: 'refused' });
    expectProblem(
      await call(t.app, 'GET', `/v1/channel-access/${claimed.id}`, { token: c.inB.member.token }),
      404,
    );
    expectProblem(
      await call(t.app, 'GET', `/v1/channel-access/${claimed.id}/history`, {
        token: c.inB.member.token,
      }),
      404,
    );
    const list = await call<{ data: Access[] }>(t.app, 'GET', '/v1/channel-access', {
      token: c.inB.member.token,
      query: { status: 'refused', limit: '200' },
    });
    expect(list.body.data.map((a) => a.id)).not.toContain(claimed.id);
    await expect(partners('PE')).resolves.toEqual([]);
    // Refused is closed: no approval, no correction.
    expectProblem(
      await call(t.app, 'POST', `/v1/channel-access/${claimed.id}/approve`, {
        token: c.admin.token,
        body: {},
      }),
      409,
    );
  });

  it('corrects and ends access with If-Match; an organisation widening its approval makes it a claim again', async () => {
    const recorded = ok(
      await call<Access>(t.app, 'POST', '/v1/channel-access', {
        token: c.admin.token,
        body: {
          organizationId: c.a.id,
          channelId: channel.id,
          countries: ['GT'],
          since: '2025-01-01',
        },
      }),
      201,
    );
    expect(recorded).toMatchObject({ status: 'approved', version: 1 });
    const patch = (token: string, body: unknown, ifMatch?: string) =>
      call<Access>(t.app, 'PATCH', `/v1/channel-access/${recorded.id}`, {
        token,
        body,
        headers: ifMatch === undefined ? {} : { 'if-match': ifMatch },
      });
    expectProblem(await patch(c.inA.orgAdmin.token, { until: '2026-06-30' }), 428);
    expectProblem(await patch(c.inA.orgAdmin.token, { until: '2026-06-30' }, '"7"'), 412);
    expectProblem(await patch(c.inA.member.token, { until: '2026-06-30' }, '"1"'), 403);
    expectProblem(await patch(c.inB.orgAdmin.token, { until: '2026-06-30' }, '"1"'), 403);
    expect(fieldsOf(await patch(c.inA.orgAdmin.token, { until: '2024-01-01' }, '"1"'))).toEqual([
      'until',
    ]);
    expect(fieldsOf(await patch(c.inA.orgAdmin.token, { since: null }, '"1"'))).toEqual(['since']);
    await expect(row(recorded.id)).resolves.toEqual({ status: 'approved', version: 1 });

    // Ending it (narrowing) keeps the approval.
    const ended = ok(await patch(c.inA.orgAdmin.token, { until: '2026-06-30' }, '"1"'), 200);
    expect(ended).toMatchObject({ status: 'approved', until: '2026-06-30', version: 2 });
    // Widening it to another country is a new claim.
    const widened = ok(
      await patch(
        c.inA.orgAdmin.token,
        { countries: ['GT', 'SV'], reason: 'Now also El Salvador' },
        '"2"',
      ),
      200,
    );
    expect(widened).toMatchObject({
      status: 'claimed',
      countries: ['GT', 'SV'],
      version: 3,
      decidedAt: null,
    });
    await expect(partners('GT')).resolves.not.toContain(c.a.id);
    // The admin corrects without changing the status; the stale version is refused.
    expectProblem(await patch(c.admin.token, { since: '2025-02-01' }, '"2"'), 412);
    ok(await patch(c.admin.token, { since: '2025-02-01' }, '"3"'), 200);
    const steps = await call<{
      data: { version: number; action: string; status: string; reason: string | null }[];
    }>(t.app, 'GET', `/v1/channel-access/${recorded.id}/history`, { token: c.inA.viewer.token });
    expect(
      steps.body.data.map(({ version, action, status, reason }) => ({
        version,
        action,
        status,
        reason,
      })),
    ).toEqual([
      { version: 1, action: 'recorded', status: 'approved', reason: null },
      { version: 2, action: 'corrected', status: 'approved', reason: null },
      { version: 3, action: 'corrected', status: 'claimed', reason: 'Now also El Salvador' },
      { version: 4, action: 'corrected', status: 'claimed', reason: null },
    ]);
    // Another organisation sees the history, without its reasons.
    const seen = await call<{ data: { reason: string | null }[] }>(
      t.app,
      'GET',
      `/v1/channel-access/${recorded.id}/history`,
      { token: c.inB.viewer.token },
    );
    expect(seen.body.data.map((s) => s.reason)).toEqual([null, null, null, null]);
  });

  it('revokes access for good: the organisation itself or an admin, with a reason', async () => {
    const recorded = ok(
      await call<Access>(t.app, 'POST', '/v1/channel-access', {
        token: c.admin.token,
        body: {
          organizationId: c.a.id,
          channelId: channel.id,
          countries: ['HN'],
          since: '2025-01-01',
        },
      }),
      201,
    );
    await expect(partners('HN')).resolves.toEqual([c.a.id]);
    expectProblem(
      await call(t.app, 'POST', `/v1/channel-access/${recorded.id}/revoke`, {
        token: c.inB.orgAdmin.token,
        body: { reason: 'Not theirs' },
      }),
      403,
    );
    const revoked = ok(
      await call<Access>(t.app, 'POST', `/v1/channel-access/${recorded.id}/revoke`, {
        token: c.inA.orgAdmin.token,
        body: { reason: 'The platform closed the program' },
      }),
      200,
    );
    expect(revoked).toMatchObject({ status: 'revoked', version: 2 });
    await expect(partners('HN')).resolves.toEqual([]);
    expectProblem(
      await call(t.app, 'PATCH', `/v1/channel-access/${recorded.id}`, {
        token: c.admin.token,
        body: { until: '2026-01-01' },
        headers: { 'if-match': '"2"' },
      }),
      409,
    );
  });

  it('lists with filters (platform, channel, country, organisation, status), country optional', async () => {
    const list = async (query: Record<string, string>) =>
      (
        await call<{ data: Access[] }>(t.app, 'GET', '/v1/channel-access', {
          token: c.inB.viewer.token,
          query: { limit: '200', ...query },
        })
      ).body.data;
    const mine = await list({ platform, channel: 'partner_desk' });
    expect(mine.length).toBeGreaterThanOrEqual(4);
    expect(new Set(mine.map((a) => a.status))).toEqual(new Set(['approved', 'claimed', 'revoked']));
    expect((await list({ platform, country: 'HN' })).map((a) => a.status)).toEqual(['revoked']);
    expect(
      (await list({ platform, status: 'approved' })).every((a) => a.status === 'approved'),
    ).toBe(true);
    expect(await list({ platform, organization: c.b.id })).toEqual([]);
    for (const [query, fields] of [
      [{ status: 'pending' }, ['status']],
      [{ country: 'bo' }, ['country']],
      [{ organization: 'x' }, ['organization']],
      [{ platform: 'No!' }, ['platform']],
      [{ other: '1' }, ['other']],
    ] as [Record<string, string>, string[]][]) {
      const answer = await call(t.app, 'GET', '/v1/channel-access', {
        token: c.inA.member.token,
        query,
      });
      expect({ query, fields: fieldsOf(answer) }).toEqual({ query, fields });
    }
    expectProblem(
      await call(t.app, 'GET', `/v1/channel-access/${randomUUID()}`, { token: c.inA.member.token }),
      404,
    );
    expectProblem(await call(t.app, 'GET', '/v1/channel-access', {}), 401);
  });

  it('gives the platform-by-country overview: approved partners named, claims counted', async () => {
    const answer = await call<{
      date: string;
      data: {
        platformCode: string;
        country: string;
        approved: { slug: string }[];
        claimed: number;
      }[];
    }>(t.app, 'GET', '/v1/channel-access/overview', {
      token: c.inB.viewer.token,
      query: { platform },
    });
    expect(answer.status).toBe(200);
    const cells = Object.fromEntries(
      answer.body.data.map((d) => [
        d.country,
        { approved: d.approved.map((a) => a.slug), claimed: d.claimed },
      ]),
    );
    // BO approved (first test); EC claimed; GT claimed again (widened); HN revoked: absent.
    expect(cells.BO).toEqual({ approved: [c.a.slug], claimed: 0 });
    expect(cells.EC).toEqual({ approved: [], claimed: 1 });
    expect(cells.HN).toBeUndefined();
    expect(cells.PE).toBeUndefined();
    const oneCountry = await call<{ data: { country: string }[] }>(
      t.app,
      'GET',
      '/v1/channel-access/overview',
      { token: c.inB.viewer.token, query: { country: 'BO', platform } },
    );
    expect(oneCountry.body.data.map((d) => d.country)).toEqual(['BO']);
  });
});
