import { CaseEventResponseDto, CaseEventPageResponseDto } from '../../src/cases/dto/case-event.dto';
import { CaseResponseDto } from '../../src/cases/dto/case.dto';
import { createCommunity } from '../factories/community.factory';
import { caseBody, createCase } from '../factories/case.factory';
import { countRows, Page, walkPages } from '../support/checks';
import { call, expectProblem } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';

describe('cases (e2e)', () => {
  let t: TestApp;
  let community: Awaited<ReturnType<typeof createCommunity>>;

  beforeAll(async () => {
    t = await createTestApp();
    community = await createCommunity(t.app);
  });
  afterAll(() => t.close());

  const member = () => community.inA.member;
  const event = (id: string, body: Record<string, unknown>, token = member().token) =>
    call<CaseEventResponseDto>(t.app, 'POST', `/v1/cases/${id}/events`, { token, body });

  describe('POST /v1/cases', () => {
    it('logs an escalated case: reference, dueAt from the channel, version 1, items and normalised indicators', async () => {
      const answer = await call<CaseResponseDto>(t.app, 'POST', '/v1/cases', {
        token: member().token,
        body: caseBody({
          indicators: [
            { kind: 'account_handle', value: '@Attacker_1' },
            { kind: 'account_handle', value: 'attacker_1' },
            { kind: 'hashtag', value: '#Fuera' },
          ],
        }),
      });
      expect(answer.status).toBe(201);
      const c = answer.body;
      expect(c).toMatchObject({
        reference: expect.stringMatching(/^ESC-\d{4}-\d{6}$/),
        organizationId: community.a.id,
        createdBy: member().id,
        platformCode: 'facebook',
        channelCode: 'trusted_partner',
        status: 'escalated',
        tlp: 'AMBER+STRICT',
        escalatedAt: '2026-03-02T10:00:00.000Z',
        // trusted_partner promises 72 hours.
        dueAt: '2026-03-05T10:00:00.000Z',
        firstResponseAt: null,
        consentToSharePattern: false,
        version: 1,
        items: [
          {
            url: 'https://facebook.com/posts/123',
            kind: 'post',
            contentSha256: null,
            capturedAt: null,
          },
        ],
        // The two spellings of the handle are one indicator.
        indicators: [
          { kind: 'account_handle', value: 'attacker_1' },
          { kind: 'hashtag', value: 'fuera' },
        ],
      });
      expect(answer.headers.etag).toBe('"1"');
      const events = await t.db.query(
        'SELECT type, status_after FROM case_events WHERE case_id = $1 ORDER BY occurred_at DESC',
        [c.id],
      );
      expect(events).toEqual([
        { type: 'created', status_after: 'draft' },
        { type: 'escalated', status_after: 'escalated' },
      ]);
      const audit = await countRows(
        t.db,
        `SELECT count(*)::int AS n FROM audit_entries WHERE action = 'case.created' AND target_id = $1`,
        [c.id],
      );
      expect(audit).toBe(1);
      // The same case read back is what the POST answered.
      const read = await call<CaseResponseDto>(t.app, 'GET', `/v1/cases/${c.id}`, {
        token: member().token,
      });
      expect(read.body).toEqual(c);
    });

    it('without escalatedAt the case is a draft with no deadline; critical urgency caps the window at 24 h', async () => {
      const draft = await createCase(t.app, member().token, { escalatedAt: undefined });
      expect(draft).toMatchObject({ status: 'draft', escalatedAt: null, dueAt: null });
      const critical = await createCase(t.app, member().token, { urgency: 'critical' });
      expect(critical.dueAt).toBe('2026-03-03T10:00:00.000Z');
    });

    it("takes a channel's changed response time into the next case's dueAt at once", async () => {
      const admin = community.admin.token;
      const channels = '/v1/platforms/facebook/channels';
      const created = await call(t.app, 'POST', channels, {
        token: admin,
        body: { code: 'hours_test', name: 'Hours test', kind: 'email', expectedResponseHours: 48 },
      });
      expect(created.status).toBe(201);
      const first = await createCase(t.app, member().token, { channelCode: 'hours_test' });
      expect(first.dueAt).toBe('2026-03-04T10:00:00.000Z');
      const changed = await call(t.app, 'PATCH', `${channels}/hours_test`, {
        token: admin,
        body: { expectedResponseHours: 12 },
      });
      expect(changed.status).toBe(200);
      const second = await createCase(t.app, member().token, { channelCode: 'hours_test' });
      expect(second.dueAt).toBe('2026-03-02T22:00:00.000Z');
    });

    it('gives every case its own reference', async () => {
      const cases = await Promise.all(
        Array.from({ length: 8 }, () => createCase(t.app, member().token)),
      );
      expect(new Set(cases.map((c) => c.reference)).size).toBe(8);
    });

    it('an Idempotency-Key makes a retry return the first case, and a different body under it 422', async () => {
      const key = `retry-${Date.now()}`;
      const body = caseBody();
      const first = await call<CaseResponseDto>(t.app, 'POST', '/v1/cases', {
        token: member().token,
        body,
        headers: { 'idempotency-key': key },
      });
      const second = await call<CaseResponseDto>(t.app, 'POST', '/v1/cases', {
        token: member().token,
        body,
        headers: { 'idempotency-key': key },
      });
      expect([first.status, second.status]).toEqual([201, 201]);
      expect(second.body.id).toBe(first.body.id);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(
        await countRows(t.db, 'SELECT count(*)::int AS n FROM cases WHERE title = $1', [
          body.title,
        ]),
      ).toBe(1);
      const other = await call(t.app, 'POST', '/v1/cases', {
        token: member().token,
        body: { ...body, title: 'Another case' },
        headers: { 'idempotency-key': key },
      });
      expectProblem(other, 422);
      expect(
        await countRows(t.db, `SELECT count(*)::int AS n FROM cases WHERE title = 'Another case'`),
      ).toBe(0);
    });

    it('parallel retries with one key still create one case', async () => {
      const key = `parallel-${Date.now()}`;
      const body = caseBody();
      const answers = await Promise.all(
        Array.from({ length: 5 }, () =>
          call<CaseResponseDto>(t.app, 'POST', '/v1/cases', {
            token: member().token,
            body,
            headers: { 'idempotency-key': key },
          }),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201]);
      expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
      expect(
        await countRows(t.db, 'SELECT count(*)::int AS n FROM cases WHERE title = $1', [
          body.title,
        ]),
      ).toBe(1);
    });

    it('keys are per user: the same key from another user is a new case', async () => {
      const key = `per-user-${Date.now()}`;
      const a = await call<CaseResponseDto>(t.app, 'POST', '/v1/cases', {
        token: member().token,
        body: caseBody(),
        headers: { 'idempotency-key': key },
      });
      const b = await call<CaseResponseDto>(t.app, 'POST', '/v1/cases', {
        token: community.inA.orgAdmin.token,
        body: caseBody(),
        headers: { 'idempotency-key': key },
      });
      expect([a.status, b.status]).toEqual([201, 201]);
      expect(a.body.id).not.toBe(b.body.id);
    });
  });

  describe('timeline', () => {
    it('walks escalated → acknowledged → info requested (paused) → info provided → responded → closed', async () => {
      const c = await createCase(t.app, member().token);
      const steps: Record<string, unknown>[] = [
        { type: 'follow_up_sent', occurredAt: '2026-03-03T09:00:00Z', note: 'Asked again' },
        {
          type: 'platform_acknowledged',
          occurredAt: '2026-03-03T10:00:00Z',
          platformReference: 'FB-991',
        },
        { type: 'platform_requested_info', occurredAt: '2026-03-04T10:00:00Z' },
        { type: 'info_provided', occurredAt: '2026-03-05T10:00:00Z' },
        {
          type: 'platform_responded',
          occurredAt: '2026-03-06T10:00:00Z',
          outcome: 'content_removed',
          quality: {
            reasonGiven: 'yes',
            contextUnderstood: 'no',
            harmRecognisedAsGendered: 'unknown',
            retraumatisingProofRequested: 'no',
          },
          statementOfReasons: { received: true, receivedAt: '2026-03-06T11:00:00Z', puid: 'abc-1' },
        },
        { type: 'closed', occurredAt: '2026-03-07T10:00:00Z' },
      ];
      for (const step of steps) {
        const answer = await event(c.id, step);
        expect({ type: step.type, status: answer.status }).toEqual({
          type: step.type,
          status: 201,
        });
      }
      const read = await call<CaseResponseDto>(t.app, 'GET', `/v1/cases/${c.id}`, {
        token: member().token,
      });
      expect(read.body).toMatchObject({
        status: 'closed',
        outcome: 'content_removed',
        platformReference: 'FB-991',
        firstResponseAt: '2026-03-03T10:00:00.000Z',
        resolvedAt: '2026-03-06T10:00:00.000Z',
        closedAt: '2026-03-07T10:00:00.000Z',
        pausedSeconds: 86400,
        // 72 h window + 24 h stopped.
        dueAt: '2026-03-06T10:00:00.000Z',
        timeToFirstResponseSeconds: 86400,
        timeToResolutionSeconds: 4 * 86400,
        version: 7,
        paused: false,
      });
      const timeline = await call<CaseEventPageResponseDto>(
        t.app,
        'GET',
        `/v1/cases/${c.id}/events`,
        {
          token: member().token,
        },
      );
      expect(timeline.body.data.map((e) => [e.type, e.statusAfter])).toEqual([
        ['escalated', 'escalated'],
        ['follow_up_sent', 'escalated'],
        ['platform_acknowledged', 'acknowledged'],
        ['platform_requested_info', 'acknowledged'],
        ['info_provided', 'acknowledged'],
        ['platform_responded', 'resolved'],
        ['closed', 'closed'],
        ['created', 'draft'],
      ]);
      const responded = timeline.body.data.find((e) => e.type === 'platform_responded')!;
      expect(responded.quality).toEqual(steps[4].quality);
      expect(responded.statementOfReasons).toEqual(steps[4].statementOfReasons);
      expect(timeline.body.data.find((e) => e.type === 'info_provided')!.details).toEqual({
        stoppedSeconds: 86400,
      });
    });

    it('an illegal step is 409 and writes nothing', async () => {
      const c = await createCase(t.app, member().token, { escalatedAt: undefined });
      const before = await countRows(
        t.db,
        'SELECT count(*)::int AS n FROM case_events WHERE case_id = $1',
        [c.id],
      );
      expectProblem(await event(c.id, { type: 'platform_acknowledged' }), 409);
      expectProblem(await event(c.id, { type: 'reopened' }), 409);
      expect(
        await countRows(t.db, 'SELECT count(*)::int AS n FROM case_events WHERE case_id = $1', [
          c.id,
        ]),
      ).toBe(before);
      const [{ version, status }] = await t.db.query(
        'SELECT version, status FROM cases WHERE id = $1',
        [c.id],
      );
      expect({ version, status }).toEqual({ version: 1, status: 'draft' });
    });

    it('escalating a draft starts the clock from the escalation', async () => {
      const c = await createCase(t.app, member().token, {
        escalatedAt: undefined,
        urgency: 'normal',
      });
      expect(
        (await event(c.id, { type: 'escalated', occurredAt: '2026-04-01T08:00:00Z' })).status,
      ).toBe(201);
      const [row] = await t.db.query('SELECT status, due_at FROM cases WHERE id = $1', [c.id]);
      expect(row).toEqual({ status: 'escalated', due_at: new Date('2026-04-04T08:00:00Z') });
    });

    it('the timeline cannot be rewritten, even in SQL', async () => {
      const c = await createCase(t.app, member().token);
      await expect(
        t.db.query('UPDATE case_events SET note = $1 WHERE case_id = $2', ['x', c.id]),
      ).rejects.toThrow(/append-only|refuse/i);
      await expect(
        t.db.query('DELETE FROM case_events WHERE case_id = $1', [c.id]),
      ).rejects.toThrow();
      for (const method of ['PATCH', 'PUT', 'DELETE'] as const) {
        const answer = await call(t.app, method, `/v1/cases/${c.id}/events`, {
          token: member().token,
          body: {},
        });
        expect([404, 405]).toContain(answer.status);
      }
    });
  });

  describe('PATCH /v1/cases/:id', () => {
    it('changes a case at the version read; 428 without If-Match, 412 when stale', async () => {
      const c = await createCase(t.app, member().token);
      const patch = (headers: Record<string, string>, body: Record<string, unknown>) =>
        call<CaseResponseDto>(t.app, 'PATCH', `/v1/cases/${c.id}`, {
          token: member().token,
          body,
          headers,
        });
      expectProblem(await patch({}, { title: 'New title' }), 428);
      const ok = await patch({ 'if-match': '"1"' }, { title: 'New title', urgency: 'critical' });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({
        title: 'New title',
        version: 2,
        dueAt: '2026-03-03T10:00:00.000Z',
      });
      expect(ok.headers.etag).toBe('"2"');
      expectProblem(await patch({ 'if-match': '1' }, { title: 'Lost update' }), 412);
      const [row] = await t.db.query('SELECT title, version FROM cases WHERE id = $1', [c.id]);
      expect(row).toEqual({ title: 'New title', version: 2 });
      const audit = await t.db.query(
        `SELECT details FROM audit_entries WHERE action = 'case.updated' AND target_id = $1`,
        [c.id],
      );
      expect(audit).toEqual([{ details: { fields: ['dueAt', 'title', 'urgency'] } }]);
    });

    it('reads If-Match as RFC 9110 does: a list matches when one strong tag does, * always', async () => {
      const c = await createCase(t.app, member().token);
      const patch = (ifMatch: string, title: string) =>
        call<CaseResponseDto>(t.app, 'PATCH', `/v1/cases/${c.id}`, {
          token: member().token,
          body: { title },
          headers: { 'if-match': ifMatch },
        });
      const listed = await patch('W/"1", "0", "1"', 'Listed');
      expect(listed.status).toBe(200);
      expect(listed.body).toMatchObject({ title: 'Listed', version: 2 });
      const any = await patch('*', 'Any');
      expect(any.status).toBe(200);
      expect(any.body).toMatchObject({ title: 'Any', version: 3 });
      expectProblem(await patch('W/"3"', 'Weak'), 412);
      const [row] = await t.db.query('SELECT title, version FROM cases WHERE id = $1', [c.id]);
      expect(row).toEqual({ title: 'Any', version: 3 });
    });
  });

  describe('GET /v1/cases', () => {
    it('filters, searches and pages through the visible cases', async () => {
      const tag = `zq${Date.now()}`;
      for (let i = 0; i < 5; i += 1) {
        await createCase(t.app, member().token, {
          title: `Impersonation wave ${tag} ${i}`,
          categoryCode: 'impersonation',
          subcategoryCode: 'fake_profile',
          country: 'EC',
        });
      }
      const { rows, pages } = await walkPages<CaseResponseDto>(t.app, '/v1/cases', {
        token: member().token,
        limit: 2,
        query: { q: tag },
      });
      expect(rows).toHaveLength(5);
      expect(pages).toBe(3);
      const filtered = await call<Page<CaseResponseDto>>(t.app, 'GET', '/v1/cases', {
        token: member().token,
        query: {
          category: 'impersonation',
          country: 'EC',
          status: 'escalated',
          platform: 'facebook',
        },
      });
      expect(filtered.body.data.length).toBeGreaterThanOrEqual(5);
      expect(
        filtered.body.data.every((c) => c.categoryCode === 'impersonation' && c.country === 'EC'),
      ).toBe(true);
      const byReference = await call<Page<CaseResponseDto>>(t.app, 'GET', '/v1/cases', {
        token: member().token,
        query: { q: rows[0].reference },
      });
      expect(byReference.body.data.map((c) => c.id)).toEqual([rows[0].id]);
      const count = await call(t.app, 'GET', '/v1/cases/count', {
        token: member().token,
        query: { q: tag },
      });
      expect(count.body).toEqual({ count: 5 });
    });

    it('overdue: waiting for the platform past dueAt, but not while the clock is stopped', async () => {
      const tag = `od${Date.now()}`;
      const late = await createCase(t.app, member().token, { title: `late ${tag}` });
      const paused = await createCase(t.app, member().token, { title: `paused ${tag}` });
      await event(paused.id, {
        type: 'platform_requested_info',
        occurredAt: '2026-03-02T12:00:00Z',
      });
      const answered = await createCase(t.app, member().token, { title: `answered ${tag}` });
      await event(answered.id, {
        type: 'platform_responded',
        occurredAt: '2026-03-02T12:00:00Z',
        outcome: 'content_removed',
      });
      const overdue = await call<Page<CaseResponseDto>>(t.app, 'GET', '/v1/cases', {
        token: member().token,
        query: { q: tag, overdue: 'true' },
      });
      expect(overdue.body.data.map((c) => c.id)).toEqual([late.id]);
      expect(overdue.body.data[0].overdue).toBe(true);
    });
  });

  describe('contact departures', () => {
    it('flag the open cases that went through the contact, with a contact_changed event', async () => {
      const contact = await call<{ id: string }>(t.app, 'POST', '/v1/contacts', {
        token: member().token,
        body: { platformCode: 'facebook', fullName: 'Ana Platform' },
      });
      expect(contact.status).toBe(201);
      const open = await createCase(t.app, member().token, { contactId: contact.body.id });
      const closed = await createCase(t.app, member().token, { contactId: contact.body.id });
      await event(closed.id, { type: 'closed' });
      const departure = await call(t.app, 'POST', `/v1/contacts/${contact.body.id}/departure`, {
        token: member().token,
        body: { leftOn: '2026-03-10', reason: 'Left the company' },
      });
      expect(departure.status).toBe(201);
      const needing = await call<Page<CaseResponseDto>>(t.app, 'GET', '/v1/cases', {
        token: member().token,
        query: { needsContact: 'true' },
      });
      expect(needing.body.data.map((c) => c.id)).toEqual([open.id]);
      const timeline = await call<CaseEventPageResponseDto>(
        t.app,
        'GET',
        `/v1/cases/${open.id}/events`,
        {
          token: member().token,
        },
      );
      expect(timeline.body.data.filter((e) => e.type === 'contact_changed')).toEqual([
        expect.objectContaining({
          actorUserId: null,
          details: { contactId: contact.body.id, successorId: null },
        }),
      ]);
      // Picking a new contact clears the flag.
      const successor = await call<{ id: string }>(t.app, 'POST', '/v1/contacts', {
        token: member().token,
        body: { platformCode: 'facebook', fullName: 'Bea Platform' },
      });
      const current = await call<CaseResponseDto>(t.app, 'GET', `/v1/cases/${open.id}`, {
        token: member().token,
      });
      const patched = await call<CaseResponseDto>(t.app, 'PATCH', `/v1/cases/${open.id}`, {
        token: member().token,
        headers: { 'if-match': String(current.body.version) },
        body: { contactId: successor.body.id },
      });
      expect(patched.body).toMatchObject({ contactId: successor.body.id, needsContact: false });
    });
  });
});
