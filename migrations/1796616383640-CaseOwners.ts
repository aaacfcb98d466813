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
    await queryRunner.query(
      `ALTER TYPE "public"."case_event_type" ADD VALUE IF NOT EXISTS 'owner_changed'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // PostgreSQL cannot drop a value of an enum, and rebuilding the type would mean dropping the
    // triggers that read case_events.type: the value stays, unused (up adds it IF NOT EXISTS).
    await queryRunner.query(`DELETE FROM "case_events" WHERE "type" = 'owner_changed'`);
    await queryRunner.query(`DROP INDEX "public"."idx_cases_owner_open"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP CONSTRAINT "fk_cases_owner"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP COLUMN "owner_id"`);
  }
}
