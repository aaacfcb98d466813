import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ACTIONED_OUTCOMES } from '../deadlines/response-times.repository';
import { lockForTransaction, TransactionRunner } from '../database/transaction';
import { bucketSql } from './duration-histogram';
import { DIMENSION_COLUMN, DIMENSIONS, GRAINS } from './pattern-grains';
import { DURATION_MEASURES, SCORECARD_MEASURES } from './scorecard-measures';

/** Changes folded per transaction: bounded, so one fold never holds locks for long. */
const BATCH = 20_000;

const FLAG_COLUMNS = DIMENSIONS.filter((d) => d !== 'month').map(
  (d) => `has_${DIMENSION_COLUMN[d]}`,
);

/** The grains as an SQL VALUES list: id, then a flag per dimension but month. */
const GRAIN_VALUES = GRAINS.map(
  (g) =>
    `(${g.id}, ${DIMENSIONS.filter((d) => d !== 'month')
      .map((d) => (g.dimensions.includes(d) ? 'true' : 'false'))
      .join(', ')})`,
).join(',\n           ');

const MEASURES = Object.keys(SCORECARD_MEASURES);

const CELL_DIMENSIONS = DIMENSIONS.filter((d) => d !== 'month' && d !== 'targetGroup');

/**
 * Folds the pattern-record change log into the rollups: each logged record adds (+1) or takes
 * away (-1) its cases in every grain's cell, the scorecard sums and the duration histograms.
 * Taking the log and adding it happen in one transaction under an advisory lock, so a change is
 * counted once even with several workers; a failure leaves the log for the next fold.
 */
@Injectable()
export class PatternRollupsRepository {
  constructor(private readonly tx: TransactionRunner) {}

  /** Folds the whole log; returns how many changes it folded. */
  async foldAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.foldBatch();
      total += n;
      if (n < BATCH) return total;
    }
  }

  /**
   * Folds, in the caller's transaction, every logged change of these cases, in or out of log
   * order: the fold adds signed counts and keys, so the order does not matter. For a case
   * leaving the repository, whose counts must go with its record before the commit.
   */
  async foldCases(caseIds: string[], em: EntityManager): Promise<number> {
    return this.fold(em, FOLD_CASES_SQL, caseIds);
  }

  private foldBatch(): Promise<number> {
    return this.tx.run((em) => this.fold(em, FOLD_BATCH_SQL, BATCH));
  }

  private async fold(em: EntityManager, sql: string, taken: unknown): Promise<number> {
    await lockForTransaction(em, 'pattern-rollups-fold');
    // The fold's estimates (a log of up to BATCH changes times every grain) pass the JIT
    // thresholds: compiling it took about a second per fold, whatever the log held (measured:
    // an empty fold 1,140 ms with JIT, 6 ms without). Its real work is a few milliseconds.
    await em.query('SET LOCAL jit = off');
    const rows: { n: number }[] = await em.query(sql, [taken, ACTIONED_OUTCOMES]);
    await em.query('DELETE FROM pattern_cells WHERE cases = 0');
    await em.query('DELETE FROM pattern_scorecard_counts WHERE cases = 0');
    await em.query('DELETE FROM pattern_duration_buckets WHERE cases = 0');
    return rows[0].n;
  }
}

/** A signed sum of record keys as a cell key (0..4095). */
const cellKeyOf = (sum: string) => `((${sum} % 4096 + 4096) % 4096)::int`;

/*
 * A change that leaves a count as it was may still change its cell key (one record out, another
 * in), so rows are written when either moves. A row whose count falls to 0 holds no record, so
 * its cell key is 0 too, and the fold deletes it.
 */
