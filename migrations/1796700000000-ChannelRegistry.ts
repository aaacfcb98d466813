import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 17, part 1: the trusted-partner registry, channel playbooks and channel incidents.
 *
 * - channel_access becomes a registry: an organisation claims access with evidence, the
 *   community coordination approves or refuses it; access can be corrected, ended and revoked,
 *   each change a row of channel_access_history. Rows recorded before this migration by a
 *   community admin count as approved; rows an organisation recorded for itself were never
 *   approved by anyone, so they become claims (shown as claimed, never counted as access).
 * - channel_playbook_versions: every version of a channel's playbook (the current one is the
 *   highest); the primary key (channel, version) makes two concurrent edits of the same version
 *   collide instead of one silently overwriting the other.
 * - channel_incidents and their confirmations (one per organisation).
 *
 * Authorship of community-shared content (playbooks, incidents, decisions) is SET NULL when a
 * user or organisation goes; confirmations belong to the confirming organisation (CASCADE).
 * channel_access.decided_by, like its created_by, has no foreign key (platforms sit below users);
 * the history rows, which name every actor, have one (SET NULL).
 */
export class ChannelRegistry1796700000000 implements MigrationInterface {
  name = 'ChannelRegistry1796700000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TYPE "public"."channel_access_status" AS ENUM('claimed', 'approved', 'refused', 'revoked')`,
    );
    await queryRunner.query(
      `ALTER TABLE "channel_access"
         ADD "status" "public"."channel_access_status" NOT NULL DEFAULT 'claimed',
         ADD "evidence_note" character varying(2000),
         ADD "confirmed_on" date,
         ADD "confirmed_by" character varying(200),
         ADD "decided_by" uuid,
         ADD "decided_at" TIMESTAMP WITH TIME ZONE,
         ADD "decision_reason" character varying(1000),
         ADD "version" integer NOT NULL DEFAULT 1,
         ADD "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()`,
    );
    await queryRunner.query(
      `UPDATE "channel_access" ca SET "status" = 'approved', "decided_by" = ca."created_by", "decided_at" = ca."created_at"
        WHERE EXISTS (SELECT 1 FROM "users" u WHERE u."id" = ca."created_by" AND u."role" = 'admin')`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_channel_access_status" ON "channel_access" ("status", "channel_id")`,
    );
    await queryRunner.query(
      `CREATE TABLE "channel_access_history" (
         "id" uuid NOT NULL DEFAULT gen_random_uuid(),
         "access_id" uuid NOT NULL,
         "version" integer NOT NULL,
         "action" character varying(20) NOT NULL,
         "status" "public"."channel_access_status" NOT NULL,
         "countries" text array NOT NULL,
         "since" date NOT NULL,
         "until" date,
         "reason" character varying(1000),
         "actor_user_id" uuid,
         "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         CONSTRAINT "uq_channel_access_history_version" UNIQUE ("access_id", "version"),
         CONSTRAINT "pk_channel_access_history" PRIMARY KEY ("id"),
         CONSTRAINT "fk_channel_access_history_access" FOREIGN KEY ("access_id") REFERENCES "channel_access"("id") ON DELETE CASCADE,
         CONSTRAINT "fk_channel_access_history_actor" FOREIGN KEY ("actor_user_id") REFERENCES "users"("id") ON DELETE SET NULL)`,
    );
    // Every existing row starts its history with what is known of it.
    await queryRunner.query(
      `INSERT INTO "channel_access_history" ("access_id", "version", "action", "status", "countries", "since", "until", "actor_user_id", "created_at")
       SELECT ca."id", 1, CASE WHEN ca."status" = 'approved' THEN 'recorded' ELSE 'claimed' END, ca."status", ca."countries", ca."since", ca."until",
              (SELECT u."id" FROM "users" u WHERE u."id" = ca."created_by"), ca."created_at"
         FROM "channel_access" ca`,
    );

    await queryRunner.query(
      `CREATE TABLE "channel_playbook_versions" (
         "channel_id" uuid NOT NULL,
         "version" integer NOT NULL,
         "evidence" character varying(4000),
         "language" character varying(200),
         "subject_line" character varying(500),
         "form_fields" character varying(4000),
         "pitfalls" character varying(4000),
         "eligibility" character varying(4000),
         "how_to_apply" character varying(4000),
         "change_note" character varying(300),
         "author_id" uuid,
         "author_organization_id" uuid,
         "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         CONSTRAINT "ck_channel_playbook_versions_version" CHECK ("version" >= 1),
         CONSTRAINT "pk_channel_playbook_versions" PRIMARY KEY ("channel_id", "version"),
         CONSTRAINT "fk_channel_playbook_versions_channel" FOREIGN KEY ("channel_id") REFERENCES "channels"("id") ON DELETE CASCADE,
         CONSTRAINT "fk_channel_playbook_versions_author" FOREIGN KEY ("author_id") REFERENCES "users"("id") ON DELETE SET NULL,
         CONSTRAINT "fk_channel_playbook_versions_organization" FOREIGN KEY ("author_organization_id") REFERENCES "organizations"("id") ON DELETE SET NULL)`,
    );

    await queryRunner.query(
      `CREATE TYPE "public"."channel_incident_kind" AS ENUM('broken', 'silent', 'changed')`,
    );
    await queryRunner.query(
      `CREATE TABLE "channel_incidents" (
         "id" uuid NOT NULL DEFAULT gen_random_uuid(),
         "channel_id" uuid NOT NULL,
         "kind" "public"."channel_incident_kind" NOT NULL,
         "since" date NOT NULL,
         "description" character varying(2000) NOT NULL,
         "reported_by" uuid,
         "organization_id" uuid,
         "resolved_on" date,
         "resolution_note" character varying(1000),
         "resolved_by" uuid,
         "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         CONSTRAINT "ck_channel_incidents_period" CHECK ("resolved_on" IS NULL OR "resolved_on" >= "since"),
         CONSTRAINT "pk_channel_incidents" PRIMARY KEY ("id"),
         CONSTRAINT "fk_channel_incidents_channel" FOREIGN KEY ("channel_id") REFERENCES "channels"("id") ON DELETE CASCADE,
         CONSTRAINT "fk_channel_incidents_reported_by" FOREIGN KEY ("reported_by") REFERENCES "users"("id") ON DELETE SET NULL,
         CONSTRAINT "fk_channel_incidents_organization" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE SET NULL,
         CONSTRAINT "fk_channel_incidents_resolved_by" FOREIGN KEY ("resolved_by") REFERENCES "users"("id") ON DELETE SET NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_channel_incidents_channel" ON "channel_incidents" ("channel_id", "since")`,
    );
    await queryRunner.query(
      `CREATE TABLE "channel_incident_confirmations" (
         "incident_id" uuid NOT NULL,
         "organization_id" uuid NOT NULL,
         "user_id" uuid,
         "note" character varying(1000),
         "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         CONSTRAINT "pk_channel_incident_confirmations" PRIMARY KEY ("incident_id", "organization_id"),
         CONSTRAINT "fk_channel_incident_confirmations_incident" FOREIGN KEY ("incident_id") REFERENCES "channel_incidents"("id") ON DELETE CASCADE,
         CONSTRAINT "fk_channel_incident_confirmations_organization" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE,
         CONSTRAINT "fk_channel_incident_confirmations_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE SET NULL)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "channel_incident_confirmations"`);
    await queryRunner.query(`DROP TABLE "channel_incidents"`);
    await queryRunner.query(`DROP TYPE "public"."channel_incident_kind"`);
    await queryRunner.query(`DROP TABLE "channel_playbook_versions"`);
    await queryRunner.query(`DROP TABLE "channel_access_history"`);
    await queryRunner.query(`DROP INDEX "public"."idx_channel_access_status"`);
    // Refused and revoked rows were never access; claims were not either, but before this
    // migration every row counted, so only what was not access in any sense goes.
    await queryRunner.query(
      `DELETE FROM "channel_access" WHERE "status" IN ('refused', 'revoked')`,
    );
    await queryRunner.query(
      `ALTER TABLE "channel_access"
         DROP COLUMN "updated_at", DROP COLUMN "version", DROP COLUMN "decision_reason",
         DROP COLUMN "decided_at", DROP COLUMN "decided_by", DROP COLUMN "confirmed_by",
         DROP COLUMN "confirmed_on", DROP COLUMN "evidence_note", DROP COLUMN "status"`,
    );
    await queryRunner.query(`DROP TYPE "public"."channel_access_status"`);
  }
}
