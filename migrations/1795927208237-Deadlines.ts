import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Deadlines and response times: the overdue mark and follow-up reminders on cases, the
 * response durations derived by PostgreSQL, and per platform/channel/month rollups kept
 * fresh from a change log that a trigger fills.
 */

export class Deadlines1795927208237 implements MigrationInterface {
  name = 'Deadlines1795927208237';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."idx_cases_channel_id"`);
    await queryRunner.query(
      `CREATE TABLE "response_time_rollups" ("platform_id" uuid NOT NULL, "channel_id" uuid NOT NULL, "month" date NOT NULL, "cases" integer NOT NULL, "responded" integer NOT NULL, "resolved" integer NOT NULL, "actioned" integer NOT NULL, "no_response" integer NOT NULL, "overdue" integer NOT NULL, "paused_seconds" bigint NOT NULL, "first_response_seconds_sum" bigint NOT NULL, "first_response_seconds_p50" integer, "first_response_seconds_p90" integer, "resolution_seconds_sum" bigint NOT NULL, "resolution_seconds_p50" integer, "resolution_seconds_p90" integer, "refreshed_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, CONSTRAINT "pk_response_time_rollups" PRIMARY KEY ("platform_id", "channel_id", "month"))`,
    );
    await queryRunner.query(`ALTER TABLE "cases" ADD "overdue_for" TIMESTAMP(3) WITH TIME ZONE`);
    await queryRunner.query(
      `ALTER TABLE "cases" ADD "next_reminder_at" TIMESTAMP(3) WITH TIME ZONE`,
    );
    await queryRunner.query(
      `ALTER TABLE "cases" ADD "reminders_sent" integer NOT NULL DEFAULT '0'`,
    );
    await queryRunner.query(
      `ALTER TABLE "cases" ADD "time_to_first_response_seconds" integer GENERATED ALWAYS AS (round(extract(epoch FROM first_response_at - escalated_at))::integer) STORED`,
    );
    await queryRunner.query(
      `INSERT INTO "typeorm_metadata"("database", "schema", "table", "type", "name", "value") VALUES (current_database(), $1, $2, $3, $4, $5)`,
      [
        'public',
        'cases',
        'GENERATED_COLUMN',
        'time_to_first_response_seconds',
        'round(extract(epoch FROM first_response_at - escalated_at))::integer',
      ],
    );
    await queryRunner.query(
      `ALTER TABLE "cases" ADD "time_to_resolution_seconds" integer GENERATED ALWAYS AS (round(extract(epoch FROM resolved_at - escalated_at))::integer) STORED`,
    );
    await queryRunner.query(
      `INSERT INTO "typeorm_metadata"("database", "schema", "table", "type", "name", "value") VALUES (current_database(), $1, $2, $3, $4, $5)`,
      [
        'public',
        'cases',
        'GENERATED_COLUMN',
        'time_to_resolution_seconds',
        'round(extract(epoch FROM resolved_at - escalated_at))::integer',
      ],
    );
    await queryRunner.query(
      `CREATE INDEX "idx_cases_channel_id" ON "cases"  ("channel_id", "escalated_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_cases_next_reminder" ON "cases"  ("next_reminder_at") WHERE next_reminder_at IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_cases_pending_deadline" ON "cases"  ("due_at") WHERE status IN ('escalated', 'acknowledged') AND paused_at IS NULL AND due_at IS NOT NULL AND overdue_for IS DISTINCT FROM due_at`,
    );
    // Rollups are recounted from the cases a statement touched: every write path (POST, the
    // timeline, PATCH, import, the deadline jobs, SQL by hand) is covered without each one
    // remembering to. Statement-level, so a 10,000-row import logs its few keys once.
    await queryRunner.query(
      `CREATE TABLE "response_time_changes" ("id" bigserial NOT NULL, "platform_id" uuid NOT NULL, "channel_id" uuid NOT NULL, "month" date NOT NULL, CONSTRAINT "pk_response_time_changes" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE FUNCTION rollup_month(at timestamptz) RETURNS date LANGUAGE sql IMMUTABLE AS $$ SELECT date_trunc('month', at AT TIME ZONE 'UTC')::date $$`,
    );
    await queryRunner.query(`CREATE FUNCTION note_response_time_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO response_time_changes (platform_id, channel_id, month)
    SELECT DISTINCT platform_id, channel_id, rollup_month(escalated_at)
    FROM new_cases WHERE escalated_at IS NOT NULL;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO response_time_changes (platform_id, channel_id, month)
    SELECT DISTINCT platform_id, channel_id, rollup_month(escalated_at)
    FROM old_cases WHERE escalated_at IS NOT NULL;
  ELSE
    INSERT INTO response_time_changes (platform_id, channel_id, month)
    SELECT DISTINCT k.platform_id, k.channel_id, rollup_month(k.escalated_at)
    FROM old_cases o JOIN new_cases n ON n.id = o.id
    CROSS JOIN LATERAL (VALUES (o.platform_id, o.channel_id, o.escalated_at),
                               (n.platform_id, n.channel_id, n.escalated_at)) AS k (platform_id, channel_id, escalated_at)
    WHERE k.escalated_at IS NOT NULL
      AND (o.status, o.outcome, o.escalated_at, o.first_response_at, o.resolved_at, o.paused_seconds,
           o.overdue_for, o.platform_id, o.channel_id)
          IS DISTINCT FROM
          (n.status, n.outcome, n.escalated_at, n.first_response_at, n.resolved_at, n.paused_seconds,
           n.overdue_for, n.platform_id, n.channel_id);
  END IF;
  RETURN NULL;
END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "cases_response_times_insert" AFTER INSERT ON "cases" REFERENCING NEW TABLE AS new_cases FOR EACH STATEMENT EXECUTE FUNCTION note_response_time_changes()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "cases_response_times_update" AFTER UPDATE ON "cases" REFERENCING OLD TABLE AS old_cases NEW TABLE AS new_cases FOR EACH STATEMENT EXECUTE FUNCTION note_response_time_changes()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "cases_response_times_delete" AFTER DELETE ON "cases" REFERENCING OLD TABLE AS old_cases FOR EACH STATEMENT EXECUTE FUNCTION note_response_time_changes()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "cases_response_times_delete" ON "cases"`);
    await queryRunner.query(`DROP TRIGGER "cases_response_times_update" ON "cases"`);
    await queryRunner.query(`DROP TRIGGER "cases_response_times_insert" ON "cases"`);
    await queryRunner.query(`DROP FUNCTION note_response_time_changes()`);
    await queryRunner.query(`DROP FUNCTION rollup_month(timestamptz)`);
    await queryRunner.query(`DROP TABLE "response_time_changes"`);
    await queryRunner.query(`DROP INDEX "public"."idx_cases_pending_deadline"`);
    await queryRunner.query(`DROP INDEX "public"."idx_cases_next_reminder"`);
    await queryRunner.query(`DROP INDEX "public"."idx_cases_channel_id"`);
    await queryRunner.query(
      `DELETE FROM "typeorm_metadata" WHERE "type" = $1 AND "name" = $2 AND "database" = current_database() AND "schema" = $3 AND "table" = $4`,
      ['GENERATED_COLUMN', 'time_to_resolution_seconds', 'public', 'cases'],
    );
    await queryRunner.query(`ALTER TABLE "cases" DROP COLUMN "time_to_resolution_seconds"`);
    await queryRunner.query(
      `DELETE FROM "typeorm_metadata" WHERE "type" = $1 AND "name" = $2 AND "database" = current_database() AND "schema" = $3 AND "table" = $4`,
      ['GENERATED_COLUMN', 'time_to_first_response_seconds', 'public', 'cases'],
    );
    await queryRunner.query(`ALTER TABLE "cases" DROP COLUMN "time_to_first_response_seconds"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP COLUMN "reminders_sent"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP COLUMN "next_reminder_at"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP COLUMN "overdue_for"`);
    await queryRunner.query(`DROP TABLE "response_time_rollups"`);
    await queryRunner.query(
      `CREATE INDEX "idx_cases_channel_id" ON "cases" USING btree ("channel_id") `,
    );
  }
}
