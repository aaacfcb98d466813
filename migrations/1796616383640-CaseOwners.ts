import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A case's owner: the person of the owning organisation who follows it up (reminders go to them
 * first). Existing cases stay unassigned: who followed them is not known. Changing the owner is
 * a timeline step of its own (`owner_changed`). The index serves "mine" and "unassigned" among
 * an organisation's open cases; it leaves out closed ones, which no list asks for by owner.
 */
export class CaseOwners1796616383640 implements MigrationInterface {
  name = 'CaseOwners1796616383640';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "cases" ADD "owner_id" uuid`);
    await queryRunner.query(
      `ALTER TABLE "cases" ADD CONSTRAINT "fk_cases_owner" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE SET NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_cases_owner_open" ON "cases" ("organization_id", "owner_id") WHERE "status" IN ('draft', 'escalated', 'acknowledged')`,
    );
    await queryRunner.query(`ALTER TYPE "public"."case_event_type" ADD VALUE 'owner_changed'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "case_events" WHERE "type" = 'owner_changed'`);
    await queryRunner.query(`ALTER TYPE "public"."case_event_type" RENAME TO "case_event_type_old"`);
    await queryRunner.query(
      `CREATE TYPE "public"."case_event_type" AS ENUM('created', 'escalated', 'follow_up_sent', 'platform_acknowledged', 'platform_requested_info', 'info_provided', 'platform_responded', 'closed', 'reopened', 'contact_changed', 'overdue', 'note')`,
    );
    await queryRunner.query(
      `ALTER TABLE "case_events" ALTER COLUMN "type" TYPE "public"."case_event_type" USING "type"::text::"public"."case_event_type"`,
    );
    await queryRunner.query(`DROP TYPE "public"."case_event_type_old"`);
    await queryRunner.query(`DROP INDEX "public"."idx_cases_owner_open"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP CONSTRAINT "fk_cases_owner"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP COLUMN "owner_id"`);
  }
}
