import { MigrationInterface, QueryRunner } from 'typeorm';

export class WebSessions1795960000000 implements MigrationInterface {
  name = 'WebSessions1795960000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "web_sessions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "token_hash" character(64) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "uq_web_sessions_token_hash" UNIQUE ("token_hash"), CONSTRAINT "pk_web_sessions" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_web_sessions_user_id" ON "web_sessions" ("user_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_web_sessions_expires_at" ON "web_sessions" ("expires_at") `,
    );
    await queryRunner.query(
      `ALTER TABLE "web_sessions" ADD CONSTRAINT "fk_web_sessions_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "web_sessions" DROP CONSTRAINT "fk_web_sessions_user"`);
    await queryRunner.query(`DROP INDEX "public"."idx_web_sessions_expires_at"`);
    await queryRunner.query(`DROP INDEX "public"."idx_web_sessions_user_id"`);
    await queryRunner.query(`DROP TABLE "web_sessions"`);
  }
}
