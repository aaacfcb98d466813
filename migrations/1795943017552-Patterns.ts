import { MigrationInterface, QueryRunner } from 'typeorm';

export class Patterns1795943017552 implements MigrationInterface {
  name = 'Patterns1795943017552';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "pattern_records" ("case_id" uuid NOT NULL, "organization_id" uuid NOT NULL, "month" date NOT NULL, "platform" character varying(60) NOT NULL, "channel" character varying(60) NOT NULL, "channel_kind" character varying(40) NOT NULL, "category" character varying(60) NOT NULL, "subcategory" character varying(60) NOT NULL, "dsa_category" character varying(80) NOT NULL, "country" character varying(2) NOT NULL, "target_groups" text array NOT NULL, "urgency" character varying(20) NOT NULL, "outcome" character varying(40) NOT NULL, "acknowledged" boolean NOT NULL, "resolved" boolean NOT NULL, "overdue" boolean NOT NULL, "first_response_seconds" integer, "resolution_seconds" integer, "paused_seconds" integer NOT NULL, "reason_given" character varying(10) NOT NULL, "context_understood" character varying(10) NOT NULL, "harm_recognised_as_gendered" character varying(10) NOT NULL, "retraumatising_proof_requested" character varying(10) NOT NULL, "indicator_hashes" character(64) array NOT NULL, CONSTRAINT "pk_pattern_records" PRIMARY KEY ("case_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_pattern_records_month" ON "pattern_records"  ("month") `,
    );
    await queryRunner.query(
      `CREATE TABLE "campaigns" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "first_seen" date NOT NULL, "last_seen" date NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_campaigns" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "campaign_cases" ("campaign_id" uuid NOT NULL, "case_id" uuid NOT NULL, CONSTRAINT "pk_campaign_cases" PRIMARY KEY ("campaign_id", "case_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_campaign_cases_case_id" ON "campaign_cases"  ("case_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "pattern_alerts" ("key" character varying(200) NOT NULL, "organization_id" uuid NOT NULL, "alerted_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_pattern_alerts" PRIMARY KEY ("key", "organization_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "pattern_changes" ("id" BIGSERIAL NOT NULL, "sign" smallint NOT NULL, "record" jsonb NOT NULL, CONSTRAINT "pk_pattern_changes" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "pattern_cells" ("grain" smallint NOT NULL, "month" date NOT NULL, "platform" character varying(60) NOT NULL, "channel_kind" character varying(40) NOT NULL, "category" character varying(60) NOT NULL, "subcategory" character varying(60) NOT NULL, "dsa_category" character varying(80) NOT NULL, "country" character varying(2) NOT NULL, "target_group" character varying(40) NOT NULL, "outcome" character varying(40) NOT NULL, "organization_id" uuid NOT NULL, "cases" integer NOT NULL, CONSTRAINT "pk_pattern_cells" PRIMARY KEY ("grain", "month", "platform", "channel_kind", "category", "subcategory", "dsa_category", "country", "target_group", "outcome", "organization_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_pattern_cells_empty" ON "pattern_cells"  ("grain") WHERE cases = 0`,
    );
    await queryRunner.query(
      `CREATE TABLE "pattern_scorecard_cells" ("month" date NOT NULL, "platform" character varying(60) NOT NULL, "channel" character varying(60) NOT NULL, "organization_id" uuid NOT NULL, "channel_kind" character varying(40) NOT NULL, "cases" integer NOT NULL, "acknowledged" integer NOT NULL, "resolved" integer NOT NULL, "actioned" integer NOT NULL, "no_response" integer NOT NULL, "overdue" integer NOT NULL, "paused_seconds" bigint NOT NULL, "reason_given_yes" integer NOT NULL, "reason_given_answered" integer NOT NULL, "context_understood_yes" integer NOT NULL, "context_understood_answered" integer NOT NULL, "harm_recognised_as_gendered_yes" integer NOT NULL, "harm_recognised_as_gendered_answered" integer NOT NULL, "retraumatising_proof_requested_yes" integer NOT NULL, "retraumatising_proof_requested_answered" integer NOT NULL, CONSTRAINT "pk_pattern_scorecard_cells" PRIMARY KEY ("month", "platform", "channel", "organization_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_pattern_scorecard_cells_empty" ON "pattern_scorecard_cells"  ("month") WHERE cases = 0`,
    );
    await queryRunner.query(
      `CREATE TABLE "pattern_duration_buckets" ("month" date NOT NULL, "platform" character varying(60) NOT NULL, "channel" character varying(60) NOT NULL, "measure" character varying(20) NOT NULL, "bucket" smallint NOT NULL, "cases" integer NOT NULL, CONSTRAINT "pk_pattern_duration_buckets" PRIMARY KEY ("month", "platform", "channel", "measure", "bucket"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "taxonomy_dsa_categories" ("code" character varying(60) NOT NULL, "gendered" character varying(80) NOT NULL, "generic" character varying(80) NOT NULL, CONSTRAINT "pk_taxonomy_dsa_categories" PRIMARY KEY ("code"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "reports" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "requested_by" uuid NOT NULL, "kind" character varying(40) NOT NULL, "format" character varying(10) NOT NULL, "params" jsonb NOT NULL, "status" character varying(10) NOT NULL DEFAULT 'queued', "progress" smallint NOT NULL DEFAULT '0', "content" bytea, "content_type" character varying(100), "filename" character varying(200), "error" character varying(300), "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "finished_at" TIMESTAMP(3) WITH TIME ZONE, "expires_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, CONSTRAINT "pk_reports" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_reports_expires_at" ON "reports"  ("expires_at") `);
    await queryRunner.query(
      `ALTER TABLE "organizations" ADD "named_in_campaigns" boolean NOT NULL DEFAULT false`,
    );
    await queryRunner.query(
      `ALTER TABLE "organizations" ADD "public_statistics" boolean NOT NULL DEFAULT false`,
    );
    await queryRunner.query(
      `ALTER TABLE "pattern_records" ADD CONSTRAINT "fk_pattern_records_case" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "campaign_cases" ADD CONSTRAINT "fk_campaign_cases_campaign" FOREIGN KEY ("campaign_id") REFERENCES "campaigns"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "campaign_cases" ADD CONSTRAINT "fk_campaign_cases_record" FOREIGN KEY ("case_id") REFERENCES "pattern_records"("case_id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "pattern_alerts" ADD CONSTRAINT "fk_pattern_alerts_organization" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "reports" ADD CONSTRAINT "fk_reports_organization" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "reports" ADD CONSTRAINT "fk_reports_requested_by" FOREIGN KEY ("requested_by") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    // Pattern records follow their cases inside the writing transaction: consent withdrawn is
    // consent withdrawn for the very next read. See PatternRecordEntity.
    await queryRunner.query(`CREATE FUNCTION sync_pattern_records(ids uuid[]) RETURNS void LANGUAGE sql AS $$
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
    await queryRunner.query(`CREATE FUNCTION pattern_sources_changed() RETURNS trigger LANGUAGE plpgsql AS $$
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
              o.organization_id)
             IS DISTINCT FROM
             (n.consent_to_share_pattern, n.escalated_at, n.platform_id, n.channel_id,
              n.category_code, n.subcategory_code, n.country, n.target_groups, n.urgency,
              n.outcome, n.first_response_at, n.resolved_at, n.overdue_for, n.paused_seconds,
              n.organization_id));
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
END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "cases_patterns_insert" AFTER INSERT ON "cases" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pattern_sources_changed()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "cases_patterns_update" AFTER UPDATE ON "cases" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pattern_sources_changed()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "case_events_patterns_insert" AFTER INSERT ON "case_events" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pattern_sources_changed()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "case_indicators_patterns_insert" AFTER INSERT ON "case_indicators" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pattern_sources_changed()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "case_indicators_patterns_delete" AFTER DELETE ON "case_indicators" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION pattern_sources_changed()`,
    );
    // Every change of a record is logged (old -1, new +1) for the rollups, and listeners hear
    // of it at commit (NOTIFY is sent once per transaction).
    await queryRunner.query(`CREATE FUNCTION log_pattern_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO pattern_changes (sign, record) SELECT -1, to_jsonb(o) FROM old_records o;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO pattern_changes (sign, record) SELECT 1, to_jsonb(n) FROM new_records n;
  END IF;
  IF FOUND THEN
    PERFORM pg_notify('pattern_changes', '');
  END IF;
  RETURN NULL;
END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "pattern_records_log_insert" AFTER INSERT ON "pattern_records" REFERENCING NEW TABLE AS new_records FOR EACH STATEMENT EXECUTE FUNCTION log_pattern_changes()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "pattern_records_log_update" AFTER UPDATE ON "pattern_records" REFERENCING OLD TABLE AS old_records NEW TABLE AS new_records FOR EACH STATEMENT EXECUTE FUNCTION log_pattern_changes()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "pattern_records_log_delete" AFTER DELETE ON "pattern_records" REFERENCING OLD TABLE AS old_records FOR EACH STATEMENT EXECUTE FUNCTION log_pattern_changes()`,
    );
    // Cases that consented before this migration (the DSA category follows at start-up).
    await queryRunner.query(
      `SELECT sync_pattern_records(ARRAY(SELECT id FROM cases WHERE consent_to_share_pattern))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "pattern_records_log_delete" ON "pattern_records"`);
    await queryRunner.query(`DROP TRIGGER "pattern_records_log_update" ON "pattern_records"`);
    await queryRunner.query(`DROP TRIGGER "pattern_records_log_insert" ON "pattern_records"`);
    await queryRunner.query(`DROP FUNCTION log_pattern_changes()`);
    await queryRunner.query(`DROP TRIGGER "case_indicators_patterns_delete" ON "case_indicators"`);
    await queryRunner.query(`DROP TRIGGER "case_indicators_patterns_insert" ON "case_indicators"`);
    await queryRunner.query(`DROP TRIGGER "case_events_patterns_insert" ON "case_events"`);
    await queryRunner.query(`DROP TRIGGER "cases_patterns_update" ON "cases"`);
    await queryRunner.query(`DROP TRIGGER "cases_patterns_insert" ON "cases"`);
    await queryRunner.query(`DROP FUNCTION pattern_sources_changed()`);
    await queryRunner.query(`DROP FUNCTION sync_pattern_records(uuid[])`);
    await queryRunner.query(`ALTER TABLE "reports" DROP CONSTRAINT "fk_reports_requested_by"`);
    await queryRunner.query(`ALTER TABLE "reports" DROP CONSTRAINT "fk_reports_organization"`);
    await queryRunner.query(
      `ALTER TABLE "pattern_alerts" DROP CONSTRAINT "fk_pattern_alerts_organization"`,
    );
    await queryRunner.query(
      `ALTER TABLE "campaign_cases" DROP CONSTRAINT "fk_campaign_cases_record"`,
    );
    await queryRunner.query(
      `ALTER TABLE "campaign_cases" DROP CONSTRAINT "fk_campaign_cases_campaign"`,
    );
    await queryRunner.query(
      `ALTER TABLE "pattern_records" DROP CONSTRAINT "fk_pattern_records_case"`,
    );
    await queryRunner.query(`ALTER TABLE "organizations" DROP COLUMN "public_statistics"`);
    await queryRunner.query(`ALTER TABLE "organizations" DROP COLUMN "named_in_campaigns"`);
    await queryRunner.query(`DROP INDEX "public"."idx_reports_expires_at"`);
    await queryRunner.query(`DROP TABLE "reports"`);
    await queryRunner.query(`DROP TABLE "taxonomy_dsa_categories"`);
    await queryRunner.query(`DROP TABLE "pattern_duration_buckets"`);
    await queryRunner.query(`DROP INDEX "public"."idx_pattern_scorecard_cells_empty"`);
    await queryRunner.query(`DROP TABLE "pattern_scorecard_cells"`);
    await queryRunner.query(`DROP INDEX "public"."idx_pattern_cells_empty"`);
    await queryRunner.query(`DROP TABLE "pattern_cells"`);
    await queryRunner.query(`DROP TABLE "pattern_changes"`);
    await queryRunner.query(`DROP TABLE "pattern_alerts"`);
    await queryRunner.query(`DROP INDEX "public"."idx_campaign_cases_case_id"`);
    await queryRunner.query(`DROP TABLE "campaign_cases"`);
    await queryRunner.query(`DROP TABLE "campaigns"`);
    await queryRunner.query(`DROP INDEX "public"."idx_pattern_records_month"`);
    await queryRunner.query(`DROP TABLE "pattern_records"`);
  }
}
