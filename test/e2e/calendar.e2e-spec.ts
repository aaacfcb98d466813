import { createHash, randomBytes } from 'node:crypto';
import ICAL from 'ical.js';
import { CaseResponseDto } from '../../src/cases/dto/case.dto';
import { createCase } from '../factories/case.factory';
import {
  createCommunity,
  createOrganization,
  createUser,
  TestUser,
} from '../factories/community.factory';
import { countRows, Page } from '../support/checks';
import { call, expectProblem, fieldsOf } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';

/*
 * Secret-token iCalendar feeds (issue 5): the token lifecycle, and the feed itself parsed back
 * by an independent parser (ical.js), checked against what the cases API lists to the same user.
 */

const BASE_URL = 'https://tracker.helplines.example/a-long-base-path-so-that-url-lines-fold';
const LONG_PLATFORM = 'platform_with_a_long_code_to_fold_lines'; // 39 of the 40 allowed
const LONG_CHANNEL = 'trusted_partner_escalation_form_with_a_rather_long_code_x';

interface Created extends Record<string, unknown> {
  id: string;
  token: string;
  url: string;
  name: string | null;
  createdAt: string;
}

interface ParsedEvent {
  uid: string;
  summary: string;
  start: string;
  end: string;
  description: string;
  url: string;
  stamp: string;
  sequence: number | null;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const toSecond = (iso: string) => new Date(Math.floor(Date.parse(iso) / 1000) * 1000).toISOString();

function parseFeed(text: string): { calendar: ICAL.Component; events: ParsedEvent[] } {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const events = calendar.getAllSubcomponents('vevent').map((component) => {
    const event = new ICAL.Event(component);
    return {
      uid: event.uid,
      summary: event.summary,
      start: event.startDate.toJSDate().toISOString(),
      end: event.endDate.toJSDate().toISOString(),
      description: event.description,
      url: String(component.getFirstPropertyValue('url')),
      stamp: (component.getFirstPropertyValue('dtstamp') as ICAL.Time).toJSDate().toISOString(),
      sequence: event.sequence ?? null,
    };
  });
  return { calendar, events };
}

describe('calendar feeds (e2e)', () => {
  let t: TestApp;
  let community: Awaited<ReturnType<typeof createCommunity>>;

  beforeAll(async () => {
    t = await createTestApp({ PUBLIC_BASE_URL: BASE_URL });
    community = await createCommunity(t.app);
  });
  afterAll(() => t.close());

  const createToken = (user: TestUser, body: unknown = {}) =>
    call<Created>(t.app, 'POST', '/v1/calendar-tokens', { token: user.token, body });
  const listTokens = (user: TestUser) =>
    call<Page<Record<string, unknown>>>(t.app, 'GET', '/v1/calendar-tokens', {
      token: user.token,
    });
  const fetchFeed = (path: string) => call(t.app, 'GET', path);
  async function newFeed(user: TestUser): Promise<Created> {
    const answer = await createToken(user);
    expect(answer.status).toBe(201);
    return answer.body;
  }
  const lastAudit = async (action: string, actorUserId: string) =>
    (
      await t.db.query(
        `SELECT action, organization_id, target_type, target_id, details FROM audit_entries
          WHERE action = $1 AND actor_user_id = $2 ORDER BY occurred_at DESC, id DESC LIMIT 1`,
        [action, actorUserId],
      )
    )[0] as
      | {
          action: string;
          organization_id: string;
          target_type: string;
          target_id: string;
          details: Record<string, unknown>;
        }
      | undefined;

  describe('tokens', () => {
    it('any user, a viewer too, creates a feed: the token once, its path, only its hash stored', async () => {
      const viewer = community.inA.viewer;
      const answer = await createToken(viewer, { name: 'Work phone' });
      expect(answer.status).toBe(201);
      expect(Object.keys(answer.body).sort()).toEqual(['createdAt', 'id', 'name', 'token', 'url']);
      const { id, token, url, name } = answer.body;
      expect(token).toMatch(/^etcal_[A-Za-z0-9_-]{43}$/);
      expect(url).toBe(`/v1/calendar/${token}.ics`);
      expect(name).toBe('Work phone');

      const rows = await t.db.query(
        `SELECT user_id, token_hash, revoked_at, last_used_at FROM calendar_tokens WHERE id = $1`,
        [id],
      );
      expect(rows).toEqual([
        { user_id: viewer.id, token_hash: sha256(token), revoked_at: null, last_used_at: null },
      ]);
      const dump = JSON.stringify(await t.db.query('SELECT * FROM calendar_tokens'));
      expect(dump).not.toContain(token);
      expect(await lastAudit('calendar_token.created', viewer.id)).toEqual({
        action: 'calendar_token.created',
        organization_id: community.a.id,
        target_type: 'calendar_token',
        target_id: id,
        details: {},
      });
      expect(JSON.stringify(await t.db.query('SELECT * FROM audit_entries'))).not.toContain(token);
    });

    it('lists the caller’s own feeds only, newest first, never their tokens', async () => {
      const mine = community.inB.member;
      const first = await newFeed(mine);
      const second = await newFeed(mine);
      const other = await newFeed(community.inB.viewer);
      const answer = await listTokens(mine);
      expect(answer.status).toBe(200);
      expect(answer.body.data.map((d) => d.id)).toEqual([second.id, first.id]);
      expect(answer.body.data[0]).toEqual({
        id: second.id,
        name: null,
        createdAt: second.createdAt,
        lastUsedAt: null,
      });
      expect(answer.text).not.toContain(first.token);
      expect(answer.text).not.toContain(other.id);
    });

    it('revokes the caller’s own feed (204, audited); someone else’s is 404 and stays usable', async () => {
      const owner = community.inA.orgAdmin;
      const feed = await newFeed(owner);
      expect((await fetchFeed(feed.url)).status).toBe(200);

      // Not even the community admin may revoke another user's feed.
      for (const intruder of [community.inA.member, community.admin]) {
        const refused = await call(t.app, 'DELETE', `/v1/calendar-tokens/${feed.id}`, {
          token: intruder.token,
        });
        expectProblem(refused, 404);
      }
      expect((await fetchFeed(feed.url)).status).toBe(200);

      const revoked = await call(t.app, 'DELETE', `/v1/calendar-tokens/${feed.id}`, {
        token: owner.token,
      });
      expect(revoked.status).toBe(204);
      expect(revoked.text).toBe('');
      expect(await lastAudit('calendar_token.revoked', owner.id)).toMatchObject({
        target_type: 'calendar_token',
        target_id: feed.id,
      });
      expectProblem(await fetchFeed(feed.url), 404);
      expect((await listTokens(owner)).body.data.map((d) => d.id)).not.toContain(feed.id);
      // Twice is 404: there is nothing left to revoke.
      expectProblem(
        await call(t.app, 'DELETE', `/v1/calendar-tokens/${feed.id}`, { token: owner.token }),
        404,
      );
    });

    it('refuses unauthenticated calls and a personal API token (a leaked one must not mint feeds)', async () => {
      expectProblem(await call(t.app, 'POST', '/v1/calendar-tokens', { body: {} }), 401);
      expectProblem(await call(t.app, 'GET', '/v1/calendar-tokens'), 401);
      const apiToken = await call<{ token: string }>(t.app, 'POST', '/v1/auth/tokens', {
        token: community.inA.member.token,
        body: { name: 'export script' },
      });
      expect(apiToken.status).toBe(201);
      const refused = await call(t.app, 'POST', '/v1/calendar-tokens', {
        token: apiToken.body.token,
        body: {},
      });
      expectProblem(refused, 403);
      // Listing is fine with an API token: it shows no secret.
      const listed = await call(t.app, 'GET', '/v1/calendar-tokens', {
        token: apiToken.body.token,
      });
      expect(listed.status).toBe(200);
    });

    it('refuses bad input with 400 problem+json naming the field', async () => {
      const user = community.inB.orgAdmin;
      const tokens = () => countRows(t.db, 'SELECT count(*)::int AS n FROM calendar_tokens');
      const before = await tokens();
      expect(fieldsOf(await createToken(user, { name: 'x', token: 'etcal_mine' }))).toEqual([
        'token',
      ]);
      expect(fieldsOf(await createToken(user, { name: 'n'.repeat(101) }))).toEqual(['name']);
      expect(fieldsOf(await createToken(user, { name: '' }))).toEqual(['name']);
      expect(fieldsOf(await createToken(user, { name: 42 }))).toEqual(['name']);
      expect(fieldsOf(await createToken(user, { name: 'a\u0000b' }))).toEqual(['name']);
      expectProblem(
        await call(t.app, 'POST', '/v1/calendar-tokens', {
          token: user.token,
          raw: '{"name":',
          headers: { 'content-type': 'application/json' },
        }),
        400,
      );
      expectProblem(
        await call(t.app, 'DELETE', '/v1/calendar-tokens/not-a-uuid', { token: user.token }),
        400,
      );
      expect(await tokens()).toBe(before);
      // 100 characters is the limit, not beyond.
      expect((await createToken(user, { name: 'ñ'.repeat(100) })).status).toBe(201);
    });

    it('caps the active feeds of one user at 20 (409), until one is revoked', async () => {
      const org = await createOrganization(t.app);
      const user = await createUser(t.app, org.id, 'member');
      const feeds = await Promise.all(Array.from({ length: 20 }, () => createToken(user)));
      expect(feeds.map((f) => f.status)).toEqual(Array(20).fill(201));
      expectProblem(await createToken(user), 409);
      await call(t.app, 'DELETE', `/v1/calendar-tokens/${feeds[0].body.id}`, {
        token: user.token,
      });
      expect((await createToken(user)).status).toBe(201);
    });
  });

  describe('feed', () => {
    it('answers one identical 404 for malformed, unknown and revoked tokens and inactive users', async () => {
      const org = await createOrganization(t.app);
      const user = await createUser(t.app, org.id, 'member');
      const revoked = await newFeed(user);
      await call(t.app, 'DELETE', `/v1/calendar-tokens/${revoked.id}`, { token: user.token });
      const leaving = await createUser(t.app, org.id, 'member');
      const leavingFeed = await newFeed(leaving);
      expect((await fetchFeed(leavingFeed.url)).status).toBe(200);
      const deactivated = await call(t.app, 'PATCH', `/v1/users/${leaving.id}`, {
        token: community.admin.token,
        body: { active: false },
      });
      expect(deactivated.status).toBe(200);

      const paths = [
        '/v1/calendar/abc.ics',
        `/v1/calendar/etcal_${randomBytes(32).toString('base64url')}.ics`,
        `/v1/calendar/${revoked.token.slice(0, -1)}.ics`,
        `/v1/calendar/${revoked.token}x.ics`,
        revoked.url,
        leavingFeed.url,
        `/v1/calendar/etcal_${'a'.repeat(90)}.ics`,
      ];
      const bodies: unknown[] = [];
      for (const path of paths) {
        const answer = await fetchFeed(path);
        const { requestId: _requestId, ...rest } = expectProblem(answer, 404);
        bodies.push(rest);
      }
      expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
      // The token is the credential: a bearer header does not stand in for it.
      const withBearer = await call(t.app, 'GET', '/v1/calendar/x.ics', { token: user.token });
      expectProblem(withBearer, 404);
      // Without the extension it is no feed route at all.
      expect((await fetchFeed(revoked.url.replace(/\.ics$/, ''))).status).toBe(404);
      // Only the one fetch that served a feed (before the deactivation) was audited.
      const reads = (actor: string) =>
        countRows(
          t.db,
          `SELECT count(*)::int AS n FROM audit_entries WHERE action = 'calendar.read' AND actor_user_id = $1`,
          [actor],
        );
      expect([await reads(user.id), await reads(leaving.id)]).toEqual([0, 1]);
    });

    describe('content and sharing', () => {
      /** Everything the feed must never carry: case text, item URLs, indicators, people. */
      const secrets: string[] = [];
      const cases: Record<string, CaseResponseDto> = {};
      /** Open cases with a follow-up reminder pending; the closed and paused ones get one too. */
      const REMINDED = ['followUp', 'red'];
      let reminderAt: Date;
      const feeds = new Map<string, Created>();
      let users: Record<string, TestUser>;

      beforeAll(async () => {
        const { admin, inA, inB, b } = community;
        users = {
          creator: inA.member,
          viewerOfA: inA.viewer,
          orgAdminOfA: inA.orgAdmin,
          memberOfB: inB.member,
          viewerOfB: inB.viewer,
          communityAdmin: admin,
        };
        // A platform and channel with long codes, so summaries and descriptions must fold.
        expect(
          (
            await call(t.app, 'POST', '/v1/platforms', {
              token: admin.token,
              body: { code: LONG_PLATFORM, name: 'Long-named platform' },
            })
          ).status,
        ).toBe(201);
        expect(
          (
            await call(t.app, 'POST', `/v1/platforms/${LONG_PLATFORM}/channels`, {
              token: admin.token,
              body: {
                code: LONG_CHANNEL,
                name: 'Escalation form',
                kind: 'trusted_partner',
                expectedResponseHours: 72,
              },
            })
          ).status,
        ).toBe(201);

        const marker = (label: string) => {
          const text = `secret-${label}-${randomBytes(6).toString('hex')}`;
          secrets.push(text);
          return text;
        };
        const make = async (
          key: string,
          who: TestUser,
          overrides: Record<string, unknown> = {},
        ) => {
          cases[key] = await createCase(t.app, who.token, {
            title: `${marker(`title-${key}`)}, with a comma; and more`,
            summary: `${marker(`summary-${key}`)}\nSurvivor details that must stay in the tracker.`,
            items: [{ url: `https://facebook.com/posts/${marker(`item-${key}`)}`, kind: 'post' }],
            indicators: [{ kind: 'hashtag', value: `#${marker(`tag-${key}`).replace(/-/g, '_')}` }],
            ...overrides,
          });
        };
        const event = async (key: string, who: TestUser, body: Record<string, unknown>) => {
          const answer = await call(t.app, 'POST', `/v1/cases/${cases[key].id}/events`, {
            token: who.token,
            body,
          });
          expect({ key, status: answer.status }).toEqual({ key, status: 201 });
        };
        const anHourAgo = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000).toISOString();

        const creator = inA.member;
        // Open, deadline ahead (the channel gives 72 h): "Due".
        await make('dueAhead', creator, {
          platformCode: LONG_PLATFORM,
          channelCode: LONG_CHANNEL,
          escalatedAt: anHourAgo,
        });
        // Open, escalated in March: "Overdue".
        await make('overdue', creator);
        await make('acknowledged', creator);
        await event('acknowledged', creator, { type: 'platform_acknowledged' });
        // Overdue with a follow-up reminder pending (the deadline jobs set it; here SQL does).
        await make('followUp', creator);
        // Absent whatever their reminders say: no deadline runs.
        await make('draft', creator, { escalatedAt: undefined });
        await make('resolved', creator);
        await event('resolved', creator, {
          type: 'platform_responded',
          outcome: 'content_removed',
        });
        await make('closed', creator);
        await event('closed', creator, { type: 'closed' });
        await make('paused', creator);
        await event('paused', creator, { type: 'platform_requested_info' });
        // Sharing.
        await make('red', creator, { tlp: 'RED', shareWithUserIds: [inB.member.id] });
        await make('amberToB', creator, { tlp: 'AMBER', shareWithOrganizationIds: [b.id] });
        await make('greenOfB', inB.member, { tlp: 'GREEN' });
        await make('strictOfB', inB.member);
        await make('redOfB', inB.member, { tlp: 'RED' });

        reminderAt = new Date(Math.floor(Date.now() / 1000) * 1000 + 2 * 86_400_000);
        await t.db.query(`UPDATE cases SET next_reminder_at = $1 WHERE id = ANY($2)`, [
          reminderAt,
          [...REMINDED, 'draft', 'resolved', 'closed', 'paused'].map((k) => cases[k].id),
        ]);
        for (const key of Object.keys(users)) feeds.set(key, await newFeed(users[key]));
        secrets.push(creator.email, creator.displayName);
        // The creator reads the calendar in her own zone.
        const zone = await call(t.app, 'PATCH', `/v1/users/${creator.id}`, {
          token: creator.token,
          body: { timezone: 'America/La_Paz' },
        });
        expect(zone.status).toBe(200);
      });

      /** What the cases API lists to the user: open, clock running, with a deadline. */
      async function expectedFromApi(user: TestUser): Promise<CaseResponseDto[]> {
        const open: CaseResponseDto[] = [];
        for (const status of ['escalated', 'acknowledged']) {
          const page = await call<Page<CaseResponseDto>>(t.app, 'GET', '/v1/cases', {
            token: user.token,
            query: { status, limit: '200' },
          });
          expect(page.status).toBe(200);
          expect(page.body.nextCursor).toBeNull();
          open.push(...page.body.data.filter((c) => !c.paused && c.dueAt));
        }
        return open;
      }

      const visibleTo: Record<string, string[]> = {
        creator: ['dueAhead', 'overdue', 'acknowledged', 'followUp', 'red', 'amberToB', 'greenOfB'],
        viewerOfA: ['dueAhead', 'overdue', 'acknowledged', 'followUp', 'amberToB', 'greenOfB'],
        orgAdminOfA: ['dueAhead', 'overdue', 'acknowledged', 'followUp', 'amberToB', 'greenOfB'],
        memberOfB: ['red', 'amberToB', 'greenOfB', 'strictOfB', 'redOfB'],
        viewerOfB: ['amberToB', 'greenOfB', 'strictOfB'],
        communityAdmin: ['greenOfB'],
      };

      it.each(Object.keys(visibleTo))(
        'the feed of %s round-trips through ical.js and holds exactly the deadlines TLP lets them see',
        async (who) => {
          const answer = await fetchFeed(feeds.get(who)!.url);
          expect(answer.status).toBe(200);
          expect(answer.headers['content-type']).toBe('text/calendar; charset=utf-8');
          expect(answer.headers['cache-control']).toBe('private, no-store');

          const { calendar, events } = parseFeed(answer.text);
          expect(calendar.getFirstPropertyValue('version')).toBe('2.0');
          expect(calendar.getFirstPropertyValue('calscale')).toBe('GREGORIAN');
          expect(calendar.getFirstPropertyValue('method')).toBe('PUBLISH');
          expect(calendar.getFirstPropertyValue('prodid')).toEqual(expect.any(String));
          expect(calendar.getFirstPropertyValue('x-wr-calname')).toEqual(expect.any(String));
          expect(calendar.getFirstPropertyValue('x-wr-timezone')).toBe(
            who === 'creator' ? 'America/La_Paz' : 'UTC',
          );

          // Exactly what the cases API lists to the same user, and what the design's rule says.
          const listed = await expectedFromApi(users[who]);
          const dueUids = events.filter((e) => e.uid.endsWith('-due@escalation-tracker'));
          expect(dueUids.map((e) => e.uid).sort()).toEqual(
            listed.map((c) => `${c.id}-due@escalation-tracker`).sort(),
          );
          expect(listed.map((c) => c.id).sort()).toEqual(
            visibleTo[who].map((k) => cases[k].id).sort(),
          );

          const expected = new Map<string, Partial<ParsedEvent>>();
          const current = new Map(listed.map((c) => [c.id, c]));
          for (const key of visibleTo[who]) {
            // As the API shows it now (events since its creation raised its version).
            const c = current.get(cases[key].id)!;
            const platform = key === 'dueAhead' ? LONG_PLATFORM : 'facebook';
            const link = `${BASE_URL}/web/cases/${c.id}`;
            const due = toSecond(c.dueAt!);
            const label = Date.parse(c.dueAt!) < Date.now() ? 'Overdue' : 'Due';
            expected.set(`${c.id}-due@escalation-tracker`, {
              summary: `${label}: ${c.reference} (${platform})`,
              start: due,
              end: new Date(Date.parse(due) + 30 * 60_000).toISOString(),
              url: link,
              sequence: c.version,
            });
            if (REMINDED.includes(key)) {
              expected.set(`${c.id}-follow-up@escalation-tracker`, {
                summary: `Follow up: ${c.reference} (${platform})`,
                start: reminderAt.toISOString(),
                end: new Date(reminderAt.getTime() + 30 * 60_000).toISOString(),
                url: link,
                sequence: null,
              });
            }
          }
          expect(events.map((e) => e.uid).sort()).toEqual([...expected.keys()].sort());
          for (const e of events) {
            expect(e).toMatchObject({ uid: e.uid, ...expected.get(e.uid) });
            expect(e.description).toContain(`${BASE_URL}/web/cases/`);
            expect(Math.abs(Date.parse(e.stamp) - Date.now())).toBeLessThan(60_000);
          }
          // Earliest first.
          const starts = events.map((e) => e.start);
          expect(starts).toEqual([...starts].sort());

          // Nothing of the cases beyond reference, platform, channel and due state.
          for (const secret of secrets) expect(answer.text).not.toContain(secret);
          const unfolded = answer.text.replace(/\r\n /g, '');
          for (const secret of secrets) expect(unfolded).not.toContain(secret);
          expect(unfolded).not.toMatch(/survivor|facebook\.com\/posts|#secret/i);
        },
      );

      it('is valid RFC 5545 text: CRLF lines of at most 75 octets, long ones folded', async () => {
        const answer = await fetchFeed(feeds.get('creator')!.url);
        expect(answer.text.endsWith('\r\n')).toBe(true);
        const lines = answer.text.slice(0, -2).split('\r\n');
        expect(lines.every((l) => !/[\r\n]/.test(l))).toBe(true);
        for (const line of lines) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
        const continued = lines.filter((l) => l.startsWith(' '));
        expect(continued.length).toBeGreaterThan(0);
        // The long platform and base URL were folded and come back whole.
        const unfolded = answer.text.replace(/\r\n /g, '').split('\r\n');
        const c = cases.dueAhead;
        expect(unfolded).toContain(`URL:${BASE_URL}/web/cases/${c.id}`);
        expect(unfolded).toContain(`SUMMARY:Due: ${c.reference} (${LONG_PLATFORM})`);
        expect(unfolded).toContain(`DTSTART:${toSecond(c.dueAt!).replace(/[-:]|\.000/g, '')}`);
        expect(unfolded.filter((l) => l.startsWith('DESCRIPTION:')).join('\n')).toContain(
          `Channel: ${LONG_CHANNEL}`,
        );
        // Some URL line was folded (its first physical line is not a whole line).
        expect(lines.some((l) => l.startsWith('URL:') && !unfolded.includes(l))).toBe(true);
        const parsed = parseFeed(answer.text).events.find((e) => e.uid.startsWith(c.id))!;
        expect(parsed.summary).toBe(`Due: ${c.reference} (${LONG_PLATFORM})`);
        expect(parsed.description).toContain(
          `Platform: ${LONG_PLATFORM}\nChannel: ${LONG_CHANNEL}`,
        );
      });

      it('keeps UIDs stable across fetches and follows changes of the cases', async () => {
        const url = feeds.get('viewerOfA')!.url;
        const before = parseFeed((await fetchFeed(url)).text).events;
        // The platform asks for information: the clock stops and the deadline leaves the feed.
        const c = cases.overdue;
        const paused = await call(t.app, 'POST', `/v1/cases/${c.id}/events`, {
          token: users.creator.token,
          body: { type: 'platform_requested_info' },
        });
        expect(paused.status).toBe(201);
        const after = parseFeed((await fetchFeed(url)).text).events;
        expect(after.map((e) => e.uid).sort()).toEqual(
          before
            .map((e) => e.uid)
            .filter((u) => u !== `${c.id}-due@escalation-tracker`)
            .sort(),
        );
        // Information provided: the clock runs again, the same UID comes back, moved later by
        // the stopped time and with a higher SEQUENCE.
        const resumed = await call(t.app, 'POST', `/v1/cases/${c.id}/events`, {
          token: users.creator.token,
          body: { type: 'info_provided' },
        });
        expect(resumed.status).toBe(201);
        const back = parseFeed((await fetchFeed(url)).text).events;
        const old = before.find((e) => e.uid === `${c.id}-due@escalation-tracker`)!;
        const now = back.find((e) => e.uid === `${c.id}-due@escalation-tracker`)!;
        expect(Date.parse(now.start)).toBeGreaterThanOrEqual(Date.parse(old.start));
        expect(now.sequence!).toBeGreaterThan(old.sequence!);
      });

      it('audits each fetch with the count, marks the token used, and keeps the token out of logs', async () => {
        const feed = feeds.get('memberOfB')!;
        const answer = await fetchFeed(feed.url);
        const count = parseFeed(answer.text).events.length;
        expect(await lastAudit('calendar.read', users.memberOfB.id)).toEqual({
          action: 'calendar.read',
          organization_id: community.b.id,
          target_type: 'calendar_token',
          target_id: feed.id,
          // No community meeting in this file: every event is a deadline or follow-up.
          details: { events: count, meetings: 0, truncated: false },
        });
        const used = await t.db.query(`SELECT last_used_at FROM calendar_tokens WHERE id = $1`, [
          feed.id,
        ]);
        expect(used[0].last_used_at).toBeInstanceOf(Date);
        const listed = await listTokens(users.memberOfB);
        expect(listed.body.data.find((d) => d.id === feed.id)?.lastUsedAt).toEqual(
          (used[0].last_used_at as Date).toISOString(),
        );
        for (const f of feeds.values()) expect(t.rawLogs()).not.toContain(f.token);
      });
    });

    it('holds at most 2000 events, the earliest, and says so in the audit entry', async () => {
      const org = await createOrganization(t.app);
      const user = await createUser(t.app, org.id, 'member');
      // Escalated earlier than every other case of the file: its deadline comes first.
      const seed = await createCase(t.app, user.token, { escalatedAt: '2026-01-05T10:00:00Z' });
      // 2,100 more open cases of this organisation, copied from the seed row by SQL.
      const columns = (
        (await t.db.query(
          `SELECT column_name FROM information_schema.columns
            WHERE table_name = 'cases' AND table_schema = 'public'
              AND is_generated = 'NEVER' AND column_name NOT IN ('id', 'reference', 'due_at')`,
        )) as { column_name: string }[]
      ).map((r) => `"${r.column_name}"`);
      await t.db.query(
        `INSERT INTO cases (id, reference, due_at, ${columns.join(', ')})
         SELECT gen_random_uuid(), 'ESC-2099-' || lpad(i::text, 6, '0'),
                c.due_at + i * interval '1 minute', ${columns.map((col) => `c.${col}`).join(', ')}
           FROM cases c, generate_series(1, 2100) AS i WHERE c.id = $1`,
        [seed.id],
      );
      const feed = await newFeed(user);
      const answer = await fetchFeed(feed.url);
      expect(answer.status).toBe(200);
      const { events } = parseFeed(answer.text);
      expect(events.length).toBe(2000);
      expect(events[0].uid).toBe(`${seed.id}-due@escalation-tracker`);
      // Earliest first: the latest copies are the ones left out.
      const starts = events.map((e) => e.start);
      expect(starts).toEqual([...starts].sort());
      const summaries = events.map((e) => e.summary).join('\n');
      expect(summaries).toContain('ESC-2099-000001 ');
      expect(summaries).not.toContain('ESC-2099-002100 ');
      expect(summaries).not.toContain('ESC-2099-002001 ');
      expect(await lastAudit('calendar.read', user.id)).toMatchObject({
        details: { events: 2000, truncated: true },
      });
    });
  });
});
