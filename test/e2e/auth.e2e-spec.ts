import { createHash } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { call, expectProblem, fieldsOf } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';
import { caseBody } from '../factories/case.factory';
import { createOrganization, createUser, TestUser, tokenFor } from '../factories/community.factory';

const countAudit = async (t: TestApp, action: string, userId?: string) =>
  (
    await t.db.query(
      `SELECT count(*)::int AS n FROM audit_entries WHERE action = $1 AND ($2::uuid IS NULL OR actor_user_id = $2)`,
      [action, userId ?? null],
    )
  )[0].n as number;

describe('auth', () => {
  let t: TestApp;
  let orgId: string;
  let member: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    orgId = (await createOrganization(t.app)).id;
    member = await createUser(t.app, orgId, 'member', { email: 'Member.One@Example.org' });
  });
  afterAll(() => t.close());

  describe('POST /v1/auth/login', () => {
    it('exchanges e-mail and password for an access token that authenticates', async () => {
      const answer = await call(t.app, 'POST', '/v1/auth/login', {
        body: { email: 'member.one@example.org', password: member.password },
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
        expiresIn: 900,
        user: {
          id: member.id,
          email: 'member.one@example.org',
          displayName: member.displayName,
          role: 'member',
          organizationId: orgId,
        },
      });
      const me = await call(t.app, 'GET', '/v1/me', { token: answer.body.accessToken as string });
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({
        id: member.id,
        authenticatedVia: 'jwt',
        organization: { id: orgId },
      });
      const [row] = await t.db.query('SELECT last_login_at FROM users WHERE id = $1', [member.id]);
      expect(row.last_login_at).toBeInstanceOf(Date);
      await expect(countAudit(t, 'auth.login_succeeded', member.id)).resolves.toBe(1);
    });

    it('accepts the e-mail in any case', async () => {
      const answer = await call(t.app, 'POST', '/v1/auth/login', {
        body: { email: '  MEMBER.ONE@example.ORG ', password: member.password },
      });
      expect(answer.status).toBe(200);
    });

    it('answers an unknown e-mail and a wrong password identically', async () => {
      const unknown = await call(t.app, 'POST', '/v1/auth/login', {
        body: { email: 'nobody@example.org', password: member.password },
      });
      const wrong = await call(t.app, 'POST', '/v1/auth/login', {
        body: { email: member.email, password: 'not-the-password-at-all' },
      });
      expectProblem(unknown, 401);
      expectProblem(wrong, 401);
      const strip = (b: Record<string, unknown>) => ({ ...b, requestId: undefined });
      expect(strip(unknown.body)).toEqual(strip(wrong.body));
      expect(unknown.headers['www-authenticate']).toBe('Bearer');
      const reasons = await t.db.query(
        `SELECT details->>'reason' AS reason, actor_user_id FROM audit_entries WHERE action = 'auth.login_failed' ORDER BY occurred_at`,
      );
      expect(reasons).toEqual([
        { reason: 'unknown_user', actor_user_id: null },
        { reason: 'wrong_password', actor_user_id: member.id },
      ]);
    });

    it('refuses a deactivated user with the same answer', async () => {
      const gone = await createUser(t.app, orgId, 'viewer');
      await t.db.query('UPDATE users SET active = false WHERE id = $1', [gone.id]);
      const answer = await call(t.app, 'POST', '/v1/auth/login', {
        body: { email: gone.email, password: gone.password },
      });
      expect(expectProblem(answer, 401).detail).toBe('The e-mail or password is not correct.');
    });

    it('refuses malformed bodies with 400 naming the field', async () => {
      await expect(
        call(t.app, 'POST', '/v1/auth/login', { body: { email: member.email } }).then(fieldsOf),
      ).resolves.toEqual(['password']);
      await expect(
        call(t.app, 'POST', '/v1/auth/login', {
          body: { email: member.email, password: 'x', remember: true },
        }).then(fieldsOf),
      ).resolves.toEqual(['remember']);
      await expect(
        call(t.app, 'POST', '/v1/auth/login', { body: { email: 42, password: 'x' } }).then(
          fieldsOf,
        ),
      ).resolves.toEqual(['email']);
      await expect(
        call(t.app, 'POST', '/v1/auth/login', {
          body: { email: `${'a'.repeat(250)}@example.org`, password: 'x' },
        }).then(fieldsOf),
      ).resolves.toEqual(['email']);
      await expect(
        call(t.app, 'POST', '/v1/auth/login', {
          body: { email: member.email, password: 'p'.repeat(257) },
        }).then(fieldsOf),
      ).resolves.toEqual(['password']);
      await expect(
        call(t.app, 'POST', '/v1/auth/login', {
          body: { email: [member.email], password: ['x'] },
        }).then(fieldsOf),
      ).resolves.toEqual(['email', 'password']);
    });
  });

  describe('authentication of requests', () => {
    it('refuses missing, malformed, foreign, expired and stale tokens with 401', async () => {
      const foreign = await new JwtService({
        secret: 'another-secret-another-secret-another-secret',
      }).signAsync({
        sub: member.id,
        typ: 'access',
      });
      const expired = await tokenFor(t.app, member.id, -10);
      const vanished = await tokenFor(t.app, '00000000-0000-4000-8000-000000000000');
      for (const headers of <Record<string, string>[]>[
        {},
        { authorization: 'Bearer nonsense' },
        { authorization: `Bearer ${foreign}` },
        { authorization: `Bearer ${expired}` },
        { authorization: `Bearer ${vanished}` },
        {
          authorization: `Basic ${Buffer.from(`${member.email}:${member.password}`).toString('base64')}`,
        },
        { authorization: 'Bearer etk_not-a-real-token' },
      ]) {
        const answer = await call(t.app, 'GET', '/v1/me', { headers });
        expect({ headers, status: answer.status }).toEqual({ headers, status: 401 });
        expectProblem(answer, 401);
      }
    });

    it('stops honouring the token of a user deactivated since it was issued, at once', async () => {
      const leaving = await createUser(t.app, orgId, 'member');
      const orgAdmin = await createUser(t.app, orgId, 'org_admin');
      // Authenticated once, so the process has this user in its AUTH_CACHE_SECONDS cache.
      await expect(call(t.app, 'GET', '/v1/me', { token: leaving.token })).resolves.toMatchObject({
        status: 200,
      });
      const deactivated = await call(t.app, 'PATCH', `/v1/users/${leaving.id}`, {
        token: orgAdmin.token,
        body: { active: false },
      });
      expect(deactivated.status).toBe(200);
      expectProblem(await call(t.app, 'GET', '/v1/me', { token: leaving.token }), 401);
    });

    it('applies a role change made through the API to the next request', async () => {
      const promoted = await createUser(t.app, orgId, 'viewer');
      const orgAdmin = await createUser(t.app, orgId, 'org_admin');
      const logCase = () =>
        call(t.app, 'POST', '/v1/cases', { token: promoted.token, body: caseBody() });
      expectProblem(await logCase(), 403);
      const changed = await call(t.app, 'PATCH', `/v1/users/${promoted.id}`, {
        token: orgAdmin.token,
        body: { role: 'member' },
      });
      expect(changed.status).toBe(200);
      expect((await logCase()).status).toBe(201);
    });
  });

  describe('personal API tokens', () => {
    it('creates a token shown once, stored only as its SHA-256, usable as a bearer token', async () => {
      const created = await call(t.app, 'POST', '/v1/auth/tokens', {
        token: member.token,
        body: { name: 'monthly export' },
      });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.any(String),
        name: 'monthly export',
        token: expect.stringMatching(/^etk_[\w-]{43}$/),
        expiresAt: null,
      });
      const secret = created.body.token as string;
      const [row] = await t.db.query(
        'SELECT token_hash, row_to_json(t)::text AS all_columns FROM api_tokens t WHERE id = $1',
        [created.body.id],
      );
      expect(row.token_hash).toBe(createHash('sha256').update(secret).digest('hex'));
      expect(row.all_columns).not.toContain(secret);

      const me = await call(t.app, 'GET', '/v1/me', { token: secret });
      expect(me.body).toMatchObject({ id: member.id, authenticatedVia: 'api_token' });
      const list = await call(t.app, 'GET', '/v1/auth/tokens', { token: member.token });
      const listed = (list.body.data as Record<string, unknown>[]).find(
        (x) => x.id === created.body.id,
      );
      expect(listed).toEqual({
        id: created.body.id,
        name: 'monthly export',
        createdAt: expect.any(String),
        lastUsedAt: expect.any(String),
        expiresAt: null,
      });
      expect(list.text).not.toContain(secret);
      await expect(countAudit(t, 'api_token.created', member.id)).resolves.toBeGreaterThanOrEqual(
        1,
      );
    });

    it('refuses to mint a token with a token', async () => {
      const created = await call(t.app, 'POST', '/v1/auth/tokens', {
        token: member.token,
        body: { name: 'script' },
      });
      const before = await t.db.query('SELECT count(*)::int AS n FROM api_tokens');
      const answer = await call(t.app, 'POST', '/v1/auth/tokens', {
        token: created.body.token as string,
        body: { name: 'more' },
      });
      expectProblem(answer, 403);
      await expect(t.db.query('SELECT count(*)::int AS n FROM api_tokens')).resolves.toEqual(
        before,
      );
    });

    it('revokes at once; a revoked or foreign token is 404 to revoke', async () => {
      const other = await createUser(t.app, orgId, 'member');
      const mine = await call(t.app, 'POST', '/v1/auth/tokens', {
        token: member.token,
        body: { name: 'to revoke' },
      });
      const theirs = await call(t.app, 'POST', '/v1/auth/tokens', {
        token: other.token,
        body: { name: 'theirs' },
      });

      expectProblem(
        await call(t.app, 'DELETE', `/v1/auth/tokens/${theirs.body.id}`, { token: member.token }),
        404,
      );
      await expect(
        call(t.app, 'GET', '/v1/me', { token: theirs.body.token as string }),
      ).resolves.toMatchObject({ status: 200 });

      const revoked = await call(t.app, 'DELETE', `/v1/auth/tokens/${mine.body.id}`, {
        token: member.token,
      });
      expect(revoked.status).toBe(204);
      expectProblem(await call(t.app, 'GET', '/v1/me', { token: mine.body.token as string }), 401);
      expectProblem(
        await call(t.app, 'DELETE', `/v1/auth/tokens/${mine.body.id}`, { token: member.token }),
        404,
      );
      const list = await call(t.app, 'GET', '/v1/auth/tokens', { token: member.token });
      expect((list.body.data as { id: string }[]).map((x) => x.id)).not.toContain(mine.body.id);
      await expect(countAudit(t, 'api_token.revoked', member.id)).resolves.toBe(1);
      expectProblem(
        await call(t.app, 'DELETE', '/v1/auth/tokens/not-a-uuid', { token: member.token }),
        400,
      );
    });

    it('stops a token at its expiry', async () => {
      const user = await createUser(t.app, orgId, 'viewer');
      const created = await call(t.app, 'POST', '/v1/auth/tokens', {
        token: user.token,
        body: { name: 'short', expiresInDays: 1 },
      });
      const expiresAt = Date.parse(created.body.expiresAt as string);
      expect(Math.abs(expiresAt - (Date.now() + 86_400_000))).toBeLessThan(60_000);
      await expect(
        call(t.app, 'GET', '/v1/me', { token: created.body.token as string }),
      ).resolves.toMatchObject({ status: 200 });
      t.clock.advance(86_400_000 + 1000);
      try {
        expectProblem(
          await call(t.app, 'GET', '/v1/me', { token: created.body.token as string }),
          401,
        );
      } finally {
        t.clock.advance(-(86_400_000 + 1000));
      }
    });

    it('validates token requests', async () => {
      const before = await t.db.query('SELECT count(*)::int AS n FROM api_tokens');
      const post = (body: unknown) =>
        call(t.app, 'POST', '/v1/auth/tokens', { token: member.token, body }).then(fieldsOf);
      await expect(post({})).resolves.toEqual(['name']);
      await expect(post({ name: 'x'.repeat(101) })).resolves.toEqual(['name']);
      await expect(post({ name: 'ok', expiresInDays: 0 })).resolves.toEqual(['expiresInDays']);
      await expect(post({ name: 'ok', expiresInDays: 366 })).resolves.toEqual(['expiresInDays']);
      await expect(post({ name: 'ok', expiresInDays: '5' })).resolves.toEqual(['expiresInDays']);
      await expect(post({ name: 'ok', scope: 'all' })).resolves.toEqual(['scope']);
      await expect(post({ name: 'nul\u0000byte' })).resolves.toEqual(['name']);
      await expect(t.db.query('SELECT count(*)::int AS n FROM api_tokens')).resolves.toEqual(
        before,
      );
      expectProblem(
        await call(t.app, 'GET', '/v1/auth/tokens', {
          token: member.token,
          query: { limit: '201' },
        }),
        400,
      );
      expectProblem(await call(t.app, 'POST', '/v1/auth/tokens', { body: { name: 'anon' } }), 401);
    });
  });

  it('never writes passwords, e-mail addresses or tokens to the logs', async () => {
    const text = t.rawLogs();
    expect(text.length).toBeGreaterThan(0);
    for (const secret of [
      member.password,
      'member.one@example.org',
      member.email,
      member.token,
      'etk_',
    ]) {
      expect(text).not.toContain(secret);
    }
  });
});

