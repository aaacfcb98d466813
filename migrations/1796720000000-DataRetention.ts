import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Data that can be laid to rest (issue 20).
 *
 * - `retention_policies`: per organisation, how many months after closing a case keeps its
 *   content, and whether the indicators' keyed hashes stay (they feed campaign matching). No row:
 *   nothing is ever redacted (the default until an org_admin decides). CASCADE: it belongs to the
 *   organisation.
 * - `cases.content_removed_at`: when the retention rule removed the case's content (title,
 *   summary, items, indicator values, notes of events); the skeleton stays and keeps counting.
 * - `erased_cases`: what is left of a case erased on request: its reference, who could see it
 *   (so they get 410 Gone and everyone else 404), who erased it and when. No content.
 * - The timeline stays append-only for everyone, with two narrow doors opened per transaction
 *   by a setting: `app.erase_case` = a case id lets that case's events be deleted (with the
 *   case), `app.redact_notes` = 'on' lets an update clear `note` and nothing else. The
 *   contacts' history likewise lets deletes through only under `app.erase_organization` (the
 *   contacts of an organisation that leaves go with their history).
 */
export class DataRetention1796720000000 implements MigrationInterface {
  name = 'DataRetention1796720000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "retention_policies" ("organization_id" uuid NOT NULL, "closed_case_months" smallint, "keep_indicator_hashes" boolean NOT NULL DEFAULT false, "updated_by" uuid, "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_retention_policies_months" CHECK ("closed_case_months" BETWEEN 1 AND 240), CONSTRAINT "pk_retention_policies" PRIMARY KEY ("organization_id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "retention_policies" ADD CONSTRAINT "fk_retention_policies_organization" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "retention_policies" ADD CONSTRAINT "fk_retention_policies_updated_by" FOREIGN KEY ("updated_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_retention_policies_updated_by" ON "retention_policies" ("updated_by")`,
    );

    await queryRunner.query(
      `ALTER TABLE "cases" ADD "content_removed_at" TIMESTAMP(3) WITH TIME ZONE`,
    );
    // The daily job's question: closed cases of an organisation whose content is still there.
    await queryRunner.query(
      `CREATE INDEX "idx_cases_retention" ON "cases" ("organization_id", "closed_at") WHERE "status" = 'closed' AND "content_removed_at" IS NULL`,
    );

    await queryRunner.query(
      `CREATE TABLE "erased_cases" ("case_id" uuid NOT NULL, "reference" character varying(20) NOT NULL, "organization_id" uuid NOT NULL, "created_by" uuid, "tlp" "public"."tlp" NOT NULL, "shared_organization_ids" uuid array NOT NULL DEFAULT '{}', "shared_user_ids" uuid array NOT NULL DEFAULT '{}', "erased_by" uuid, "erased_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, CONSTRAINT "pk_erased_cases" PRIMARY KEY ("case_id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "erased_cases" ADD CONSTRAINT "fk_erased_cases_organization" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "erased_cases" ADD CONSTRAINT "fk_erased_cases_created_by" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "erased_cases" ADD CONSTRAINT "fk_erased_cases_erased_by" FOREIGN KEY ("erased_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_erased_cases_organization_id" ON "erased_cases" ("organization_id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_erased_cases_created_by" ON "erased_cases" ("created_by")`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_erased_cases_erased_by" ON "erased_cases" ("erased_by")`,
    );

    await queryRunner.query(`CREATE FUNCTION "guard_case_events"() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE'
                   AND current_setting('app.erase_case', true) = OLD.case_id::text THEN
                    RETURN OLD;
                END IF;
                IF TG_OP = 'UPDATE'
                   AND current_setting('app.redact_notes', true) = 'on'
                   AND NEW.note IS NULL
                   AND (to_jsonb(NEW) - 'note') = (to_jsonb(OLD) - 'note') THEN
                    RETURN NEW;
                END IF;
                RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
            END $$`);
    await queryRunner.query(`DROP TRIGGER "trg_case_events_no_update_delete" ON "case_events"`);
    await queryRunner.query(
      `CREATE TRIGGER "trg_case_events_no_update_delete" BEFORE UPDATE OR DELETE ON "case_events" FOR EACH ROW EXECUTE FUNCTION "guard_case_events"()`,
    );
    await queryRunner.query(`CREATE FUNCTION "guard_contact_events"() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE'
                   AND coalesce(current_setting('app.erase_organization', true), '') <> '' THEN
                    RETURN OLD;
                END IF;
                RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
            END $$`);
    await queryRunner.query(
      `DROP TRIGGER "trg_contact_events_no_update_delete" ON "contact_events"`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "trg_contact_events_no_update_delete" BEFORE UPDATE OR DELETE ON "contact_events" FOR EACH ROW EXECUTE FUNCTION "guard_contact_events"()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DROP TRIGGER "trg_contact_events_no_update_delete" ON "contact_events"`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "trg_contact_events_no_update_delete" BEFORE UPDATE OR DELETE ON "contact_events" FOR EACH ROW EXECUTE FUNCTION "refuse_change"()`,
    );
    await queryRunner.query(`DROP FUNCTION "guard_contact_events"()`);
    await queryRunner.query(`DROP TRIGGER "trg_case_events_no_update_delete" ON "case_events"`);
    await queryRunner.query(
      `CREATE TRIGGER "trg_case_events_no_update_delete" BEFORE UPDATE OR DELETE ON "case_events" FOR EACH ROW EXECUTE FUNCTION "refuse_change"()`,
    );
    await queryRunner.query(`DROP FUNCTION "guard_case_events"()`);
    await queryRunner.query(`DROP TABLE "erased_cases"`);
    await queryRunner.query(`DROP INDEX "public"."idx_cases_retention"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP COLUMN "content_removed_at"`);
    await queryRunner.query(`DROP TABLE "retention_policies"`);
  }
}
