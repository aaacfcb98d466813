import { Injectable } from '@nestjs/common';
import { ACTIONED_OUTCOMES } from '../deadlines/response-times.repository';
import { lockForTransaction, TransactionRunner } from '../database/transaction';
import { bucketSql } from './duration-histogram';
import { DIMENSION_COLUMN, DIMENSIONS, GRAINS } from './pattern-grains';

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

const CELL_DIMENSIONS = DIMENSIONS.filter((d) => d !== 'month' && d !== 'targetGroup');

const QUALITY = [
  'reason_given',
  'context_understood',
  'harm_recognised_as_gendered',
  'retraumatising_proof_requested',
];

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

  private foldBatch(): Promise<number> {
    return this.tx.run(async (em) => {
      await lockForTransaction(em, 'pattern-rollups-fold');
      const rows: { n: number }[] = await em.query(FOLD_SQL, [BATCH, ACTIONED_OUTCOMES]);
      await em.query('DELETE FROM pattern_cells WHERE cases = 0');
      await em.query('DELETE FROM pattern_scorecard_cells WHERE cases = 0');
      await em.query('DELETE FROM pattern_duration_buckets WHERE cases = 0');
      return rows[0].n;
    });
  }
}

/** Signed count of the rows matching: NULL-free, so a new cell never fails NOT NULL. */
const count = (condition: string) => `COALESCE(sum(sign) FILTER (WHERE ${condition}), 0)`;

const FOLD_SQL = `
  WITH taken AS (
    DELETE FROM pattern_changes
     WHERE id IN (SELECT id FROM pattern_changes ORDER BY id LIMIT $1)
    RETURNING sign, record
  ), rec AS (
    SELECT sign, (record->>'month')::date AS month, record->>'platform' AS platform,
           record->>'channel' AS channel, record->>'channel_kind' AS channel_kind,
           record->>'category' AS category, record->>'subcategory' AS subcategory,
           record->>'dsa_category' AS dsa_category, record->>'country' AS country,
           ARRAY(SELECT jsonb_array_elements_text(record->'target_groups')) AS target_groups,
           record->>'outcome' AS outcome, (record->>'organization_id')::uuid AS organization_id,
           (record->>'acknowledged')::boolean AS acknowledged,
           (record->>'resolved')::boolean AS resolved, (record->>'overdue')::boolean AS overdue,
           GREATEST((record->>'first_response_seconds')::int, 0) AS first_response_seconds,
           GREATEST((record->>'resolution_seconds')::int, 0) AS resolution_seconds,
           (record->>'paused_seconds')::bigint AS paused_seconds,
           ${QUALITY.map((q) => `record->>'${q}' AS ${q}`).join(', ')}
      FROM taken
  ), grains (grain, ${FLAG_COLUMNS.join(', ')}) AS (
    VALUES ${GRAIN_VALUES}
  ), cells AS (
    SELECT g.grain, r.month,
           ${CELL_DIMENSIONS.map((d) => {
             const c = DIMENSION_COLUMN[d];
             return `CASE WHEN g.has_${c} THEN r.${c} ELSE '' END AS ${c}`;
           }).join(',\n           ')},
           tg AS target_group, r.organization_id, sum(r.sign)::int AS cases
      FROM rec r
     CROSS JOIN grains g
     CROSS JOIN LATERAL unnest(CASE WHEN g.has_target_group AND cardinality(r.target_groups) > 0
                                    THEN r.target_groups ELSE ARRAY[''] END) tg
     GROUP BY 1, 2, ${CELL_DIMENSIONS.map((_, i) => i + 3).join(', ')}, ${CELL_DIMENSIONS.length + 3}, ${CELL_DIMENSIONS.length + 4}
  ), written_cells AS (
    INSERT INTO pattern_cells AS p (grain, month, ${CELL_DIMENSIONS.map((d) => DIMENSION_COLUMN[d]).join(', ')},
                                    target_group, organization_id, cases)
    SELECT grain, month, ${CELL_DIMENSIONS.map((d) => DIMENSION_COLUMN[d]).join(', ')},
           target_group, organization_id, cases
      FROM cells WHERE cases <> 0
    ON CONFLICT ON CONSTRAINT pk_pattern_cells DO UPDATE SET cases = p.cases + EXCLUDED.cases
    RETURNING 1
  ), written_scorecard AS (
    INSERT INTO pattern_scorecard_cells AS s (month, platform, channel, organization_id,
      channel_kind, cases, acknowledged, resolved, actioned, no_response, overdue, paused_seconds,
      ${QUALITY.map((q) => `${q}_yes, ${q}_answered`).join(', ')})
    SELECT month, platform, channel, organization_id, max(channel_kind), sum(sign),
           ${count('acknowledged')}, ${count('resolved')}, ${count('outcome = ANY($2)')},
           ${count("outcome = 'no_response'")}, ${count('overdue')}, sum(sign * paused_seconds),
           ${QUALITY.map((q) => `${count(`${q} = 'yes'`)}, ${count(`${q} IN ('yes', 'no')`)}`).join(
             ',\n           ',
           )}
      FROM rec
     GROUP BY month, platform, channel, organization_id
    ON CONFLICT ON CONSTRAINT pk_pattern_scorecard_cells DO UPDATE SET
      cases = s.cases + EXCLUDED.cases,
      acknowledged = s.acknowledged + EXCLUDED.acknowledged,
      resolved = s.resolved + EXCLUDED.resolved,
      actioned = s.actioned + EXCLUDED.actioned,
      no_response = s.no_response + EXCLUDED.no_response,
      overdue = s.overdue + EXCLUDED.overdue,
      paused_seconds = s.paused_seconds + EXCLUDED.paused_seconds,
      ${QUALITY.map(
        (q) =>
          `${q}_yes = s.${q}_yes + EXCLUDED.${q}_yes, ${q}_answered = s.${q}_answered + EXCLUDED.${q}_answered`,
      ).join(',\n      ')}
    RETURNING 1
  ), durations AS (
    SELECT r.month, r.platform, r.channel, d.measure, ${bucketSql('d.seconds')} AS bucket,
           sum(r.sign)::int AS cases
      FROM rec r
     CROSS JOIN LATERAL (VALUES ('first_response', r.first_response_seconds),
                                ('resolution', r.resolution_seconds)) d (measure, seconds)
     WHERE d.seconds IS NOT NULL
     GROUP BY 1, 2, 3, 4, 5
  ), written_durations AS (
    INSERT INTO pattern_duration_buckets AS b (month, platform, channel, measure, bucket, cases)
    SELECT month, platform, channel, measure, bucket, cases FROM durations WHERE cases <> 0
    ON CONFLICT ON CONSTRAINT pk_pattern_duration_buckets DO UPDATE SET cases = b.cases + EXCLUDED.cases
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM taken)::int AS n,
         (SELECT count(*) FROM written_cells) + (SELECT count(*) FROM written_scorecard)
           + (SELECT count(*) FROM written_durations) AS written`;
