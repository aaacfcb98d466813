import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The timeline's tie-breaker: two events with the same occurred_at (a case logged and escalated
 * in the same millisecond, steps dated after the fact) keep the order they were recorded in.
 * The random uuid id gave them a random order. Existing rows are numbered in the order of the
 * table's pages, which for this append-only table is the order they were written.
 */
export class CaseEventSequence1795970000000 implements MigrationInterface {
  name = 'CaseEventSequence1795970000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "case_events" ADD "seq" bigint GENERATED ALWAYS AS IDENTITY NOT NULL`,
    );
    await queryRunner.query(`DROP INDEX "public"."idx_case_events_case_id"`);
    await queryRunner.query(
      `CREATE INDEX "idx_case_events_case_id" ON "case_events" ("case_id", "occurred_at", "seq") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."idx_case_events_case_id"`);
    await queryRunner.query(
      `CREATE INDEX "idx_case_events_case_id" ON "case_events" ("case_id", "occurred_at", "id") `,
    );
    await queryRunner.query(`ALTER TABLE "case_events" DROP COLUMN "seq"`);
  }
}
