import { randomUUID } from 'node:crypto';
import { createCommunity, createUser } from '../factories/community.factory';
import { createPlatform } from '../factories/contact.factory';
import { Answer, call, expectProblem, fieldsOf } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';

type Community = Awaited<ReturnType<typeof createCommunity>>;
type Body = Record<string, unknown>;

/*
 * Channel playbooks (every version kept, If-Match against lost updates, viewers read only) and
 * channel incidents (reported, confirmed once per organisation, resolved) through HTTP.
 */
describe('channel playbooks and incidents', () => {
  let t: TestApp;
  let c: Community;
  let platform: string;
  let url: string;

  const ok = (answer: Answer, status: number): Body => {
    expect({ status: answer.status, body: answer.body }).toMatchObject({ status });
    return answer.body;
  };
  const put = (token: string, body: unknown, ifMatch?: string) =>
    call(t.app, 'PUT', url, {
      token,
      body,
      headers: ifMatch === undefined ? {} : { 'if-match': ifMatch },
    });
  const versionCount = async () =>
    (
      (await t.db.query(
        `SELECT count(*)::int AS n FROM channel_playbook_versions v JOIN channels ch ON ch.id = v.channel_id
          JOIN platforms p ON p.id = ch.platform_id WHERE p.code = $1`,
        [platform],
      )) as { n: number }[]
    )[0].n;

  beforeAll(async () => {
    t = await createTestApp();
    c = await createCommunity(t.app);
    platform = (await createPlatform(t.app, c.admin.token)).code;
    ok(
      await call(t.app, 'POST', `/v1/platforms/${platform}/channels`, {
        token: c.admin.token,
        body: {
          code: 'desk',
          name: 'Partner desk',
          kind: 'trusted_partner',
          expectedResponseHours: 48,
        },
      }),
      201,
    );
    url = `/v1/platforms/${platform}/channels/desk/playbook`;
  });
  afterAll(() => t.close());

  describe('playbooks', () => {
    it('starts empty at version 0 and keeps every version with its author and time', async () => {
      const empty = await call(t.app, 'GET', url, { token: c.inB.viewer.token });
      expect(ok(empty, 200)).toMatchObject({ version: 0, evidence: null, authorId: null });
      expect(empty.headers.etag).toBe('"0"');

      const first = await put(
        c.inA.member.token,
        {
          evidence: 'Screenshots with the URL visible',
          language: 'English or Spanish',
          subjectLine: '[URGENT] Doxxing of a journalist',
          eligibility: 'Helplines with two years of work on online violence',
          howToApply: 'Write to the regional policy team',
          changeNote: 'First version',
        },
        '"0"',
      );
      expect(ok(first, 200)).toMatchObject({
        version: 1,
        subjectLine: '[URGENT] Doxxing of a journalist',
        authorId: c.inA.member.id,
        authorName: c.inA.member.displayName,
        authorOrganizationSlug: c.a.slug,
      });
      expect(first.headers.etag).toBe('"1"');

      const second = await put(
        c.inB.member.token,
        {
          evidence: 'Screenshots and the profile link',
          pitfalls: 'Never send more than 10 links',
          changeNote: 'Pitfalls',
        },
        '"1"',
      );
      expect(ok(second, 200)).toMatchObject({
        version: 2,
        pitfalls: 'Never send more than 10 links',
        subjectLine: null,
      });

      // Someone who read version 1 cannot overwrite version 2: 412, and nothing is written.
      const stale = await put(c.inA.orgAdmin.token, { evidence: 'Old idea' }, '"1"');
      expectProblem(stale, 412);
      expectProblem(await put(c.inA.orgAdmin.token, { evidence: 'No version' }), 428);
      await expect(versionCount()).resolves.toBe(2);

      const versions = ok(
        await call(t.app, 'GET', `${url}/versions`, { token: c.inA.viewer.token }),
        200,
      );
      expect(versions.data).toEqual([
        {
          version: 2,
          changeNote: 'Pitfalls',
          authorId: c.inB.member.id,
          // Another organisation's author is named by organisation only.
          authorName: null,
          authorOrganizationSlug: c.b.slug,
          createdAt: expect.any(String),
        },
        {
          version: 1,
          changeNote: 'First version',
          authorId: c.inA.member.id,
          authorName: c.inA.member.displayName,
          authorOrganizationSlug: c.a.slug,
          createdAt: expect.any(String),
        },
      ]);
      const one = ok(
        await call(t.app, 'GET', `${url}/versions/1`, { token: c.inB.viewer.token }),
        200,
      );
      expect(one).toMatchObject({
        version: 1,
        subjectLine: '[URGENT] Doxxing of a journalist',
        authorName: null,
      });
      await expect(
        t.db.query(
          `SELECT actor_user_id, details FROM audit_entries WHERE action = 'channel_playbook.edited' ORDER BY (details->>'version')::int`,
        ),
      ).resolves.toEqual([
        { actor_user_id: c.inA.member.id, details: { version: 1 } },
        { actor_user_id: c.inB.member.id, details: { version: 2 } },
      ]);
    });

    it('refuses viewers, bad input, unknown channels and versions, and writes nothing', async () => {
      const before = await versionCount();
      expectProblem(await put(c.inA.viewer.token, { evidence: 'Viewer edit' }, '*'), 403);
      expectProblem(await put('', { evidence: 'Nobody' }, '*'), 401);
      for (const [body, fields] of [
        [{ evidence: 'x'.repeat(4001) }, ['evidence']],
        [{ subjectLine: 7 }, ['subjectLine']],
        [{ language: '' }, ['language']],
        [{ author: 'me' }, ['author']],
      ] as [Body, string[]][]) {
        expect({ body, fields: fieldsOf(await put(c.inA.member.token, body, '*')) }).toEqual({
          body,
          fields,
        });
      }
      expect(fieldsOf(await put(c.inA.member.token, { evidence: 'x' }, 'soon'))).toEqual([
        'If-Match',
      ]);
      expectProblem(
        await call(t.app, 'PUT', `/v1/platforms/${platform}/channels/nope/playbook`, {
          token: c.inA.member.token,
          body: { evidence: 'x' },
          headers: { 'if-match': '*' },
        }),
        404,
      );
      expectProblem(
        await call(t.app, 'GET', `${url}/versions/99`, { token: c.inA.member.token }),
        404,
      );
      // Not a number, negative, or beyond what PostgreSQL's integer holds (once a 500).
      for (const version of ['one', '-1', '99999999999', '1.5']) {
        expect(
          fieldsOf(
            await call(t.app, 'GET', `${url}/versions/${version}`, { token: c.inA.member.token }),
          ),
        ).toEqual(['version']);
      }
      await expect(versionCount()).resolves.toBe(before);
    });
  });

  describe('incidents', () => {
    const report = (token: string, body: Body = {}) =>
      call(t.app, 'POST', '/v1/channel-incidents', {
        token,
        body: {
          platformCode: platform,
          channelCode: 'desk',
          kind: 'silent',
          since: '2026-01-10',
          description: 'No answer to any escalation since January',
          ...body,
        },
      });

    it('is reported by a member, confirmed once per other organisation, and resolved with a date', async () => {
      const reported = ok(await report(c.inA.member.token), 201);
      expect(reported).toMatchObject({
        platformCode: platform,
        channelCode: 'desk',
        kind: 'silent',
        status: 'open',
        organizationSlug: c.a.slug,
        confirmations: 0,
        yours: true,
      });
      const id = reported.id as string;
      // The reporting organisation cannot confirm its own report.
      expectProblem(
        await call(t.app, 'POST', `/v1/channel-incidents/${id}/confirmations`, {
          token: c.inA.orgAdmin.token,
          body: {},
        }),
        409,
      );
      expect(
        ok(
          await call(t.app, 'POST', `/v1/channel-incidents/${id}/confirmations`, {
            token: c.inB.member.token,
            body: {},
          }),
          201,
        ),
      ).toMatchObject({ confirmations: 1, yours: true });
      // One confirmation per organisation: B's org_admin adds nothing.
      expectProblem(
        await call(t.app, 'POST', `/v1/channel-incidents/${id}/confirmations`, {
          token: c.inB.orgAdmin.token,
          body: {},
        }),
        409,
      );
      expectProblem(
        await call(t.app, 'POST', `/v1/channel-incidents/${id}/confirmations`, {
          token: c.inB.viewer.token,
          body: {},
        }),
        403,
      );
      expect(
        ok(
          await call(t.app, 'POST', `/v1/channel-incidents/${id}/confirmations`, {
            token: c.admin.token,
            body: {},
          }),
          201,
        ),
      ).toMatchObject({
        confirmations: 2,
      });

      const open = ok(
        await call(t.app, 'GET', '/v1/channel-incidents', {
          token: c.inB.viewer.token,
          query: { platform, status: 'open' },
        }),
        200,
      );
      expect((open.data as Body[]).map((i) => i.id)).toEqual([id]);

      // Only the reporting organisation or an admin resolves; not before `since`.
      expectProblem(
        await call(t.app, 'POST', `/v1/channel-incidents/${id}/resolve`, {
          token: c.inB.member.token,
          body: { resolvedOn: '2026-02-01' },
        }),
        403,
      );
      expect(
        fieldsOf(
          await call(t.app, 'POST', `/v1/channel-incidents/${id}/resolve`, {
            token: c.inA.member.token,
            body: { resolvedOn: '2026-01-01' },
          }),
        ),
      ).toEqual(['resolvedOn']);
      const resolved = ok(
        await call(t.app, 'POST', `/v1/channel-incidents/${id}/resolve`, {
          token: c.inA.member.token,
          body: { resolvedOn: '2026-02-01', note: 'Answers again' },
        }),
        200,
      );
      expect(resolved).toMatchObject({
        status: 'resolved',
        resolvedOn: '2026-02-01',
        resolutionNote: 'Answers again',
      });
      expectProblem(
        await call(t.app, 'POST', `/v1/channel-incidents/${id}/resolve`, {
          token: c.admin.token,
          body: { resolvedOn: '2026-02-02' },
        }),
        409,
      );
      const stillOpen = ok(
        await call(t.app, 'GET', '/v1/channel-incidents', {
          token: c.inB.viewer.token,
          query: { platform, status: 'open' },
        }),
        200,
      );
      expect(stillOpen.data).toEqual([]);
      await expect(
        t.db.query(`SELECT action FROM audit_entries WHERE target_id = $1 ORDER BY action`, [id]),
      ).resolves.toEqual([
        { action: 'channel_incident.confirmed' },
        { action: 'channel_incident.confirmed' },
        { action: 'channel_incident.reported' },
        { action: 'channel_incident.resolved' },
      ]);
    });

    it('refuses viewers, unknown channels, future dates and bad input; writes nothing', async () => {
      const count = async () =>
        (
          (await t.db.query(`SELECT count(*)::int AS n FROM channel_incidents`)) as { n: number }[]
        )[0].n;
      const before = await count();
      expectProblem(await report(c.inA.viewer.token), 403);
      for (const [body, fields] of [
        [{ channelCode: 'nope' }, ['channelCode']],
        [{ platformCode: 'no_such_platform' }, ['platformCode']],
        [{ kind: 'slow' }, ['kind']],
        [{ since: '2999-01-01' }, ['since']],
        [{ since: '10/01/2026' }, ['since']],
        [{ description: '' }, ['description']],
        [{ description: 'x'.repeat(2001) }, ['description']],
        [{ organizationId: c.b.id }, ['organizationId']],
      ] as [Body, string[]][]) {
        expect({ body, fields: fieldsOf(await report(c.inA.member.token, body)) }).toEqual({
          body,
          fields,
        });
      }
      await expect(count()).resolves.toBe(before);
      expectProblem(
        await call(t.app, 'GET', `/v1/channel-incidents/${randomUUID()}`, {
          token: c.inA.member.token,
        }),
        404,
      );
      expect(
        fieldsOf(
          await call(t.app, 'GET', '/v1/channel-incidents', {
            token: c.inA.member.token,
            query: { status: 'closed' },
          }),
        ),
      ).toEqual(['status']);
    });

    it('lets a member of any organisation report, and a newcomer organisation see it', async () => {
      const newcomer = await createUser(t.app, c.b.id, 'viewer');
      const reported = ok(
        await report(c.inB.member.token, { kind: 'changed', description: 'The form moved' }),
        201,
      );
      const seen = ok(
        await call(t.app, 'GET', `/v1/channel-incidents/${reported.id as string}`, {
          token: newcomer.token,
        }),
        200,
      );
      expect(seen).toMatchObject({ kind: 'changed', yours: true, organizationSlug: c.b.slug });
      const fromA = ok(
        await call(t.app, 'GET', `/v1/channel-incidents/${reported.id as string}`, {
          token: c.inA.viewer.token,
        }),
        200,
      );
      expect(fromA).toMatchObject({ yours: false });
    });
  });
});
