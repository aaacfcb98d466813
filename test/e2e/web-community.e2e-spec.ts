import { MESSAGES } from '../../src/i18n/labels';
import { createCommunity, createUser, TestUser } from '../factories/community.factory';
import { countRows } from '../support/checks';
import { call } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';
import { WebClient } from '../support/web-client';

/*
 * The community pages through a web session: the directory of organisations with its profile
 * filters, and the meetings page (the reader's time zone, answers posted with CSRF; refusals
 * change nothing).
 */
describe('web: community directory and meetings', () => {
  let t: TestApp;
  let c: Awaited<ReturnType<typeof createCommunity>>;
  let outsider: TestUser;
  const ids = { community: '', group: '', workingGroup: '' };

  const answers = () => countRows(t.db, 'SELECT count(*)::int AS n FROM meeting_rsvps');

  beforeAll(async () => {
    t = await createTestApp();
    c = await createCommunity(t.app);
    outsider = await createUser(t.app, c.b.id, 'member');
    await call(t.app, 'PATCH', `/v1/organizations/${c.a.id}`, {
      token: c.inA.orgAdmin.token,
      body: {
        services: ['psychosocial', 'forensic'],
        introduction: 'Acompañamiento a defensoras <b>en riesgo</b>.',
        signal: 'defensoras.01',
        constituencies: ['human_rights_defenders'],
      },
    });
    const group = await call(t.app, 'POST', '/v1/working-groups', {
      token: c.admin.token,
      body: { name: 'Advocacy with social media platforms' },
    });
    ids.workingGroup = group.body.id as string;
    await call(t.app, 'POST', `/v1/working-groups/${group.body.id as string}/members`, {
      token: c.admin.token,
      body: { userId: c.inA.member.id },
    });
    const create = async (body: Record<string, unknown>) =>
      (await call(t.app, 'POST', '/v1/meetings', { token: c.admin.token, body })).body.id as string;
    ids.community = await create({
      title: 'Community call',
      startsAt: '2027-03-24T09:00:00Z',
      endsAt: '2027-03-24T10:00:00Z',
    });
    ids.group = await create({
      title: 'Advocacy group call',
      startsAt: '2027-03-31T08:00:00Z',
      endsAt: '2027-03-31T09:00:00Z',
      workingGroupId: group.body.id,
    });
    await t.db.query(`UPDATE users SET timezone = 'America/Mexico_City' WHERE id = $1`, [
      c.inA.member.id,
    ]);
  });
  afterAll(() => t.close());

  it('filters the directory by service, population and words, showing each profile (escaped)', async () => {
    const w = await WebClient.signedIn(t.app, c.inB.viewer);
    const found = await w.get(
      '/web/organizations?service=forensic&population=human_rights_defenders&q=defensoras',
    );
    expect(found.status).toBe(200);
    expect(found.html).toContain(c.a.name);
    expect(found.html).not.toContain(c.b.name);
    expect(found.html).toContain(MESSAGES.en['ui.community.service.forensic']);
    expect(found.html).toContain('Signal: defensoras.01');
    expect(found.html).toContain('&lt;b&gt;en riesgo&lt;/b&gt;');
    const none = await w.get('/web/organizations?service=legal&q=defensoras');
    expect(none.html).not.toContain(c.a.name);
    const bad = await w.get('/web/organizations?service=exorcism');
    expect(bad.status).toBe(400);
    expect(bad.html).toMatch(/id="service" name="service" aria-invalid="true"/);
  });

  it("shows a member her meetings in her time zone, the group's only to its members", async () => {
    const member = await WebClient.signedIn(t.app, c.inA.member);
    const page = await member.get('/web/meetings');
    expect(page.status).toBe(200);
    expect(page.html).toContain('America/Mexico_City');
    expect(page.html).toContain(`id="meeting-${ids.community}"`);
    expect(page.html).toContain(`id="meeting-${ids.group}"`);
    // 09:00 UTC is 03:00 in Mexico City (no daylight saving there since 2022).
    const start = new Intl.DateTimeFormat('en', {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: 'America/Mexico_City',
    }).format(new Date('2027-03-24T09:00:00Z'));
    expect(page.html).toContain(`<time datetime="2027-03-24T09:00:00.000Z">${start}</time>`);
    const other = await (await WebClient.signedIn(t.app, outsider)).get('/web/meetings');
    expect(other.html).toContain(`id="meeting-${ids.community}"`);
    expect(other.html).not.toContain(ids.group);
    expect(other.html).not.toContain('Advocacy group call');
    // The admin reads the group's meeting too, but answers only where invited.
    const admin = await (await WebClient.signedIn(t.app, c.admin)).get('/web/meetings');
    expect(admin.html).toContain(`id="meeting-${ids.group}"`);
    expect(admin.html).toContain(`action="/web/meetings/${ids.community}/answer"`);
    expect(admin.html).not.toContain(`action="/web/meetings/${ids.group}/answer"`);
  });

  it('records an answer posted with the CSRF token, and refuses the rest changing nothing', async () => {
    const member = await WebClient.signedIn(t.app, c.inA.member);
    await member.get('/web/meetings');
    const posted = await member.post(`/web/meetings/${ids.group}/answer`, { answer: 'maybe' });
    expect(posted.status).toBe(303);
    expect(posted.headers.location).toBe(`/web/meetings?done=answered#meeting-${ids.group}`);
    await expect(
      t.db.query('SELECT answer FROM meeting_rsvps WHERE meeting_id = $1 AND user_id = $2', [
        ids.group,
        c.inA.member.id,
      ]),
    ).resolves.toEqual([{ answer: 'maybe' }]);

    const before = await answers();
    for (const csrf of [null, 'forged-token-value-forged-token-value-forged']) {
      const answer = await member.post(`/web/meetings/${ids.community}/answer`, {
        answer: 'yes',
        _csrf: csrf,
      });
      expect(answer.status).toBe(403);
    }
    expect(
      (await member.post(`/web/meetings/${ids.community}/answer`, { answer: 'soon' })).status,
    ).toBe(400);
    expect((await member.post('/web/meetings/not-a-uuid/answer', { answer: 'yes' })).status).toBe(
      404,
    );
    // Someone outside the group cannot answer its meeting: not found, nothing stored.
    const other = await WebClient.signedIn(t.app, outsider);
    await other.get('/web/meetings');
    expect((await other.post(`/web/meetings/${ids.group}/answer`, { answer: 'yes' })).status).toBe(
      404,
    );
    await expect(answers()).resolves.toBe(before);
  });

  it("shows a working group's members to its members and the admin, and the 404 page to anyone else", async () => {
    const member = await WebClient.signedIn(t.app, c.inA.member);
    const list = await member.get('/web/working-groups');
    expect(list.html).toContain(`href="/web/working-groups/${ids.workingGroup}"`);
    for (const user of [c.inA.member, c.admin]) {
      const page = await (
        await WebClient.signedIn(t.app, user)
      ).get(`/web/working-groups/${ids.workingGroup}`);
      expect(page.status).toBe(200);
      expect(page.html).toContain(`id="member-${c.inA.member.id}"`);
    }
    for (const user of [outsider, c.inA.orgAdmin]) {
      const w = await WebClient.signedIn(t.app, user);
      // The group's name is known to all, but not as a link to members they may not see.
      expect((await w.get('/web/working-groups')).html).not.toContain(
        `href="/web/working-groups/${ids.workingGroup}"`,
      );
      const page = await w.get(`/web/working-groups/${ids.workingGroup}`);
      expect(page.status).toBe(404);
      expect(page.html).not.toContain(`member-${c.inA.member.id}`);
    }
    expect((await member.get('/web/working-groups/not-a-uuid')).status).toBe(404);
  });
});
