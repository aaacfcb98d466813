import { Injectable } from '@nestjs/common';
import { TransactionRunner } from '../database/transaction';

/** Outcomes in which the platform acted on the content or the account. */
export const ACTIONED_OUTCOMES = [
  'content_removed',
  'account_suspended',
  'account_restored',
  'content_restricted',
  'partially_actioned',
];

const MONTH_START = `(k.month::timestamp AT TIME ZONE 'UTC')`;
const MONTH_END = `((k.month + interval '1 month')::timestamp AT TIME ZONE 'UTC')`;

/**
 * Response-time rollups per platform, channel and month. A trigger on `cases` logs the keys a
 * statement touched in `response_time_changes`; `refresh` takes that log and recounts those
 * keys from the cases (idx_cases_channel_id), in one transaction: a failure leaves the log for
 * the next run, and two workers refreshing at once split the log between them.
 */
@Injectable()
export class ResponseTimesRepository {
  constructor(private readonly tx: TransactionRunner) {}

  /** Returns how many rollup rows were recounted (written or removed). */
  async refresh(now: Date): Promise<number> {
    const rows: { n: number }[] = await this.tx.manager.query(
      `WITH taken AS (
         DELETE FROM response_time_changes RETURNING platform_id, channel_id, month
       ), k AS (
         SELECT DISTINCT platform_id, channel_id, month FROM taken
       ), counted AS (
         SELECT k.platform_id, k.channel_id, k.month,
                count(*)::int AS cases,
                count(c.first_response_at)::int AS responded,
                count(c.resolved_at)::int AS resolved,
                count(*) FILTER (WHERE c.outcome = ANY($2::case_outcome[]))::int AS actioned,
                count(*) FILTER (WHERE c.outcome = 'no_response')::int AS no_response,
                count(c.overdue_for)::int AS overdue,
                COALESCE(sum(c.paused_seconds), 0)::bigint AS paused_seconds,
                COALESCE(sum(c.time_to_first_response_seconds), 0)::bigint AS fr_sum,
                percentile_disc(0.5) WITHIN GROUP (ORDER BY c.time_to_first_response_seconds) AS fr_p50,
                percentile_disc(0.9) WITHIN GROUP (ORDER BY c.time_to_first_response_seconds) AS fr_p90,
                COALESCE(sum(c.time_to_resolution_seconds), 0)::bigint AS res_sum,
                percentile_disc(0.5) WITHIN GROUP (ORDER BY c.time_to_resolution_seconds) AS res_p50,
                percentile_disc(0.9) WITHIN GROUP (ORDER BY c.time_to_resolution_seconds) AS res_p90
           FROM k
           JOIN cases c ON c.channel_id = k.channel_id AND c.platform_id = k.platform_id
                       AND c.escalated_at >= ${MONTH_START} AND c.escalated_at < ${MONTH_END}
          GROUP BY k.platform_id, k.channel_id, k.month
       ), written AS (
         INSERT INTO response_time_rollups (platform_id, channel_id, month, cases, responded,
           resolved, actioned, no_response, overdue, paused_seconds, first_response_seconds_sum,
           first_response_seconds_p50, first_response_seconds_p90, resolution_seconds_sum,
           resolution_seconds_p50, resolution_seconds_p90, refreshed_at)
         SELECT platform_id, channel_id, month, cases, responded, resolved, actioned, no_response,
                overdue, paused_seconds, fr_sum, fr_p50, fr_p90, res_sum, res_p50, res_p90, $1
           FROM counted
         ON CONFLICT ON CONSTRAINT pk_response_time_rollups DO UPDATE SET
           cases = EXCLUDED.cases, responded = EXCLUDED.responded, resolved = EXCLUDED.resolved,
           actioned = EXCLUDED.actioned, no_response = EXCLUDED.no_response,
           overdue = EXCLUDED.overdue, paused_seconds = EXCLUDED.paused_seconds,
           first_response_seconds_sum = EXCLUDED.first_response_seconds_sum,
           first_response_seconds_p50 = EXCLUDED.first_response_seconds_p50,
           first_response_seconds_p90 = EXCLUDED.first_response_seconds_p90,
           resolution_seconds_sum = EXCLUDED.resolution_seconds_sum,
           resolution_seconds_p50 = EXCLUDED.resolution_seconds_p50,
           resolution_seconds_p90 = EXCLUDED.resolution_seconds_p90,
           refreshed_at = EXCLUDED.refreshed_at
         RETURNING 1
       ), emptied AS (
         DELETE FROM response_time_rollups r USING k
          WHERE r.platform_id = k.platform_id AND r.channel_id = k.channel_id
            AND r.month = k.month
            AND NOT EXISTS (SELECT 1 FROM counted WHERE counted.platform_id = k.platform_id
                              AND counted.channel_id = k.channel_id AND counted.month = k.month)
         RETURNING 1
       )
       SELECT (SELECT count(*) FROM written)::int + (SELECT count(*) FROM emptied)::int AS n`,
      [now, ACTIONED_OUTCOMES],
    );
    return rows[0].n;
  }
}
