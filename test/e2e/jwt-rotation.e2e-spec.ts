import { sign, verify } from 'jsonwebtoken';
import { JWT_ISSUER } from '../../src/auth/strategies/jwt.strategy';
import { createOrganization, createUser, TestUser } from '../factories/community.factory';
import { call, expectProblem } from '../support/http';
import { createTestApp, TEST_JWT_SECRET, TestApp } from '../support/test-app';

const NEW_SECRET = 'the-new-jwt-secret-after-rotation-0123456789';
const UNKNOWN_SECRET = 'a-secret-this-service-never-had-0123456789ab';

/** An access token as the service mints them, signed with `secret`. */
const accessToken = (userId: string, secret: string, expiresIn = 900) =>
  sign({ sub: userId, typ: 'access' }, secret, {
    algorithm: 'HS256',
    issuer: JWT_ISSUER,
    expiresIn,
  });

// One app per describe, one after the other: passport's strategies are process-wide.
describe('JWT secret rotation (JWT_SECRET new, JWT_PREVIOUS_SECRET the old one)', () => {
  let t: TestApp;
  let user: TestUser;
  const me = (token: string) => call(t.app, 'GET', '/v1/me', { token });

  beforeAll(async () => {
    t = await createTestApp({ JWT_SECRET: NEW_SECRET, JWT_PREVIOUS_SECRET: TEST_JWT_SECRET });
    user = await createUser(t.app, (await createOrganization(t.app)).id, 'member');
  });
  afterAll(() => t.close());

  it('accepts a token signed with the previous secret until it expires', async () => {
    await expect(me(accessToken(user.id, TEST_JWT_SECRET))).resolves.toMatchObject({
      status: 200,
      body: { id: user.id },
    });
    expectProblem(await me(accessToken(user.id, TEST_JWT_SECRET, -10)), 401);
  });

  it('accepts tokens signed with the new secret, and signs new ones with it alone', async () => {
    await expect(me(accessToken(user.id, NEW_SECRET))).resolves.toMatchObject({ status: 200 });
    const login = await call<{ accessToken: string }>(t.app, 'POST', '/v1/auth/login', {
      body: { email: user.email, password: user.password },
    });
    expect(login.status).toBe(200);
    expect(verify(login.body.accessToken, NEW_SECRET, { issuer: JWT_ISSUER })).toMatchObject({
      sub: user.id,
    });
    expect(() => verify(login.body.accessToken, TEST_JWT_SECRET)).toThrow('invalid signature');
    await expect(me(login.body.accessToken)).resolves.toMatchObject({ status: 200 });
  });

  it('refuses a token signed with any other secret, unsigned or re-signed claims, with 401', async () => {
    const forged = accessToken(user.id, UNKNOWN_SECRET);
    const [header, payload] = accessToken(user.id, TEST_JWT_SECRET).split('.');
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
    // The previous secret's signature on another header (alg HS512) must not pass either.
    const otherAlgorithm = sign({ sub: user.id, typ: 'access' }, TEST_JWT_SECRET, {
      algorithm: 'HS512',
      issuer: JWT_ISSUER,
    });
    // Longer-lived claims under the previous secret's signature of other claims.
    const spliced = [
      header,
      accessToken(user.id, NEW_SECRET, 86_400).split('.')[1],
      accessToken(user.id, TEST_JWT_SECRET).split('.')[2],
    ].join('.');
    for (const token of [forged, unsigned, otherAlgorithm, spliced]) {
      const answer = await me(token);
      expect({ token, status: answer.status }).toEqual({ token, status: 401 });
      expectProblem(answer, 401);
    }
  });
});

describe('after the rotation (JWT_PREVIOUS_SECRET removed)', () => {
  it('refuses tokens signed with the old secret', async () => {
    const t = await createTestApp({ JWT_SECRET: NEW_SECRET });
    try {
      const user = await createUser(t.app, (await createOrganization(t.app)).id, 'member');
      expectProblem(
        await call(t.app, 'GET', '/v1/me', { token: accessToken(user.id, TEST_JWT_SECRET) }),
        401,
      );
      await expect(
        call(t.app, 'GET', '/v1/me', { token: accessToken(user.id, NEW_SECRET) }),
      ).resolves.toMatchObject({ status: 200 });
    } finally {
      await t.close();
    }
  });
});
