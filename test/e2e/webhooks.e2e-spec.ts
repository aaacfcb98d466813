import { randomUUID } from 'node:crypto';
import { call, expectProblem, fieldsOf } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';
import { createCommunity, createOrganization, createUser } from '../factories/community.factory';

type Community = Awaited<ReturnType<typeof createCommunity>>;

interface WebhookBody {
  id: string;
  url: string;
  description: string | null;
  active: boolean;
  createdAt: string;
  secret?: string;
}
interface WebhookPage {
  data: WebhookBody[];
  nextCursor: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SECRET = /^whsec_[A-Za-z0-9_-]{43}$/;

describe('webhooks API', () => {
  let t: TestApp;
  let c: Community;

  const count = async (sql: string, params: unknown[] = []): Promise<number> =>
    ((await t.db.query(sql, params)) as { n: number }[])[0].n;
  const webhookCount = () => count('SELECT count(*)::int AS n FROM webhooks');
  const auditCount = (action: string) =>
    count('SELECT count(*)::int AS n FROM audit_entries WHERE action = $1', [action]);
  const create = (token: string, body: unknown) =>
    call<WebhookBody>(t.app, 'POST', '/v1/webhooks', { token, body });

  beforeAll(async () => {
    t = await createTestApp();
    c = await createCommunity(t.app);
  });
  afterAll(() => t.close());

  describe('POST /v1/webhooks', () => {
    it('registers a webhook for the org_admin’s organisation and shows the secret once', async () => {
      const before = await auditCount('webhook.created');
      const answer = await create(c.inA.orgAdmin.token, {
        url: 'https://hooks.example.org/escalations?room=abc',
        description: 'Case desk room',
      });

      expect(answer.status).toBe(201);
      expect(answer.body).toEqual({
        id: expect.stringMatching(UUID),
        url: 'https://hooks.example.org/escalations?room=abc',
        description: 'Case desk room',
        active: true,
        createdAt: expect.any(String),
        secret: expect.stringMatching(SECRET),
      });
      expect(Math.abs(Date.parse(answer.body.createdAt) - Date.now())).toBeLessThan(60_000);
      const rows = await t.db.query(
        `SELECT organization_id, url, secret, description, active, created_by FROM webhooks WHERE id = $1`,
        [answer.body.id],
      );
      expect(rows).toEqual([
        {
          organization_id: c.a.id,
          url: 'https://hooks.example.org/escalations?room=abc',
          secret: answer.body.secret,
          description: 'Case desk room',
          active: true,
          created_by: c.inA.orgAdmin.id,
        },
      ]);
      // Audited, with the host only: the path or query may hold the receiver's own token.
      await expect(auditCount('webhook.created')).resolves.toBe(before + 1);
      await expect(
        t.db.query(
          `SELECT actor_user_id, organization_id, target_type, details FROM audit_entries
            WHERE action = 'webhook.created' AND target_id = $1`,
          [answer.body.id],
        ),
      ).resolves.toEqual([
        {
          actor_user_id: c.inA.orgAdmin.id,
          organization_id: c.a.id,
          target_type: 'webhook',
          details: { host: 'hooks.example.org' },
        },
      ]);

      // Never again: not in the list, not in any later answer.
      const list = await call<WebhookPage>(t.app, 'GET', '/v1/webhooks', {
        token: c.inA.orgAdmin.token,
      });
      expect(list.status).toBe(200);
      const listed = list.body.data.find((w) => w.id === answer.body.id);
      expect(listed).toEqual({
        id: answer.body.id,
        url: 'https://hooks.example.org/escalations?room=abc',
        description: 'Case desk room',
        active: true,
        createdAt: answer.body.createdAt,
      });
      expect(list.text).not.toContain(answer.body.secret);
      expect(list.text).not.toContain('secret');
      expect(t.rawLogs()).not.toContain(answer.body.secret);
    });

    it('gives each webhook its own secret; description is optional', async () => {
      const one = await create(c.inA.orgAdmin.token, { url: 'http://hooks.example.org/one' });
      const two = await create(c.inA.orgAdmin.token, { url: 'http://hooks.example.org/one' });
      expect([one.status, two.status]).toEqual([201, 201]);
      expect(one.body.description).toBeNull();
      expect(one.body.secret).not.toBe(two.body.secret);
      expect(one.body.id).not.toBe(two.body.id);
    });

    it('lets an admin register one for the admin’s own organisation', async () => {
      const answer = await create(c.admin.token, { url: 'https://ops.example.org/hook' });
      expect(answer.status).toBe(201);
      await expect(
        t.db.query('SELECT organization_id FROM webhooks WHERE id = $1', [answer.body.id]),
      ).resolves.toEqual([{ organization_id: c.coordination.id }]);
    });

    it.each([
      ['member', (x: Community) => x.inA.member.token],
      ['viewer', (x: Community) => x.inA.viewer.token],
    ])('refuses a %s with 403 and writes nothing', async (_role, token) => {
      const before = await webhookCount();
      const answer = await create(token(c), { url: 'https://hooks.example.org/x' });
      expectProblem(answer, 403);
      await expect(webhookCount()).resolves.toBe(before);
    });

    it('refuses an anonymous caller with 401', async () => {
      expectProblem(await create('', { url: 'https://hooks.example.org/x' }), 401);
    });

    it.each([
      ['a missing url', {}, ['url']],
      ['an ftp url', { url: 'ftp://hooks.example.org/x' }, ['url']],
      ['a javascript url', { url: 'javascript:alert(1)' }, ['url']],
      ['a relative url', { url: '/hooks/x' }, ['url']],
      ['a user and password in the url', { url: 'https://bob:pw@hooks.example.org/x' }, ['url']],
      ['a user name in the url', { url: 'https://bob@hooks.example.org/x' }, ['url']],
      [
        'a url over 2048 characters',
        { url: `https://hooks.example.org/${'a'.repeat(2030)}` },
        ['url'],
      ],
      ['a url that is not a string', { url: ['https://hooks.example.org/x'] }, ['url']],
      ['a control character in the url', { url: 'https://hooks.example.org/\u0000' }, ['url']],
      [
        'a description over 500 characters',
        { url: 'https://hooks.example.org/x', description: 'd'.repeat(501) },
        ['description'],
      ],
      [
        'an empty description',
        { url: 'https://hooks.example.org/x', description: '' },
        ['description'],
      ],
      ['an unknown field', { url: 'https://hooks.example.org/x', secret: 'mine' }, ['secret']],
      [
        'a client-chosen active flag',
        { url: 'https://hooks.example.org/x', active: false },
        ['active'],
      ],
    ])('refuses %s with 400 problem+json and writes nothing', async (_label, body, fields) => {
      const before = await webhookCount();
      const answer = await call(t.app, 'POST', '/v1/webhooks', {
        token: c.inA.orgAdmin.token,
        body,
      });
      expect(fieldsOf(answer)).toEqual(fields);
      await expect(webhookCount()).resolves.toBe(before);
    });

    it('accepts a url of exactly 2048 characters', async () => {
      const url = `https://hooks.example.org/${'a'.repeat(2048 - 'https://hooks.example.org/'.length)}`;
      expect(url).toHaveLength(2048);
      const answer = await create(c.inA.orgAdmin.token, { url });
      expect(answer.status).toBe(201);
      expect(answer.body.url).toBe(url);
    });

    it('refuses a body that is not JSON (415) or broken JSON (400), writing nothing', async () => {
      const before = await webhookCount();
      const text = await call(t.app, 'POST', '/v1/webhooks', {
        token: c.inA.orgAdmin.token,
        raw: 'url=https://hooks.example.org/x',
        headers: { 'content-type': 'text/plain' },
      });
      expectProblem(text, 415);
      const broken = await call(t.app, 'POST', '/v1/webhooks', {
        token: c.inA.orgAdmin.token,
        raw: '{"url": ',
        headers: { 'content-type': 'application/json' },
      });
      expectProblem(broken, 400);
      await expect(webhookCount()).resolves.toBe(before);
    });

    it('caps an organisation at 20 active webhooks (409), counting deleted ones out', async () => {
      const org = await createOrganization(t.app);
      const orgAdmin = await createUser(t.app, org.id, 'org_admin');
      const ids: string[] = [];
      for (let i = 0; i < 20; i += 1) {
        const answer = await create(orgAdmin.token, { url: `https://hooks.example.org/${i}` });
        expect(answer.status).toBe(201);
        ids.push(answer.body.id);
      }
      expectProblem(await create(orgAdmin.token, { url: 'https://hooks.example.org/21' }), 409);
      await expect(
        count('SELECT count(*)::int AS n FROM webhooks WHERE organization_id = $1', [org.id]),
      ).resolves.toBe(20);
      const removed = await call(t.app, 'DELETE', `/v1/webhooks/${ids[0]}`, {
        token: orgAdmin.token,
      });
      expect(removed.status).toBe(204);
      expect((await create(orgAdmin.token, { url: 'https://hooks.example.org/21' })).status).toBe(
        201,
      );
    });
  });

  describe('GET /v1/webhooks', () => {
    it('lists only the caller’s organisation’s active webhooks, newest first, page by page', async () => {
      const org = await createOrganization(t.app);
      const orgAdmin = await createUser(t.app, org.id, 'org_admin');
      const made: string[] = [];
      for (const n of [1, 2, 3]) {
        made.push(
          (await create(orgAdmin.token, { url: `https://hooks.example.org/p${n}` })).body.id,
        );
      }
      const first = await call<WebhookPage>(t.app, 'GET', '/v1/webhooks', {
        token: orgAdmin.token,
        query: { limit: '2' },
      });
      expect(first.status).toBe(200);
      expect(first.body.data.map((w) => w.id)).toEqual([made[2], made[1]]);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await call<WebhookPage>(t.app, 'GET', '/v1/webhooks', {
        token: orgAdmin.token,
        query: { limit: '2', cursor: first.body.nextCursor! },
      });
      expect(second.body).toEqual({
        data: [expect.objectContaining({ id: made[0], url: 'https://hooks.example.org/p1' })],
        nextCursor: null,
      });

      // Organisation B's admin sees none of them.
      const other = await call<WebhookPage>(t.app, 'GET', '/v1/webhooks', {
        token: c.inB.orgAdmin.token,
      });
      expect(other.status).toBe(200);
      expect(other.body.data.map((w) => w.id)).toEqual(
        expect.not.arrayContaining([made[0], made[1], made[2]]),
      );
    });

    it.each([
      ['member', (x: Community) => x.inA.member.token],
      ['viewer', (x: Community) => x.inA.viewer.token],
    ])('refuses a %s with 403', async (_role, token) => {
      expectProblem(await call(t.app, 'GET', '/v1/webhooks', { token: token(c) }), 403);
    });

    it('refuses a limit over 200 and a forged cursor with 400', async () => {
      const token = c.inA.orgAdmin.token;
      expect(
        fieldsOf(await call(t.app, 'GET', '/v1/webhooks', { token, query: { limit: '201' } })),
      ).toEqual(['limit']);
      expect(
        fieldsOf(await call(t.app, 'GET', '/v1/webhooks', { token, query: { cursor: 'bm9wZQ' } })),
      ).toEqual(['cursor']);
    });
  });

  describe('DELETE /v1/webhooks/:id and GET /v1/webhooks/:id/deliveries', () => {
    it('deactivates the webhook (204), audited; afterwards it is 404 everywhere', async () => {
      const made = await create(c.inA.orgAdmin.token, { url: 'https://hooks.example.org/gone' });
      const deliveries = await call<WebhookPage>(
        t.app,
        'GET',
        `/v1/webhooks/${made.body.id}/deliveries`,
        { token: c.inA.orgAdmin.token },
      );
      expect(deliveries.status).toBe(200);
      expect(deliveries.body).toEqual({ data: [], nextCursor: null });

      const removed = await call(t.app, 'DELETE', `/v1/webhooks/${made.body.id}`, {
        token: c.inA.orgAdmin.token,
      });
      expect(removed.status).toBe(204);
      expect(removed.text).toBe('');
      await expect(
        t.db.query('SELECT active FROM webhooks WHERE id = $1', [made.body.id]),
      ).resolves.toEqual([{ active: false }]);
      await expect(
        t.db.query(
          `SELECT actor_user_id, organization_id FROM audit_entries
            WHERE action = 'webhook.deleted' AND target_id = $1`,
          [made.body.id],
        ),
      ).resolves.toEqual([{ actor_user_id: c.inA.orgAdmin.id, organization_id: c.a.id }]);

      const list = await call<WebhookPage>(t.app, 'GET', '/v1/webhooks', {
        token: c.inA.orgAdmin.token,
      });
      expect(list.body.data.map((w) => w.id)).not.toContain(made.body.id);
      expectProblem(
        await call(t.app, 'DELETE', `/v1/webhooks/${made.body.id}`, {
          token: c.inA.orgAdmin.token,
        }),
        404,
      );
      expectProblem(
        await call(t.app, 'GET', `/v1/webhooks/${made.body.id}/deliveries`, {
          token: c.inA.orgAdmin.token,
        }),
        404,
      );
    });

    it('answers 404 for another organisation’s webhook, to its admin and to an admin, and leaves it alone', async () => {
      const theirs = await create(c.inB.orgAdmin.token, { url: 'https://b.example.org/hook' });
      const before = await auditCount('webhook.deleted');
      for (const token of [c.inA.orgAdmin.token, c.admin.token]) {
        expectProblem(
          await call(t.app, 'DELETE', `/v1/webhooks/${theirs.body.id}`, { token }),
          404,
        );
        expectProblem(
          await call(t.app, 'GET', `/v1/webhooks/${theirs.body.id}/deliveries`, { token }),
          404,
        );
      }
      await expect(
        t.db.query('SELECT active FROM webhooks WHERE id = $1', [theirs.body.id]),
      ).resolves.toEqual([{ active: true }]);
      await expect(auditCount('webhook.deleted')).resolves.toBe(before);
    });

    it('answers 404 for an id that does not exist and 400 for one that is not a UUID', async () => {
      const token = c.inA.orgAdmin.token;
      expectProblem(await call(t.app, 'DELETE', `/v1/webhooks/${randomUUID()}`, { token }), 404);
      expect(fieldsOf(await call(t.app, 'DELETE', '/v1/webhooks/not-a-uuid', { token }))).toEqual([
        'id',
      ]);
      expect(
        fieldsOf(await call(t.app, 'GET', '/v1/webhooks/not-a-uuid/deliveries', { token })),
      ).toEqual(['id']);
    });

    it.each([
      ['member', (x: Community) => x.inA.member.token],
      ['viewer', (x: Community) => x.inA.viewer.token],
    ])('refuses a %s with 403 on both, deleting nothing', async (_role, token) => {
      const made = await create(c.inA.orgAdmin.token, { url: 'https://hooks.example.org/kept' });
      expectProblem(
        await call(t.app, 'DELETE', `/v1/webhooks/${made.body.id}`, { token: token(c) }),
        403,
      );
      expectProblem(
        await call(t.app, 'GET', `/v1/webhooks/${made.body.id}/deliveries`, { token: token(c) }),
        403,
      );
      await expect(
        t.db.query('SELECT active FROM webhooks WHERE id = $1', [made.body.id]),
      ).resolves.toEqual([{ active: true }]);
    });
  });

  describe('in production', () => {
    let p: TestApp;
    beforeAll(async () => {
      p = await createTestApp({ NODE_ENV: 'production' });
    });
    afterAll(() => p.close());

    it.each([
      ['plain http', 'http://hooks.example.org/x', 'url must use https'],
      [
        'localhost',
        'https://localhost:8443/x',
        'url must not point to a local or private network address',
      ],
      [
        'a loopback address',
        'https://127.0.0.1/x',
        'url must not point to a local or private network address',
      ],
      [
        'a private address',
        'https://10.0.0.5/x',
        'url must not point to a local or private network address',
      ],
      [
        'the metadata address',
        'https://169.254.169.254/x',
        'url must not point to a local or private network address',
      ],
    ])('refuses %s with 400, writing nothing', async (_label, url, message) => {
      const org = await createOrganization(p.app);
      const orgAdmin = await createUser(p.app, org.id, 'org_admin');
      const answer = await call(p.app, 'POST', '/v1/webhooks', {
        token: orgAdmin.token,
        body: { url },
      });
      expect(expectProblem(answer, 400).errors).toEqual([{ field: 'url', message }]);
      await expect(p.db.query('SELECT count(*)::int AS n FROM webhooks')).resolves.toEqual([
        { n: 0 },
      ]);
    });

    it('accepts a public https url', async () => {
      const org = await createOrganization(p.app);
      const orgAdmin = await createUser(p.app, org.id, 'org_admin');
      const answer = await call(p.app, 'POST', '/v1/webhooks', {
        token: orgAdmin.token,
        body: { url: 'https://hooks.example.org/x' },
      });
      expect(answer.status).toBe(201);
    });
  });
});
