import { randomBytes } from 'node:crypto';
import ICAL from 'ical.js';
import { createCommunity, createUser, TestUser } from '../factories/community.factory';
import { countRows, Page } from '../support/checks';
import { call, expectProblem, fieldsOf } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';

/*
 * The community (issue 17, part 2) through HTTP: the index of initiatives (profiles, directory
 * filters), working groups (who reads the members, who adds and removes them), meetings (who is
 * invited, answers) and the meetings in each user's calendar feed, read back by ical.js.
 */

type Community = Awaited<ReturnType<typeof createCommunity>>;
type Body = Record<string, unknown>;

const unique = () => randomBytes(4).toString('hex');

/** Wall-clock hour and minute of an instant in a zone, e.g. "10:00". */
const localTime = (at: Date, timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit' }).format(at);

describe('community: index of initiatives, working groups, meetings', () => {
  let t: TestApp;
  let c: Community;

  const auditCount = (action: string, targetId: string) =>
    countRows(
      t.db,
      'SELECT count(*)::int AS n FROM audit_entries WHERE action = $1 AND target_id = $2',
      [action, targetId],
    );

  beforeAll(async () => {
    t = await createTestApp();
    c = await createCommunity(t.app);
  });
  afterAll(() => t.close());

  describe('organisation profiles and the directory', () => {
    const profile = {
      services: ['legal', 'digital_security', 'content_takedown'],
      introduction: 'We support women journalists facing online harassment in the Andes.',
      contactEmail: 'referrals@example.org',
      signal: 'acoso.01',
      socialAccounts: ['https://social.example/@acoso'],
      constituencies: ['journalists_media', 'women'],
    };

    it("lets the organisation's org_admin fill in its profile, answering it and auditing it", async () => {
      const answer = await call<Body>(t.app, 'PATCH', `/v1/organizations/${c.a.id}`, {
        token: c.inA.orgAdmin.token,
        body: profile,
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        ...profile,
        joinedOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      });
      await expect(auditCount('organization.updated', c.a.id)).resolves.toBe(1);
      // Every member of the community reads it, another organisation's viewer too.
      const read = await call<Body>(t.app, 'GET', `/v1/organizations/${c.a.id}`, {
        token: c.inB.viewer.token,
      });
      expect(read.body).toMatchObject(profile);
    });

    it("refuses another organisation's org_admin (403) and a member (403), changing nothing", async () => {
      for (const token of [c.inB.orgAdmin.token, c.inA.member.token]) {
        const answer = await call(t.app, 'PATCH', `/v1/organizations/${c.a.id}`, {
          token,
          body: { introduction: 'Taken over' },
        });
        expectProblem(answer, 403);
      }
      const row = (await t.db.query('SELECT introduction FROM organizations WHERE id = $1', [
        c.a.id,
      ])) as { introduction: string }[];
      expect(row[0].introduction).toBe(profile.introduction);
    });

    it('refuses wrong profile input with a 400 naming the field, changing nothing', async () => {
      const cases: [Body, string[]][] = [
        [{ services: ['exorcism'] }, ['services']],
        [{ services: 'legal' }, ['services']],
        [{ socialAccounts: ['javascript:alert(1)'] }, ['socialAccounts']],
        [{ contactEmail: 'not-an-address' }, ['contactEmail']],
        [{ introduction: 'x'.repeat(4001) }, ['introduction']],
        [{ joinedOn: '2026-02-30' }, ['joinedOn']],
        [{ favouriteColour: 'purple' }, ['favouriteColour']],
      ];
      for (const [body, fields] of cases) {
        const answer = await call(t.app, 'PATCH', `/v1/organizations/${c.a.id}`, {
          token: c.admin.token,
          body,
        });
        expect({ body, fields: fieldsOf(answer) }).toEqual({ body, fields });
      }
      await expect(auditCount('organization.updated', c.a.id)).resolves.toBe(1);
    });

    it('filters the directory by service, population, country, language and words', async () => {
      const ids = async (query: Record<string, string>) => {
        const answer = await call<Page<{ id: string }>>(t.app, 'GET', '/v1/organizations', {
          token: c.inB.member.token,
          query: { limit: '200', ...query },
        });
        expect(answer.status).toBe(200);
        return answer.body.data.map((o) => o.id);
      };
      await expect(ids({ service: 'legal' })).resolves.toEqual([c.a.id]);
      await expect(ids({ service: 'forensic' })).resolves.toEqual([]);
      await expect(ids({ population: 'journalists_media' })).resolves.toEqual([c.a.id]);
      await expect(ids({ q: 'ANDES journalists' })).resolves.toEqual([c.a.id]);
      await expect(ids({ q: 'andes nowhere' })).resolves.toEqual([]);
      // LIKE wildcards are searched for, not obeyed.
      await expect(ids({ q: '%' })).resolves.toEqual([]);
      await expect(ids({ service: 'legal', country: 'BO', language: 'es' })).resolves.toEqual([
        c.a.id,
      ]);
      await expect(ids({ service: 'legal', country: 'MX' })).resolves.toEqual([]);
    });

    it('refuses wrong directory filters with a 400 naming them', async () => {
      for (const [query, field] of [
        [{ service: 'exorcism' }, 'service'],
        [{ population: 'Not A Code' }, 'population'],
        [{ q: 'x'.repeat(101) }, 'q'],
      ] as const) {
        const answer = await call(t.app, 'GET', '/v1/organizations', {
          token: c.inA.member.token,
          query,
        });
        expect(fieldsOf(answer)).toEqual([field]);
      }
    });
  });

  describe('working groups', () => {
    let groupId: string;
    let outsider: TestUser;

    beforeAll(async () => {
      outsider = await createUser(t.app, c.a.id, 'member');
    });

    it('lets the admin create a group, and nobody else', async () => {
      const name = `Advocacy with social media platforms ${unique()}`;
      expectProblem(
        await call(t.app, 'POST', '/v1/working-groups', {
          token: c.inA.orgAdmin.token,
          body: { name },
        }),
        403,
      );
      const answer = await call<Body>(t.app, 'POST', '/v1/working-groups', {
        token: c.admin.token,
        body: { name, description: 'Talks with Meta, TikTok and X.' },
      });
      expect(answer.status).toBe(201);
      expect(answer.body).toMatchObject({ name, member: false });
      groupId = answer.body.id as string;
      await expect(auditCount('working_group.created', groupId)).resolves.toBe(1);
      expectProblem(
        await call(t.app, 'POST', '/v1/working-groups', { token: c.admin.token, body: { name } }),
        409,
      );
      for (const [body, fields] of [
        [{}, ['name']],
        [{ name: '' }, ['name']],
        [{ name: 'x'.repeat(201) }, ['name']],
        [{ name: 'Fine', members: [] }, ['members']],
      ] as const) {
        expect(
          fieldsOf(await call(t.app, 'POST', '/v1/working-groups', { token: c.admin.token, body })),
        ).toEqual(fields);
      }
    });

    it('lets the admin add members from several organisations; only the admin adds', async () => {
      for (const user of [c.inA.member, c.inB.member]) {
        const answer = await call<{ data: { userId: string }[] }>(
          t.app,
          'POST',
          `/v1/working-groups/${groupId}/members`,
          { token: c.admin.token, body: { userId: user.id } },
        );
        expect(answer.status).toBe(201);
      }
      // Adding twice changes nothing and audits once.
      await call(t.app, 'POST', `/v1/working-groups/${groupId}/members`, {
        token: c.admin.token,
        body: { userId: c.inB.member.id },
      });
      await expect(auditCount('working_group.member_added', groupId)).resolves.toBe(2);
      // A member may not add anyone (themselves included): the admin vets who joins.
      expectProblem(
        await call(t.app, 'POST', `/v1/working-groups/${groupId}/members`, {
          token: outsider.token,
          body: { userId: outsider.id },
        }),
        403,
      );
      for (const [body, fields] of [
        [{ userId: 'nope' }, ['userId']],
        [{ userId: '00000000-0000-4000-8000-000000000000' }, ['userId']],
        [{}, ['userId']],
      ] as const) {
        expect(
          fieldsOf(
            await call(t.app, 'POST', `/v1/working-groups/${groupId}/members`, {
              token: c.admin.token,
              body,
            }),
          ),
        ).toEqual(fields);
      }
    });

    it('shows the members to the members and the admin, and 404 to anyone outside the group', async () => {
      for (const token of [c.inA.member.token, c.inB.member.token, c.admin.token]) {
        const answer = await call<{ data: Body[] }>(
          t.app,
          'GET',
          `/v1/working-groups/${groupId}/members`,
          { token },
        );
        expect(answer.status).toBe(200);
        expect(answer.body.data.map((m) => m.userId).sort()).toEqual(
          [c.inA.member.id, c.inB.member.id].sort(),
        );
        expect(answer.body.data[0]).toEqual({
          userId: expect.any(String),
          displayName: expect.any(String),
          organizationId: expect.any(String),
          organizationName: expect.any(String),
          addedAt: expect.any(String),
        });
      }
      // Outside the group, even in the same organisation as a member, and its org_admin: 404.
      for (const token of [outsider.token, c.inA.orgAdmin.token, c.inB.viewer.token]) {
        const answer = await call(t.app, 'GET', `/v1/working-groups/${groupId}/members`, {
          token,
        });
        expect(expectProblem(answer, 404).detail).toBe('No such working group members.');
        expect(answer.text).not.toContain(c.inA.member.id);
      }
      // The group itself (its name) is known to all, with whether the caller belongs.
      const group = await call<Body>(t.app, 'GET', `/v1/working-groups/${groupId}`, {
        token: outsider.token,
      });
      expect(group.body).toMatchObject({ id: groupId, member: false });
      const mine = await call<Page<Body>>(t.app, 'GET', '/v1/working-groups', {
        token: c.inB.member.token,
      });
      expect(mine.body.data.find((g) => g.id === groupId)).toMatchObject({ member: true });
    });

    it('lets a member leave but not remove someone else; the admin removes anyone', async () => {
      const extra = await createUser(t.app, c.b.id, 'viewer');
      await call(t.app, 'POST', `/v1/working-groups/${groupId}/members`, {
        token: c.admin.token,
        body: { userId: extra.id },
      });
      expectProblem(
        await call(t.app, 'DELETE', `/v1/working-groups/${groupId}/members/${c.inA.member.id}`, {
          token: c.inB.member.token,
        }),
        403,
      );
      expectProblem(
        await call(t.app, 'DELETE', `/v1/working-groups/${groupId}/members/${extra.id}`, {
          token: outsider.token,
        }),
        404,
      );
      const left = await call(
        t.app,
        'DELETE',
        `/v1/working-groups/${groupId}/members/${extra.id}`,
        {
          token: extra.token,
        },
      );
      expect(left.status).toBe(204);
      expectProblem(
        await call(t.app, 'GET', `/v1/working-groups/${groupId}/members`, { token: extra.token }),
        404,
      );
      await expect(auditCount('working_group.member_removed', groupId)).resolves.toBe(1);
    });

    describe('meetings', () => {
      let communityMeeting: Body;
      let groupMeeting: Body;
      const before = { startsAt: '2027-03-24T09:00:00Z', endsAt: '2027-03-24T10:30:00Z' };
      // A week later, after Europe/Madrid moved to summer time (2027-03-28): 10:00 there again.
      const after = { startsAt: '2027-03-31T08:00:00Z', endsAt: '2027-03-31T09:30:00Z' };

      const create = (body: Body, token = c.admin.token) =>
        call<Body>(t.app, 'POST', '/v1/meetings', { token, body });

      beforeAll(async () => {
        communityMeeting = (
          await create({
            title: 'Community call (March, before the clock change)',
            ...before,
            languages: ['en', 'es'],
            interpretation: ['es'],
            link: 'https://meet.example.org/community',
            agenda: 'Introductions of new initiatives',
          })
        ).body;
        groupMeeting = (
          await create({
            title: 'Advocacy group (after the clock change)',
            ...after,
            languages: ['es'],
            workingGroupId: groupId,
          })
        ).body;
      });

      it('lets the admin schedule meetings, answering them in UTC', () => {
        expect(communityMeeting).toMatchObject({
          startsAt: '2027-03-24T09:00:00.000Z',
          endsAt: '2027-03-24T10:30:00.000Z',
          languages: ['en', 'es'],
          interpretation: ['es'],
          workingGroupId: null,
          sequence: 0,
          cancelledAt: null,
          myAnswer: null,
          invited: true,
          answers: { yes: 0, no: 0, maybe: 0 },
        });
        // The admin reads a group's meeting without being in the group: not invited.
        expect(groupMeeting).toMatchObject({
          workingGroupId: groupId,
          sequence: 0,
          invited: false,
        });
      });

      it('refuses other schedulers (403) and wrong input (400 naming the field)', async () => {
        const count = () => countRows(t.db, 'SELECT count(*)::int AS n FROM meetings');
        const n = await count();
        expectProblem(await create({ title: 'Mine', ...before }, c.inA.orgAdmin.token), 403);
        for (const [body, fields] of [
          [{ title: 'x', startsAt: before.endsAt, endsAt: before.startsAt }, ['endsAt']],
          [{ title: 'x', startsAt: '2027-03-24T09:00', endsAt: before.endsAt }, ['startsAt']],
          [{ title: 'x', ...before, endsAt: '2027-03-25T09:00:01Z' }, ['endsAt']],
          [
            { title: 'x', ...before, workingGroupId: '00000000-0000-4000-8000-000000000000' },
            ['workingGroupId'],
          ],
          [{ title: 'x', ...before, languages: ['Spanish'] }, ['languages']],
          [{ title: 'x', ...before, link: 'javascript:alert(1)' }, ['link']],
          [{ ...before }, ['title']],
          [{ title: 'x', ...before, room: 'B' }, ['room']],
        ] as const) {
          expect({ body, fields: fieldsOf(await create(body)) }).toEqual({ body, fields });
        }
        await expect(count()).resolves.toBe(n);
      });

      it("shows a group's meeting only to its members (404 to others); the community's to all", async () => {
        const listed = async (token: string) =>
          (
            await call<Page<Body>>(t.app, 'GET', '/v1/meetings', {
              token,
              query: { from: '2027-01-01T00:00:00Z' },
            })
          ).body.data.map((m) => m.id);
        await expect(listed(c.inA.member.token)).resolves.toEqual([
          communityMeeting.id,
          groupMeeting.id,
        ]);
        await expect(listed(outsider.token)).resolves.toEqual([communityMeeting.id]);
        expectProblem(
          await call(t.app, 'GET', `/v1/meetings/${groupMeeting.id as string}`, {
            token: outsider.token,
          }),
          404,
        );
        expectProblem(
          await call(t.app, 'PUT', `/v1/meetings/${groupMeeting.id as string}/answer`, {
            token: outsider.token,
            body: { answer: 'yes' },
          }),
          404,
        );
      });

      it('records answers (yes, no, maybe) of the invited, refusing anything else', async () => {
        const answer = (token: string, body: unknown) =>
          call<Body>(t.app, 'PUT', `/v1/meetings/${communityMeeting.id as string}/answer`, {
            token,
            body,
          });
        expect((await answer(c.inA.member.token, { answer: 'yes' })).body).toMatchObject({
          myAnswer: 'yes',
          answers: { yes: 1, no: 0, maybe: 0 },
        });
        expect((await answer(c.inA.member.token, { answer: 'maybe' })).body).toMatchObject({
          myAnswer: 'maybe',
          answers: { yes: 0, no: 0, maybe: 1 },
        });
        expect((await answer(outsider.token, { answer: 'no' })).body).toMatchObject({
          myAnswer: 'no',
          answers: { yes: 0, no: 1, maybe: 1 },
        });
        for (const body of [{ answer: 'perhaps' }, {}, { answer: 'yes', plusOne: true }]) {
          expectProblem(await answer(c.inA.member.token, body), 400);
        }
        await expect(auditCount('meeting.answered', communityMeeting.id as string)).resolves.toBe(
          3,
        );
      });

      it('puts the invited meetings in the calendar feed at the right local hour across the DST change', async () => {
        await t.db.query(`UPDATE users SET timezone = 'Europe/Madrid' WHERE id = $1`, [
          c.inB.member.id,
        ]);
        const feedOf = async (user: TestUser) => {
          const created = await call<{ token: string }>(t.app, 'POST', '/v1/calendar-tokens', {
            token: user.token,
            body: { name: 'phone' },
          });
          expect(created.status).toBe(201);
          return async () => {
            const answer = await call(t.app, 'GET', `/v1/calendar/${created.body.token}.ics`);
            expect(answer.status).toBe(200);
            return answer.text;
          };
        };
        const memberFeed = await feedOf(c.inB.member);
        const outsiderFeed = await feedOf(outsider);

        const parse = (text: string) => {
          const calendar = new ICAL.Component(ICAL.parse(text));
          return {
            zone: String(calendar.getFirstPropertyValue('x-wr-timezone')),
            events: calendar.getAllSubcomponents('vevent').map((v) => ({
              uid: String(v.getFirstPropertyValue('uid')),
              summary: String(v.getFirstPropertyValue('summary')),
              start: (v.getFirstPropertyValue('dtstart') as ICAL.Time).toJSDate(),
              end: (v.getFirstPropertyValue('dtend') as ICAL.Time).toJSDate(),
              sequence: Number(v.getFirstPropertyValue('sequence')),
              status: String(v.getFirstPropertyValue('status')),
              transp: String(v.getFirstPropertyValue('transp')),
              lastModified: v.getFirstPropertyValue('last-modified') !== null,
              description: String(v.getFirstPropertyValue('description')),
            })),
          };
        };

        const first = parse(await memberFeed());
        expect(first.zone).toBe('Europe/Madrid');
        expect(first.events.map((e) => e.uid)).toEqual([
          `meeting-${communityMeeting.id as string}@escalation-tracker`,
          `meeting-${groupMeeting.id as string}@escalation-tracker`,
        ]);
        // Both at ten in Madrid, one in winter and one in summer time; in Mexico City (no DST
        // since 2022) they are an hour apart.
        expect(first.events.map((e) => localTime(e.start, first.zone))).toEqual(['10:00', '10:00']);
        expect(first.events.map((e) => localTime(e.end, first.zone))).toEqual(['11:30', '11:30']);
        expect(first.events.map((e) => localTime(e.start, 'America/Mexico_City'))).toEqual([
          '03:00',
          '02:00',
        ]);
        expect(first.events.map((e) => [e.sequence, e.status, e.transp, e.lastModified])).toEqual([
          [0, 'CONFIRMED', 'OPAQUE', true],
          [0, 'CONFIRMED', 'OPAQUE', true],
        ]);
        // The agenda stays on the meeting's page (a calendar provider is a third party).
        expect(first.events[0].description).not.toContain('Introductions of new initiatives');
        expect(first.events[0].description).toContain('https://meet.example.org/community');

        // The outsider's feed: the community's meeting only.
        expect(parse(await outsiderFeed()).events.map((e) => e.uid)).toEqual([
          `meeting-${communityMeeting.id as string}@escalation-tracker`,
        ]);

        // Moving a meeting moves it in the calendar: same UID, SEQUENCE up by one.
        const moved = await call<Body>(
          t.app,
          'PATCH',
          `/v1/meetings/${groupMeeting.id as string}`,
          {
            token: c.admin.token,
            body: { startsAt: '2027-03-31T09:00:00+02:00', endsAt: '2027-03-31T11:00:00+02:00' },
          },
        );
        expect(moved.body).toMatchObject({ startsAt: '2027-03-31T07:00:00.000Z', sequence: 1 });
        // The same values again are no change: the sequence stays.
        const again = await call<Body>(
          t.app,
          'PATCH',
          `/v1/meetings/${groupMeeting.id as string}`,
          {
            token: c.admin.token,
            body: { startsAt: '2027-03-31T07:00:00Z' },
          },
        );
        expect(again.body).toMatchObject({ sequence: 1 });
        expectProblem(
          await call(t.app, 'PATCH', `/v1/meetings/${groupMeeting.id as string}`, {
            token: c.inB.member.token,
            body: { title: 'Ours now' },
          }),
          403,
        );

        // Cancelling keeps it in the feed, marked, with the next sequence.
        const cancelled = await call<Body>(
          t.app,
          'POST',
          `/v1/meetings/${communityMeeting.id as string}/cancel`,
          { token: c.admin.token },
        );
        expect(cancelled.status).toBe(200);
        expect(cancelled.body).toMatchObject({ sequence: 1, cancelledAt: expect.any(String) });
        expectProblem(
          await call(t.app, 'POST', `/v1/meetings/${communityMeeting.id as string}/cancel`, {
            token: c.admin.token,
          }),
          409,
        );

        const second = parse(await memberFeed());
        expect(
          second.events.map((e) => [e.uid, e.sequence, e.status, localTime(e.start, second.zone)]),
        ).toEqual([
          [first.events[0].uid, 1, 'CANCELLED', '10:00'],
          [first.events[1].uid, 1, 'CONFIRMED', '09:00'],
        ]);
      });
    });
  });
});
