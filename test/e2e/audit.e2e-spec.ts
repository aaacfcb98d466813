import { randomBytes } from 'node:crypto';
import { AuditEntryResponseDto } from '../../src/audit/dto/audit-entry-response.dto';
import { encodeCursor } from '../../src/common/pagination/cursor';
import { Answer, call, expectProblem, fieldsOf } from '../support/http';
import { countRows, Page, walkPages } from '../support/checks';
import { createTestApp, TestApp } from '../support/test-app';
import {
  createCommunity,
  createOrganization,
  createUser,
  TestUser,
  tokenFor,
} from '../factories/community.factory';

type Community = Awaited<ReturnType<typeof createCommunity>>;
type Entry = AuditEntryResponseDto & Record<string, unknown>;

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
const requestIdOf = (answer: Answer<unknown>) => answer.headers['x-request-id'] as string;

describe('audit trail', () => {
  let t: TestApp;
  let c: Community;

  const auditCount = () => countRows(t.db, 'SELECT count(*)::int AS n FROM audit_entries');
  const audit = (token: string, query: Record<string, string> = {}) =>
    call<Page<Entry>>(t.app, 'GET', '/v1/audit', { token, query });
  /** The entries' ids as the database orders them (newest first), for a WHERE clause. */
  const idsInOrder = async (where: string, params: unknown[] = []) =>
    (
      (await t.db.query(
        `SELECT id FROM audit_entries WHERE ${where} ORDER BY occurred_at DESC, id DESC`,
        params,
      )) as { id: string }[]
    ).map((r) => r.id);
  /** Every entry the caller sees for a query, following the cursors. */
  const everything = async (token: string, query: Record<string, string> = {}) =>
    (await walkPages<Entry>(t.app, '/v1/audit', { token, limit: 200, query })).rows;
  /** The one entry a request wrote with this action, read back through the API by the admin. */
  const entryOf = async (answer: Answer<unknown>, action: string) => {
    const listed = await everything(c.admin.token, { action });
    const found = listed.filter((e) => e.requestId === requestIdOf(answer));
    expect(found).toHaveLength(1);
    return found[0];
  };
  const login = (email: string, password: string, ip?: string) =>
    call(t.app, 'POST', '/v1/auth/login', { body: { email, password }, ip });
  /** An organisation edited `times` times by the admin through the API (1 + times entries). */
  const editedOrganization = async (times: number) => {
    const organization = await createOrganization(t.app);
    const edits: Answer[] = [];
    for (let i = 0; i < times; i += 1) {
      const answer = await call(t.app, 'PATCH', `/v1/organizations/${organization.id}`, {
        token: c.admin.token,
        body: { name: `Edit ${i}` },
      });
      expect(answer.status).toBe(200);
      edits.push(answer);
    }
    return { organization, edits };
  };
  /** Newest first: each entry's (occurredAt, id) is below the previous one's. */
  const expectNewestFirst = (entries: Entry[]) => {
    for (let i = 1; i < entries.length; i += 1) {
      const [before, after] = [entries[i - 1], entries[i]];
      const descending =
        after.occurredAt < before.occurredAt ||
        (after.occurredAt === before.occurredAt && after.id < before.id);
      expect({ before: before.id, after: after.id, descending }).toEqual({
        before: before.id,
        after: after.id,
        descending: true,
      });
    }
  };

  beforeAll(async () => {
    t = await createTestApp({ LOGIN_MAX_FAILURES_PER_EMAIL: '3' });
    c = await createCommunity(t.app);
  });
  afterAll(() => t.close());

  describe('what is recorded', () => {
    it('records organisation creation and edits with actor, target, address and request id', async () => {
      const created = await call<{ id: string }>(t.app, 'POST', '/v1/organizations', {
        token: c.admin.token,
        body: {
          slug: `audited-${unique()}`,
          name: 'Audited helpline',
          countries: ['AR'],
          languages: ['es'],
          constituencies: [],
          timezone: 'America/Argentina/Buenos_Aires',
        },
      });
      expect(created.status).toBe(201);
      const id = created.body.id;
      const edited = await call(t.app, 'PATCH', `/v1/organizations/${id}`, {
        token: c.admin.token,
        body: { languages: ['es', 'en'], countries: ['AR', 'UY'] },
      });
      expect(edited.status).toBe(200);

      const answer = await audit(c.admin.token, { organizationId: id });
      expect(answer.status).toBe(200);
      const common = {
        id: expect.stringMatching(UUID),
        occurredAt: expect.stringMatching(ISO),
        actorUserId: c.admin.id,
        organizationId: id,
        targetType: 'organization',
        targetId: id,
        ip: '127.0.0.1',
      };
      expect(answer.body).toEqual({
        data: [
          {
            ...common,
            action: 'organization.updated',
            requestId: requestIdOf(edited),
            details: { fields: ['countries', 'languages'] },
          },
          {
            ...common,
            action: 'organization.created',
            requestId: requestIdOf(created),
            details: {},
          },
        ],
        nextCursor: null,
      });
    });

    it('records user creation and updates with the role and the fields changed', async () => {
      const organization = await createOrganization(t.app);
      const created = await call<{ id: string }>(
        t.app,
        'POST',
        `/v1/organizations/${organization.id}/users`,
        {
          token: c.admin.token,
          body: {
            email: `audited.${unique()}@example.org`,
            displayName: 'Audited',
            role: 'viewer',
            password: NEW_PASSWORD,
          },
        },
      );
      expect(created.status).toBe(201);
      const updated = await call(t.app, 'PATCH', `/v1/users/${created.body.id}`, {
        token: c.admin.token,
        body: { active: false, role: 'member' },
      });
      expect(updated.status).toBe(200);
      const common = {
        actorUserId: c.admin.id,
        organizationId: organization.id,
        targetType: 'user',
        targetId: created.body.id,
        ip: '127.0.0.1',
      };
      await expect(entryOf(created, 'user.created')).resolves.toEqual({
        ...common,
        id: expect.stringMatching(UUID),
        occurredAt: expect.stringMatching(ISO),
        action: 'user.created',
        requestId: requestIdOf(created),
        details: { role: 'viewer' },
      });
      await expect(entryOf(updated, 'user.updated')).resolves.toEqual({
        ...common,
        id: expect.stringMatching(UUID),
        occurredAt: expect.stringMatching(ISO),
        action: 'user.updated',
        requestId: requestIdOf(updated),
        details: { fields: ['active', 'role'], role: 'member', active: false },
      });
    });

    it('records successful and failed logins, with the reason and without the address tried', async () => {
      const user = await createUser(t.app, c.a.id, 'member');
      const ok = await login(user.email, user.password);
      expect(ok.status).toBe(200);
      const wrong = await login(user.email, 'not-the-password-at-all');
      expectProblem(wrong, 401);
      const unknownEmail = `nobody.${unique()}@example.org`;
      const unknown = await login(unknownEmail, 'whatever-password');
      expectProblem(unknown, 401);

      const aboutUser = {
        actorUserId: user.id,
        organizationId: c.a.id,
        targetType: 'user',
        targetId: user.id,
        ip: '127.0.0.1',
      };
      await expect(entryOf(ok, 'auth.login_succeeded')).resolves.toMatchObject({
        ...aboutUser,
        details: {},
      });
      await expect(entryOf(wrong, 'auth.login_failed')).resolves.toMatchObject({
        ...aboutUser,
        details: { reason: 'wrong_password' },
      });
      await expect(entryOf(unknown, 'auth.login_failed')).resolves.toMatchObject({
        actorUserId: null,
        organizationId: null,
        targetType: null,
        targetId: null,
        details: { reason: 'unknown_user' },
      });
      await expect(
        countRows(
          t.db,
          `SELECT count(*)::int AS n FROM audit_entries a WHERE row_to_json(a)::text LIKE $1`,
          [`%${unknownEmail}%`],
        ),
      ).resolves.toBe(0);
    });

    it('records throttled logins', async () => {
      const user = await createUser(t.app, c.b.id, 'viewer');
      const ip = '10.20.30.40';
      for (let i = 0; i < 3; i += 1) {
        expectProblem(await login(user.email, `wrong-${i}-password`, ip), 401);
      }
      const throttled = await login(user.email, user.password, ip);
      expectProblem(throttled, 429);
      await expect(entryOf(throttled, 'auth.login_throttled')).resolves.toEqual({
        id: expect.stringMatching(UUID),
        occurredAt: expect.stringMatching(ISO),
        action: 'auth.login_throttled',
        actorUserId: null,
        organizationId: null,
        targetType: null,
        targetId: null,
        ip,
        requestId: requestIdOf(throttled),
        details: { scope: 'ip_or_email' },
      });
    });

    it('records password changes and the creation and revocation of API tokens', async () => {
      const user = await createUser(t.app, c.b.id, 'member');
      const changed = await call(t.app, 'POST', '/v1/me/password', {
        token: user.token,
        body: { currentPassword: user.password, newPassword: NEW_PASSWORD },
      });
      expect(changed.status).toBe(204);
      // The new password ended every session, this token's too: sign in again.
      const relogged = await login(user.email, NEW_PASSWORD);
      expect(relogged.status).toBe(200);
      const token = String(relogged.body.accessToken);
      const minted = await call<{ id: string; token: string }>(t.app, 'POST', '/v1/auth/tokens', {
        token,
        body: { name: 'export script' },
      });
      expect(minted.status).toBe(201);
      const revoked = await call(t.app, 'DELETE', `/v1/auth/tokens/${minted.body.id}`, {
        token,
      });
      expect(revoked.status).toBe(204);

      const aboutToken = {
        actorUserId: user.id,
        organizationId: c.b.id,
        targetType: 'api_token',
        targetId: minted.body.id,
      };
      await expect(entryOf(changed, 'auth.password_changed')).resolves.toMatchObject({
        actorUserId: user.id,
        organizationId: c.b.id,
        targetType: 'user',
        targetId: user.id,
        details: {},
      });
      await expect(entryOf(minted, 'api_token.created')).resolves.toMatchObject({
        ...aboutToken,
        details: { expiresAt: null },
      });
      await expect(entryOf(revoked, 'api_token.revoked')).resolves.toMatchObject({
        ...aboutToken,
        details: {},
      });

      const mine = await audit(c.admin.token, { actorUserId: user.id });
      expect(mine.status).toBe(200);
      expect(mine.body.data.map((e) => e.action).sort()).toEqual([
        'api_token.created',
        'api_token.revoked',
        'auth.login_succeeded',
        'auth.password_changed',
      ]);
      expectNewestFirst(mine.body.data);
    });

    it('never stores e-mail addresses, passwords or token secrets', async () => {
      const user = await createUser(t.app, c.a.id, 'viewer');
      expect((await login(user.email, user.password)).status).toBe(200);
      expect((await login(user.email, 'a-wrong-password')).status).toBe(401);
      await call(t.app, 'POST', '/v1/me/password', {
        token: user.token,
        body: { currentPassword: user.password, newPassword: NEW_PASSWORD },
      });
      const relogged = await login(user.email, NEW_PASSWORD);
      const minted = await call<{ token: string }>(t.app, 'POST', '/v1/auth/tokens', {
        token: String(relogged.body.accessToken),
        body: { name: 'secret keeper' },
      });
      expect(minted.status).toBe(201);
      const [{ text }] = (await t.db.query(
        `SELECT string_agg(row_to_json(a)::text, E'\\n') AS text FROM audit_entries a`,
      )) as { text: string }[];
      expect(text).toContain(user.id);
      for (const secret of [
        user.email,
        user.password,
        NEW_PASSWORD,
        'a-wrong-password',
        minted.body.token,
        c.admin.email,
        'argon2',
      ]) {
        expect(text).not.toContain(secret);
      }
    });
  });

  describe('who may read it', () => {
    it("lets the admin read every organisation's entries, or one organisation's", async () => {
      const all = await everything(c.admin.token);
      expect(all.map((e) => e.id)).toEqual(await idsInOrder('true'));
      const organizations = new Set(all.map((e) => e.organizationId));
      for (const id of [c.a.id, c.b.id, c.coordination.id])
        expect(organizations.has(id)).toBe(true);

      const onlyB = await everything(c.admin.token, { organizationId: c.b.id });
      expect(onlyB.map((e) => e.id)).toEqual(await idsInOrder('organization_id = $1', [c.b.id]));
      expect(onlyB.every((e) => e.organizationId === c.b.id)).toBe(true);
      expect(onlyB.length).toBeGreaterThan(0);
    });

    it("shows an org_admin only its own organisation's entries; another's is 403", async () => {
      const organization = await createOrganization(t.app);
      const orgAdmin = await createUser(t.app, organization.id, 'org_admin');
      const colleague = await createUser(t.app, organization.id, 'member');
      expect((await login(colleague.email, 'wrong-password-here')).status).toBe(401);
      const expected = await idsInOrder('organization_id = $1', [organization.id]);
      expect(expected).toHaveLength(4);

      const own = await everything(orgAdmin.token);
      expect(own.map((e) => e.id)).toEqual(expected);
      expect(own.map((e) => e.action).sort()).toEqual([
        'auth.login_failed',
        'organization.created',
        'user.created',
        'user.created',
      ]);
      const explicit = await everything(orgAdmin.token, { organizationId: organization.id });
      expect(explicit.map((e) => e.id)).toEqual(expected);

      for (const organizationId of [c.a.id, c.coordination.id, UNKNOWN_ID]) {
        const answer = await audit(orgAdmin.token, { organizationId });
        expect(expectProblem(answer, 403).detail).toBe(
          'You can only read the audit trail of your own organisation.',
        );
        expect(answer.text).not.toContain('"action"');
      }
    });

    it('refuses members and viewers with 403', async () => {
      for (const user of [c.inA.member, c.inA.viewer, c.inB.member, c.inB.viewer]) {
        const before = await auditCount();
        const answer = await audit(user.token);
        expect(expectProblem(answer, 403).detail).toBe('Your role does not allow this.');
        expect(
          expectProblem(await audit(user.token, { organizationId: user.organizationId }), 403),
        ).toMatchObject({ status: 403 });
        await expect(auditCount()).resolves.toBe(before);
      }
    });

    it('refuses callers without a valid token with 401', async () => {
      const expired = await tokenFor(t.app, c.admin.id, -10);
      for (const headers of unauthenticated(expired)) {
        const answer = await call(t.app, 'GET', '/v1/audit', { headers });
        expectProblem(answer, 401);
        expect(answer.headers['www-authenticate']).toBe('Bearer');
        expect(answer.text).not.toContain('"action"');
      }
    });
  });

  describe('order, pages and filters', () => {
    it('answers newest first, walking pages of 2 without duplicates or gaps', async () => {
      const { organization, edits } = await editedOrganization(6);
      const { rows, pages } = await walkPages<Entry>(t.app, '/v1/audit', {
        token: c.admin.token,
        limit: 2,
        query: { organizationId: organization.id },
      });
      expect(pages).toBe(4);
      const ids = rows.map((r) => r.id);
      expect(new Set(ids).size).toBe(7);
      expect(ids).toEqual(await idsInOrder('organization_id = $1', [organization.id]));
      expectNewestFirst(rows);
      expect(rows.map((r) => r.requestId)).toEqual(expect.arrayContaining(edits.map(requestIdOf)));

      const first = await audit(c.admin.token, { organizationId: organization.id, limit: '7' });
      expect(first.body.data.map((e) => e.id)).toEqual(ids);
      expect(first.body.nextCursor).toBeNull();
      const short = await audit(c.admin.token, { organizationId: organization.id, limit: '6' });
      expect(short.body.nextCursor).toEqual(expect.any(String));
    });

    it('answers 50 entries by default', async () => {
      const { organization } = await editedOrganization(51);
      const first = await audit(c.admin.token, { organizationId: organization.id });
      expect(first.body.data).toHaveLength(50);
      const rest = await audit(c.admin.token, {
        organizationId: organization.id,
        cursor: first.body.nextCursor as string,
      });
      expect(rest.body.data).toHaveLength(2);
      expect(rest.body.nextCursor).toBeNull();
      expect([...first.body.data, ...rest.body.data].map((e) => e.id)).toEqual(
        await idsInOrder('organization_id = $1', [organization.id]),
      );
    });

    it('filters by action and by actor', async () => {
      const organization = await createOrganization(t.app);
      const orgAdmin = await createUser(t.app, organization.id, 'org_admin');
      const member = await createUser(t.app, organization.id, 'member');
      const renamed = await call(t.app, 'PATCH', `/v1/users/${member.id}`, {
        token: orgAdmin.token,
        body: { displayName: 'Renamed' },
      });
      expect(renamed.status).toBe(200);
      expect(
        (
          await call(t.app, 'PATCH', `/v1/organizations/${organization.id}`, {
            token: orgAdmin.token,
            body: { name: 'Renamed org' },
          })
        ).status,
      ).toBe(200);

      const updates = await audit(orgAdmin.token, { action: 'user.updated' });
      expect(updates.body.data).toEqual([
        expect.objectContaining({
          action: 'user.updated',
          actorUserId: orgAdmin.id,
          targetId: member.id,
          requestId: requestIdOf(renamed),
        }),
      ]);
      const created = await audit(orgAdmin.token, { action: 'user.created' });
      expect(created.body.data.map((e) => e.targetId).sort()).toEqual(
        [orgAdmin.id, member.id].sort(),
      );
      const byActor = await audit(orgAdmin.token, { actorUserId: orgAdmin.id });
      expect(byActor.body.data.map((e) => e.action).sort()).toEqual([
        'organization.updated',
        'user.updated',
      ]);
      const none = await audit(orgAdmin.token, { action: 'contact.exported' });
      expect(none.body).toEqual({ data: [], nextCursor: null });

      const everywhere = await everything(c.admin.token, { action: 'organization.created' });
      expect(everywhere.map((e) => e.id)).toEqual(
        await idsInOrder(`action = 'organization.created'`),
      );
    });

    it('filters by time: from is inclusive, to is exclusive', async () => {
      const { organization } = await editedOrganization(2);
      const entries = (
        await audit(c.admin.token, { organizationId: organization.id })
      ).body.data.reverse();
      expect(entries).toHaveLength(3);
      const middle = entries[1];
      const at = middle.occurredAt;
      const query = (extra: Record<string, string>) =>
        audit(c.admin.token, { organizationId: organization.id, ...extra }).then((answer) => {
          expect(answer.status).toBe(200);
          return answer.body.data.map((e) => e.id);
        });

      const fromAt = await query({ from: at });
      expect(fromAt).toContain(middle.id);
      expect(fromAt).toEqual(
        await idsInOrder('organization_id = $1 AND occurred_at >= $2', [organization.id, at]),
      );
      const toAt = await query({ to: at });
      expect(toAt).not.toContain(middle.id);
      expect(toAt).toEqual(
        await idsInOrder('organization_id = $1 AND occurred_at < $2', [organization.id, at]),
      );
      await expect(query({ from: at, to: at })).resolves.toEqual([]);

      const inBolivia = new Date(Date.parse(at) - 4 * 3_600_000)
        .toISOString()
        .replace('Z', '-04:00');
      await expect(query({ from: inBolivia })).resolves.toEqual(fromAt);
      await expect(query({ from: '2999-01-01T00:00:00Z' })).resolves.toEqual([]);
      await expect(query({ to: '2000-01-01' })).resolves.toEqual([]);
      await expect(query({ from: '2000-01-01', to: '2999-12-31T23:59:59.999Z' })).resolves.toEqual(
        await idsInOrder('organization_id = $1', [organization.id]),
      );
    });

    it('refuses bad parameters and garbage cursors with 400 naming them', async () => {
      for (const [query, field] of [
        [{ limit: '0' }, 'limit'],
        [{ limit: '201' }, 'limit'],
        [{ limit: 'all' }, 'limit'],
        [{ cursor: 'garbage!' }, 'cursor'],
        [{ cursor: Buffer.from('{"at":"x"}').toString('base64url') }, 'cursor'],
        [{ cursor: encodeCursor(['2026-01-01T00:00:00.000Z']) }, 'cursor'],
        [{ action: 'login' }, 'action'],
        [{ action: 'auth.' }, 'action'],
        [{ action: "auth.x' OR '1'='1" }, 'action'],
        [{ from: 'yesterday' }, 'from'],
        [{ from: '2026-02-30T00:00:00Z' }, 'from'],
        [{ to: '2026-13-01' }, 'to'],
        [{ organizationId: 'acoso-online' }, 'organizationId'],
        [{ actorUserId: '42' }, 'actorUserId'],
        [{ sort: 'asc' }, 'sort'],
      ] as [Record<string, string>, string][]) {
        const answer = await audit(c.admin.token, query);
        expect({ query, fields: fieldsOf(answer) }).toEqual({ query, fields: [field] });
      }
    });

    it('refuses a well-formed cursor carrying values it never issued with 400, not 500', async () => {
      for (const cursor of [
        encodeCursor(['not-a-date', 'not-a-uuid']),
        encodeCursor(['2026-01-01T00:00:00.000Z', 'not-a-uuid']),
        encodeCursor([1, 2]),
      ]) {
        const answer = await audit(c.admin.token, { cursor });
        expect({ cursor, status: answer.status }).toEqual({ cursor, status: 400 });
        expect(fieldsOf(answer)).toEqual(['cursor']);
      }
    });
  });

  describe('append-only', () => {
    it('is enforced by the database: UPDATE, DELETE and TRUNCATE are refused', async () => {
      const organization = await createOrganization(t.app);
      const [{ id }] = (await t.db.query(
        'SELECT id FROM audit_entries WHERE organization_id = $1',
        [organization.id],
      )) as { id: string }[];
      const snapshot = () =>
        t.db.query('SELECT row_to_json(a)::text AS entry FROM audit_entries a WHERE id = $1', [id]);
      const before = await snapshot();
      const count = await auditCount();
      const refusal = { message: 'audit_entries is append-only', code: '42501' };

      await expect(
        t.db.query('UPDATE audit_entries SET action = $1 WHERE id = $2', ['tampered', id]),
      ).rejects.toMatchObject(refusal);
      await expect(
        t.db.query('UPDATE audit_entries SET details = $1', [JSON.stringify({ x: 1 })]),
      ).rejects.toMatchObject(refusal);
      await expect(
        t.db.query('DELETE FROM audit_entries WHERE id = $1', [id]),
      ).rejects.toMatchObject(refusal);
      await expect(t.db.query('DELETE FROM audit_entries')).rejects.toMatchObject(refusal);
      await expect(t.db.query('TRUNCATE audit_entries')).rejects.toMatchObject(refusal);

      await expect(snapshot()).resolves.toEqual(before);
      await expect(auditCount()).resolves.toBe(count);
    });

    it('offers no HTTP route to change or delete entries', async () => {
      const [{ id }] = (await t.db.query('SELECT id FROM audit_entries LIMIT 1')) as {
        id: string;
      }[];
      const count = await auditCount();
      for (const method of ['DELETE', 'PATCH', 'PUT', 'POST'] as const) {
        for (const url of ['/v1/audit', `/v1/audit/${id}`]) {
          const answer = await call(t.app, method, url, {
            token: c.admin.token,
            body: method === 'DELETE' ? undefined : { action: 'tampered' },
          });
          // The list is read-only (405, Allow: GET, HEAD); no entry has a route of its own.
          const status = url === '/v1/audit' ? 405 : 404;
          expect({ method, url, status: answer.status }).toEqual({ method, url, status });
          if (status === 405) expect(answer.headers.allow).toBe('GET, HEAD');
        }
      }
      await expect(auditCount()).resolves.toBe(count);
    });
  });

  it('answers the same entries to an admin API token as to a session', async () => {
    const admin: TestUser = await createUser(t.app, c.coordination.id, 'admin');
    const minted = await call<{ token: string }>(t.app, 'POST', '/v1/auth/tokens', {
      token: admin.token,
      body: { name: 'audit export' },
    });
    expect(minted.status).toBe(201);
    const bySession = await audit(admin.token, { organizationId: c.a.id, limit: '200' });
    const byToken = await audit(minted.body.token, { organizationId: c.a.id, limit: '200' });
    expect(byToken.status).toBe(200);
    expect(byToken.body).toEqual(bySession.body);
  });
});
