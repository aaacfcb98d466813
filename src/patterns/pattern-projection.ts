import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { OnEvent } from '../common/events/on-event.decorator';
import { TransactionRunner } from '../database/transaction';
import { PatternRollupsRepository } from './pattern-rollups.repository';

/** Cases rebuilt per transaction: bounded, so one projection never holds row locks for long. */
const BATCH = 5_000;

/**
 * The shared repository's records, built off the write path. A write to a case notes its id in
 * `pattern_pending` (a trigger: one insert, whatever wrote the case); the worker takes the
 * noted ids, rebuilds their records from the cases as they are then (`sync_pattern_records`,
 * whose trigger logs each record's old and new version), and folds the log into the rollups.
 *
 * Leaving the repository is the exception: `case.unshared` removes the record and folds its
 * counts out in the writer's transaction.
 */
@Injectable()
export class PatternProjection {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly rollups: PatternRollupsRepository,
  ) {}

  /** Whether anything waits to be projected or folded (the poller's cheap question). */
  async behind(): Promise<boolean> {
    const [row]: { behind: boolean }[] = await this.tx.manager.query(
      `SELECT EXISTS (SELECT 1 FROM pattern_pending) OR EXISTS (SELECT 1 FROM pattern_changes)
         AS behind`,
    );
    return row.behind;
  }

  /** Builds every noted record, then folds the whole log. Returns what it did. */
  async catchUp(): Promise<{ projected: number; folded: number }> {
    let projected = 0;
    for (;;) {
      const n = await this.projectBatch();
      projected += n;
      if (n < BATCH) break;
    }
    return { projected, folded: await this.rollups.foldAll() };
  }

  @OnEvent('case.unshared', 'in-transaction')
  async removeNow({ caseId }: { caseId: string }, em: EntityManager): Promise<void> {
    await em.query('DELETE FROM pattern_records WHERE case_id = $1', [caseId]);
    await this.rollups.foldCases([caseId], em);
  }

  /**
   * One batch of noted cases. Their rows are share-locked first: a case whose consent is being
   * withdrawn is either rebuilt before the withdrawal (whose removal then sees the record) or
   * after it (and left out), never rebuilt from a state the withdrawal has already replaced.
   */
  private projectBatch(): Promise<number> {
    return this.tx.run(async (em) => {
      const taken: { case_id: string }[] = await em.query(
        `WITH taken AS (
           DELETE FROM pattern_pending
            WHERE ctid = ANY(ARRAY(SELECT ctid FROM pattern_pending LIMIT $1))
           RETURNING case_id)
         SELECT case_id FROM taken`,
        [BATCH],
      );
      if (taken.length === 0) return 0;
      const ids = [...new Set(taken.map((t) => t.case_id))].sort();
      await em.query('SELECT 1 FROM cases WHERE id = ANY($1::uuid[]) ORDER BY id FOR SHARE', [ids]);
      await em.query('SELECT sync_pattern_records($1::uuid[])', [ids]);
      return taken.length;
    });
  }
}
