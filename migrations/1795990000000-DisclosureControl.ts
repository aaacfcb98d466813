import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Disclosure control for the shared repository (DISCLOSURE.md, the cell key method):
 * - every case draws a secret record key (0-4095, from PostgreSQL's strong random source) once,
 *   when it is written; its pattern record carries it, and toggling consent never redraws it
 *   (a redraw would let the owner resample the noise of every cell holding the case);
 * - the rollups keep, beside every count, the sum of its records' keys, so any cell's key is
 *   a sum modulo 4096; the scorecard sums become one count per measure and organisation, so
 *   every numerator and denominator is a cell with its key and its largest organisation;
 * - TLP:RED cases never enter the repository, whatever their consent;
 * - unanswered cases no longer fall into the first duration bucket (GREATEST ignored NULL);
 * - the latest decision's quality answers break ties by recording order (seq).
 * The rollups are rebuilt from the records: the worker folds the re-logged records at start.
 */
/** The scorecard's counts (src/patterns/scorecard-measures.ts), each with its cell key. */
const SCORECARD_MEASURES = [
  'cases',
  'acknowledged',
  'resolved',
  'actioned',
  'no_response',
  'overdue',
  'paused',
  'reason_given_yes',
  'reason_given_answered',
  'context_understood_yes',
  'context_understood_answered',
  'harm_recognised_as_gendered_yes',
  'harm_recognised_as_gendered_answered',
  'retraumatising_proof_requested_yes',
  'retraumatising_proof_requested_answered',
];

export class DisclosureControl1795990000000 implements MigrationInterface {
  name = 'DisclosureControl1795990000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // gen_random_uuid() draws from pg_strong_random; a v4 uuid's first 12 bits are random.
    await queryRunner.query(`CREATE FUNCTION pattern_record_key() RETURNS smallint LANGUAGE sql VOLATILE AS $$
  SELECT ('x' || substr(gen_random_uuid()::text, 1, 3))::bit(12)::int::smallint
$$`);
    await queryRunner.query(
      `ALTER TABLE "cases" ADD "pattern_key" smallint NOT NULL DEFAULT pattern_record_key()`,
    );
    await queryRunner.query(
      `ALTER TABLE "cases" ADD CONSTRAINT "ck_cases_pattern_key" CHECK ("pattern_key" BETWEEN 0 AND 4095)`,
    );
    await queryRunner.query(
      `ALTER TABLE "pattern_records" ADD "record_key" smallint NOT NULL DEFAULT 0`,
    );
    await queryRunner.query(`ALTER TABLE "pattern_records" ALTER COLUMN "record_key" DROP DEFAULT`);
    await queryRunner.query(`CREATE OR REPLACE FUNCTION sync_pattern_records(ids uuid[]) RETURNS void LANGUAGE sql AS $$
  DELETE FROM pattern_records p
   WHERE p.case_id = ANY(ids)
     AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.id = p.case_id
                        AND c.consent_to_share_pattern AND c.escalated_at IS NOT NULL
                        AND c.tlp <> 'RED');
  INSERT INTO pattern_records AS r (case_id, organization_id, record_key, month, platform,
    channel, channel_kind, category, subcategory, dsa_category, country, target_groups, urgency,
    outcome, acknowledged, resolved, overdue, first_response_seconds, resolution_seconds,
    paused_seconds, reason_given, context_understood, harm_recognised_as_gendered,
    retraumatising_proof_requested, indicator_hashes)
  SELECT c.id, c.organization_id, c.pattern_key, rollup_month(c.escalated_at), p.code, ch.code,
         ch.kind::text, c.category_code, COALESCE(c.subcategory_code, ''),
         COALESCE(CASE WHEN c.target_groups && ARRAY['women', 'girls'] THEN t.gendered
                       ELSE t.generic END, ''),
         c.country, c.target_groups, c.urgency::text, COALESCE(c.outcome::text, ''),
         c.first_response_at IS NOT NULL, c.resolved_at IS NOT NULL, c.overdue_for IS NOT NULL,
         c.time_to_first_response_seconds, c.time_to_resolution_seconds, c.paused_seconds,
         COALESCE(q.quality->>'reasonGiven', ''), COALESCE(q.quality->>'contextUnderstood', ''),
         COALESCE(q.quality->>'harmRecognisedAsGendered', ''),
         COALESCE(q.quality->>'retraumatisingProofRequested', ''),
         ARRAY(SELECT DISTINCT i.value_hash FROM case_indicators i WHERE i.case_id = c.id
                ORDER BY i.value_hash)
    FROM cases c
    JOIN platforms p ON p.id = c.platform_id
    JOIN channels ch ON ch.id = c.channel_id
    LEFT JOIN taxonomy_dsa_categories t ON t.code = COALESCE(c.subcategory_code, c.category_code)
    LEFT JOIN LATERAL (
      SELECT e.quality FROM case_events e
       WHERE e.case_id = c.id AND e.type = 'platform_responded' AND e.quality IS NOT NULL
       ORDER BY e.occurred_at DESC, e.seq DESC LIMIT 1) q ON true
   WHERE c.id = ANY(ids) AND c.consent_to_share_pattern AND c.escalated_at IS NOT NULL
     AND c.tlp <> 'RED'
  ON CONFLICT ON CONSTRAINT pk_pattern_records DO UPDATE SET
    organization_id = EXCLUDED.organization_id, record_key = EXCLUDED.record_key,
    month = EXCLUDED.month, platform = EXCLUDED.platform, channel = EXCLUDED.channel,
    channel_kind = EXCLUDED.channel_kind, category = EXCLUDED.category,
    subcategory = EXCLUDED.subcategory, dsa_category = EXCLUDED.dsa_category,
    country = EXCLUDED.country, target_groups = EXCLUDED.target_groups,
    urgency = EXCLUDED.urgency, outcome = EXCLUDED.outcome,
    acknowledged = EXCLUDED.acknowledged, resolved = EXCLUDED.resolved,
    overdue = EXCLUDED.overdue, first_response_seconds = EXCLUDED.first_response_seconds,
    resolution_seconds = EXCLUDED.resolution_seconds, paused_seconds = EXCLUDED.paused_seconds,
    reason_given = EXCLUDED.reason_given, context_understood = EXCLUDED.context_understood,
    harm_recognised_as_gendered = EXCLUDED.harm_recognised_as_gendered,
    retraumatising_proof_requested = EXCLUDED.retraumatising_proof_requested,
    indicator_hashes = EXCLUDED.indicator_hashes
  WHERE (r.*) IS DISTINCT FROM (EXCLUDED.*);
$$`);
    await queryRunner.query(casesTriggerFunction('o.tlp', 'n.tlp'));
    // Records as they should be now: RED ones leave, every record takes its case's key.
    await queryRunner.query(
      `SELECT sync_pattern_records(ARRAY(SELECT case_id FROM pattern_records))`,
    );

    // A cell key is the sum of its records' keys modulo 4096: kept reduced, so sums stay
    // integers (a bigint sum would be numeric, several times slower to add up).
    await queryRunner.query(
      `ALTER TABLE "pattern_cells" ADD "cell_key" integer NOT NULL DEFAULT 0`,
    );
    await queryRunner.query(`ALTER TABLE "pattern_cells" ALTER COLUMN "cell_key" DROP DEFAULT`);
    await queryRunner.query(
      `ALTER TABLE "pattern_duration_buckets" ADD "cell_key" integer NOT NULL DEFAULT 0`,
    );
    await queryRunner.query(
      `ALTER TABLE "pattern_duration_buckets" ALTER COLUMN "cell_key" DROP DEFAULT`,
    );
    await queryRunner.query(`DROP TABLE "pattern_scorecard_cells"`);
    await queryRunner.query(
      `CREATE TABLE "pattern_scorecard_counts" ("month" date NOT NULL, "platform" character varying(60) NOT NULL, "channel" character varying(60) NOT NULL, "organization_id" uuid NOT NULL, "channel_kind" character varying(40) NOT NULL, ${SCORECARD_MEASURES.map((m) => `"${m}" integer NOT NULL, "${m}_key" integer NOT NULL`).join(', ')}, CONSTRAINT "pk_pattern_scorecard_counts" PRIMARY KEY ("month", "platform", "channel", "organization_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_pattern_scorecard_counts_empty" ON "pattern_scorecard_counts" ("month") WHERE cases = 0`,
    );
    await refold(queryRunner);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."idx_pattern_scorecard_counts_empty"`);
    await queryRunner.query(`DROP TABLE "pattern_scorecard_counts"`);
    await queryRunner.query(
      `CREATE TABLE "pattern_scorecard_cells" ("month" date NOT NULL, "platform" character varying(60) NOT NULL, "channel" character varying(60) NOT NULL, "organization_id" uuid NOT NULL, "channel_kind" character varying(40) NOT NULL, "cases" integer NOT NULL, "acknowledged" integer NOT NULL, "resolved" integer NOT NULL, "actioned" integer NOT NULL, "no_response" integer NOT NULL, "overdue" integer NOT NULL, "paused_seconds" bigint NOT NULL, "reason_given_yes" integer NOT NULL, "reason_given_answered" integer NOT NULL, "context_understood_yes" integer NOT NULL, "context_understood_answered" integer NOT NULL, "harm_recognised_as_gendered_yes" integer NOT NULL, "harm_recognised_as_gendered_answered" integer NOT NULL, "retraumatising_proof_requested_yes" integer NOT NULL, "retraumatising_proof_requested_answered" integer NOT NULL, CONSTRAINT "pk_pattern_scorecard_cells" PRIMARY KEY ("month", "platform", "channel", "organization_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_pattern_scorecard_cells_empty" ON "pattern_scorecard_cells" ("month") WHERE cases = 0`,
    );
    await queryRunner.query(`ALTER TABLE "pattern_duration_buckets" DROP COLUMN "cell_key"`);
    await queryRunner.query(`ALTER TABLE "pattern_cells" DROP COLUMN "cell_key"`);
    await queryRunner.query(casesTriggerFunction('NULL', 'NULL'));
    // The records keep their key column until it is dropped: the previous function lists its
    // columns, so it is restored after.
    await queryRunner.query(`ALTER TABLE "pattern_records" DROP COLUMN "record_key"`);
    await queryRunner.query(`CREATE OR REPLACE FUNCTION sync_pattern_records(ids uuid[]) RETURNS void LANGUAGE sql AS $$
  DELETE FROM pattern_records p
   WHERE p.case_id = ANY(ids)
     AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.id = p.case_id
                        AND c.consent_to_share_pattern AND c.escalated_at IS NOT NULL);
  INSERT INTO pattern_records AS r (case_id, organization_id, month, platform, channel,
    channel_kind, category, subcategory, dsa_category, country, target_groups, urgency, outcome,
    acknowledged, resolved, overdue, first_response_seconds, resolution_seconds, paused_seconds,
    reason_given, context_understood, harm_recognised_as_gendered, retraumatising_proof_requested,
    indicator_hashes)
  SELECT c.id, c.organization_id, rollup_month(c.escalated_at), p.code, ch.code, ch.kind::text,
         c.category_code, COALESCE(c.subcategory_code, ''),
         COALESCE(CASE WHEN c.target_groups && ARRAY['women', 'girls'] THEN t.gendered
                       ELSE t.generic END, ''),
         c.country, c.target_groups, c.urgency::text, COALESCE(c.outcome::text, ''),
         c.first_response_at IS NOT NULL, c.resolved_at IS NOT NULL, c.overdue_for IS NOT NULL,
         c.time_to_first_response_seconds, c.time_to_resolution_seconds, c.paused_seconds,
         COALESCE(q.quality->>'reasonGiven', ''), COALESCE(q.quality->>'contextUnderstood', ''),
         COALESCE(q.quality->>'harmRecognisedAsGendered', ''),
         COALESCE(q.quality->>'retraumatisingProofRequested', ''),
         ARRAY(SELECT DISTINCT i.value_hash FROM case_indicators i WHERE i.case_id = c.id
                ORDER BY i.value_hash)
    FROM cases c
    JOIN platforms p ON p.id = c.platform_id
    JOIN channels ch ON ch.id = c.channel_id
    LEFT JOIN taxonomy_dsa_categories t ON t.code = COALESCE(c.subcategory_code, c.category_code)
    LEFT JOIN LATERAL (
      SELECT e.quality FROM case_events e
       WHERE e.case_id = c.id AND e.type = 'platform_responded' AND e.quality IS NOT NULL
       ORDER BY e.occurred_at DESC, e.recorded_at DESC LIMIT 1) q ON true
   WHERE c.id = ANY(ids) AND c.consent_to_share_pattern AND c.escalated_at IS NOT NULL
  ON CONFLICT ON CONSTRAINT pk_pattern_records DO UPDATE SET
    organization_id = EXCLUDED.organization_id, month = EXCLUDED.month,
    platform = EXCLUDED.platform, channel = EXCLUDED.channel,
    channel_kind = EXCLUDED.channel_kind, category = EXCLUDED.category,
    subcategory = EXCLUDED.subcategory, dsa_category = EXCLUDED.dsa_category,
    country = EXCLUDED.country, target_groups = EXCLUDED.target_groups,
    urgency = EXCLUDED.urgency, outcome = EXCLUDED.outcome,
    acknowledged = EXCLUDED.acknowledged, resolved = EXCLUDED.resolved,
    overdue = EXCLUDED.overdue, first_response_seconds = EXCLUDED.first_response_seconds,
    resolution_seconds = EXCLUDED.resolution_seconds, paused_seconds = EXCLUDED.paused_seconds,
    reason_given = EXCLUDED.reason_given, context_understood = EXCLUDED.context_understood,
    harm_recognised_as_gendered = EXCLUDED.harm_recognised_as_gendered,
    retraumatising_proof_requested = EXCLUDED.retraumatising_proof_requested,
    indicator_hashes = EXCLUDED.indicator_hashes
  WHERE (r.*) IS DISTINCT FROM (EXCLUDED.*);
$$`);
    await queryRunner.query(`ALTER TABLE "cases" DROP CONSTRAINT "ck_cases_pattern_key"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP COLUMN "pattern_key"`);
    await queryRunner.query(`DROP FUNCTION pattern_record_key()`);
    // The previous fold's shape: the rollups are rebuilt from the records the same way.
    await queryRunner.query(
      `SELECT sync_pattern_records(ARRAY(SELECT id FROM cases WHERE consent_to_share_pattern))`,
    );
    await refold(queryRunner);
  }
}

/**
 * The cases trigger of the pattern records, with what else a record depends on (`tlp`: a case
 * moved to or from TLP:RED leaves or re-enters the repository in the same transaction).
 */
function casesTriggerFunction(oldTlp: string, newTlp: string): string {
  return `CREATE OR REPLACE FUNCTION pattern_sources_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ids uuid[];
BEGIN
  IF TG_TABLE_NAME = 'cases' AND TG_OP = 'INSERT' THEN
    ids := ARRAY(SELECT id FROM new_rows WHERE consent_to_share_pattern);
  ELSIF TG_TABLE_NAME = 'cases' THEN
    -- Only what a pattern record holds; reminders and versions alone change nothing.
    ids := ARRAY(
      SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE (o.consent_to_share_pattern, o.escalated_at, o.platform_id, o.channel_id,
              o.category_code, o.subcategory_code, o.country, o.target_groups, o.urgency,
              o.outcome, o.first_response_at, o.resolved_at, o.overdue_for, o.paused_seconds,
              o.organization_id, ${oldTlp})
             IS DISTINCT FROM
             (n.consent_to_share_pattern, n.escalated_at, n.platform_id, n.channel_id,
              n.category_code, n.subcategory_code, n.country, n.target_groups, n.urgency,
              n.outcome, n.first_response_at, n.resolved_at, n.overdue_for, n.paused_seconds,
              n.organization_id, ${newTlp}));
  ELSIF TG_TABLE_NAME = 'case_events' THEN
    ids := ARRAY(SELECT DISTINCT case_id FROM new_rows
                  WHERE type = 'platform_responded' AND quality IS NOT NULL);
  ELSIF TG_OP = 'INSERT' THEN
    ids := ARRAY(SELECT DISTINCT case_id FROM new_rows);
  ELSE
    ids := ARRAY(SELECT DISTINCT case_id FROM old_rows);
  END IF;
  IF cardinality(ids) > 0 THEN
    PERFORM sync_pattern_records(ids);
  END IF;
  RETURN NULL;
END $$`;
}

/** Empties the rollups and logs every record again, for the worker's fold to rebuild them. */
async function refold(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.query(
    `TRUNCATE pattern_changes, pattern_cells, pattern_duration_buckets, ${
      (await queryRunner.hasTable('pattern_scorecard_counts'))
        ? 'pattern_scorecard_counts'
        : 'pattern_scorecard_cells'
    }`,
  );
  await queryRunner.query(
    `INSERT INTO pattern_changes (sign, record)
     SELECT 1, to_jsonb(p) FROM pattern_records p ORDER BY p.month, p.case_id`,
  );
  // The fold picks the log in id order: without fresh statistics on the refilled log, its
  // first batches are planned as for an empty table (measured: 40 ms a fold became 650 ms).
  await queryRunner.query(`ANALYZE pattern_changes`);
}
