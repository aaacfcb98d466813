import { randomBytes } from 'node:crypto';
import { ValidationFailedError } from '../../src/common/errors/domain-error';
import { AdminBootstrapService } from '../../src/users/admin-bootstrap.service';
import { createCommunity, createUser as createTestUser } from '../factories/community.factory';
import { call, expectProblem } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';

const unique = () => randomBytes(4).toString('hex');
const COMMON = /^(password|newPassword) is too easy to guess: it is a commonly used password/;

describe('password policy', () => {
  let t: TestApp;
  let c: Awaited<ReturnType<typeof createCommunity>>;

  const createUser = (email: string, password: string) =>
    call(t.app, 'POST', `/v1/organizations/${c.a.id}/users`, {
      token: c.admin.token,
      body: { email, displayName: 'Ana', role: 'member', password },
    });
  const userCount = async (email: string) =>
    (
      (await t.db.query('SELECT count(*)::int AS n FROM users WHERE email = lower($1)', [
        email,
      ])) as [{ n: number }]
    )[0].n;

  beforeAll(async () => {
    t = await createTestApp();
    c = await createCommunity(t.app);
  });
  afterAll(() => t.close());

  describe('when a user is created', () => {
    it('refuses common passwords, also padded or repeated, without echoing them', async () => {
      for (const password of [
        'qwerty123456',
        'Password1234',
        'ILoveYou2024!',
        'qwertyqwerty',
        '1qaz2wsx3edc',
      ]) {
        const email = `ana.${unique()}@example.org`;
        const answer = await createUser(email, password);
        const problem = expectProblem(answer, 400);
        expect(problem.errors).toEqual([
          { field: 'password', message: expect.stringMatching(COMMON) },
        ]);
        expect(answer.text).not.toContain(password);
        await expect(userCount(email)).resolves.toBe(0);
      }
    });

    it('refuses the e-mail address and its local part, whatever the case', async () => {
      const local = `ana.maria.${unique()}`;
      const email = `${local}@Example.org`;
      for (const password of [email.toUpperCase(), local, local.toUpperCase()]) {
        const answer = await createUser(email, password);
        expect(expectProblem(answer, 400).errors).toEqual([
          {
            field: 'password',
            message: 'password must not be the e-mail address or its part before the @',
          },
        ]);
        expect(answer.text).not.toContain(local);
        await expect(userCount(email)).resolves.toBe(0);
      }
      // Someone else's local part is no problem.
      await expect(createUser(`other.${unique()}@example.org`, local)).resolves.toMatchObject({
        status: 201,
      });
    });

    it('keeps the length rules (12 to 256) and accepts a good passphrase of 256', async () => {
      const tooLong = `${'correct horse battery staple '.repeat(9)}x`.slice(0, 257);
      expect(
        expectProblem(await createUser(`a.${unique()}@example.org`, tooLong), 400).errors,
      ).toEqual([{ field: 'password', message: 'password must be at most 256 characters' }]);
      expect(
        expectProblem(await createUser(`a.${unique()}@example.org`, 'short-pass1'), 400).errors,
      ).toEqual([{ field: 'password', message: 'password must be at least 12 characters' }]);
      await expect(
        createUser(`a.${unique()}@example.org`, tooLong.slice(0, 256)),
      ).resolves.toMatchObject({
        status: 201,
      });
    });
  });

  describe('when a user changes their password', () => {
    it('refuses common passwords and their own address, keeping the old password', async () => {
      // A fixed address: a random one (member-<hex>) was at times refused first as a common
      // password, so the test met the other message.
      const user = await createTestUser(t.app, c.a.id, 'member', {
        email: 'rosa.quispe.helpline@example.org',
      });
      const local = user.email.slice(0, user.email.indexOf('@'));
      for (const [newPassword, message] of [
        ['letmein12345', COMMON],
        [
          user.email.toUpperCase(),
          'newPassword must not be the e-mail address or its part before the @',
        ],
        [
          local,
          local.length >= 12
            ? 'newPassword must not be the e-mail address or its part before the @'
            : /./,
        ],
      ] as [string, string | RegExp][]) {
        const answer = await call(t.app, 'POST', '/v1/me/password', {
          token: user.token,
          body: { currentPassword: user.password, newPassword },
        });
        expect(expectProblem(answer, 400).errors).toEqual([
          {
            field: 'newPassword',
            message: typeof message === 'string' ? message : expect.stringMatching(message),
          },
        ]);
        expect(answer.text).not.toContain(newPassword);
      }
      const login = await call(t.app, 'POST', '/v1/auth/login', {
        body: { email: user.email, password: user.password },
      });
      expect(login.status).toBe(200);
    });
  });

  describe('the first admin (CLI and start-up bootstrap)', () => {
    it('is refused a common password, writing nothing', async () => {
      const email = `admin.${unique()}@example.org`;
      await expect(
        t.app
          .get(AdminBootstrapService)
          .createAdmin(
            { email, password: 'Password1234', organizationSlug: 'coordination' },
            false,
          ),
      ).rejects.toBeInstanceOf(ValidationFailedError);
      await expect(userCount(email)).resolves.toBe(0);
    });
  });
});
