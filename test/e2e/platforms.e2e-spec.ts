import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PlatformsService } from '../../src/platforms/platforms.service';
import { call, expectProblem, fieldsOf } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';
import { createCommunity, createOrganization, createUser } from '../factories/community.factory';
import { createPlatform } from '../factories/contact.factory';

type Community = Awaited<ReturnType<typeof createCommunity>>;

interface ChannelBody {
  id: string;
  code: string;
  name: string;
  kind: string;
  url: string | null;
  expectedResponseHours: number;
  verified: boolean;
  note: string | null;
}
interface PlatformBody {
  id: string;
  code: string;
  name: string;
  parentCompany: string | null;
  dsaVlop: boolean | null;
  channels: ChannelBody[];
}
interface PlatformPage {
  data: PlatformBody[];
  nextCursor: string | null;
}

/** The reference file the service seeds from, read independently of the service's own loader. */
const REFERENCE = (
  JSON.parse(readFileSync(join(__dirname, '../../src/platforms/data/platforms.json'), 'utf8')) as {
    platforms: {
      code: string;
      name: string;
      parent_company?: string;
      dsa_vlop?: boolean | null;
      channels: {
        code: string;
        name: string;
        kind: string;
        url?: string | null;
        verified?: boolean;
        note?: string | null;
        expected_response_hours: number;
      }[];
    }[];
  }
).platforms;
const REFERENCE_CODES = REFERENCE.map((p) => p.code);