describe('login throttling', () => {
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    t = await createTestApp({
      LOGIN_MAX_FAILURES_PER_EMAIL: '3',
      LOGIN_MAX_ATTEMPTS_PER_IP: '6',
      LOGIN_WINDOW_SECONDS: '600',
      TRUST_PROXY: 'true',
    });
    user = await createUser(t.app, (await createOrganization(t.app)).id, 'member');
  });
  afterAll(() => t.close());

  it('blocks an e-mail after repeated failures, even with the right password, with Retry-After', async () => {
    for (let i = 0; i < 3; i += 1) {
      const answer = await call(t.app, 'POST', '/v1/auth/login', {
        ip: '10.0.0.1',
        body: { email: user.email, password: `wrong-${i}` },
      });
      expect(answer.status).toBe(401);
    }
    const blocked = await call(t.app, 'POST', '/v1/auth/login', {
      ip: '10.0.0.2',
      body: { email: user.email, password: user.password },
    });
    expectProblem(blocked, 429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(500);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(600);
    await expect(countAudit(t, 'auth.login_throttled')).resolves.toBe(1);
  });

  it('blocks a client address after too many attempts, whatever the e-mail', async () => {
    for (let i = 0; i < 6; i += 1) {
      const answer = await call(t.app, 'POST', '/v1/auth/login', {
        ip: '10.0.0.9',
        body: { email: `someone-${i}@example.org`, password: 'whatever' },
      });
      expect(answer.status).toBe(401);
    }
    expectProblem(
      await call(t.app, 'POST', '/v1/auth/login', {
        ip: '10.0.0.9',
        body: { email: 'fresh@example.org', password: 'x' },
      }),
      429,
    );
    const elsewhere = await call(t.app, 'POST', '/v1/auth/login', {
      ip: '10.0.0.10',
      body: { email: 'fresh@example.org', password: 'x' },
    });
    expect(elsewhere.status).toBe(401);
  });

  it('takes the client address from X-Forwarded-For behind a proxy, and never stores a forged one', async () => {
    const forged = await call(t.app, 'POST', '/v1/auth/login', {
      headers: { 'x-forwarded-for': 'not-an-address' },
      body: { email: 'forged@example.org', password: 'whatever' },
    });
    expect(forged.status).toBe(401);
    const real = await call(t.app, 'POST', '/v1/auth/login', {
      headers: { 'x-forwarded-for': '203.0.113.7' },
      body: { email: 'real@example.org', password: 'whatever' },
    });
    expect(real.status).toBe(401);
    const rows = await t.db.query(
      `SELECT request_id, host(ip) AS ip FROM audit_entries WHERE action = 'auth.login_failed' AND request_id = ANY($1)`,
      [[forged.headers['x-request-id'], real.headers['x-request-id']]],
    );
    expect(rows.map((r: { ip: string | null }) => r.ip).sort()).toEqual(['203.0.113.7', null]);
  });
});
