import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Organisations, users, personal API tokens and the append-only audit trail.
 * `gen_random_uuid()` is built into PostgreSQL 13+, so no extension is needed.
 */
export class Foundation1795880088860 implements MigrationInterface {
  name = 'Foundation1795880088860';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_entries" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "occurred_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "action" character varying(64) NOT NULL, "actor_user_id" uuid, "organization_id" uuid, "target_type" character varying(40), "target_id" uuid, "ip" inet, "request_id" character varying(64), "details" jsonb NOT NULL DEFAULT '{}', CONSTRAINT "pk_audit_entries" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_audit_entries_organization_id" ON "audit_entries"  ("organization_id", "occurred_at", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_audit_entries_occurred_at" ON "audit_entries"  ("occurred_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "organizations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "slug" character varying(63) NOT NULL, "name" character varying(200) NOT NULL, "countries" text array NOT NULL DEFAULT '{}', "languages" text array NOT NULL DEFAULT '{}', "constituencies" text array NOT NULL DEFAULT '{}', "website" character varying(500), "timezone" character varying(64) NOT NULL DEFAULT 'UTC', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_organizations_slug" UNIQUE ("slug"), CONSTRAINT "pk_organizations" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."user_role" AS ENUM('admin', 'org_admin', 'member', 'viewer')`,
    );
    await queryRunner.query(
      `CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "email" character varying(254) NOT NULL, "display_name" character varying(200) NOT NULL, "role" "public"."user_role" NOT NULL, "password_hash" character varying(255) NOT NULL, "language" character varying(35) NOT NULL DEFAULT 'en', "timezone" character varying(64) NOT NULL DEFAULT 'UTC', "active" boolean NOT NULL DEFAULT true, "last_login_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_users_email" UNIQUE ("email"), CONSTRAINT "ck_users_email_lowercase" CHECK ("email" = lower("email")), CONSTRAINT "pk_users" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_users_organization_id" ON "users"  ("organization_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "api_tokens" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "name" character varying(100) NOT NULL, "token_hash" character(64) NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE, "last_used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "uq_api_tokens_token_hash" UNIQUE ("token_hash"), CONSTRAINT "pk_api_tokens" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_api_tokens_user_id" ON "api_tokens"  ("user_id") `);
    await queryRunner.query(
      `ALTER TABLE "users" ADD CONSTRAINT "fk_users_organization" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "api_tokens" ADD CONSTRAINT "fk_api_tokens_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    // Append-only tables (the audit trail here, histories later) refuse changes for everyone,
    // the application included.
    await queryRunner.query(`CREATE FUNCTION "refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
            END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "trg_audit_entries_no_update_delete" BEFORE UPDATE OR DELETE ON "audit_entries" FOR EACH ROW EXECUTE FUNCTION "refuse_change"()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "trg_audit_entries_no_truncate" BEFORE TRUNCATE ON "audit_entries" FOR EACH STATEMENT EXECUTE FUNCTION "refuse_change"()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "trg_audit_entries_no_truncate" ON "audit_entries"`);
    await queryRunner.query(`DROP TRIGGER "trg_audit_entries_no_update_delete" ON "audit_entries"`);
    await queryRunner.query(`DROP FUNCTION "refuse_change"()`);
    await queryRunner.query(`ALTER TABLE "api_tokens" DROP CONSTRAINT "fk_api_tokens_user"`);
    await queryRunner.query(`ALTER TABLE "users" DROP CONSTRAINT "fk_users_organization"`);
    await queryRunner.query(`DROP INDEX "public"."idx_api_tokens_user_id"`);
    await queryRunner.query(`DROP TABLE "api_tokens"`);
    await queryRunner.query(`DROP INDEX "public"."idx_users_organization_id"`);
    await queryRunner.query(`DROP TABLE "users"`);
    await queryRunner.query(`DROP TYPE "public"."user_role"`);
    await queryRunner.query(`DROP TABLE "organizations"`);
    await queryRunner.query(`DROP INDEX "public"."idx_audit_entries_occurred_at"`);
    await queryRunner.query(`DROP INDEX "public"."idx_audit_entries_organization_id"`);
    await queryRunner.query(`DROP TABLE "audit_entries"`);
  }
}
