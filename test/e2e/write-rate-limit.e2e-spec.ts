import Redis from 'ioredis';
import { redisOptionsFromUrl } from '../../src/queue/redis-options';
import { createCommunity, createOrganization, createUser } from '../factories/community.factory';
import { TEST_REDIS_URL } from '../support/env';
import { call, expectProblem } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';

describe('write rate limit per user', () => {
  let t: TestApp;
  let c: Awaited<ReturnType<typeof createCommunity>>;
  const rename = (token: string, id: string, displayName: string) =>
    call(t.app, 'PATCH', `/v1/users/${id}`, { token, body: { displayName } });
  const displayName = async (id: string) =>
    (
      (await t.db.query('SELECT display_name FROM users WHERE id = $1', [id])) as [
        { display_name: string },
      ]
    )[0].display_name;

  /** Moves the app's clock just past the start of a minute: the counts below fit in one window. */
  const startWindow = () => t.clock.advance(60_000 - (t.clock.now().getTime() % 60_000) + 100);

  beforeAll(async () => {
    t = await createTestApp({ WRITE_RATE_LIMIT_PER_MINUTE: '3' });
    c = await createCommunity(t.app);
  });
  afterAll(() => t.close());

  it('refuses the writes of a user beyond the limit with 429 and Retry-After, keyed by user and shared by all their tokens', async () => {
    const member = c.inA.member;
    startWindow();
    // Write 1: an API token for the same user.
    const minted = await call<{ token: string }>(t.app, 'POST', '/v1/auth/tokens', {
      token: member.token,
      body: { name: 'script' },
    });
    expect(minted.status).toBe(201);
    // Writes 2 and 3.
    for (const name of ['Two', 'Three']) {
      expect((await rename(member.token, member.id, name)).status).toBe(200);
    }
    // Write 4, with the JWT or the API token alike: refused, nothing changed.
    for (const token of [member.token, minted.body.token]) {
      const refused = await rename(token, member.id, 'Four');
      const problem = expectProblem(refused, 429);
      expect(problem.detail).toBe('More than 3 changes in a minute; try again later.');
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      // Security headers are on the refusal too.
      expect(refused.headers['x-content-type-options']).toBe('nosniff');
    }
    await expect(displayName(member.id)).resolves.toBe('Three');

    // Reads go on; other users (same IP, same organisation) write on.
    expect((await call(t.app, 'GET', '/v1/me', { token: member.token })).status).toBe(200);
    expect((await rename(c.inA.viewer.token, c.inA.viewer.id, 'Viewer')).status).toBe(200);
    // The login has its own throttle and is not counted.
    const login = await call(t.app, 'POST', '/v1/auth/login', {
      body: { email: member.email, password: member.password },
    });
    expect(login.status).toBe(200);

    // The next minute starts a new count.
    t.clock.advance(60_000);
    expect((await rename(member.token, member.id, 'Later')).status).toBe(200);
    await expect(displayName(member.id)).resolves.toBe('Later');
  });

  it('keeps the count in Redis, so that every replica sees it', async () => {
    const user = c.inB.member;
    startWindow();
    expect((await rename(user.token, user.id, 'One')).status).toBe(200);
    const redis = new Redis({ ...redisOptionsFromUrl(TEST_REDIS_URL), maxRetriesPerRequest: 1 });
    try {
      const keys = await redis.keys(`${t.config.queuePrefix}:writes:${user.id}:*`);
      expect(keys).toHaveLength(1);
      expect(await redis.get(keys[0])).toBe('1');
      expect(await redis.pttl(keys[0])).toBeGreaterThan(60_000);
      // Another replica counted two more writes of this user.
      await redis.incrby(keys[0], 2);
    } finally {
      redis.disconnect();
    }
    expectProblem(await rename(user.token, user.id, 'Four'), 429);
  });

  it('counts refused writes too, and every write method under /v1', async () => {
    const user = c.inB.viewer;
    startWindow();
    // A viewer may not create cases: 403, but counted (a probing script is braked as well).
    for (let i = 0; i < 3; i++) {
      const answer = await call(t.app, 'POST', '/v1/cases', { token: user.token, body: {} });
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).not.toBe(429);
    }
    expectProblem(
      await call(t.app, 'DELETE', `/v1/auth/tokens/00000000-0000-4000-8000-000000000000`, {
        token: user.token,
      }),
      429,
    );
  });

  it('declares the 429 on every write route of the OpenAPI document, and on no read', async () => {
    const doc = (await call(t.app, 'GET', '/openapi.json')).body as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const limited =
          path.startsWith('/v1/') &&
          ['post', 'patch', 'put', 'delete'].includes(method) &&
          path !== '/v1/auth/login';
        if (limited)
          expect({ path, method, has429: '429' in operation.responses }).toEqual({
            path,
            method,
            has429: true,
          });
        if (method === 'get')
          expect({ path, has429: '429' in operation.responses }).not.toEqual({
            path,
            has429: true,
            reports: false,
          });
      }
    }
  });
});

describe('write rate limit switched off', () => {
  it('lets any number of writes through with WRITE_RATE_LIMIT_PER_MINUTE=0', async () => {
    const t = await createTestApp({ WRITE_RATE_LIMIT_PER_MINUTE: '0' });
    try {
      const user = await createUser(t.app, (await createOrganization(t.app)).id, 'member');
      for (let i = 0; i < 5; i++) {
        const answer = await call(t.app, 'PATCH', `/v1/users/${user.id}`, {
          token: user.token,
          body: { displayName: `Name ${i}` },
        });
        expect(answer.status).toBe(200);
      }
    } finally {
      await t.close();
    }
  });
});

describe('write rate limit while Redis is down', () => {
  it('fails open: writes go on, quickly', async () => {
    const t = await createTestApp({
      REDIS_URL: 'redis://127.0.0.1:1',
      WRITE_RATE_LIMIT_PER_MINUTE: '1',
    });
    try {
      const user = await createUser(t.app, (await createOrganization(t.app)).id, 'member');
      const started = Date.now();
      for (let i = 0; i < 3; i++) {
        const answer = await call(t.app, 'PATCH', `/v1/users/${user.id}`, {
          token: user.token,
          body: { displayName: `Name ${i}` },
        });
        expect(answer.status).toBe(200);
      }
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await t.close();
    }
  });
});
