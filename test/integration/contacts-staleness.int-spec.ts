import { ContactsProcessor } from '../../src/contacts/contacts.processor';
import { call } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';
import { createOrganization, createUser, TestUser } from '../factories/community.factory';
import { createContact } from '../factories/contact.factory';

interface EventRow {
  contact_id: string;
  actor_user_id: string | null;
  changes: { status: { from: string; to: string }; lastVerifiedAt: string | null };
}

/** Moves a contact's creation (and optionally its last verification) into the past. */
async function age(
  t: TestApp,
  id: string,
  createdDaysAgo: number,
  verifiedDaysAgo?: number,
): Promise<void> {
  await t.db.query(
    `UPDATE contacts SET created_at = now() - make_interval(days => $2),
            last_verified_at = CASE WHEN $3::int IS NULL THEN NULL ELSE now() - make_interval(days => $3::int) END
      WHERE id = $1`,
    [id, createdDaysAgo, verifiedDaysAgo ?? null],
  );
}

const statusOf = async (t: TestApp, ids: string[]) =>
  Object.fromEntries(
    (
      (await t.db.query('SELECT id, status::text FROM contacts WHERE id = ANY($1)', [ids])) as {
        id: string;
        status: string;
      }[]
    ).map((r) => [r.id, r.status]),
  );

const staleEvents = async (t: TestApp, ids: string[]) =>
  (await t.db.query(
    `SELECT contact_id, actor_user_id, changes FROM contact_events
      WHERE type = 'marked_unverified' AND contact_id = ANY($1)`,
    [ids],
  )) as EventRow[];

