import { randomBytes } from 'node:crypto';
import { createCommunity, createUser, TestUser } from '../factories/community.factory';
import { Answer, call, expectProblem } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';

const FAILURES = 3;
const MINUTES = 15;

describe('account lockout', () => {
  let t: TestApp;
  let c: Awaited<ReturnType<typeof createCommunity>>;

  const login = (email: string, password: string) =>
    call(t.app, 'POST', '/v1/auth/login', { body: { email, password } });
  const failTimes = async (user: TestUser, times: number) => {
    for (let i = 0; i < times; i++) {
      expectProblem(await login(user.email, `wrong-password-${i}-${user.id}`), 401);
    }
  };
  const lockState = async (id: string) =>
    (
      (await t.db.query(
        'SELECT failed_login_count AS count, locked_until AS "lockedUntil" FROM users WHERE id = $1',
        [id],
      )) as [{ count: number; lockedUntil: Date | null }]
    )[0];
  const audit = (action: string, targetId: string) =>
    t.db.query(
      `SELECT actor_user_id, organization_id, target_type, details FROM audit_entries
       WHERE action = $1 AND target_id = $2 ORDER BY occurred_at, id`,
      [action, targetId],
    );
  /** What a caller sees of a refusal: everything but the request id. */
  const seen = (answer: Answer) => ({
    status: answer.status,
    type: answer.headers['content-type'],
    authenticate: answer.headers['www-authenticate'],
    body: { ...answer.body, requestId: undefined },
  });
  const newMember = () => createUser(t.app, c.a.id, 'member');

  beforeAll(async () => {
    t = await createTestApp({
      LOGIN_LOCKOUT_FAILURES: String(FAILURES),
      LOGIN_LOCKOUT_MINUTES: String(MINUTES),
      // The per-e-mail throttle would answer 429 first; these tests are about the lock.
      LOGIN_MAX_FAILURES_PER_EMAIL: '1000',
    });
    c = await createCommunity(t.app);
  });
  afterAll(() => t.close());

  it('locks an account after consecutive failures, writing auth.account_locked once (ids only)', async () => {
    const user = await newMember();
    await failTimes(user, FAILURES - 1);
    await expect(lockState(user.id)).resolves.toEqual({ count: FAILURES - 1, lockedUntil: null });
    await expect(audit('auth.account_locked', user.id)).resolves.toEqual([]);

    const before = t.clock.now().getTime();
    await failTimes(user, 1);
    const state = await lockState(user.id);
    expect(state.count).toBe(0);
    expect(state.lockedUntil!.getTime() - before).toBeGreaterThanOrEqual(MINUTES * 60_000);
    expect(state.lockedUntil!.getTime() - before).toBeLessThan(MINUTES * 60_000 + 5_000);
    await expect(audit('auth.account_locked', user.id)).resolves.toEqual([
      {
        actor_user_id: null,
        organization_id: user.organizationId,
        target_type: 'user',
        details: { failures: FAILURES, lockedUntil: state.lockedUntil!.toISOString() },
      },
    ]);
    const failed = (await audit('auth.login_failed', user.id)) as { details: unknown }[];
    expect(failed.map((r) => r.details)).toEqual(
      Array(FAILURES).fill({ reason: 'wrong_password' }),
    );
  });

  it('refuses the right password while locked, with the answer of a wrong one, and does not extend the lock', async () => {
    const user = await newMember();
    await failTimes(user, FAILURES);
    const { lockedUntil } = await lockState(user.id);

    const right = await login(user.email, user.password);
    const wrong = await login(user.email, 'another-wrong-password');
    const unknown = await login(`nobody-${randomBytes(4).toString('hex')}@example.org`, 'x');
    expectProblem(right, 401);
    expect(seen(right)).toEqual(seen(wrong));
    expect(seen(right)).toEqual(seen(unknown));
    expect(right.text).not.toMatch(/lock/i);

    // Failures while locked neither count nor lock again.
    await failTimes(user, FAILURES);
    await expect(lockState(user.id)).resolves.toEqual({ count: 0, lockedUntil });
    await expect(audit('auth.account_locked', user.id)).resolves.toHaveLength(1);
    const reasons = (
      (await audit('auth.login_failed', user.id)) as { details: { reason: string } }[]
    )
      .map((r) => r.details.reason)
      .slice(FAILURES);
    expect(reasons).toEqual(Array(2 + FAILURES).fill('account_locked'));
    // Sessions and API tokens it already had go on: the lock is about guessing its password.
    expect((await call(t.app, 'GET', '/v1/me', { token: user.token })).status).toBe(200);
  });

  it('lets the account log in again once the lock has expired, with a fresh count', async () => {
    const user = await newMember();
    await failTimes(user, FAILURES);
    t.clock.advance(MINUTES * 60_000 - 5_000);
    expectProblem(await login(user.email, user.password), 401);
    t.clock.advance(10_000);
    expect((await login(user.email, user.password)).status).toBe(200);
    await expect(lockState(user.id)).resolves.toEqual({ count: 0, lockedUntil: null });
    // After an expired lock (without a success in between) the count starts from zero too.
    const other = await newMember();
    await failTimes(other, FAILURES);
    t.clock.advance(MINUTES * 60_000 + 1_000);
    await failTimes(other, FAILURES - 1);
    expect(await lockState(other.id)).toMatchObject({ count: FAILURES - 1 });
    expect((await login(other.email, other.password)).status).toBe(200);
  });

  it('resets the count on a successful login', async () => {
    const user = await newMember();
    await failTimes(user, FAILURES - 1);
    expect((await login(user.email, user.password)).status).toBe(200);
    await expect(lockState(user.id)).resolves.toEqual({ count: 0, lockedUntil: null });
    await failTimes(user, FAILURES - 1);
    expect((await login(user.email, user.password)).status).toBe(200);
    await expect(audit('auth.account_locked', user.id)).resolves.toEqual([]);
  });

  it('lets an admin or the org_admin unlock by PATCH /v1/users/:id {locked: false}, audited', async () => {
    const user = await newMember();
    await failTimes(user, FAILURES);
    const shown = await call(t.app, 'GET', `/v1/users/${user.id}`, { token: c.inA.orgAdmin.token });
    expect(shown.body.lockedUntil).toBe((await lockState(user.id)).lockedUntil!.toISOString());

    // Not the user themself, not a member, not another organisation's org_admin; only false.
    for (const [token, status] of [
      [user.token, 403],
      [c.inA.member.token, 403],
      [c.inB.orgAdmin.token, 404],
    ] as [string, number][]) {
      const refused = await call(t.app, 'PATCH', `/v1/users/${user.id}`, {
        token,
        body: { locked: false },
      });
      expectProblem(refused, status);
    }
    const locking = await call(t.app, 'PATCH', `/v1/users/${user.id}`, {
      token: c.admin.token,
      body: { locked: true },
    });
    expect(expectProblem(locking, 400).errors).toEqual([
      { field: 'locked', message: 'locked can only be set to false (to unlock the account)' },
    ]);
    expect((await lockState(user.id)).lockedUntil).not.toBeNull();

    const unlocked = await call(t.app, 'PATCH', `/v1/users/${user.id}`, {
      token: c.inA.orgAdmin.token,
      body: { locked: false },
    });
    expect(unlocked.status).toBe(200);
    expect(unlocked.body.lockedUntil).toBeNull();
    await expect(lockState(user.id)).resolves.toEqual({ count: 0, lockedUntil: null });
    await expect(audit('auth.account_unlocked', user.id)).resolves.toEqual([
      {
        actor_user_id: c.inA.orgAdmin.id,
        organization_id: user.organizationId,
        target_type: 'user',
        details: {},
      },
    ]);
    expect((await login(user.email, user.password)).status).toBe(200);

    // Unlocking an account that is not locked changes nothing and writes no unlock entry.
    await call(t.app, 'PATCH', `/v1/users/${user.id}`, {
      token: c.admin.token,
      body: { locked: false },
    });
    await expect(audit('auth.account_unlocked', user.id)).resolves.toHaveLength(1);
  });

  it('lists the lock entries in the audit trail for the organisation', async () => {
    const user = await newMember();
    await failTimes(user, FAILURES);
    const answer = await call<{ data: { action: string; targetId: string }[] }>(
      t.app,
      'GET',
      '/v1/audit',
      { token: c.inA.orgAdmin.token, query: { action: 'auth.account_locked' } },
    );
    expect(answer.status).toBe(200);
    expect(answer.body.data.map((e) => e.targetId)).toContain(user.id);
  });
});

describe('account lockout with the default settings', () => {
  it('locks after 10 failures in 15 minutes, behind the per-e-mail throttle', async () => {
    const t = await createTestApp();
    try {
      expect(t.config.loginLockout).toEqual({ failures: 10, durationMs: 15 * 60_000 });
      const c = await createCommunity(t.app);
      const user = c.inB.member;
      for (let i = 0; i < 10; i++) {
        const answer = await call(t.app, 'POST', '/v1/auth/login', {
          body: { email: user.email, password: `wrong-${i}-password` },
        });
        expect(answer.status).toBe(401);
      }
      const [row] = await t.db.query('SELECT locked_until FROM users WHERE id = $1', [user.id]);
      expect(row.locked_until).not.toBeNull();
      // The 11th attempt meets the throttle (429), which an unknown address meets as well.
      const right = await call(t.app, 'POST', '/v1/auth/login', {
        body: { email: user.email, password: user.password },
      });
      expectProblem(right, 429);
    } finally {
      await t.close();
    }
  });
});
