import { randomBytes } from 'node:crypto';
import { UserResponseDto } from '../../src/users/dto/user-response.dto';
import { Answer, call, expectProblem, fieldsOf } from '../support/http';
import {
  countRows,
  expectNoPasswordHashes,
  Page,
  waitForLockWait,
  walkPages,
} from '../support/checks';
import { createTestApp, TestApp } from '../support/test-app';
import {
  createCommunity,
  createOrganization,
  createUser,
  TestUser,
  tokenFor,
} from '../factories/community.factory';

type Community = Awaited<ReturnType<typeof createCommunity>>;
type User = UserResponseDto & Record<string, unknown>;

const unique = () => randomBytes(4).toString('hex');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const NEW_PASSWORD = 'correct horse battery staple';
/** No token, a malformed one, and an expired one. */
const unauthenticated = (expired: string): Record<string, string>[] => [
  {},
  { authorization: 'Bearer nonsense' },
  { authorization: `Bearer ${expired}` },
];
/** The public view of a user the factory created (the answer without the test's extras). */
const publicView = ({ token: _token, password: _password, ...user }: TestUser) => user;

describe('users', () => {
  let t: TestApp;
  let c: Community;

  const userCount = () => countRows(t.db, 'SELECT count(*)::int AS n FROM users');
  const emailCount = (email: string) =>
    countRows(t.db, 'SELECT count(*)::int AS n FROM users WHERE email = lower($1)', [email]);
  const row = async (id: string) =>
    ((await t.db.query('SELECT * FROM users WHERE id = $1', [id])) as Record<string, unknown>[])[0];
  const auditRows = (action: string, targetId: string) =>
    t.db.query(
      `SELECT actor_user_id, organization_id, target_type, details FROM audit_entries
       WHERE action = $1 AND target_id = $2 ORDER BY occurred_at`,
      [action, targetId],
    );
  const newUser = (overrides: Record<string, unknown> = {}) => ({
    email: `ana.${unique()}@example.org`,
    displayName: 'Ana Pérez',
    role: 'member',
    password: NEW_PASSWORD,
    ...overrides,
  });
  const post = (token: string, organizationId: string, body: unknown) =>
    call<User>(t.app, 'POST', `/v1/organizations/${organizationId}/users`, { token, body });
  const patch = (token: string, id: string, body: unknown) =>
    call<User>(t.app, 'PATCH', `/v1/users/${id}`, { token, body });
  const get = (token: string, id: string) => call<User>(t.app, 'GET', `/v1/users/${id}`, { token });
  const login = (email: string, password: string) =>
    call<{ accessToken: string; user: User }>(t.app, 'POST', '/v1/auth/login', {
      body: { email, password },
    });
  const changePassword = (token: string, body: unknown) =>
    call(t.app, 'POST', '/v1/me/password', { token, body });
  /** Posts as `token` and answers the 400's field names; the user count must not move. */
  const refusedFields = async (token: string, organizationId: string, body: unknown) => {
    const before = await userCount();
    const fields = fieldsOf(await post(token, organizationId, body));
    await expect(userCount()).resolves.toBe(before);
    return fields;
  };

  beforeAll(async () => {
    t = await createTestApp();
    c = await createCommunity(t.app);
  });
  afterAll(() => t.close());

  describe('POST /v1/organizations/:id/users', () => {
    it('lets the admin add a user of any role to any organisation, storing only an argon2id hash', async () => {
      for (const [organizationId, role] of [
        [c.b.id, 'org_admin'],
        [c.a.id, 'admin'],
        [c.b.id, 'viewer'],
      ] as [string, string][]) {
        const body = newUser({ role });
        const answer = await post(c.admin.token, organizationId, body);
        expect(answer.status).toBe(201);
        expect(answer.body).toEqual({
          id: expect.stringMatching(UUID),
          email: body.email,
          displayName: 'Ana Pérez',
          role,
          organizationId,
          language: 'en',
          timezone: 'UTC',
          active: true,
          lastLoginAt: null,
          lockedUntil: null,
          createdAt: expect.stringMatching(ISO),
          updatedAt: expect.stringMatching(ISO),
        });
        expectNoPasswordHashes(answer.text);
        expect(answer.text).not.toContain(NEW_PASSWORD);
        const stored = await row(answer.body.id);
        expect(stored).toMatchObject({ email: body.email, role, organization_id: organizationId });
        expect(stored.password_hash).toMatch(/^\$argon2id\$/);
        await expect(auditRows('user.created', answer.body.id)).resolves.toEqual([
          {
            actor_user_id: c.admin.id,
            organization_id: organizationId,
            target_type: 'user',
            details: { role },
          },
        ]);
      }
    });

    it('stores the e-mail in lower case and keeps the language and time zone given', async () => {
      const mixed = `Ana.Maria.${unique()}@Example.ORG`;
      const answer = await post(
        c.admin.token,
        c.a.id,
        newUser({ email: `  ${mixed} `, language: 'es', timezone: 'America/La_Paz' }),
      );
      expect(answer.status).toBe(201);
      expect(answer.body).toMatchObject({
        email: mixed.toLowerCase(),
        language: 'es',
        timezone: 'America/La_Paz',
      });
      await expect(row(answer.body.id)).resolves.toMatchObject({
        email: mixed.toLowerCase(),
        language: 'es',
        timezone: 'America/La_Paz',
      });
      const session = await login(mixed, NEW_PASSWORD);
      expect(session.status).toBe(200);
      expect(session.body.user).toMatchObject({ id: answer.body.id, email: mixed.toLowerCase() });
    });

    it('lets an org_admin add members, viewers and org_admins to its own organisation', async () => {
      for (const role of ['member', 'viewer', 'org_admin']) {
        const body = newUser({ role });
        const answer = await post(c.inA.orgAdmin.token, c.a.id, body);
        expect({ role, status: answer.status }).toEqual({ role, status: 201 });
        expect(answer.body).toMatchObject({ email: body.email, role, organizationId: c.a.id });
        await expect(auditRows('user.created', answer.body.id)).resolves.toEqual([
          {
            actor_user_id: c.inA.orgAdmin.id,
            organization_id: c.a.id,
            target_type: 'user',
            details: { role },
          },
        ]);
      }
    });

    it('refuses an org_admin creating an admin, or a user in another organisation, with 403', async () => {
      for (const [organizationId, role] of [
        [c.a.id, 'admin'],
        [c.b.id, 'member'],
        [c.coordination.id, 'viewer'],
      ] as [string, string][]) {
        const body = newUser({ role });
        const before = await userCount();
        const answer = await post(c.inA.orgAdmin.token, organizationId, body);
        expectProblem(answer, 403);
        await expect(userCount()).resolves.toBe(before);
        await expect(emailCount(body.email)).resolves.toBe(0);
      }
    });

    it('refuses members and viewers with 403, even in their own organisation', async () => {
      for (const user of [c.inA.member, c.inA.viewer, c.inB.member]) {
        const body = newUser({ role: 'viewer' });
        const before = await userCount();
        const answer = await post(user.token, user.organizationId, body);
        expect(expectProblem(answer, 403).detail).toBe('Your role does not allow this.');
        await expect(userCount()).resolves.toBe(before);
        await expect(emailCount(body.email)).resolves.toBe(0);
      }
    });

    it('answers 404 for an unknown organisation and 400 for an id that is not a UUID', async () => {
      const before = await userCount();
      const unknown = await post(c.admin.token, UNKNOWN_ID, newUser());
      expect(expectProblem(unknown, 404).detail).toBe('No such organization.');
      expect(fieldsOf(await post(c.admin.token, 'acoso-online', newUser()))).toEqual(['id']);
      await expect(userCount()).resolves.toBe(before);
    });

    it('refuses a duplicate e-mail with 409, whatever its case and organisation', async () => {
      const existing = await createUser(t.app, c.a.id, 'member');
      for (const [organizationId, email] of [
        [c.a.id, existing.email],
        [c.b.id, existing.email],
        [c.a.id, existing.email.toUpperCase()],
        [c.b.id, ` ${existing.email.replace('member', 'MeMbEr')} `],
      ]) {
        const before = await userCount();
        const answer = await post(c.admin.token, organizationId, newUser({ email }));
        expect(expectProblem(answer, 409).errors).toEqual([
          { field: 'email', message: 'A user with this e-mail already exists.' },
        ]);
        await expect(userCount()).resolves.toBe(before);
      }
      await expect(row(existing.id)).resolves.toMatchObject({
        organization_id: c.a.id,
        display_name: existing.displayName,
      });
    });

    it('answers 409 to a concurrent duplicate, printing neither the e-mail nor the password hash', async () => {
      const email = `race.${unique()}@example.org`;
      // Another request's INSERT of the same address, not yet committed: the API's own
      // duplicate check cannot see it, so its INSERT waits on the unique index, then fails.
      const other = t.db.createQueryRunner();
      await other.connect();
      const printed = (['log', 'info', 'warn', 'error'] as const).map((method) =>
        jest.spyOn(console, method).mockImplementation(() => undefined),
      );
      try {
        await other.startTransaction();
        await other.query(
          `INSERT INTO users (organization_id, email, display_name, role, password_hash)
           VALUES ($1, $2, 'First', 'member', 'not-a-real-hash')`,
          [c.b.id, email],
        );
        const pending = post(c.admin.token, c.a.id, newUser({ email }));
        await waitForLockWait(t.db);
        await other.commitTransaction();
        const answer = await pending;
        expect(expectProblem(answer, 409).detail).toBe('This conflicts with an existing record.');
        await expect(emailCount(email)).resolves.toBe(1);
        await expect(
          t.db.query('SELECT organization_id, display_name FROM users WHERE email = $1', [email]),
        ).resolves.toEqual([{ organization_id: c.b.id, display_name: 'First' }]);
        const output = printed
          .flatMap((spy) => spy.mock.calls.flat())
          .map(String)
          .join('\n');
        expect(output).not.toContain(email);
        expect(output).not.toMatch(/argon2/);
      } finally {
        printed.forEach((spy) => spy.mockRestore());
        if (other.isTransactionActive) await other.rollbackTransaction();
        await other.release();
      }
    });

    it('refuses missing, unknown, wrong-typed and too long fields with 400 naming them', async () => {
      const token = c.admin.token;
      const id = c.a.id;
      await expect(refusedFields(token, id, {})).resolves.toEqual([
        'displayName',
        'email',
        'password',
        'role',
      ]);
      for (const field of ['email', 'displayName', 'role', 'password']) {
        const body: Record<string, unknown> = newUser();
        delete body[field];
        await expect(refusedFields(token, id, body)).resolves.toEqual([field]);
      }
      for (const [extra, fields] of [
        [{ organizationId: c.b.id }, ['organizationId']],
        [{ active: false }, ['active']],
        [{ passwordHash: '$argon2id$v=19$x' }, ['passwordHash']],
        [{ id: UNKNOWN_ID, isAdmin: true }, ['id', 'isAdmin']],
      ] as [Record<string, unknown>, string[]][]) {
        await expect(refusedFields(token, id, newUser(extra))).resolves.toEqual(fields);
      }
      for (const [override, field] of [
        [{ email: 42 }, 'email'],
        [{ email: 'not-an-email' }, 'email'],
        [{ email: `${'a'.repeat(250)}@example.org` }, 'email'],
        [{ displayName: ['Ana'] }, 'displayName'],
        [{ displayName: '' }, 'displayName'],
        [{ displayName: 'n'.repeat(201) }, 'displayName'],
        [{ displayName: 'nul\u0000byte' }, 'displayName'],
        [{ role: 'superuser' }, 'role'],
        [{ role: 'ADMIN' }, 'role'],
        [{ password: 12345678901234 }, 'password'],
        [{ password: 'p'.repeat(257) }, 'password'],
        [{ language: 'Spanish' }, 'language'],
        [{ language: null }, 'language'],
        [{ timezone: 'Mars/Olympus_Mons' }, 'timezone'],
        [{ timezone: null }, 'timezone'],
      ] as [Record<string, unknown>, string][]) {
        const body = newUser(override);
        await expect(refusedFields(token, id, body)).resolves.toEqual([field]);
        if (typeof body.email === 'string') await expect(emailCount(body.email)).resolves.toBe(0);
      }
    });

    it('refuses passwords under 12 characters and accepts 12', async () => {
      const short = newUser({ password: 'elevenchars' });
      expect(short.password).toHaveLength(11);
      const answer = await post(c.admin.token, c.a.id, short);
      expect(expectProblem(answer, 400).errors).toEqual([
        { field: 'password', message: 'password must be at least 12 characters' },
      ]);
      await expect(emailCount(short.email)).resolves.toBe(0);
      const twelve = newUser({ password: 'twelve-chars' });
      await expect(post(c.admin.token, c.a.id, twelve)).resolves.toMatchObject({ status: 201 });
    });

    it('refuses callers without a valid token with 401, writing nothing', async () => {
      const before = await userCount();
      const expired = await tokenFor(t.app, c.admin.id, -10);
      for (const headers of unauthenticated(expired)) {
        const answer = await call(t.app, 'POST', `/v1/organizations/${c.a.id}/users`, {
          headers,
          body: newUser(),
        });
        expectProblem(answer, 401);
      }
      await expect(userCount()).resolves.toBe(before);
    });
  });

  describe('GET /v1/organizations/:id/users', () => {
    it("lists an organisation's users, by e-mail, to its own members and to the admin", async () => {
      const organization = await createOrganization(t.app);
      const users = [
        await createUser(t.app, organization.id, 'org_admin'),
        await createUser(t.app, organization.id, 'member'),
        await createUser(t.app, organization.id, 'viewer'),
      ];
      const expected = users.map(publicView).sort((x, y) => x.email.localeCompare(y.email));
      const byEmail = (
        (await t.db.query('SELECT id FROM users WHERE organization_id = $1 ORDER BY email', [
          organization.id,
        ])) as { id: string }[]
      ).map((r) => r.id);
      expect(byEmail.sort()).toEqual(expected.map((u) => u.id).sort());
      for (const token of [c.admin.token, ...users.map((u) => u.token)]) {
        const answer = await call<Page<User>>(
          t.app,
          'GET',
          `/v1/organizations/${organization.id}/users`,
          { token },
        );
        expect(answer.status).toBe(200);
        expect(answer.body.nextCursor).toBeNull();
        expect(answer.body.data.map((u) => u.id)).toEqual(
          (
            (await t.db.query('SELECT id FROM users WHERE organization_id = $1 ORDER BY email', [
              organization.id,
            ])) as { id: string }[]
          ).map((r) => r.id),
        );
        expect([...answer.body.data].sort((x, y) => x.email.localeCompare(y.email))).toEqual(
          expected,
        );
        expectNoPasswordHashes(answer.text);
      }
    });

    it('refuses the users of another organisation with 403, to every role but admin', async () => {
      for (const user of [c.inA.orgAdmin, c.inA.member, c.inA.viewer]) {
        const answer = await call(t.app, 'GET', `/v1/organizations/${c.b.id}/users`, {
          token: user.token,
        });
        expect(expectProblem(answer, 403).detail).toBe(
          'You can only list the users of your own organization.',
        );
        expect(answer.text).not.toContain(c.inB.member.email);
      }
    });

    it('walks pages of 2 without duplicates or gaps, ending with nextCursor null', async () => {
      const organization = await createOrganization(t.app);
      const created: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        created.push((await createUser(t.app, organization.id, 'viewer')).id);
      }
      const { rows, pages } = await walkPages<User>(
        t.app,
        `/v1/organizations/${organization.id}/users`,
        { token: c.admin.token, limit: 2 },
      );
      expect(pages).toBe(3);
      const ids = rows.map((r) => r.id);
      expect(new Set(ids).size).toBe(5);
      expect([...ids].sort()).toEqual([...created].sort());
      const byEmail = (
        (await t.db.query('SELECT id FROM users WHERE organization_id = $1 ORDER BY email', [
          organization.id,
        ])) as { id: string }[]
      ).map((r) => r.id);
      expect(ids).toEqual(byEmail);
    });

    it('refuses bad limits, garbage cursors and unknown parameters with 400', async () => {
      const url = `/v1/organizations/${c.a.id}/users`;
      for (const [query, field] of [
        [{ limit: '201' }, 'limit'],
        [{ limit: '0' }, 'limit'],
        [{ limit: 'many' }, 'limit'],
        [{ cursor: 'garbage!' }, 'cursor'],
        [{ cursor: Buffer.from('{"email":"a"}').toString('base64url') }, 'cursor'],
        [{ role: 'admin' }, 'role'],
      ] as [Record<string, string>, string][]) {
        const answer = await call(t.app, 'GET', url, { token: c.inA.orgAdmin.token, query });
        expect({ query, fields: fieldsOf(answer) }).toEqual({ query, fields: [field] });
      }
    });

    it('answers 404 for an unknown organisation, 400 for a bad id and 401 without a valid token', async () => {
      const unknown = await call(t.app, 'GET', `/v1/organizations/${UNKNOWN_ID}/users`, {
        token: c.admin.token,
      });
      expect(expectProblem(unknown, 404).detail).toBe('No such organization.');
      expect(
        fieldsOf(
          await call(t.app, 'GET', '/v1/organizations/nope/users', { token: c.admin.token }),
        ),
      ).toEqual(['id']);
      const expired = await tokenFor(t.app, c.inA.member.id, -10);
      for (const headers of unauthenticated(expired)) {
        const answer = await call(t.app, 'GET', `/v1/organizations/${c.a.id}/users`, { headers });
        expectProblem(answer, 401);
        expect(answer.text).not.toContain(c.inA.member.email);
      }
    });
  });

  describe('GET /v1/users/:id', () => {
    it('shows a user to the admin and to every user of the same organisation', async () => {
      const target = await createUser(t.app, c.a.id, 'member');
      for (const viewer of [c.admin, c.inA.orgAdmin, c.inA.member, c.inA.viewer, target]) {
        const answer = await get(viewer.token, target.id);
        expect({ role: viewer.role, status: answer.status }).toEqual({
          role: viewer.role,
          status: 200,
        });
        expect(answer.body).toEqual(publicView(target));
        expectNoPasswordHashes(answer.text);
      }
    });

    it("answers 404 for another organisation's user, as for an unknown id", async () => {
      for (const viewer of [c.inA.orgAdmin, c.inA.member, c.inA.viewer]) {
        for (const id of [c.inB.member.id, c.inB.orgAdmin.id, c.admin.id, UNKNOWN_ID]) {
          const answer = await get(viewer.token, id);
          expect(expectProblem(answer, 404).detail).toBe('No such user.');
          expect(answer.text).not.toContain('@');
        }
      }
      expectProblem(await get(c.admin.token, UNKNOWN_ID), 404);
    });

    it('answers 400 for an id that is not a UUID and 401 without a valid token', async () => {
      expect(fieldsOf(await get(c.admin.token, 'me'))).toEqual(['id']);
      const expired = await tokenFor(t.app, c.inA.member.id, -10);
      for (const headers of unauthenticated(expired)) {
        const answer = await call(t.app, 'GET', `/v1/users/${c.inA.member.id}`, { headers });
        expectProblem(answer, 401);
        expect(answer.text).not.toContain(c.inA.member.email);
      }
    });
  });

  describe('PATCH /v1/users/:id', () => {
    it('lets a user edit their own name, language and time zone', async () => {
      const user = await createUser(t.app, c.a.id, 'viewer');
      const answer = await patch(user.token, user.id, {
        displayName: 'Rosa Quispe',
        language: 'es',
        timezone: 'America/Lima',
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        ...publicView(user),
        displayName: 'Rosa Quispe',
        language: 'es',
        timezone: 'America/Lima',
        updatedAt: expect.stringMatching(ISO),
      });
      expectNoPasswordHashes(answer.text);
      await expect(row(user.id)).resolves.toMatchObject({
        display_name: 'Rosa Quispe',
        language: 'es',
        timezone: 'America/Lima',
        role: 'viewer',
        active: true,
      });
      await expect(auditRows('user.updated', user.id)).resolves.toEqual([
        {
          actor_user_id: user.id,
          organization_id: c.a.id,
          target_type: 'user',
          details: { fields: ['displayName', 'language', 'timezone'] },
        },
      ]);
    });

    it('refuses anyone changing their own role or deactivating themselves with 403', async () => {
      const organization = await createOrganization(t.app);
      const users = [
        await createUser(t.app, c.coordination.id, 'admin'),
        await createUser(t.app, organization.id, 'org_admin'),
        await createUser(t.app, organization.id, 'member'),
        await createUser(t.app, organization.id, 'viewer'),
      ];
      for (const user of users) {
        const before = await row(user.id);
        for (const body of [
          { role: 'admin' },
          { role: user.role },
          { active: false },
          { displayName: 'Sneaky', role: 'admin' },
        ]) {
          const answer = await patch(user.token, user.id, body);
          expect({ role: user.role, body, status: answer.status }).toEqual({
            role: user.role,
            body,
            status: 403,
          });
          expect(expectProblem(answer, 403).detail).toBe(
            'You cannot change your own role or deactivate yourself.',
          );
        }
        await expect(row(user.id)).resolves.toEqual(before);
        await expect(auditRows('user.updated', user.id)).resolves.toEqual([]);
      }
    });

    it('lets an org_admin manage the non-admin users of its own organisation', async () => {
      const organization = await createOrganization(t.app);
      const orgAdmin = await createUser(t.app, organization.id, 'org_admin');
      const member = await createUser(t.app, organization.id, 'member');
      const colleague = await createUser(t.app, organization.id, 'org_admin');

      const demoted = await patch(orgAdmin.token, member.id, { role: 'viewer' });
      expect(demoted.status).toBe(200);
      expect(demoted.body).toMatchObject({ id: member.id, role: 'viewer', active: true });
      await expect(row(member.id)).resolves.toMatchObject({ role: 'viewer' });

      const renamed = await patch(orgAdmin.token, colleague.id, {
        displayName: 'Coordinadora',
        active: false,
      });
      expect(renamed.status).toBe(200);
      expect(renamed.body).toMatchObject({ displayName: 'Coordinadora', active: false });
      await expect(row(colleague.id)).resolves.toMatchObject({
        display_name: 'Coordinadora',
        active: false,
      });
      await expect(auditRows('user.updated', member.id)).resolves.toEqual([
        {
          actor_user_id: orgAdmin.id,
          organization_id: organization.id,
          target_type: 'user',
          details: { fields: ['role'], role: 'viewer' },
        },
      ]);
      await expect(auditRows('user.updated', colleague.id)).resolves.toEqual([
        {
          actor_user_id: orgAdmin.id,
          organization_id: organization.id,
          target_type: 'user',
          details: { fields: ['active', 'displayName'], active: false },
        },
      ]);
    });

    it('refuses an org_admin promoting to admin or editing an admin, with 403', async () => {
      const organization = await createOrganization(t.app);
      const orgAdmin = await createUser(t.app, organization.id, 'org_admin');
      const member = await createUser(t.app, organization.id, 'member');
      const localAdmin = await createUser(t.app, organization.id, 'admin');
      for (const [id, body] of [
        [member.id, { role: 'admin' }],
        [localAdmin.id, { displayName: 'Renamed' }],
        [localAdmin.id, { role: 'member' }],
        [localAdmin.id, { active: false }],
      ] as [string, Record<string, unknown>][]) {
        const before = await row(id);
        const answer = await patch(orgAdmin.token, id, body);
        expect(expectProblem(answer, 403).detail).toBe('You cannot edit this user.');
        await expect(row(id)).resolves.toEqual(before);
        await expect(auditRows('user.updated', id)).resolves.toEqual([]);
      }
    });

    it('refuses members and viewers editing a colleague with 403', async () => {
      const target = await createUser(t.app, c.a.id, 'viewer');
      const before = await row(target.id);
      for (const [user, body] of [
        [c.inA.member, { displayName: 'Changed by a colleague' }],
        [c.inA.viewer, { active: false }],
        [c.inA.member, { role: 'org_admin' }],
      ] as [TestUser, Record<string, unknown>][]) {
        const answer = await patch(user.token, target.id, body);
        expect(expectProblem(answer, 403).detail).toBe('You cannot edit this user.');
      }
      await expect(row(target.id)).resolves.toEqual(before);
      await expect(auditRows('user.updated', target.id)).resolves.toEqual([]);
    });

    it("answers 404 for another organisation's user and for an unknown id, changing nothing", async () => {
      const target = await createUser(t.app, c.b.id, 'member');
      const before = await row(target.id);
      for (const user of [c.inA.orgAdmin, c.inA.member, c.inA.viewer]) {
        for (const id of [target.id, UNKNOWN_ID]) {
          const answer = await patch(user.token, id, { displayName: 'Hijacked' });
          expect(expectProblem(answer, 404).detail).toBe('No such user.');
        }
      }
      expectProblem(await patch(c.admin.token, UNKNOWN_ID, { displayName: 'Ghost' }), 404);
      expect(fieldsOf(await patch(c.admin.token, 'not-a-uuid', { displayName: 'x' }))).toEqual([
        'id',
      ]);
      await expect(row(target.id)).resolves.toEqual(before);
      await expect(auditRows('user.updated', target.id)).resolves.toEqual([]);
    });

    it('lets the admin manage any user, the role change taking effect at once', async () => {
      const organization = await createOrganization(t.app);
      const orgAdmin = await createUser(t.app, organization.id, 'org_admin');
      const allowed = await post(orgAdmin.token, organization.id, newUser());
      expect(allowed.status).toBe(201);

      const answer = await patch(c.admin.token, orgAdmin.id, { role: 'member' });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ id: orgAdmin.id, role: 'member' });
      await expect(auditRows('user.updated', orgAdmin.id)).resolves.toEqual([
        {
          actor_user_id: c.admin.id,
          organization_id: organization.id,
          target_type: 'user',
          details: { fields: ['role'], role: 'member' },
        },
      ]);
      const body = newUser();
      expectProblem(await post(orgAdmin.token, organization.id, body), 403);
      await expect(emailCount(body.email)).resolves.toBe(0);

      const promoted = await patch(c.admin.token, orgAdmin.id, { role: 'admin' });
      expect(promoted.body).toMatchObject({ role: 'admin' });
      await expect(
        call(t.app, 'GET', `/v1/organizations/${c.b.id}/users`, { token: orgAdmin.token }),
      ).resolves.toMatchObject({ status: 200 });
    });

    it('deactivation stops the user’s session and API tokens at once, and their login', async () => {
      const user = await createUser(t.app, c.a.id, 'member');
      const apiToken = await call<{ token: string }>(t.app, 'POST', '/v1/auth/tokens', {
        token: user.token,
        body: { name: 'export script' },
      });
      expect(apiToken.status).toBe(201);
      await expect(call(t.app, 'GET', '/v1/me', { token: user.token })).resolves.toMatchObject({
        status: 200,
        body: { id: user.id, active: true },
      });

      const answer = await patch(c.inA.orgAdmin.token, user.id, { active: false });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        ...publicView(user),
        active: false,
        updatedAt: expect.stringMatching(ISO),
      });
      await expect(row(user.id)).resolves.toMatchObject({ active: false });

      expectProblem(await call(t.app, 'GET', '/v1/me', { token: user.token }), 401);
      expectProblem(await call(t.app, 'GET', '/v1/me', { token: apiToken.body.token }), 401);
      expectProblem(await get(user.token, user.id), 401);
      expect(expectProblem(await login(user.email, user.password), 401).detail).toBe(
        'The e-mail or password is not correct.',
      );

      // Activated again, the user signs in again: the old session stays ended.
      const reactivated = await patch(c.admin.token, user.id, { active: true });
      expect(reactivated.body).toMatchObject({ active: true });
      expectProblem(await call(t.app, 'GET', '/v1/me', { token: user.token }), 401);
      const again = await login(user.email, user.password);
      expect(again.status).toBe(200);
      await expect(
        call(t.app, 'GET', '/v1/me', { token: String(again.body.accessToken) }),
      ).resolves.toMatchObject({ status: 200, body: { id: user.id } });
    });

    it('refuses unknown, wrong-typed, too long and null fields with 400, changing nothing', async () => {
      const user = await createUser(t.app, c.a.id, 'member');
      const before = await row(user.id);
      for (const [token, body, field] of [
        [c.admin.token, { email: 'new@example.org' }, 'email'],
        [user.token, { password: NEW_PASSWORD }, 'password'],
        [c.admin.token, { organizationId: c.b.id }, 'organizationId'],
        [c.admin.token, { lastLoginAt: null }, 'lastLoginAt'],
        [c.admin.token, { role: 'owner' }, 'role'],
        [c.admin.token, { active: 'no' }, 'active'],
        [c.admin.token, { active: 0 }, 'active'],
        [user.token, { displayName: '' }, 'displayName'],
        [user.token, { displayName: 'n'.repeat(201) }, 'displayName'],
        [user.token, { displayName: 5 }, 'displayName'],
        [user.token, { language: 'Spanish' }, 'language'],
        [user.token, { timezone: 'Nowhere/Land' }, 'timezone'],
        [c.admin.token, { displayName: null }, 'displayName'],
        [c.admin.token, { role: null }, 'role'],
        [c.admin.token, { active: null }, 'active'],
        [user.token, { language: null }, 'language'],
        [user.token, { timezone: null }, 'timezone'],
      ] as [string, Record<string, unknown>, string][]) {
        const answer = await patch(token, user.id, body);
        expect({ body, status: answer.status }).toEqual({ body, status: 400 });
        expect(fieldsOf(answer)).toEqual([field]);
      }
      await expect(row(user.id)).resolves.toEqual(before);
      await expect(auditRows('user.updated', user.id)).resolves.toEqual([]);
    });

    it('refuses callers without a valid token with 401, changing nothing', async () => {
      const before = await row(c.inA.member.id);
      const expired = await tokenFor(t.app, c.admin.id, -10);
      for (const headers of unauthenticated(expired)) {
        const answer: Answer = await call(t.app, 'PATCH', `/v1/users/${c.inA.member.id}`, {
          headers,
          body: { active: false },
        });
        expectProblem(answer, 401);
      }
      await expect(row(c.inA.member.id)).resolves.toEqual(before);
    });
  });

  describe('POST /v1/me/password', () => {
    it('changes the caller’s password: 204, the new one logs in, the old one no longer does', async () => {
      const user = await createUser(t.app, c.b.id, 'viewer');
      const before = await row(user.id);
      const answer = await changePassword(user.token, {
        currentPassword: user.password,
        newPassword: NEW_PASSWORD,
      });
      expect(answer.status).toBe(204);
      expect(answer.text).toBe('');
      const after = await row(user.id);
      expect(after.password_hash).toMatch(/^\$argon2id\$/);
      expect(after.password_hash).not.toBe(before.password_hash);
      await expect(auditRows('auth.password_changed', user.id)).resolves.toEqual([
        { actor_user_id: user.id, organization_id: c.b.id, target_type: 'user', details: {} },
      ]);

      const fresh = await login(user.email, NEW_PASSWORD);
      expect(fresh.status).toBe(200);
      expect(fresh.body.user).toMatchObject({ id: user.id });
      expectNoPasswordHashes(fresh.text);
      expect(expectProblem(await login(user.email, user.password), 401).detail).toBe(
        'The e-mail or password is not correct.',
      );
    });

    it('refuses a wrong current password with 400 naming it, keeping the old password', async () => {
      const user = await createUser(t.app, c.b.id, 'member');
      const before = await row(user.id);
      const answer = await changePassword(user.token, {
        currentPassword: 'not-my-password-at-all',
        newPassword: NEW_PASSWORD,
      });
      expect(expectProblem(answer, 400).errors).toEqual([
        { field: 'currentPassword', message: 'currentPassword is not correct' },
      ]);
      await expect(row(user.id)).resolves.toEqual(before);
      await expect(auditRows('auth.password_changed', user.id)).resolves.toEqual([]);
      expectProblem(await login(user.email, NEW_PASSWORD), 401);
      await expect(login(user.email, user.password)).resolves.toMatchObject({ status: 200 });
    });

    it('refuses short, missing, wrong-typed and unknown fields with 400 naming them', async () => {
      const user = await createUser(t.app, c.b.id, 'member');
      const before = await row(user.id);
      const current = user.password;
      for (const [body, fields] of [
        [{}, ['currentPassword', 'newPassword']],
        [{ currentPassword: current }, ['newPassword']],
        [{ newPassword: NEW_PASSWORD }, ['currentPassword']],
        [{ currentPassword: current, newPassword: 'elevenchars' }, ['newPassword']],
        [{ currentPassword: current, newPassword: 'p'.repeat(257) }, ['newPassword']],
        [{ currentPassword: current, newPassword: 123456789012345 }, ['newPassword']],
        [{ currentPassword: 'c'.repeat(257), newPassword: NEW_PASSWORD }, ['currentPassword']],
        [{ currentPassword: current, newPassword: NEW_PASSWORD, userId: c.admin.id }, ['userId']],
      ] as [Record<string, unknown>, string[]][]) {
        const answer = await changePassword(user.token, body);
        expect({ body, fields: fieldsOf(answer) }).toEqual({ body, fields });
      }
      await expect(row(user.id)).resolves.toEqual(before);
      await expect(auditRows('auth.password_changed', user.id)).resolves.toEqual([]);
    });

    it('refuses callers without a valid token with 401', async () => {
      const expired = await tokenFor(t.app, c.inA.member.id, -10);
      const before = await row(c.inA.member.id);
      for (const headers of unauthenticated(expired)) {
        const answer = await call(t.app, 'POST', '/v1/me/password', {
          headers,
          body: { currentPassword: c.inA.member.password, newPassword: NEW_PASSWORD },
        });
        expectProblem(answer, 401);
      }
      await expect(row(c.inA.member.id)).resolves.toEqual(before);
    });
  });

  it('never answers password hashes, and never writes passwords or hashes to the logs', async () => {
    const user = await createUser(t.app, c.a.id, 'member');
    const created = await post(c.admin.token, c.a.id, newUser());
    expect(created.status).toBe(201);
    expectNoPasswordHashes(created.text);
    await expect(
      changePassword(user.token, { currentPassword: user.password, newPassword: NEW_PASSWORD }),
    ).resolves.toMatchObject({ status: 204 });
    const session = await login(user.email, NEW_PASSWORD);
    expect(session.status).toBe(200);
    expectNoPasswordHashes(session.text);
    // The new password ended the old session: read with the new one.
    const token = String((session.body as { accessToken: string }).accessToken);
    for (const url of [`/v1/organizations/${c.a.id}/users`, `/v1/users/${user.id}`, '/v1/me']) {
      const answer = await call(t.app, 'GET', url, { token, query: {} });
      expect({ url, status: answer.status }).toEqual({ url, status: 200 });
      expectNoPasswordHashes(answer.text);
    }
    const logs = t.rawLogs();
    expect(logs).toContain(`"route":"/v1/me/password"`);
    expect(logs).not.toContain(NEW_PASSWORD);
    expect(logs).not.toContain(user.password);
    expect(logs).not.toContain(user.email);
    expect(logs).not.toMatch(/argon2/);
  });
});
