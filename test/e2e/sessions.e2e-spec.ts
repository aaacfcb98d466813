import { createCommunity, createUser, TestUser } from '../factories/community.factory';
import { call, expectProblem } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Sessions end when they should (issue 18): a password change, a deactivation and "sign out
 * everywhere" end every access token of the user at once, not only web sessions; API tokens end
 * too when asked. Other users' sessions are untouched, and only those who manage a user may
 * sign them out.
 */
describe('sessions that end (e2e)', () => {
  let t: TestApp;
  let c: Awaited<ReturnType<typeof createCommunity>>;

  beforeAll(async () => {
    t = await createTestApp();
    c = await createCommunity(t.app);
  });
  afterAll(() => t.close());

  /** A real access token, from the login (it carries the user's session generation). */
  const login = async (user: TestUser) => {
    const answer = await call<{ accessToken: string }>(t.app, 'POST', '/v1/auth/login', {
      body: { email: user.email, password: user.password },
    });
    expect(answer.status).toBe(200);
    return answer.body.accessToken;
  };
  const apiToken = async (token: string) => {
    const answer = await call<{ token: string }>(t.app, 'POST', '/v1/auth/tokens', {
      token,
      body: { name: 'export script' },
    });
    expect(answer.status).toBe(201);
    return answer.body.token;
  };
  const status = async (token: string) => (await call(t.app, 'GET', '/v1/me', { token })).status;

  it('a password change ends every access token at once; API tokens only when asked', async () => {
    const user = await createUser(t.app, c.a.id, 'member');
    const [phone, laptop] = [await login(user), await login(user)];
    const script = await apiToken(phone);
    const colleague = await login(c.inA.member);

    const changed = await call(t.app, 'POST', '/v1/me/password', {
      token: phone,
      body: { currentPassword: user.password, newPassword: 'a brand new passphrase 42' },
    });
    expect(changed.status).toBe(204);
    expect(await status(phone)).toBe(401);
    expect(await status(laptop)).toBe(401);
    expect(await status(script)).toBe(200);
    expect(await status(colleague)).toBe(200);

    const fresh = await login({ ...user, password: 'a brand new passphrase 42' });
    expect(await status(fresh)).toBe(200);
    const again = await call(t.app, 'POST', '/v1/me/password', {
      token: fresh,
      body: {
        currentPassword: 'a brand new passphrase 42',
        newPassword: 'another new passphrase 43',
        revokeApiTokens: true,
      },
    });
    expect(again.status).toBe(204);
    expect(await status(script)).toBe(401);
    expect(await status(fresh)).toBe(401);
    const [revoked] = await t.db.query<{ count: string }[]>(
      'SELECT count(*) FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL',
      [user.id],
    );
    expect(revoked.count).toBe('0');
  });

  it('a deactivated user stays signed out when activated again', async () => {
    const user = await createUser(t.app, c.a.id, 'member');
    const before = await login(user);
    const patch = (active: boolean) =>
      call(t.app, 'PATCH', `/v1/users/${user.id}`, {
        token: c.inA.orgAdmin.token,
        body: { active },
      });
    expect((await patch(false)).status).toBe(200);
    expect(await status(before)).toBe(401);
    expect((await patch(true)).status).toBe(200);
    expect(await status(before)).toBe(401);
    expect(await status(await login(user))).toBe(200);
  });

  it('sign out everywhere: oneself, an org_admin on a member, never someone one does not manage', async () => {
    const user = await createUser(t.app, c.a.id, 'member');
    const mine = await login(user);
    const script = await apiToken(mine);
    const self = await call(t.app, 'POST', `/v1/users/${user.id}/sign-out-everywhere`, {
      token: mine,
      body: {},
    });
    expect(self.status).toBe(204);
    expect(await status(mine)).toBe(401);
    expect(await status(script)).toBe(200);

    const second = await login(user);
    const byAdmin = await call(t.app, 'POST', `/v1/users/${user.id}/sign-out-everywhere`, {
      token: c.inA.orgAdmin.token,
      body: { revokeApiTokens: true },
    });
    expect(byAdmin.status).toBe(204);
    expect(await status(second)).toBe(401);
    expect(await status(script)).toBe(401);
    const audit = await t.db.query<{ actor_user_id: string; details: Record<string, unknown> }[]>(
      `SELECT actor_user_id, details FROM audit_entries
        WHERE action = 'auth.sessions_ended' AND target_id = $1 ORDER BY occurred_at`,
      [user.id],
    );
    expect(audit).toEqual([
      { actor_user_id: user.id, details: { revokeApiTokens: false } },
      { actor_user_id: c.inA.orgAdmin.id, details: { revokeApiTokens: true } },
    ]);

    // Refused, and nothing ends: a colleague (403), another organisation (404), bad input (400).
    const third = await login(user);
    const refusals: [string, number, unknown][] = [
      [c.inA.member.token, 403, {}],
      [c.inB.orgAdmin.token, 404, {}],
      [c.inA.orgAdmin.token, 400, { revokeApiTokens: 'yes' }],
      [c.inA.orgAdmin.token, 400, { everything: true }],
    ];
    for (const [token, expected, body] of refusals) {
      expectProblem(
        await call(t.app, 'POST', `/v1/users/${user.id}/sign-out-everywhere`, { token, body }),
        expected,
      );
    }
    expectProblem(
      await call(t.app, 'POST', '/v1/users/not-a-uuid/sign-out-everywhere', {
        token: c.inA.orgAdmin.token,
        body: {},
      }),
      400,
    );
    expect(await status(third)).toBe(200);
    // The community admin manages everyone.
    const byCoordination = await call(t.app, 'POST', `/v1/users/${user.id}/sign-out-everywhere`, {
      token: c.admin.token,
    });
    expect(byCoordination.status).toBe(204);
    expect(await status(third)).toBe(401);
  });
});