describe('contact staleness sweep', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ APP_ROLE: 'all' });
  });
  afterAll(() => t.close());

  describe('ContactsProcessor.markStale (CONTACT_STALE_DAYS = 90)', () => {
    let member: TestUser;
    let processor: ContactsProcessor;

    beforeAll(async () => {
      processor = t.app.get(ContactsProcessor);
      // The sweep scheduled at boot must not run behind these tests' backs: they call it directly.
      await processor.worker.pause();
      member = await createUser(t.app, (await createOrganization(t.app)).id, 'member');
    });

    const newContact = async () => (await createContact(t.app, member.token)).id;

    it('is part of the app built for APP_ROLE=all, with the default of 90 days', () => {
      expect(processor).toBeInstanceOf(ContactsProcessor);
      expect(t.config.contactStaleDays).toBe(90);
    });

    it('marks only active contacts not verified for 90 days, recording it in their history', async () => {
      const neverVerified = await newContact();
      const verifiedLongAgo = await newContact();
      const verifiedRecently = await newContact();
      const recordedRecently = await newContact();
      const fresh = await newContact();
      const unresponsive = await newContact();
      const left = await newContact();
      await age(t, neverVerified, 100);
      await age(t, verifiedLongAgo, 200, 95);
      await age(t, verifiedRecently, 200, 10);
      await age(t, recordedRecently, 89);
      expect(
        (
          await call(t.app, 'PATCH', `/v1/contacts/${unresponsive}`, {
            token: member.token,
            body: { status: 'unresponsive' },
          })
        ).status,
      ).toBe(200);
      expect(
        (
          await call(t.app, 'POST', `/v1/contacts/${left}/departure`, {
            token: member.token,
            body: { leftOn: '2025-01-31', reason: 'Left' },
          })
        ).status,
      ).toBe(201);
      await age(t, unresponsive, 100);
      await age(t, left, 100);
      const all = [
        neverVerified,
        verifiedLongAgo,
        verifiedRecently,
        recordedRecently,
        fresh,
        unresponsive,
        left,
      ];

      await expect(processor.markStale()).resolves.toEqual({ marked: 2 });

      await expect(statusOf(t, all)).resolves.toEqual({
        [neverVerified]: 'unverified',
        [verifiedLongAgo]: 'unverified',
        [verifiedRecently]: 'active',
        [recordedRecently]: 'active',
        [fresh]: 'active',
        [unresponsive]: 'unresponsive',
        [left]: 'left',
      });
      const events = await staleEvents(t, all);
      expect(events.map((e) => e.contact_id).sort()).toEqual(
        [neverVerified, verifiedLongAgo].sort(),
      );
      const never = events.find((e) => e.contact_id === neverVerified)!;
      expect(never).toEqual({
        contact_id: neverVerified,
        actor_user_id: null,
        changes: { status: { from: 'active', to: 'unverified' }, lastVerifiedAt: null },
      });
      const long = events.find((e) => e.contact_id === verifiedLongAgo)!;
      expect(long.changes.status).toEqual({ from: 'active', to: 'unverified' });
      const [{ last_verified_at }] = (await t.db.query(
        'SELECT last_verified_at FROM contacts WHERE id = $1',
        [verifiedLongAgo],
      )) as { last_verified_at: Date }[];
      expect(Date.parse(long.changes.lastVerifiedAt!)).toBe(last_verified_at.getTime());

      // The API shows the change in the contact's history, made by the service itself.
      const history = await call<{ data: { type: string; actorUserId: string | null }[] }>(
        t.app,
        'GET',
        `/v1/contacts/${neverVerified}/history`,
        { token: member.token },
      );
      expect(history.body.data.map((e) => [e.type, e.actorUserId])).toEqual([
        ['marked_unverified', null],
        ['created', member.id],
      ]);
      const detail = await call(t.app, 'GET', `/v1/contacts/${neverVerified}`, {
        token: member.token,
      });
      expect(detail.body).toMatchObject({ status: 'unverified', lastVerifiedAt: null });
    });

    it('changes nothing when it runs a second time', async () => {
      const ids = [await newContact(), await newContact()];
      for (const id of ids) await age(t, id, 120);
      await expect(processor.markStale()).resolves.toEqual({ marked: 2 });
      const snapshot = await t.db.query(
        'SELECT id, status::text, updated_at FROM contacts WHERE id = ANY($1) ORDER BY id',
        [ids],
      );

      await expect(processor.markStale()).resolves.toEqual({ marked: 0 });

      await expect(
        t.db.query(
          'SELECT id, status::text, updated_at FROM contacts WHERE id = ANY($1) ORDER BY id',
          [ids],
        ),
      ).resolves.toEqual(snapshot);
      await expect(staleEvents(t, ids)).resolves.toHaveLength(2);
    });

    it('marks each contact once when several workers run it at the same time', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 6; i += 1) ids.push(await newContact());
      for (const id of ids) await age(t, id, 150);

      const results = await Promise.all([1, 2, 3].map(() => processor.markStale()));

      expect(results.reduce((sum, r) => sum + r.marked, 0)).toBe(6);
      const events = await staleEvents(t, ids);
      expect(events.map((e) => e.contact_id).sort()).toEqual([...ids].sort());
      await expect(statusOf(t, ids)).resolves.toEqual(
        Object.fromEntries(ids.map((id) => [id, 'unverified'])),
      );
    });

    it('leaves a contact verified again after being marked alone', async () => {
      const id = await newContact();
      await age(t, id, 100);
      await expect(processor.markStale()).resolves.toEqual({ marked: 1 });
      const verified = await call(t.app, 'POST', `/v1/contacts/${id}/verify`, {
        token: member.token,
        body: { note: 'Still there' },
      });
      expect(verified.status).toBe(201);
      expect(verified.body.status).toBe('active');
      await expect(processor.markStale()).resolves.toEqual({ marked: 0 });
      await expect(statusOf(t, [id])).resolves.toEqual({ [id]: 'active' });
    });
  });

  describe('the repeatable job on the real queue', () => {
    it('marks an old contact through BullMQ and Redis within a few seconds', async () => {
      // An app of its own: a 5 s sweep, a 30-day threshold, its own database and queue prefix.
      const q = await createTestApp({
        APP_ROLE: 'all',
        SWEEP_INTERVAL_SECONDS: '5',
        CONTACT_STALE_DAYS: '30',
      });
      try {
        const member = await createUser(q.app, (await createOrganization(q.app)).id, 'member');
        const stale = (await createContact(q.app, member.token)).id;
        const recent = (await createContact(q.app, member.token)).id;
        await age(q, stale, 40);
        await age(q, recent, 20);

        const deadline = Date.now() + 12_000;
        let status = 'active';
        while (Date.now() < deadline) {
          status = (await statusOf(q, [stale]))[stale];
          if (status === 'unverified') break;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }

        expect(status).toBe('unverified');
        await expect(statusOf(q, [stale, recent])).resolves.toEqual({
          [stale]: 'unverified',
          [recent]: 'active',
        });
        await expect(staleEvents(q, [stale, recent])).resolves.toEqual([
          expect.objectContaining({ contact_id: stale, actor_user_id: null }),
        ]);
        expect(q.logs).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ msg: 'job done', job: 'contact-staleness' }),
          ]),
        );
      } finally {
        await q.close();
      }
    });
  });
});
