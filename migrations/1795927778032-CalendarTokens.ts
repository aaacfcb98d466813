import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Secret-token calendar feeds: one row per feed URL a user made, holding only the SHA-256 of the
 * token. Revoking sets revoked_at (the row stays), as for API tokens.
 */
export class CalendarTokens1795927778032 implements MigrationInterface {
  name = 'CalendarTokens1795927778032';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "calendar_tokens" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "name" character varying(100), "token_hash" character(64) NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "last_used_at" TIMESTAMP(3) WITH TIME ZONE, "revoked_at" TIMESTAMP(3) WITH TIME ZONE, CONSTRAINT "uq_calendar_tokens_token_hash" UNIQUE ("token_hash"), CONSTRAINT "pk_calendar_tokens" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_calendar_tokens_user_id" ON "calendar_tokens" ("user_id")`,
    );
    await queryRunner.query(
      `ALTER TABLE "calendar_tokens" ADD CONSTRAINT "fk_calendar_tokens_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "calendar_tokens" DROP CONSTRAINT "fk_calendar_tokens_user"`,
    );
    await queryRunner.query(`DROP INDEX "public"."idx_calendar_tokens_user_id"`);
    await queryRunner.query(`DROP TABLE "calendar_tokens"`);
  }
}