const foldSql = (taken: string) => `
  WITH taken AS (
    DELETE FROM pattern_changes WHERE ${taken}
    RETURNING sign, record
  ), rec AS (
    SELECT sign, (record->>'record_key')::int AS record_key,
           (record->>'month')::date AS month, record->>'platform' AS platform,
           record->>'channel' AS channel, record->>'channel_kind' AS channel_kind,
           record->>'category' AS category, record->>'subcategory' AS subcategory,
           record->>'dsa_category' AS dsa_category, record->>'country' AS country,
           ARRAY(SELECT jsonb_array_elements_text(record->'target_groups')) AS target_groups,
           record->>'outcome' AS outcome, (record->>'organization_id')::uuid AS organization_id,
           (record->>'acknowledged')::boolean AS acknowledged,
           (record->>'resolved')::boolean AS resolved, (record->>'overdue')::boolean AS overdue,
           -- A duration is NULL until the platform answers (GREATEST alone would make it 0).
           CASE WHEN record->>'first_response_seconds' IS NOT NULL
                THEN GREATEST((record->>'first_response_seconds')::int, 0) END
             AS first_response_seconds,
           CASE WHEN record->>'resolution_seconds' IS NOT NULL
                THEN GREATEST((record->>'resolution_seconds')::int, 0) END AS resolution_seconds,
           (record->>'paused_seconds')::int AS paused_seconds,
           record->>'reason_given' AS reason_given,
           record->>'context_understood' AS context_understood,
           record->>'harm_recognised_as_gendered' AS harm_recognised_as_gendered,
           record->>'retraumatising_proof_requested' AS retraumatising_proof_requested
      FROM taken
  ), grains (grain, ${FLAG_COLUMNS.join(', ')}) AS (
    VALUES ${GRAIN_VALUES}
  ), cells AS (
    SELECT g.grain, r.month,
           ${CELL_DIMENSIONS.map((d) => {
             const c = DIMENSION_COLUMN[d];
             return `CASE WHEN g.has_${c} THEN r.${c} ELSE '' END AS ${c}`;
           }).join(',\n           ')},
           tg AS target_group, r.organization_id, sum(r.sign)::int AS cases,
           ${cellKeyOf('sum(r.sign * r.record_key)')} AS cell_key
      FROM rec r
     CROSS JOIN grains g
     CROSS JOIN LATERAL unnest(CASE WHEN g.has_target_group AND cardinality(r.target_groups) > 0
                                    THEN r.target_groups ELSE ARRAY[''] END) tg
     GROUP BY 1, 2, ${CELL_DIMENSIONS.map((_, i) => i + 3).join(', ')}, ${CELL_DIMENSIONS.length + 3}, ${CELL_DIMENSIONS.length + 4}
  ), written_cells AS (
    INSERT INTO pattern_cells AS p (grain, month, ${CELL_DIMENSIONS.map((d) => DIMENSION_COLUMN[d]).join(', ')},
                                    target_group, organization_id, cases, cell_key)
    SELECT grain, month, ${CELL_DIMENSIONS.map((d) => DIMENSION_COLUMN[d]).join(', ')},
           target_group, organization_id, cases, cell_key
      FROM cells WHERE cases <> 0 OR cell_key <> 0
    ON CONFLICT ON CONSTRAINT pk_pattern_cells DO UPDATE
      SET cases = p.cases + EXCLUDED.cases, cell_key = (p.cell_key + EXCLUDED.cell_key) % 4096
    RETURNING 1
  ), written_scorecard AS (
    INSERT INTO pattern_scorecard_counts AS s (month, platform, channel, organization_id,
      channel_kind, ${MEASURES.map((m) => `${m}, ${m}_key`).join(', ')})
    SELECT month, platform, channel, organization_id, max(channel_kind),
           ${MEASURES.map(
             (m) =>
               `COALESCE(sum(sign) FILTER (WHERE ${SCORECARD_MEASURES[m]('rec')}), 0)::int,
           ${cellKeyOf(`COALESCE(sum(sign * record_key) FILTER (WHERE ${SCORECARD_MEASURES[m]('rec')}), 0)`)}`,
           ).join(',\n           ')}
      FROM rec
     GROUP BY month, platform, channel, organization_id
    ON CONFLICT ON CONSTRAINT pk_pattern_scorecard_counts DO UPDATE SET
      ${MEASURES.map((m) => `${m} = s.${m} + EXCLUDED.${m}, ${m}_key = (s.${m}_key + EXCLUDED.${m}_key) % 4096`).join(',\n      ')}
    RETURNING 1
  ), durations AS (
    SELECT r.month, r.platform, r.channel, d.measure, ${bucketSql('d.seconds')} AS bucket,
           sum(r.sign)::int AS cases, ${cellKeyOf('sum(r.sign * r.record_key)')} AS cell_key
      FROM rec r
     CROSS JOIN LATERAL (VALUES ${DURATION_MEASURES.map(
       (m) => `('${m.measure}', ${m.seconds('r')})`,
     ).join(', ')}) d (measure, seconds)
     WHERE d.seconds IS NOT NULL
     GROUP BY 1, 2, 3, 4, 5
  ), written_durations AS (
    INSERT INTO pattern_duration_buckets AS b (month, platform, channel, measure, bucket, cases,
      cell_key)
    SELECT month, platform, channel, measure, bucket, cases, cell_key
      FROM durations WHERE cases <> 0 OR cell_key <> 0
    ON CONFLICT ON CONSTRAINT pk_pattern_duration_buckets DO UPDATE
      SET cases = b.cases + EXCLUDED.cases, cell_key = (b.cell_key + EXCLUDED.cell_key) % 4096
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM taken)::int AS n,
         (SELECT count(*) FROM written_cells) + (SELECT count(*) FROM written_scorecard)
           + (SELECT count(*) FROM written_durations) AS written`;

/** The oldest changes, up to $1. */
const FOLD_BATCH_SQL = foldSql('id IN (SELECT id FROM pattern_changes ORDER BY id LIMIT $1)');
/** Every change of the cases in $1 (a sequential scan: the log is short between folds). */
const FOLD_CASES_SQL = foldSql(`(record->>'case_id')::uuid = ANY($1::uuid[])`);