const unique = () => randomBytes(4).toString('hex');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('platforms, channels and channel access', () => {
  let t: TestApp;
  let c: Community;

  const count = async (sql: string, params: unknown[] = []): Promise<number> =>
    ((await t.db.query(sql, params)) as { n: number }[])[0].n;
  const channelId = async (platform: string, channel: string): Promise<string> =>
    (
      (await t.db.query(
        `SELECT c.id FROM channels c JOIN platforms p ON p.id = c.platform_id WHERE p.code = $1 AND c.code = $2`,
        [platform, channel],
      )) as { id: string }[]
    )[0].id;

  beforeAll(async () => {
    t = await createTestApp();
    c = await createCommunity(t.app);
  });
  afterAll(() => t.close());

  describe('reference data', () => {
    it('seeds the 19 reference platforms and their 75 channels at start', async () => {
      expect(REFERENCE_CODES).toHaveLength(19);
      await expect(
        count(`SELECT count(*)::int AS n FROM platforms WHERE code = ANY($1)`, [REFERENCE_CODES]),
      ).resolves.toBe(19);
      await expect(
        count(
          `SELECT count(*)::int AS n FROM channels c JOIN platforms p ON p.id = c.platform_id WHERE p.code = ANY($1)`,
          [REFERENCE_CODES],
        ),
      ).resolves.toBe(75);

      const answer = await call<PlatformPage>(t.app, 'GET', '/v1/platforms', {
        token: c.inA.viewer.token,
        query: { limit: '200' },
      });
      expect(answer.status).toBe(200);
      expect(answer.body.nextCursor).toBeNull();
      const listed = answer.body.data.filter((p) => REFERENCE_CODES.includes(p.code));
      expect(listed.map((p) => p.code)).toEqual([...REFERENCE_CODES].sort());
      expect(listed.flatMap((p) => p.channels)).toHaveLength(75);
      for (const ref of REFERENCE) {
        const platform = listed.find((p) => p.code === ref.code)!;
        expect({
          code: platform.code,
          name: platform.name,
          parent: platform.parentCompany,
        }).toEqual({
          code: ref.code,
          name: ref.name,
          parent: ref.parent_company ?? null,
        });
        expect(platform.dsaVlop).toBe(ref.dsa_vlop ?? null);
        expect(
          platform.channels.map((ch) => ({
            code: ch.code,
            name: ch.name,
            kind: ch.kind,
            url: ch.url,
            hours: ch.expectedResponseHours,
            verified: ch.verified,
            note: ch.note,
          })),
        ).toEqual(
          [...ref.channels]
            .sort((x, y) => (x.code < y.code ? -1 : 1))
            .map((ch) => ({
              code: ch.code,
              name: ch.name,
              kind: ch.kind,
              url: ch.url ?? null,
              hours: ch.expected_response_hours,
              verified: ch.verified ?? false,
              note: ch.note ?? null,
            })),
        );
      }
    });

    it('lists facebook with its channels, kinds and expected response hours', async () => {
      const answer = await call<PlatformPage>(t.app, 'GET', '/v1/platforms', {
        token: c.inB.member.token,
      });
      expect(answer.status).toBe(200);
      const facebook = answer.body.data.find((p) => p.code === 'facebook')!;
      expect(facebook).toMatchObject({
        id: expect.stringMatching(UUID),
        code: 'facebook',
        name: 'Facebook',
        parentCompany: 'Meta Platforms',
        dsaVlop: true,
      });
      expect(facebook.channels.map((ch) => [ch.code, ch.kind, ch.expectedResponseHours])).toEqual([
        ['dsa_illegal_content_notice', 'dsa_notice', 72],
        ['in_app_report', 'public_report', 168],
        ['law_enforcement', 'legal', 720],
        ['stopncii', 'ncii_hash', 48],
        ['take_it_down', 'ncii_hash', 48],
        ['trusted_partner', 'trusted_partner', 72],
      ]);
      for (const ch of facebook.channels) expect(ch.id).toMatch(UUID);
    });

    it('keeps an admin edit of a seeded channel and platform when the seeding runs again', async () => {
      const patched = await call<ChannelBody>(
        t.app,
        'PATCH',
        '/v1/platforms/whatsapp/channels/trusted_partner',
        { token: c.admin.token, body: { expectedResponseHours: 96, note: 'Edited by the group' } },
      );
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({
        code: 'trusted_partner',
        kind: 'trusted_partner',
        expectedResponseHours: 96,
        note: 'Edited by the group',
      });
      const renamed = await call<PlatformBody>(t.app, 'PATCH', '/v1/platforms/whatsapp', {
        token: c.admin.token,
        body: { name: 'WhatsApp Messenger' },
      });
      expect(renamed.status).toBe(200);
      expect(renamed.body.name).toBe('WhatsApp Messenger');
      const before = {
        platforms: await count('SELECT count(*)::int AS n FROM platforms'),
        channels: await count('SELECT count(*)::int AS n FROM channels'),
      };

      await t.app.get(PlatformsService).onApplicationBootstrap();

      await expect(
        Promise.all([
          count('SELECT count(*)::int AS n FROM platforms'),
          count('SELECT count(*)::int AS n FROM channels'),
        ]),
      ).resolves.toEqual([before.platforms, before.channels]);
      const after = await call<PlatformBody>(t.app, 'GET', '/v1/platforms/whatsapp', {
        token: c.inA.member.token,
      });
      expect(after.body.name).toBe('WhatsApp Messenger');
      expect(after.body.channels.find((ch) => ch.code === 'trusted_partner')).toMatchObject({
        expectedResponseHours: 96,
        note: 'Edited by the group',
      });
      await expect(
        t.db.query(
          `SELECT action, details FROM audit_entries WHERE action = 'channel.updated' AND target_id = $1`,
          [patched.body.id],
        ),
      ).resolves.toEqual([
        { action: 'channel.updated', details: { fields: ['expectedResponseHours', 'note'] } },
      ]);
    });

    it('adds back a reference channel that is missing, and only that one', async () => {
      await t.db.query(
        `DELETE FROM channels WHERE code = 'stopncii' AND platform_id = (SELECT id FROM platforms WHERE code = 'bumble')`,
      );
      const total = await count('SELECT count(*)::int AS n FROM channels');

      await t.app.get(PlatformsService).onApplicationBootstrap();

      await expect(count('SELECT count(*)::int AS n FROM channels')).resolves.toBe(total + 1);
      const bumble = await call<PlatformBody>(t.app, 'GET', '/v1/platforms/bumble', {
        token: c.inA.member.token,
      });
      expect(
        bumble.body.channels.map((ch) => [ch.code, ch.kind, ch.expectedResponseHours]),
      ).toEqual([
        ['in_app_report', 'public_report', 168],
        ['stopncii', 'ncii_hash', 48],
      ]);
    });
  });

  describe('GET /v1/platforms', () => {
    it('pages by code with an opaque cursor, without duplicates or gaps', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: Record<string, string> = { limit: '5', ...(cursor ? { cursor } : {}) };
        const answer: { status: number; body: PlatformPage } = await call<PlatformPage>(
          t.app,
          'GET',
          '/v1/platforms',
          { token: c.inA.viewer.token, query },
        );
        expect(answer.status).toBe(200);
        expect(answer.body.data.length).toBeLessThanOrEqual(5);
        seen.push(...answer.body.data.map((p) => p.code));
        cursor = answer.body.nextCursor;
        pages += 1;
      } while (cursor && pages < 50);
      const all = (await t.db.query('SELECT code FROM platforms ORDER BY code')) as {
        code: string;
      }[];
      expect(seen).toEqual(all.map((r) => r.code));
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toEqual(expect.arrayContaining(REFERENCE_CODES));
    });

    it('refuses a bad limit or cursor, and anonymous callers', async () => {
      for (const limit of ['0', '201', 'ten']) {
        const answer = await call(t.app, 'GET', '/v1/platforms', {
          token: c.inA.member.token,
          query: { limit },
        });
        expect(fieldsOf(answer)).toEqual(['limit']);
      }
      const cursor = await call(t.app, 'GET', '/v1/platforms', {
        token: c.inA.member.token,
        query: { cursor: 'not-a-cursor' },
      });
      expect(fieldsOf(cursor)).toEqual(['cursor']);
      expectProblem(await call(t.app, 'GET', '/v1/platforms'), 401);
    });
  });

  describe('GET /v1/platforms/:code', () => {
    it('answers one platform with its channels', async () => {
      const answer = await call<PlatformBody>(t.app, 'GET', '/v1/platforms/telegram', {
        token: c.inB.viewer.token,
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        code: 'telegram',
        name: 'Telegram',
        parentCompany: 'Telegram FZ-LLC',
        dsaVlop: false,
      });
      expect(answer.body.channels.map((ch) => ch.code)).toEqual([
        'abuse_email',
        'dsa_guidance',
        'in_app_report',
        'search_report_bot',
      ]);
      expect(answer.body.channels[0]).toEqual({
        id: expect.stringMatching(UUID),
        code: 'abuse_email',
        name: 'Abuse e-mail',
        kind: 'email',
        url: null,
        expectedResponseHours: 168,
        verified: false,
        note: expect.stringContaining('abuse@telegram.org'),
      });
    });

    it('answers 404 for an unknown code and 400 for a malformed one', async () => {
      const unknown = await call(t.app, 'GET', '/v1/platforms/myspace', {
        token: c.inA.member.token,
      });
      expect(expectProblem(unknown, 404).detail).toBe('No such platform.');
      for (const code of ['Face%20Book', 'FACEBOOK', 'face-book', '_facebook']) {
        const answer = await call(t.app, 'GET', `/v1/platforms/${code}`, {
          token: c.inA.member.token,
        });
        expect({ code, fields: fieldsOf(answer) }).toEqual({ code, fields: ['code'] });
      }
    });
  });

  describe('POST /v1/platforms', () => {
    it('lets an admin add a platform, which is then listed', async () => {
      const code = `mastodon_${unique()}`;
      const answer = await call<PlatformBody>(t.app, 'POST', '/v1/platforms', {
        token: c.admin.token,
        body: { code, name: 'Mastodon', parentCompany: 'Mastodon gGmbH', dsaVlop: false },
      });
      expect(answer.status).toBe(201);
      expect(answer.body).toEqual({
        id: expect.stringMatching(UUID),
        code,
        name: 'Mastodon',
        parentCompany: 'Mastodon gGmbH',
        dsaVlop: false,
        channels: [],
      });
      const fetched = await call<PlatformBody>(t.app, 'GET', `/v1/platforms/${code}`, {
        token: c.inA.viewer.token,
      });
      expect(fetched.body).toEqual(answer.body);
      await expect(
        count(
          `SELECT count(*)::int AS n FROM audit_entries WHERE action = 'platform.created' AND target_id = $1 AND actor_user_id = $2`,
          [answer.body.id, c.admin.id],
        ),
      ).resolves.toBe(1);
    });

    it('refuses a duplicate code with 409 and writes nothing', async () => {
      const before = await count('SELECT count(*)::int AS n FROM platforms');
      const answer = await call(t.app, 'POST', '/v1/platforms', {
        token: c.admin.token,
        body: { code: 'facebook', name: 'Another Facebook' },
      });
      expectProblem(answer, 409);
      expect(answer.body.errors).toEqual([{ field: 'code', message: expect.any(String) }]);
      await expect(count('SELECT count(*)::int AS n FROM platforms')).resolves.toBe(before);
      await expect(
        count(`SELECT count(*)::int AS n FROM platforms WHERE name = 'Another Facebook'`),
      ).resolves.toBe(0);
    });

    it('refuses everyone but admins with 403 and writes nothing', async () => {
      const before = await count('SELECT count(*)::int AS n FROM platforms');
      for (const user of [c.inA.orgAdmin, c.inA.member, c.inA.viewer]) {
        const answer = await call(t.app, 'POST', '/v1/platforms', {
          token: user.token,
          body: { code: `p_${unique()}`, name: 'Not allowed' },
        });
        expect({ role: user.role, status: answer.status }).toEqual({
          role: user.role,
          status: 403,
        });
        expectProblem(answer, 403);
      }
      expectProblem(
        await call(t.app, 'POST', '/v1/platforms', { body: { code: 'anon', name: 'x' } }),
        401,
      );
      await expect(count('SELECT count(*)::int AS n FROM platforms')).resolves.toBe(before);
    });

    it('refuses malformed fields with 400 naming them and writes nothing', async () => {
      const before = await count('SELECT count(*)::int AS n FROM platforms');
      const cases: [Record<string, unknown>, string[]][] = [
        [{ code: 'Bad Code', name: 'x' }, ['code']],
        [{ code: '_a', name: 'x' }, ['code']],
        [{ code: `p${'x'.repeat(40)}`, name: 'x' }, ['code']],
        [{ code: `p_${unique()}`, name: 'n'.repeat(101) }, ['name']],
        [{ code: `p_${unique()}`, name: '' }, ['name']],
        [{ code: `p_${unique()}` }, ['name']],
        [{ code: `p_${unique()}`, name: 'x', dsaVlop: 'yes' }, ['dsaVlop']],
        [{ code: `p_${unique()}`, name: 'x', parentCompany: 'c'.repeat(101) }, ['parentCompany']],
        [{ code: `p_${unique()}`, name: 'x', channels: [] }, ['channels']],
      ];
      for (const [body, fields] of cases) {
        const answer = await call(t.app, 'POST', '/v1/platforms', { token: c.admin.token, body });
        expect({ body, fields: fieldsOf(answer) }).toEqual({ body, fields });
      }
      await expect(count('SELECT count(*)::int AS n FROM platforms')).resolves.toBe(before);
    });
  });

  describe('PATCH /v1/platforms/:code', () => {
    it('lets an admin change the name, company and DSA designation', async () => {
      const platform = await createPlatform(t.app, c.admin.token);
      const answer = await call<PlatformBody>(t.app, 'PATCH', `/v1/platforms/${platform.code}`, {
        token: c.admin.token,
        body: { name: 'Renamed', parentCompany: 'Holding', dsaVlop: true },
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        id: platform.id,
        code: platform.code,
        name: 'Renamed',
        parentCompany: 'Holding',
        dsaVlop: true,
        channels: [],
      });
      await expect(
        t.db.query('SELECT name, parent_company, dsa_vlop FROM platforms WHERE id = $1', [
          platform.id,
        ]),
      ).resolves.toEqual([{ name: 'Renamed', parent_company: 'Holding', dsa_vlop: true }]);
    });

    it('refuses non-admins (403), unknown platforms (404) and bad fields (400), changing nothing', async () => {
      const platform = await createPlatform(t.app, c.admin.token, { name: 'Keep me' });
      expectProblem(
        await call(t.app, 'PATCH', `/v1/platforms/${platform.code}`, {
          token: c.inA.orgAdmin.token,
          body: { name: 'Hijacked' },
        }),
        403,
      );
      expectProblem(
        await call(t.app, 'PATCH', '/v1/platforms/no_such_platform', {
          token: c.admin.token,
          body: { name: 'Ghost' },
        }),
        404,
      );
      const cases: [Record<string, unknown>, string[]][] = [
        [{ code: 'renamed_code' }, ['code']],
        [{ name: 'n'.repeat(101) }, ['name']],
        [{ dsaVlop: 'no' }, ['dsaVlop']],
      ];
      for (const [body, fields] of cases) {
        const answer = await call(t.app, 'PATCH', `/v1/platforms/${platform.code}`, {
          token: c.admin.token,
          body,
        });
        expect({ body, fields: fieldsOf(answer) }).toEqual({ body, fields });
      }
      await expect(
        t.db.query('SELECT code, name FROM platforms WHERE id = $1', [platform.id]),
      ).resolves.toEqual([{ code: platform.code, name: 'Keep me' }]);
    });

    it('refuses a null name with 400, not a server error', async () => {
      const platform = await createPlatform(t.app, c.admin.token, { name: 'Not null' });
      const answer = await call(t.app, 'PATCH', `/v1/platforms/${platform.code}`, {
        token: c.admin.token,
        body: { name: null },
      });
      expect(fieldsOf(answer)).toEqual(['name']);
      await expect(
        t.db.query('SELECT name FROM platforms WHERE id = $1', [platform.id]),
      ).resolves.toEqual([{ name: 'Not null' }]);
    });
  });

  describe('POST /v1/platforms/:code/channels', () => {
    const channelBody = (overrides: Record<string, unknown> = {}) => ({
      code: `ch_${unique()}`,
      name: 'Escalation form',
      kind: 'trusted_partner',
      url: 'https://example.org/escalate',
      expectedResponseHours: 24,
      verified: true,
      note: 'For partners only',
      ...overrides,
    });

    it('lets an admin add a channel, listed with the platform', async () => {
      const platform = await createPlatform(t.app, c.admin.token);
      const body = channelBody();
      const answer = await call<ChannelBody>(
        t.app,
        'POST',
        `/v1/platforms/${platform.code}/channels`,
        { token: c.admin.token, body },
      );
      expect(answer.status).toBe(201);
      expect(answer.body).toEqual({ id: expect.stringMatching(UUID), ...body });
      const minimal = await call<ChannelBody>(
        t.app,
        'POST',
        `/v1/platforms/${platform.code}/channels`,
        {
          token: c.admin.token,
          body: { code: 'abuse_mail', name: 'Abuse', kind: 'email', expectedResponseHours: 8760 },
        },
      );
      expect(minimal.status).toBe(201);
      expect(minimal.body).toEqual({
        id: expect.stringMatching(UUID),
        code: 'abuse_mail',
        name: 'Abuse',
        kind: 'email',
        url: null,
        expectedResponseHours: 8760,
        verified: false,
        note: null,
      });
      const fetched = await call<PlatformBody>(t.app, 'GET', `/v1/platforms/${platform.code}`, {
        token: c.inA.member.token,
      });
      expect(fetched.body.channels).toEqual(
        [answer.body, minimal.body].sort((x, y) => (x.code < y.code ? -1 : 1)),
      );
    });

    it('refuses a duplicate channel code with 409 and writes nothing', async () => {
      const platform = await createPlatform(t.app, c.admin.token);
      const first = await call(t.app, 'POST', `/v1/platforms/${platform.code}/channels`, {
        token: c.admin.token,
        body: channelBody({ code: 'report_form' }),
      });
      expect(first.status).toBe(201);
      const again = await call(t.app, 'POST', `/v1/platforms/${platform.code}/channels`, {
        token: c.admin.token,
        body: channelBody({ code: 'report_form', name: 'Second form' }),
      });
      expectProblem(again, 409);
      expect(again.body.errors).toEqual([{ field: 'code', message: expect.any(String) }]);
      await expect(
        count('SELECT count(*)::int AS n FROM channels WHERE platform_id = $1', [platform.id]),
      ).resolves.toBe(1);
    });

    it('allows the same channel code on another platform', async () => {
      const platform = await createPlatform(t.app, c.admin.token);
      const answer = await call(t.app, 'POST', `/v1/platforms/${platform.code}/channels`, {
        token: c.admin.token,
        body: channelBody({ code: 'trusted_partner' }),
      });
      expect(answer.status).toBe(201);
    });

    it('refuses malformed channels with 400 naming the field and writes nothing', async () => {
      const platform = await createPlatform(t.app, c.admin.token);
      const cases: [Record<string, unknown>, string[]][] = [
        [channelBody({ kind: 'phone_call' }), ['kind']],
        [channelBody({ kind: 'TRUSTED_PARTNER' }), ['kind']],
        [channelBody({ expectedResponseHours: 0 }), ['expectedResponseHours']],
        [channelBody({ expectedResponseHours: 9000 }), ['expectedResponseHours']],
        [channelBody({ expectedResponseHours: '12' }), ['expectedResponseHours']],
        [channelBody({ expectedResponseHours: 1.5 }), ['expectedResponseHours']],
        [channelBody({ expectedResponseHours: undefined }), ['expectedResponseHours']],
        [channelBody({ url: 'javascript:alert(1)' }), ['url']],
        [channelBody({ url: `https://example.org/${'a'.repeat(500)}` }), ['url']],
        [channelBody({ code: 'Bad Code' }), ['code']],
        [channelBody({ name: 'n'.repeat(201) }), ['name']],
        [channelBody({ note: 'n'.repeat(1001) }), ['note']],
        [channelBody({ verified: 'yes' }), ['verified']],
        [channelBody({ platformId: randomUUID() }), ['platformId']],
      ];
      for (const [body, fields] of cases) {
        const answer = await call(t.app, 'POST', `/v1/platforms/${platform.code}/channels`, {
          token: c.admin.token,
          body,
        });
        expect({ body, fields: fieldsOf(answer) }).toEqual({ body, fields });
      }
      await expect(
        count('SELECT count(*)::int AS n FROM channels WHERE platform_id = $1', [platform.id]),
      ).resolves.toBe(0);
    });

    it('refuses non-admins (403) and unknown platforms (404)', async () => {
      const platform = await createPlatform(t.app, c.admin.token);
      for (const user of [c.inA.orgAdmin, c.inB.member, c.inB.viewer]) {
        expectProblem(
          await call(t.app, 'POST', `/v1/platforms/${platform.code}/channels`, {
            token: user.token,
            body: channelBody(),
          }),
          403,
        );
      }
      expectProblem(
        await call(t.app, 'POST', '/v1/platforms/no_such_platform/channels', {
          token: c.admin.token,
          body: channelBody(),
        }),
        404,
      );
      await expect(
        count('SELECT count(*)::int AS n FROM channels WHERE platform_id = $1', [platform.id]),
      ).resolves.toBe(0);
    });
  });

  describe('PATCH /v1/platforms/:code/channels/:channelCode', () => {
    it('lets an admin change a channel', async () => {
      const platform = await createPlatform(t.app, c.admin.token);
      const created = await call<ChannelBody>(
        t.app,
        'POST',
        `/v1/platforms/${platform.code}/channels`,
        {
          token: c.admin.token,
          body: { code: 'form', name: 'Form', kind: 'public_report', expectedResponseHours: 168 },
        },
      );
      const answer = await call<ChannelBody>(
        t.app,
        'PATCH',
        `/v1/platforms/${platform.code}/channels/form`,
        {
          token: c.admin.token,
          body: { kind: 'dsa_notice', expectedResponseHours: 72, verified: true, url: null },
        },
      );
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        id: created.body.id,
        code: 'form',
        name: 'Form',
        kind: 'dsa_notice',
        url: null,
        expectedResponseHours: 72,
        verified: true,
        note: null,
      });
    });

    it('refuses unknown channels (404), non-admins (403) and bad values (400), changing nothing', async () => {
      const platform = await createPlatform(t.app, c.admin.token);
      await call(t.app, 'POST', `/v1/platforms/${platform.code}/channels`, {
        token: c.admin.token,
        body: { code: 'form', name: 'Form', kind: 'public_report', expectedResponseHours: 168 },
      });
      const unknown = await call(t.app, 'PATCH', `/v1/platforms/${platform.code}/channels/nope`, {
        token: c.admin.token,
        body: { expectedResponseHours: 1 },
      });
      expect(expectProblem(unknown, 404).detail).toBe('No such channel.');
      expectProblem(
        await call(t.app, 'PATCH', `/v1/platforms/${platform.code}/channels/form`, {
          token: c.inA.member.token,
          body: { expectedResponseHours: 1 },
        }),
        403,
      );
      for (const [body, fields] of [
        [{ expectedResponseHours: 0 }, ['expectedResponseHours']],
        [{ expectedResponseHours: 8761 }, ['expectedResponseHours']],
        [{ kind: 'fax' }, ['kind']],
        [{ code: 'renamed' }, ['code']],
      ] as [Record<string, unknown>, string[]][]) {
        const answer = await call(t.app, 'PATCH', `/v1/platforms/${platform.code}/channels/form`, {
          token: c.admin.token,
          body,
        });
        expect({ body, fields: fieldsOf(answer) }).toEqual({ body, fields });
      }
      const badCode = await call(t.app, 'PATCH', `/v1/platforms/${platform.code}/channels/Form`, {
        token: c.admin.token,
        body: { expectedResponseHours: 1 },
      });
      expect(fieldsOf(badCode)).toEqual(['channelCode']);
      await expect(
        t.db.query(
          'SELECT code, kind::text, expected_response_hours FROM channels WHERE platform_id = $1',
          [platform.id],
        ),
      ).resolves.toEqual([{ code: 'form', kind: 'public_report', expected_response_hours: 168 }]);
    });

    it('refuses a null expectedResponseHours with 400, not a server error', async () => {
      const platform = await createPlatform(t.app, c.admin.token);
      await call(t.app, 'POST', `/v1/platforms/${platform.code}/channels`, {
        token: c.admin.token,
        body: { code: 'form', name: 'Form', kind: 'public_report', expectedResponseHours: 168 },
      });
      const answer = await call(t.app, 'PATCH', `/v1/platforms/${platform.code}/channels/form`, {
        token: c.admin.token,
        body: { expectedResponseHours: null },
      });
      expect(fieldsOf(answer)).toEqual(['expectedResponseHours']);
      await expect(
        t.db.query('SELECT expected_response_hours FROM channels WHERE platform_id = $1', [
          platform.id,
        ]),
      ).resolves.toEqual([{ expected_response_hours: 168 }]);
    });
  });

  describe('POST /v1/channel-access', () => {
    const accessCount = () => count('SELECT count(*)::int AS n FROM channel_access');

    it('lets an admin record access for any organisation', async () => {
      const channel = await channelId('tiktok', 'in_app_report');
      const answer = await call(t.app, 'POST', '/v1/channel-access', {
        token: c.admin.token,
        body: {
          organizationId: c.b.id,
          channelId: channel,
          countries: ['MX'],
          since: '2025-01-01',
        },
      });
      expect(answer.status).toBe(201);
      expect(answer.body).toEqual({
        id: expect.stringMatching(UUID),
        organizationId: c.b.id,
        organizationSlug: c.b.slug,
        organizationName: c.b.name,
        channelId: channel,
        platformCode: 'tiktok',
        channelCode: 'in_app_report',
        channelName: expect.any(String),
        countries: ['MX'],
        since: '2025-01-01',
        until: null,
        // Recorded by the community coordination: approved at once.
        status: 'approved',
        evidenceNote: null,
        confirmedOn: null,
        confirmedBy: null,
        decidedAt: expect.any(String),
        decisionReason: null,
        version: 1,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      await expect(
        t.db.query(
          `SELECT organization_id, channel_id, countries, since::text, until, created_by FROM channel_access WHERE id = $1`,
          [answer.body.id],
        ),
      ).resolves.toEqual([
        {
          organization_id: c.b.id,
          channel_id: channel,
          countries: ['MX'],
          since: '2025-01-01',
          until: null,
          created_by: c.admin.id,
        },
      ]);
      await expect(
        t.db.query(
          `SELECT actor_user_id, organization_id, details FROM audit_entries WHERE action = 'channel_access.granted' AND target_id = $1`,
          [answer.body.id],
        ),
      ).resolves.toEqual([
        {
          actor_user_id: c.admin.id,
          organization_id: c.b.id,
          details: { channelId: channel, countries: ['MX'] },
        },
      ]);
    });

    it('lets an org_admin claim access for its own organisation only', async () => {
      const channel = await channelId('youtube', 'in_app_report');
      const own = await call(t.app, 'POST', '/v1/channel-access', {
        token: c.inA.orgAdmin.token,
        body: {
          organizationId: c.a.id,
          channelId: channel,
          countries: ['BO', 'EC'],
          since: '2025-01-01',
          until: '2025-12-31',
          evidenceNote: 'Letter of the platform',
        },
      });
      expect(own.status).toBe(201);
      expect(own.body).toMatchObject({
        organizationId: c.a.id,
        until: '2025-12-31',
        status: 'claimed',
      });
      const before = await accessCount();
      const other = await call(t.app, 'POST', '/v1/channel-access', {
        token: c.inA.orgAdmin.token,
        body: {
          organizationId: c.b.id,
          channelId: channel,
          countries: ['MX'],
          since: '2025-01-01',
        },
      });
      expectProblem(other, 403);
      await expect(accessCount()).resolves.toBe(before);
    });

    it('refuses members and viewers, even for their own organisation', async () => {
      const channel = await channelId('youtube', 'in_app_report');
      const before = await accessCount();
      for (const user of [c.inA.member, c.inA.viewer]) {
        const answer = await call(t.app, 'POST', '/v1/channel-access', {
          token: user.token,
          body: {
            organizationId: c.a.id,
            channelId: channel,
            countries: ['EC'],
            since: '2025-01-01',
          },
        });
        expectProblem(answer, 403);
      }
      await expect(accessCount()).resolves.toBe(before);
    });

    it('refuses invalid grants with 400 naming the field and writes nothing', async () => {
      const channel = await channelId('x', 'in_app_report');
      const valid = {
        organizationId: c.a.id,
        channelId: channel,
        countries: ['EC'],
        since: '2025-03-01',
      };
      const before = await accessCount();
      const cases: [Record<string, unknown>, string[]][] = [
        [{ ...valid, until: '2025-02-28' }, ['until']],
        [{ ...valid, countries: ['XX'] }, ['countries']],
        [{ ...valid, countries: ['bo'] }, ['countries']],
        [{ ...valid, countries: ['EC', 'EC'] }, ['countries']],
        [{ ...valid, countries: 'EC' }, ['countries']],
        [{ ...valid, organizationId: randomUUID() }, ['organizationId']],
        [{ ...valid, organizationId: 'not-a-uuid' }, ['organizationId']],
        [{ ...valid, channelId: randomUUID() }, ['channelId']],
        [{ ...valid, since: '2025-02-30' }, ['since']],
        [{ ...valid, since: '01/03/2025' }, ['since']],
        [{ ...valid, until: 'soon' }, ['until']],
        [{ ...valid, role: 'admin' }, ['role']],
      ];
      for (const [body, fields] of cases) {
        const answer = await call(t.app, 'POST', '/v1/channel-access', {
          token: c.admin.token,
          body,
        });
        expect({ body, fields: fieldsOf(answer) }).toEqual({ body, fields });
      }
      await expect(accessCount()).resolves.toBe(before);
    });

    it('accepts an access of a single day (until equal to since)', async () => {
      const channel = await channelId('x', 'in_app_report');
      const answer = await call(t.app, 'POST', '/v1/channel-access', {
        token: c.admin.token,
        body: {
          organizationId: c.a.id,
          channelId: channel,
          countries: ['PE'],
          since: '2025-05-05',
          until: '2025-05-05',
        },
      });
      expect(answer.status).toBe(201);
    });
  });

  describe('GET /v1/platforms/:code/partners', () => {
    it('lists the organisations that may use each channel in a country on a date', async () => {
      const platform = await createPlatform(t.app, c.admin.token);
      const channels: Record<string, ChannelBody> = {};
      for (const [code, kind] of [
        ['partner_desk', 'trusted_partner'],
        ['legal_desk', 'legal'],
        ['unused', 'email'],
      ]) {
        const answer = await call<ChannelBody>(
          t.app,
          'POST',
          `/v1/platforms/${platform.code}/channels`,
          {
            token: c.admin.token,
            body: { code, name: `Desk ${code}`, kind, expectedResponseHours: 48 },
          },
        );
        channels[code] = answer.body;
      }
      const one = await createOrganization(t.app, { countries: ['EC', 'BO'] });
      const two = await createOrganization(t.app, { countries: ['EC'] });
      const three = await createOrganization(t.app, { countries: ['PE'] });
      const grant = async (body: Record<string, unknown>) => {
        const answer = await call(t.app, 'POST', '/v1/channel-access', {
          token: c.admin.token,
          body,
        });
        expect(answer.status).toBe(201);
      };
      await grant({
        organizationId: one.id,
        channelId: channels.partner_desk.id,
        countries: ['EC', 'BO'],
        since: '2025-01-01',
        until: '2025-06-30',
      });
      await grant({
        organizationId: two.id,
        channelId: channels.partner_desk.id,
        countries: ['EC'],
        since: '2025-03-01',
      });
      await grant({
        organizationId: three.id,
        channelId: channels.legal_desk.id,
        countries: ['PE'],
        since: '2024-01-01',
      });
      // An organisation of its own (org_admin) granted on another platform's channel: never listed.
      await grant({
        organizationId: c.a.id,
        channelId: await channelId('facebook', 'trusted_partner'),
        countries: ['EC'],
        since: '2020-01-01',
      });

      const org = (o: typeof one) => ({
        id: o.id,
        slug: o.slug,
        name: o.name,
        countries: o.countries,
      });
      const bySlug = (...orgs: (typeof one)[]) =>
        [...orgs].sort((x, y) => (x.slug < y.slug ? -1 : 1)).map(org);
      const desk = (ch: ChannelBody) => ({
        id: ch.id,
        code: ch.code,
        name: ch.name,
        kind: ch.kind,
      });
      const partners = async (query: Record<string, string>) => {
        const answer = await call(t.app, 'GET', `/v1/platforms/${platform.code}/partners`, {
          token: c.inB.viewer.token,
          query,
        });
        expect(answer.status).toBe(200);
        return answer.body;
      };

      await expect(partners({ country: 'EC', date: '2024-12-31' })).resolves.toEqual({ data: [] });
      await expect(partners({ country: 'EC', date: '2025-01-01' })).resolves.toEqual({
        data: [{ channel: desk(channels.partner_desk), organizations: bySlug(one) }],
      });
      await expect(partners({ country: 'EC', date: '2025-02-28' })).resolves.toEqual({
        data: [{ channel: desk(channels.partner_desk), organizations: bySlug(one) }],
      });
      await expect(partners({ country: 'EC', date: '2025-03-01' })).resolves.toEqual({
        data: [{ channel: desk(channels.partner_desk), organizations: bySlug(one, two) }],
      });
      await expect(partners({ country: 'EC', date: '2025-06-30' })).resolves.toEqual({
        data: [{ channel: desk(channels.partner_desk), organizations: bySlug(one, two) }],
      });
      await expect(partners({ country: 'EC', date: '2025-07-01' })).resolves.toEqual({
        data: [{ channel: desk(channels.partner_desk), organizations: bySlug(two) }],
      });
      await expect(partners({ country: 'BO', date: '2025-02-01' })).resolves.toEqual({
        data: [{ channel: desk(channels.partner_desk), organizations: bySlug(one) }],
      });
      await expect(partners({ country: 'BO', date: '2025-07-01' })).resolves.toEqual({ data: [] });
      await expect(partners({ country: 'MX', date: '2025-04-01' })).resolves.toEqual({ data: [] });
      // Without a date: today (2 is open-ended, 1 has expired, 3 is for Peru only).
      await expect(partners({ country: 'EC' })).resolves.toEqual({
        data: [{ channel: desk(channels.partner_desk), organizations: bySlug(two) }],
      });
      await expect(partners({ country: 'PE' })).resolves.toEqual({
        data: [{ channel: desk(channels.legal_desk), organizations: bySlug(three) }],
      });
      // Without a country: every country (the channels in code order).
      await expect(partners({ date: '2025-03-01' })).resolves.toEqual({
        data: [
          { channel: desk(channels.legal_desk), organizations: bySlug(three) },
          { channel: desk(channels.partner_desk), organizations: bySlug(one, two) },
        ],
      });
      // An organisation's own claim is no partnership until the coordination approves it.
      const claim = await call(t.app, 'POST', '/v1/channel-access', {
        token: c.inA.orgAdmin.token,
        body: {
          organizationId: c.a.id,
          channelId: channels.partner_desk.id,
          countries: ['EC'],
          since: '2020-01-01',
          evidenceNote: 'We say so',
        },
      });
      expect(claim.body).toMatchObject({ status: 'claimed' });
      await expect(partners({ country: 'EC', date: '2025-03-01' })).resolves.toEqual({
        data: [{ channel: desk(channels.partner_desk), organizations: bySlug(one, two) }],
      });
    });

    it('lists an organisation once per channel even with overlapping grants', async () => {
      const platform = await createPlatform(t.app, c.admin.token);
      const channel = await call<ChannelBody>(
        t.app,
        'POST',
        `/v1/platforms/${platform.code}/channels`,
        {
          token: c.admin.token,
          body: { code: 'desk', name: 'Desk', kind: 'trusted_partner', expectedResponseHours: 48 },
        },
      );
      for (const since of ['2025-01-01', '2025-02-01']) {
        const answer = await call(t.app, 'POST', '/v1/channel-access', {
          token: c.inA.orgAdmin.token,
          body: {
            organizationId: c.a.id,
            channelId: channel.body.id,
            countries: ['EC'],
            since,
            evidenceNote: 'Partner agreement',
          },
        });
        expect(answer.status).toBe(201);
        const approved = await call(t.app, 'POST', `/v1/channel-access/${answer.body.id}/approve`, {
          token: c.admin.token,
          body: {},
        });
        expect(approved.status).toBe(200);
      }
      const answer = await call(t.app, 'GET', `/v1/platforms/${platform.code}/partners`, {
        token: c.inA.member.token,
        query: { country: 'EC', date: '2025-03-01' },
      });
      expect(answer.body).toEqual({
        data: [
          {
            channel: { id: channel.body.id, code: 'desk', name: 'Desk', kind: 'trusted_partner' },
            organizations: [
              { id: c.a.id, slug: c.a.slug, name: c.a.name, countries: c.a.countries },
            ],
          },
        ],
      });
    });

    it('refuses a malformed country or date (400) and unknown platforms (404)', async () => {
      const token = c.inA.member.token;
      for (const [query, fields] of [
        [{ country: 'ec' }, ['country']],
        [{ country: 'XX' }, ['country']],
        [{ country: 'EC', date: '2025-02-30' }, ['date']],
        [{ country: 'EC', date: '1 March 2025' }, ['date']],
        [{ country: 'EC', extra: '1' }, ['extra']],
      ] as [Record<string, string>, string[]][]) {
        const answer = await call(t.app, 'GET', '/v1/platforms/facebook/partners', {
          token,
          query,
        });
        expect({ query, fields: fieldsOf(answer) }).toEqual({ query, fields });
      }
      expectProblem(
        await call(t.app, 'GET', '/v1/platforms/no_such_platform/partners', {
          token,
          query: { country: 'EC' },
        }),
        404,
      );
    });
  });

  it('refuses a date with an impossible month or day (2025-13-01) with 400, not a server error', async () => {
    for (const date of ['2025-13-01', '2025-01-32', '2025-00-10']) {
      const answer = await call(t.app, 'GET', '/v1/platforms/facebook/partners', {
        token: c.inA.member.token,
        query: { country: 'EC', date },
      });
      expect({ date, fields: fieldsOf(answer) }).toEqual({ date, fields: ['date'] });
    }
  });

  it('serves every user of the community, whatever the role', async () => {
    const extra = await createUser(t.app, c.b.id, 'viewer');
    const answer = await call<PlatformBody>(t.app, 'GET', '/v1/platforms/facebook', {
      token: extra.token,
    });
    expect(answer.status).toBe(200);
    expect(answer.body.channels).toHaveLength(6);
  });
});
