import { randomUUID } from 'node:crypto';
import { DomainEvents } from '../../src/common/events/domain-events';
import { TransactionRunner } from '../../src/database/transaction';
import { PatternProjection } from '../../src/patterns/pattern-projection';
import { createOrganization, createUser, TestUser } from '../factories/community.factory';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * The shared repository's projection on real PostgreSQL, without HTTP: what a write notes (the
 * trigger on cases, timeline and indicators, whatever wrote them), what the worker builds from
 * the notes, and a case leaving the repository inside its writer's transaction, also while a
 * projection of it is under way. Expectations come from the case rows, never from the code
 * under test.
 */
describe('pattern projection (PostgreSQL, no HTTP)', () => {
  let t: TestApp;
  let projection: PatternProjection;
  let a: TestUser;
  let b: TestUser;
  let channel: { platform_id: string; id: string };

  const noted = async (): Promise<string[]> =>
    (
      (await t.db.query('SELECT case_id FROM pattern_pending ORDER BY case_id')) as {
        case_id: string;
      }[]
    ).map((r) => r.case_id);
  /** Takes the notes the way the worker does (a note dropped by hand would lose a record). */
  const clearNotes = () => projection.catchUp();

  /** A case written by SQL, as any writer could: escalated in March 2026 unless told. */
  async function insertCase(
    user: TestUser,
    values: { consent?: boolean; tlp?: string; escalated?: boolean } = {},
  ): Promise<string> {
    const id = randomUUID();
    await t.db.query(
      `INSERT INTO cases (id, reference, organization_id, created_by, platform_id, channel_id,
         title, summary, category_code, target_groups, country, urgency, tlp, status,
         escalated_at, due_at, consent_to_share_pattern)
       VALUES ($1::uuid, 'T-' || substr($1::text, 1, 13), $2, $3, $4, $5, 'Title', 'Summary', 'doxxing',
         '{women}', 'BO', 'normal', $6::tlp, $7::case_status, $8, $9, $10)`,
      [
        id,
        user.organizationId,
        user.id,
        channel.platform_id,
        channel.id,
        values.tlp ?? 'AMBER',
        values.escalated === false ? 'draft' : 'escalated',
        values.escalated === false ? null : '2026-03-02T10:00:00Z',
        values.escalated === false ? null : '2026-03-04T10:00:00Z',
        values.consent ?? true,
      ],
    );
    return id;
  }

  /** Records as the test expects them: consenting, escalated, not RED (from the case rows). */
  const expectedRecords = async () =>
    (
      (await t.db.query(
        `SELECT id, organization_id, pattern_key FROM cases
          WHERE consent_to_share_pattern AND escalated_at IS NOT NULL AND tlp <> 'RED'
          ORDER BY id`,
      )) as { id: string; organization_id: string; pattern_key: number }[]
    ).map((c) => ({ caseId: c.id, organizationId: c.organization_id, key: c.pattern_key }));
  const records = async () =>
    (
      (await t.db.query(
        `SELECT case_id, organization_id, record_key FROM pattern_records ORDER BY case_id`,
      )) as { case_id: string; organization_id: string; record_key: number }[]
    ).map((r) => ({ caseId: r.case_id, organizationId: r.organization_id, key: r.record_key }));
  /** Cases the rollups count, per organisation (every record is in the scorecard counts). */
  const counted = async () =>
    Object.fromEntries(
      (
        (await t.db.query(
          `SELECT organization_id, sum(cases)::int AS n FROM pattern_scorecard_counts
            GROUP BY 1`,
        )) as { organization_id: string; n: number }[]
      ).map((r) => [r.organization_id, r.n]),
    );
  const countedFromRecords = async () => {
    const byOrg: Record<string, number> = {};
    for (const r of await expectedRecords()) {
      byOrg[r.organizationId] = (byOrg[r.organizationId] ?? 0) + 1;
    }
    return byOrg;
  };

  beforeAll(async () => {
    t = await createTestApp();
    projection = t.app.get(PatternProjection);
    a = await createUser(t.app, (await createOrganization(t.app)).id, 'member');
    b = await createUser(t.app, (await createOrganization(t.app)).id, 'member');
    [channel] = await t.db.query(
      `SELECT ch.platform_id, ch.id FROM channels ch JOIN platforms p ON p.id = ch.platform_id
        WHERE p.code = 'facebook' AND ch.code = 'trusted_partner'`,
    );
  });
  afterAll(() => t.close());

  beforeEach(() => clearNotes());

  describe('what a write notes', () => {
    it('notes a consenting case when it is written, and nothing for one that never consented', async () => {
      const consenting = await insertCase(a);
      const draft = await insertCase(a, { escalated: false });
      await insertCase(a, { consent: false });
      expect(await noted()).toEqual([consenting, draft].sort());
    });

    it('notes a change of what a record holds, never a change of anything else', async () => {
      const id = await insertCase(a);
      const other = await insertCase(a, { consent: false });
      await clearNotes();
      await t.db.query(
        `UPDATE cases SET title = 'New', summary = 'New', next_reminder_at = now(),
                reminders_sent = 1, version = version + 1 WHERE id = ANY($1)`,
        [[id, other]],
      );
      expect(await noted()).toEqual([]);
      await t.db.query(`UPDATE cases SET country = 'EC' WHERE id = ANY($1)`, [[id, other]]);
      expect(await noted()).toEqual([id]);
      await clearNotes();
      for (const change of [
        `outcome = 'content_removed'`,
        `first_response_at = '2026-03-03T10:00:00Z'`,
        `overdue_for = due_at`,
        `paused_seconds = 60`,
        `tlp = 'GREEN'`,
        `consent_to_share_pattern = false`,
      ]) {
        await t.db.query(`UPDATE cases SET ${change} WHERE id = $1`, [id]);
        expect(await noted()).toEqual([id]);
        await clearNotes();
      }
      // Consent given later is a change too (the case was out, it comes in).
      await t.db.query('UPDATE cases SET consent_to_share_pattern = true WHERE id = $1', [other]);
      expect(await noted()).toEqual([other]);
    });

    it('notes quality answers of the timeline and indicators, added or removed', async () => {
      const id = await insertCase(a);
      await clearNotes();
      await t.db.query(
        `INSERT INTO case_events (case_id, type, occurred_at, recorded_at, status_after)
         VALUES ($1, 'platform_acknowledged', now(), now(), 'acknowledged')`,
        [id],
      );
      expect(await noted()).toEqual([]);
      await t.db.query(
        `INSERT INTO case_events (case_id, type, occurred_at, recorded_at, status_after, outcome,
           quality)
         VALUES ($1, 'platform_responded', now(), now(), 'resolved', 'content_removed',
           '{"reasonGiven": "yes"}')`,
        [id],
      );
      expect(await noted()).toEqual([id]);
      await clearNotes();
      await t.db.query(
        `INSERT INTO case_indicators (case_id, organization_id, kind, value, value_hash)
         VALUES ($1, $2, 'account_handle', '@x', repeat('a', 64)),
                ($1, $2, 'account_handle', '@y', repeat('b', 64))`,
        [id, a.organizationId],
      );
      expect(await noted()).toEqual([id]);
      await clearNotes();
      await t.db.query('DELETE FROM case_indicators WHERE case_id = $1', [id]);
      expect(await noted()).toEqual([id]);
    });
  });

  describe('what the worker builds', () => {
    it('builds a record for every consenting, escalated case that is not RED, once, and counts it once', async () => {
      const ids = [
        await insertCase(a),
        await insertCase(a),
        await insertCase(b),
        await insertCase(b, { tlp: 'RED' }),
        await insertCase(b, { escalated: false }),
        await insertCase(a, { consent: false }),
      ];
      // The same case noted again and again (a burst of writes) is built and counted once.
      await t.db.query(
        'INSERT INTO pattern_pending (case_id) SELECT $1 FROM generate_series(1, 5)',
        [ids[0]],
      );
      const done = await projection.catchUp();
      expect(done.projected).toBe(5 + 5);
      expect(await noted()).toEqual([]);
      expect(await t.db.query('SELECT 1 FROM pattern_changes')).toEqual([]);
      expect(await records()).toEqual(await expectedRecords());
      expect(await counted()).toEqual(await countedFromRecords());
    });

    it('rebuilds a record from the case as it is when the worker gets to it', async () => {
      const id = await insertCase(a);
      await t.db.query(
        `UPDATE cases SET country = 'PE', outcome = 'no_violation_found' WHERE id = $1`,
        [id],
      );
      await projection.catchUp();
      const [record] = await t.db.query(
        'SELECT country, outcome FROM pattern_records WHERE case_id = $1',
        [id],
      );
      expect(record).toEqual({ country: 'PE', outcome: 'no_violation_found' });
      expect(await counted()).toEqual(await countedFromRecords());
    });
  });

  describe('leaving the repository (case.unshared)', () => {
    const unshare = (id: string, change: string) =>
      t.app.get(TransactionRunner).run(async (em) => {
        await em.query(`UPDATE cases SET ${change} WHERE id = $1`, [id]);
        await t.app.get(DomainEvents).emit(em, 'case.unshared', { caseId: id });
      });

    it('is handled in the transaction by the projection', () => {
      expect(t.app.get(DomainEvents).handlersOf('case.unshared')).toEqual({
        'in-transaction': ['PatternProjection.removeNow'],
        'after-commit': [],
      });
    });

    it.each([
      ['consent withdrawn', 'consent_to_share_pattern = false'],
      ['moved to TLP:RED', `tlp = 'RED'`],
    ])('%s: record and counts are gone at commit, with no worker run', async (_, change) => {
      const id = await insertCase(a);
      await projection.catchUp();
      expect((await records()).map((r) => r.caseId)).toContain(id);
      await unshare(id, change);
      expect((await records()).map((r) => r.caseId)).not.toContain(id);
      expect(await counted()).toEqual(await countedFromRecords());
    });

    it('removes a case whose record the worker has not built yet, and the worker does not build it', async () => {
      const id = await insertCase(a);
      await t.db.query('UPDATE cases SET country = $2 WHERE id = $1', [id, 'CL']);
      await unshare(id, 'consent_to_share_pattern = false');
      await projection.catchUp();
      expect((await records()).map((r) => r.caseId)).not.toContain(id);
      expect(await counted()).toEqual(await countedFromRecords());
    });

    it('rolls back with its writer: a failed change leaves the record and its counts', async () => {
      const id = await insertCase(a);
      await projection.catchUp();
      const before = await counted();
      await expect(
        t.app.get(TransactionRunner).run(async (em) => {
          await em.query('UPDATE cases SET consent_to_share_pattern = false WHERE id = $1', [id]);
          await t.app.get(DomainEvents).emit(em, 'case.unshared', { caseId: id });
          throw new Error('the writer failed after the event');
        }),
      ).rejects.toThrow('the writer failed');
      expect((await records()).map((r) => r.caseId)).toContain(id);
      expect(await counted()).toEqual(before);
    });

    it('wins over a projection of the same case under way: the worker waits, then leaves it out', async () => {
      // Not built yet: a worker reading the case before the withdrawal commits, and writing
      // after it, would leave a record nobody removes.
      const id = await insertCase(a);
      // The writer holds the case (its UPDATE), the worker starts on the note meanwhile.
      const writer = t.db.createQueryRunner();
      await writer.connect();
      await writer.startTransaction();
      try {
        await writer.query('UPDATE cases SET consent_to_share_pattern = false WHERE id = $1', [id]);
        let projected = false;
        const worker = projection.catchUp().then(() => (projected = true));
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(projected).toBe(false);
        await t.app.get(DomainEvents).emit(writer.manager, 'case.unshared', { caseId: id });
        await writer.commitTransaction();
        await worker;
      } finally {
        await writer.release();
      }
      expect((await records()).map((r) => r.caseId)).not.toContain(id);
      await projection.catchUp();
      expect(await counted()).toEqual(await countedFromRecords());
    });
  });
});
