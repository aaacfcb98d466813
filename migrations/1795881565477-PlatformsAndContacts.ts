import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Platforms, their channels and who may use them where; platform contacts with their channels,
 * tenures (turnover) and append-only history. Reference platforms are inserted at start by the
 * platforms module, not here, so admins' later edits are never overwritten.
 */
export class PlatformsAndContacts1795881565477 implements MigrationInterface {
  name = 'PlatformsAndContacts1795881565477';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "platforms" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "code" character varying(40) NOT NULL, "name" character varying(100) NOT NULL, "parent_company" character varying(100), "dsa_vlop" boolean, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_platforms_code" UNIQUE ("code"), CONSTRAINT "pk_platforms" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."tlp" AS ENUM('RED', 'AMBER+STRICT', 'AMBER', 'GREEN', 'CLEAR')`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."contact_status" AS ENUM('active', 'left', 'unresponsive', 'unverified')`,
    );
    await queryRunner.query(
      `CREATE TABLE "contacts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "platform_id" uuid NOT NULL, "organization_id" uuid NOT NULL, "created_by" uuid, "full_name" character varying(200) NOT NULL, "languages" text array NOT NULL DEFAULT '{}', "countries" text array NOT NULL DEFAULT '{}', "notes" character varying(4000), "tlp" "public"."tlp" NOT NULL DEFAULT 'GREEN', "shared_organization_ids" uuid array NOT NULL DEFAULT '{}', "status" "public"."contact_status" NOT NULL DEFAULT 'active', "last_verified_at" TIMESTAMP WITH TIME ZONE, "last_verified_by" uuid, "left_on" date, "successor_id" uuid, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_contacts_successor_not_self" CHECK ("successor_id" IS NULL OR "successor_id" <> "id"), CONSTRAINT "pk_contacts" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_contacts_successor_id" ON "contacts"  ("successor_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_contacts_organization_id" ON "contacts"  ("organization_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_contacts_platform_id" ON "contacts"  ("platform_id") `,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."contact_channel_kind" AS ENUM('email', 'signal', 'phone')`,
    );
    await queryRunner.query(
      `CREATE TABLE "contact_channels" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "contact_id" uuid NOT NULL, "kind" "public"."contact_channel_kind" NOT NULL, "value" character varying(320) NOT NULL, "since" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "until" TIMESTAMP WITH TIME ZONE, CONSTRAINT "pk_contact_channels" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_contact_channels_kind_value" ON "contact_channels"  ("kind", "value") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_contact_channels_contact_id" ON "contact_channels"  ("contact_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "contact_tenures" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "contact_id" uuid NOT NULL, "title" character varying(200) NOT NULL, "team" character varying(200), "countries" text array NOT NULL DEFAULT '{}', "started_on" date NOT NULL, "ended_on" date, "end_reason" character varying(1000), "handover_notes" character varying(4000), "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_contact_tenures_period" CHECK ("ended_on" IS NULL OR "ended_on" >= "started_on"), CONSTRAINT "pk_contact_tenures" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_contact_tenures_contact_id" ON "contact_tenures"  ("contact_id", "started_on") `,
    );
    await queryRunner.query(
      `CREATE TABLE "contact_events" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "contact_id" uuid NOT NULL, "occurred_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "actor_user_id" uuid, "type" character varying(40) NOT NULL, "changes" jsonb NOT NULL DEFAULT '{}', CONSTRAINT "pk_contact_events" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_contact_events_contact_id" ON "contact_events"  ("contact_id", "occurred_at") `,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."channel_kind" AS ENUM('public_report', 'trusted_partner', 'legal', 'dsa_notice', 'ncii_hash', 'email')`,
    );
    await queryRunner.query(
      `CREATE TABLE "channels" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "platform_id" uuid NOT NULL, "code" character varying(60) NOT NULL, "name" character varying(200) NOT NULL, "kind" "public"."channel_kind" NOT NULL, "url" character varying(500), "expected_response_hours" integer NOT NULL, "verified" boolean NOT NULL DEFAULT false, "note" character varying(1000), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_channels_platform_code" UNIQUE ("platform_id", "code"), CONSTRAINT "ck_channels_expected_response_hours" CHECK ("expected_response_hours" BETWEEN 1 AND 8760), CONSTRAINT "pk_channels" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "channel_access" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "channel_id" uuid NOT NULL, "countries" text array NOT NULL, "since" date NOT NULL, "until" date, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_channel_access_period" CHECK ("until" IS NULL OR "until" >= "since"), CONSTRAINT "pk_channel_access" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_channel_access_organization_id" ON "channel_access"  ("organization_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_channel_access_channel_id" ON "channel_access"  ("channel_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "contacts" ADD CONSTRAINT "fk_contacts_platform" FOREIGN KEY ("platform_id") REFERENCES "platforms"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "contacts" ADD CONSTRAINT "fk_contacts_organization" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "contacts" ADD CONSTRAINT "fk_contacts_successor" FOREIGN KEY ("successor_id") REFERENCES "contacts"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "contact_channels" ADD CONSTRAINT "fk_contact_channels_contact" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "contact_tenures" ADD CONSTRAINT "fk_contact_tenures_contact" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "contact_events" ADD CONSTRAINT "fk_contact_events_contact" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "channels" ADD CONSTRAINT "fk_channels_platform" FOREIGN KEY ("platform_id") REFERENCES "platforms"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "channel_access" ADD CONSTRAINT "fk_channel_access_organization" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "channel_access" ADD CONSTRAINT "fk_channel_access_channel" FOREIGN KEY ("channel_id") REFERENCES "channels"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    // A contact's history is never rewritten (refuse_change() comes from the first migration).
    await queryRunner.query(
      `CREATE TRIGGER "trg_contact_events_no_update_delete" BEFORE UPDATE OR DELETE ON "contact_events" FOR EACH ROW EXECUTE FUNCTION "refuse_change"()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "trg_contact_events_no_truncate" BEFORE TRUNCATE ON "contact_events" FOR EACH STATEMENT EXECUTE FUNCTION "refuse_change"()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DROP TRIGGER "trg_contact_events_no_update_delete" ON "contact_events"`,
    );
    await queryRunner.query(
      `ALTER TABLE "channel_access" DROP CONSTRAINT "fk_channel_access_channel"`,
    );
    await queryRunner.query(
      `ALTER TABLE "channel_access" DROP CONSTRAINT "fk_channel_access_organization"`,
    );
    await queryRunner.query(`ALTER TABLE "channels" DROP CONSTRAINT "fk_channels_platform"`);
    await queryRunner.query(
      `ALTER TABLE "contact_events" DROP CONSTRAINT "fk_contact_events_contact"`,
    );
    await queryRunner.query(
      `ALTER TABLE "contact_tenures" DROP CONSTRAINT "fk_contact_tenures_contact"`,
    );
    await queryRunner.query(
      `ALTER TABLE "contact_channels" DROP CONSTRAINT "fk_contact_channels_contact"`,
    );
    await queryRunner.query(`ALTER TABLE "contacts" DROP CONSTRAINT "fk_contacts_successor"`);
    await queryRunner.query(`ALTER TABLE "contacts" DROP CONSTRAINT "fk_contacts_organization"`);
    await queryRunner.query(`ALTER TABLE "contacts" DROP CONSTRAINT "fk_contacts_platform"`);
    await queryRunner.query(`DROP INDEX "public"."idx_channel_access_channel_id"`);
    await queryRunner.query(`DROP INDEX "public"."idx_channel_access_organization_id"`);
    await queryRunner.query(`DROP TABLE "channel_access"`);
    await queryRunner.query(`DROP TABLE "channels"`);
    await queryRunner.query(`DROP TYPE "public"."channel_kind"`);
    await queryRunner.query(`DROP INDEX "public"."idx_contact_events_contact_id"`);
    await queryRunner.query(`DROP TABLE "contact_events"`);
    await queryRunner.query(`DROP INDEX "public"."idx_contact_tenures_contact_id"`);
    await queryRunner.query(`DROP TABLE "contact_tenures"`);
    await queryRunner.query(`DROP INDEX "public"."idx_contact_channels_contact_id"`);
    await queryRunner.query(`DROP INDEX "public"."idx_contact_channels_kind_value"`);
    await queryRunner.query(`DROP TABLE "contact_channels"`);
    await queryRunner.query(`DROP TYPE "public"."contact_channel_kind"`);
    await queryRunner.query(`DROP INDEX "public"."idx_contacts_platform_id"`);
    await queryRunner.query(`DROP INDEX "public"."idx_contacts_organization_id"`);
    await queryRunner.query(`DROP INDEX "public"."idx_contacts_successor_id"`);
    await queryRunner.query(`DROP TABLE "contacts"`);
    await queryRunner.query(`DROP TYPE "public"."contact_status"`);
    await queryRunner.query(`DROP TYPE "public"."tlp"`);
    await queryRunner.query(`DROP TABLE "platforms"`);
  }
}
