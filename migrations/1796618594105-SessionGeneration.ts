import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A user's session generation: every access token carries the one it was issued under, and is
 * refused once the user's has moved on (a password change, a deactivation, "sign out
 * everywhere"). Tokens issued before this migration carry none and count as generation 0.
 */
export class SessionGeneration1796618594105 implements MigrationInterface {
  name = 'SessionGeneration1796618594105';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "users" ADD "session_generation" integer NOT NULL DEFAULT 0`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "session_generation"`);
  }
}
