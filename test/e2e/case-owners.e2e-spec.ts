import { CaseEventPageResponseDto } from '../../src/cases/dto/case-event.dto';
import { CaseResponseDto } from '../../src/cases/dto/case.dto';
import { caseBody, createCase } from '../factories/case.factory';
import { createCommunity, createUser, TestUser } from '../factories/community.factory';
import { createContact } from '../factories/contact.factory';
import { Page } from '../support/checks';
import { call, expectProblem } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';
import { WebClient } from '../support/web-client';
import { MESSAGES } from '../../src/i18n/labels';

/**
 * Who follows a case up (issue 16): the owner is set when the case is logged, changed by PATCH
 * and told on the timeline, and the list finds "mine" and "unassigned"; contact changes are on
 * the timeline too, and a follow-up says which channel it went through. Refusals change nothing.
 */
describe('case owners, handovers and follow-up channels (e2e)', () => {
  let t: TestApp;
  let c: Awaited<ReturnType<typeof createCommunity>>;
  let colleague: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    c = await createCommunity(t.app);
    colleague = await createUser(t.app, c.a.id, 'member');
  });
  afterAll(() => t.close());

  const get = (token: string, id: string) =>
    call<CaseResponseDto>(t.app, 'GET', `/v1/cases/${id}`, { token });
  const patch = (token: string, id: string, version: number, body: Record<string, unknown>) =>
    call<CaseResponseDto>(t.app, 'PATCH', `/v1/cases/${id}`, {
      token,
      body,
      headers: { 'if-match': `"${version}"` },
    });
  const timeline = async (id: string) =>
    (
      await call<CaseEventPageResponseDto>(t.app, 'GET', `/v1/cases/${id}/events`, {
        token: c.inA.member.token,
      })
    ).body.data;
  const listIds = async (token: string, owner: string) => {
    const answer = await call<Page<CaseResponseDto>>(t.app, 'GET', '/v1/cases', {
      token,
      query: { owner, limit: '100' },
    });
    expect(answer.status).toBe(200);
    return answer.body.data.map((x) => x.id);
  };

  it('whoever logs a case owns it unless they name a colleague or nobody', async () => {
    const mine = await createCase(t.app, c.inA.member.token);
    expect(mine.ownerId).toBe(c.inA.member.id);
    const theirs = await createCase(t.app, c.inA.member.token, { ownerId: colleague.id });
    expect(theirs.ownerId).toBe(colleague.id);
    const nobody = await createCase(t.app, c.inA.member.token, { ownerId: null });
    expect(nobody.ownerId).toBeNull();
    // The community's admin may log a case but follows none up: it starts unassigned.
    expect((await createCase(t.app, c.admin.token)).ownerId).toBeNull();
    expect((await get(c.inA.member.token, theirs.id)).body.ownerId).toBe(colleague.id);

    // The rows say the same as the answers.
    const rows = await t.db.query<{ id: string; owner_id: string | null }[]>(
      'SELECT id, owner_id FROM cases WHERE id = ANY($1)',
      [[mine.id, theirs.id, nobody.id]],
    );
    expect(Object.fromEntries(rows.map((r) => [r.id, r.owner_id]))).toEqual({
      [mine.id]: c.inA.member.id,
      [theirs.id]: colleague.id,
      [nobody.id]: null,
    });

    // mine / none / a colleague's id, counted from the rows of this organisation.
    const owned = await t.db.query<{ id: string; owner_id: string | null }[]>(
      'SELECT id, owner_id FROM cases WHERE organization_id = $1',
      [c.a.id],
    );
    const idsOf = (owner: string | null) =>
      owned
        .filter((r) => r.owner_id === owner)
        .map((r) => r.id)
        .sort();
    expect((await listIds(c.inA.member.token, 'me')).sort()).toEqual(idsOf(c.inA.member.id));
    expect((await listIds(c.inA.member.token, 'none')).sort()).toEqual(idsOf(null));
    expect((await listIds(c.inA.member.token, colleague.id)).sort()).toEqual(idsOf(colleague.id));
    expect(await listIds(colleague.token, 'me')).toEqual([theirs.id]);
    // Another organisation's member finds none of them, whatever the filter.
    expect(await listIds(c.inB.member.token, c.inA.member.id)).toEqual([]);
  });

  it('refuses an owner who may not own the case, and writes nothing', async () => {
    const before = await t.db.query<{ count: string }[]>('SELECT count(*) FROM cases');
    for (const ownerId of [
      c.inB.member.id, // another organisation
      c.inA.viewer.id, // a viewer
      c.admin.id, // the community admin
      '00000000-0000-4000-8000-000000000000', // nobody
    ]) {
      const answer = await call(t.app, 'POST', '/v1/cases', {
        token: c.inA.member.token,
        body: { ...caseBody(), ownerId },
      });
      const problem = expectProblem(answer, 400);
      expect(problem.errors).toEqual([expect.objectContaining({ field: 'ownerId' })]);
    }
    const wrongType = await call(t.app, 'POST', '/v1/cases', {
      token: c.inA.member.token,
      body: { ...caseBody(), ownerId: 42 },
    });
    expectProblem(wrongType, 400);
    const after = await t.db.query<{ count: string }[]>('SELECT count(*) FROM cases');
    expect(after[0].count).toBe(before[0].count);

    // A RED case: only its creator or someone named on it.
    const red = await createCase(t.app, c.inA.member.token, { tlp: 'RED' });
    const refused = await patch(c.inA.member.token, red.id, red.version, { ownerId: colleague.id });
    expect(expectProblem(refused, 400).errors).toEqual([
      expect.objectContaining({ field: 'ownerId' }),
    ]);
    const named = await patch(c.inA.member.token, red.id, red.version, {
      shareWithUserIds: [colleague.id],
      ownerId: colleague.id,
    });
    expect(named.status).toBe(200);
    expect(named.body.ownerId).toBe(colleague.id);
  });

  it('a new owner and a new contact are steps of the timeline; nothing when unchanged', async () => {
    const contact = await createContact(t.app, c.inA.member.token);
    const logged = await createCase(t.app, c.inA.member.token, { contactId: null });
    const changed = await patch(c.inA.member.token, logged.id, logged.version, {
      ownerId: colleague.id,
      contactId: contact.id,
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ ownerId: colleague.id, contactId: contact.id });

    const again = await patch(c.inA.member.token, logged.id, changed.body.version, {
      ownerId: colleague.id,
    });
    expect(again.status).toBe(200);
    expect(again.body.version).toBe(changed.body.version);

    const unassigned = await patch(c.inA.member.token, logged.id, changed.body.version, {
      ownerId: null,
    });
    expect(unassigned.body.ownerId).toBeNull();

    const steps = (await timeline(logged.id)).filter((e) =>
      ['owner_changed', 'contact_changed'].includes(e.type),
    );
    expect(steps.map((e) => ({ type: e.type, details: e.details, by: e.actorUserId }))).toEqual([
      {
        type: 'contact_changed',
        details: { previousContactId: null, contactId: contact.id },
        by: c.inA.member.id,
      },
      {
        type: 'owner_changed',
        details: { previousOwnerId: c.inA.member.id, ownerId: colleague.id },
        by: c.inA.member.id,
      },
      {
        type: 'owner_changed',
        details: { previousOwnerId: colleague.id, ownerId: null },
        by: c.inA.member.id,
      },
    ]);
    // Clients cannot write these steps themselves.
    const forged = await call(t.app, 'POST', `/v1/cases/${logged.id}/events`, {
      token: c.inA.member.token,
      body: { type: 'owner_changed' },
    });
    expectProblem(forged, 400);

    // Another organisation cannot hand the case over.
    const outsider = await patch(c.inB.member.token, logged.id, unassigned.body.version, {
      ownerId: c.inB.member.id,
    });
    expect(outsider.status).toBe(404);
  });

  it('a follow-up names the channel it went through, a channel of the case platform', async () => {
    const logged = await createCase(t.app, c.inA.member.token, {
      escalatedAt: new Date(Date.now() - 3_600_000).toISOString(),
    });
    const events = `/v1/cases/${logged.id}/events`;
    const post = (body: Record<string, unknown>) =>
      call(t.app, 'POST', events, { token: c.inA.member.token, body });

    for (const [body, field] of [
      [{ type: 'follow_up_sent', channelCode: 'no_such_channel' }, 'channelCode'],
      [{ type: 'follow_up_sent', channelCode: 'Not A Code!' }, 'channelCode'],
      [{ type: 'platform_acknowledged', channelCode: 'email' }, 'channelCode'],
    ] as const) {
      const problem = expectProblem(await post(body), 400);
      expect(problem.errors).toEqual([expect.objectContaining({ field })]);
    }
    expect((await timeline(logged.id)).map((e) => e.type).sort()).toEqual(['created', 'escalated']);

    const channels = await t.db.query<{ code: string }[]>(
      `SELECT ch.code FROM channels ch JOIN platforms p ON p.id = ch.platform_id
        WHERE p.code = $1 AND ch.code <> $2 ORDER BY ch.code LIMIT 1`,
      [logged.platformCode, logged.channelCode],
    );
    expect(channels).toHaveLength(1);
    const sentAt = new Date(Date.now() - 600_000).toISOString();
    const sent = await post({
      type: 'follow_up_sent',
      channelCode: channels[0].code,
      occurredAt: sentAt,
    });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({
      type: 'follow_up_sent',
      occurredAt: sentAt,
      details: { channelCode: channels[0].code },
    });
  });

  it('the case page refuses a wrong owner, a stale form and a bad step time, and writes nothing', async () => {
    const logged = await createCase(t.app, c.inA.member.token, {
      escalatedAt: new Date(Date.now() - 3_600_000).toISOString(),
    });
    const state = async () =>
      (
        await t.db.query<{ owner_id: string | null; version: number; events: string }[]>(
          `SELECT owner_id, version, (SELECT count(*) FROM case_events WHERE case_id = c.id) AS events
             FROM cases c WHERE id = $1`,
          [logged.id],
        )
      )[0];
    const before = await state();
    const w = await WebClient.signedIn(t.app, c.inA.member);
    const page = `/web/cases/${logged.id}`;

    // A viewer may not own a case: the page again, 400, the error on the owner field.
    await w.get(page);
    const wrong = await w.post(`${page}/owner`, {
      ownerId: c.inA.viewer.id,
      version: String(logged.version),
    });
    expect(wrong.status).toBe(400);
    expect(wrong.html).toContain('aria-describedby="owner-error"');
    // A form read before someone else's change: nothing saved, the page says so.
    await w.get(page);
    const stale = await w.post(`${page}/owner`, {
      ownerId: colleague.id,
      version: String(logged.version - 1),
    });
    expect(stale.status).toBe(409);
    expect(stale.html).toContain(MESSAGES.en['ui.case.stale']);
    // A step dated with something that is no time.
    await w.get(page);
    const badTime = await w.post(`${page}/events`, {
      type: 'follow_up_sent',
      occurredAt: '2026-02-30T10:00',
    });
    expect(badTime.status).toBe(400);
    expect(badTime.html).toContain('aria-describedby="follow_up_sent-occurredAt-error"');
    expect(await state()).toEqual(before);

    // Another organisation's member gets the not-found page and changes nothing either.
    const outsider = await WebClient.signedIn(t.app, c.inB.member);
    await outsider.get('/web/cases');
    const hidden = await outsider.post(`${page}/owner`, {
      ownerId: c.inB.member.id,
      version: String(logged.version),
    });
    expect(hidden.status).toBe(404);
    expect(hidden.html).not.toContain(logged.title);
    expect(await state()).toEqual(before);

    // The right form, at the version read, hands it over.
    await w.get(page);
    const handed = await w.post(`${page}/owner`, {
      ownerId: colleague.id,
      version: String(logged.version),
    });
    expect(handed.status).toBe(303);
    expect((await state()).owner_id).toBe(colleague.id);
  });
});
