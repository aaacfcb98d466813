import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Escalated cases with their append-only timeline, items (URLs of the reported content),
 * indicators (normalised, with the keyed hash compared across organisations) and the
 * idempotency keys of POST /v1/cases. Hand-written additions at the end: the reference sequence,
 * the full-text index and the append-only trigger.
 */
export class Cases1795910575571 implements MigrationInterface {
  name = 'Cases1795910575571';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TYPE "public"."case_urgency" AS ENUM('low', 'normal', 'high', 'critical')`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."case_status" AS ENUM('draft', 'escalated', 'acknowledged', 'resolved', 'closed')`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."case_outcome" AS ENUM('content_removed', 'account_suspended', 'account_restored', 'content_restricted', 'partially_actioned', 'no_violation_found', 'referred_elsewhere', 'no_response')`,
    );
    await queryRunner.query(
      `CREATE TABLE "cases" ("id" uuid NOT NULL, "reference" character varying(20) NOT NULL, "organization_id" uuid NOT NULL, "created_by" uuid NOT NULL, "platform_id" uuid NOT NULL, "channel_id" uuid NOT NULL, "contact_id" uuid, "title" character varying(300) NOT NULL, "summary" character varying(20000) NOT NULL, "category_code" character varying(60) NOT NULL, "subcategory_code" character varying(60), "target_groups" text array NOT NULL DEFAULT '{}', "country" character varying(2) NOT NULL, "content_language" character varying(35), "urgency" "public"."case_urgency" NOT NULL DEFAULT 'normal', "tlp" "public"."tlp" NOT NULL DEFAULT 'AMBER+STRICT', "shared_organization_ids" uuid array NOT NULL DEFAULT '{}', "shared_user_ids" uuid array NOT NULL DEFAULT '{}', "consent_to_share_pattern" boolean NOT NULL DEFAULT false, "platform_reference" character varying(200), "status" "public"."case_status" NOT NULL DEFAULT 'draft', "outcome" "public"."case_outcome", "escalated_at" TIMESTAMP(3) WITH TIME ZONE, "due_at" TIMESTAMP(3) WITH TIME ZONE, "first_response_at" TIMESTAMP(3) WITH TIME ZONE, "resolved_at" TIMESTAMP(3) WITH TIME ZONE, "closed_at" TIMESTAMP(3) WITH TIME ZONE, "paused_at" TIMESTAMP(3) WITH TIME ZONE, "paused_seconds" integer NOT NULL DEFAULT '0', "needs_contact" boolean NOT NULL DEFAULT false, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_cases_reference" UNIQUE ("reference"), CONSTRAINT "ck_cases_paused_seconds" CHECK ("paused_seconds" >= 0), CONSTRAINT "pk_cases" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_cases_created_by" ON "cases"  ("created_by") `);
    await queryRunner.query(`CREATE INDEX "idx_cases_contact_id" ON "cases"  ("contact_id") `);
    await queryRunner.query(`CREATE INDEX "idx_cases_channel_id" ON "cases"  ("channel_id") `);
    await queryRunner.query(
      `CREATE INDEX "idx_cases_organization_id" ON "cases"  ("organization_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_cases_platform_status" ON "cases"  ("platform_id", "status", "created_at", "id") `,
    );
    await queryRunner.query(`CREATE INDEX "idx_cases_created" ON "cases"  ("created_at", "id") `);
    await queryRunner.query(
      `CREATE TYPE "public"."case_event_type" AS ENUM('created', 'escalated', 'follow_up_sent', 'platform_acknowledged', 'platform_requested_info', 'info_provided', 'platform_responded', 'closed', 'reopened', 'contact_changed', 'overdue', 'note')`,
    );
    await queryRunner.query(
      `CREATE TABLE "case_events" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "case_id" uuid NOT NULL, "type" "public"."case_event_type" NOT NULL, "occurred_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "recorded_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "actor_user_id" uuid, "status_after" "public"."case_status" NOT NULL, "note" character varying(4000), "outcome" "public"."case_outcome", "platform_reference" character varying(200), "quality" jsonb, "statement_of_reasons" jsonb, "details" jsonb NOT NULL DEFAULT '{}', CONSTRAINT "pk_case_events" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_case_events_case_id" ON "case_events"  ("case_id", "occurred_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."indicator_kind" AS ENUM('account_handle', 'url', 'hashtag', 'phone', 'domain', 'image_hash')`,
    );
    await queryRunner.query(
      `CREATE TABLE "case_indicators" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "case_id" uuid NOT NULL, "organization_id" uuid NOT NULL, "kind" "public"."indicator_kind" NOT NULL, "value" character varying(2048) NOT NULL, "value_hash" character(64) NOT NULL, CONSTRAINT "uq_case_indicators_case_hash" UNIQUE ("case_id", "value_hash"), CONSTRAINT "pk_case_indicators" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_case_indicators_organization_id" ON "case_indicators"  ("organization_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_case_indicators_hash" ON "case_indicators"  ("value_hash") `,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."case_item_kind" AS ENUM('post', 'comment', 'profile', 'message', 'image', 'video', 'group', 'page', 'other')`,
    );
    await queryRunner.query(
      `CREATE TABLE "case_items" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "case_id" uuid NOT NULL, "position" smallint NOT NULL, "url" character varying(2048) NOT NULL, "kind" "public"."case_item_kind" NOT NULL, "content_sha256" character(64), "captured_at" TIMESTAMP(3) WITH TIME ZONE, CONSTRAINT "pk_case_items" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_case_items_case_id" ON "case_items"  ("case_id", "position") `,
    );
    await queryRunner.query(
      `CREATE TABLE "idempotency_keys" ("user_id" uuid NOT NULL, "key" character varying(200) NOT NULL, "request_hash" character(64) NOT NULL, "case_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_idempotency_keys" PRIMARY KEY ("user_id", "key"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_idempotency_keys_case_id" ON "idempotency_keys"  ("case_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "cases" ADD CONSTRAINT "fk_cases_organization" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "cases" ADD CONSTRAINT "fk_cases_created_by" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "cases" ADD CONSTRAINT "fk_cases_platform" FOREIGN KEY ("platform_id") REFERENCES "platforms"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "cases" ADD CONSTRAINT "fk_cases_channel" FOREIGN KEY ("channel_id") REFERENCES "channels"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "cases" ADD CONSTRAINT "fk_cases_contact" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "case_events" ADD CONSTRAINT "fk_case_events_case" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "case_indicators" ADD CONSTRAINT "fk_case_indicators_case" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "case_indicators" ADD CONSTRAINT "fk_case_indicators_organization" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "case_items" ADD CONSTRAINT "fk_case_items_case" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "idempotency_keys" ADD CONSTRAINT "fk_idempotency_keys_case" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    // ESC-<year>-<6 digits>: one sequence for every year; gaps are fine, duplicates are not.
    await queryRunner.query(`CREATE SEQUENCE "case_reference_seq" AS bigint START 1`);
    // At least six digits, more when the sequence outgrows them (lpad alone would truncate).
    await queryRunner.query(
      `CREATE FUNCTION "case_reference_number"(n bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT lpad(n::text, greatest(6, length(n::text)), '0') $$`,
    );
    // Language-neutral full text ('simple': no stemming, works for every language we serve).
    // The expression must stay identical to SEARCH_DOCUMENT in cases.repository.ts.
    await queryRunner.query(
      `CREATE INDEX "idx_cases_search" ON "cases" USING gin (to_tsvector('simple'::regconfig, "reference"::text || ' ' || "title"::text || ' ' || "summary"::text))`,
    );
    // The timeline is never rewritten (refuse_change() comes from the first migration).
    await queryRunner.query(
      `CREATE TRIGGER "trg_case_events_no_update_delete" BEFORE UPDATE OR DELETE ON "case_events" FOR EACH ROW EXECUTE FUNCTION "refuse_change"()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "trg_case_events_no_truncate" BEFORE TRUNCATE ON "case_events" FOR EACH STATEMENT EXECUTE FUNCTION "refuse_change"()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "trg_case_events_no_truncate" ON "case_events"`);
    await queryRunner.query(`DROP TRIGGER "trg_case_events_no_update_delete" ON "case_events"`);
    await queryRunner.query(`DROP INDEX "public"."idx_cases_search"`);
    await queryRunner.query(`DROP FUNCTION "case_reference_number"(bigint)`);
    await queryRunner.query(`DROP SEQUENCE "case_reference_seq"`);
    await queryRunner.query(
      `ALTER TABLE "idempotency_keys" DROP CONSTRAINT "fk_idempotency_keys_case"`,
    );
    await queryRunner.query(`ALTER TABLE "case_items" DROP CONSTRAINT "fk_case_items_case"`);
    await queryRunner.query(
      `ALTER TABLE "case_indicators" DROP CONSTRAINT "fk_case_indicators_organization"`,
    );
    await queryRunner.query(
      `ALTER TABLE "case_indicators" DROP CONSTRAINT "fk_case_indicators_case"`,
    );
    await queryRunner.query(`ALTER TABLE "case_events" DROP CONSTRAINT "fk_case_events_case"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP CONSTRAINT "fk_cases_contact"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP CONSTRAINT "fk_cases_channel"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP CONSTRAINT "fk_cases_platform"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP CONSTRAINT "fk_cases_created_by"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP CONSTRAINT "fk_cases_organization"`);
    await queryRunner.query(`DROP INDEX "public"."idx_idempotency_keys_case_id"`);
    await queryRunner.query(`DROP TABLE "idempotency_keys"`);
    await queryRunner.query(`DROP INDEX "public"."idx_case_items_case_id"`);
    await queryRunner.query(`DROP TABLE "case_items"`);
    await queryRunner.query(`DROP TYPE "public"."case_item_kind"`);
    await queryRunner.query(`DROP INDEX "public"."idx_case_indicators_hash"`);
    await queryRunner.query(`DROP INDEX "public"."idx_case_indicators_organization_id"`);
    await queryRunner.query(`DROP TABLE "case_indicators"`);
    await queryRunner.query(`DROP TYPE "public"."indicator_kind"`);
    await queryRunner.query(`DROP INDEX "public"."idx_case_events_case_id"`);
    await queryRunner.query(`DROP TABLE "case_events"`);
    await queryRunner.query(`DROP TYPE "public"."case_event_type"`);
    await queryRunner.query(`DROP INDEX "public"."idx_cases_created"`);
    await queryRunner.query(`DROP INDEX "public"."idx_cases_platform_status"`);
    await queryRunner.query(`DROP INDEX "public"."idx_cases_organization_id"`);
    await queryRunner.query(`DROP INDEX "public"."idx_cases_channel_id"`);
    await queryRunner.query(`DROP INDEX "public"."idx_cases_contact_id"`);
    await queryRunner.query(`DROP INDEX "public"."idx_cases_created_by"`);
    await queryRunner.query(`DROP TABLE "cases"`);
    await queryRunner.query(`DROP TYPE "public"."case_outcome"`);
    await queryRunner.query(`DROP TYPE "public"."case_status"`);
    await queryRunner.query(`DROP TYPE "public"."case_urgency"`);
  }
}
