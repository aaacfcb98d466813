import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The community (issue 17, part 2): an organisation's fuller profile (the index of
 * initiatives), working groups with members from several organisations, and community meetings
 * with their answers (RSVP).
 *
 * ON DELETE: a group's members, a meeting's answers and a group's meetings belong to the group
 * or meeting (CASCADE); a member row and an answer belong to the user (CASCADE); who created
 * a group or meeting, or added a member, is authorship of community-shared content (SET NULL).
 */
export class Community1796710000000 implements MigrationInterface {
  name = 'Community1796710000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "organizations" ADD "services" text array NOT NULL DEFAULT '{}', ADD "introduction" character varying(4000), ADD "contact_email" character varying(254), ADD "signal" character varying(100), ADD "social_accounts" text array NOT NULL DEFAULT '{}', ADD "joined_on" date NOT NULL DEFAULT ('now'::text)::date`,
    );
    await queryRunner.query(
      `CREATE TABLE "working_groups" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(200) NOT NULL, "description" character varying(2000), "pattern_alerts" boolean NOT NULL DEFAULT false, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_working_groups_name" UNIQUE ("name"), CONSTRAINT "pk_working_groups" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "working_groups" ADD CONSTRAINT "fk_working_groups_created_by" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_working_groups_created_by" ON "working_groups" ("created_by") `,
    );
    await queryRunner.query(
      `CREATE TABLE "working_group_members" ("working_group_id" uuid NOT NULL, "user_id" uuid NOT NULL, "added_by" uuid, "added_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_working_group_members" PRIMARY KEY ("working_group_id", "user_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_working_group_members_user_id" ON "working_group_members" ("user_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_working_group_members_added_by" ON "working_group_members" ("added_by") `,
    );
    await queryRunner.query(
      `ALTER TABLE "working_group_members" ADD CONSTRAINT "fk_working_group_members_group" FOREIGN KEY ("working_group_id") REFERENCES "working_groups"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "working_group_members" ADD CONSTRAINT "fk_working_group_members_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "working_group_members" ADD CONSTRAINT "fk_working_group_members_added_by" FOREIGN KEY ("added_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `CREATE TABLE "meetings" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "title" character varying(200) NOT NULL, "starts_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ends_at" TIMESTAMP WITH TIME ZONE NOT NULL, "languages" text array NOT NULL DEFAULT '{}', "interpretation" text array NOT NULL DEFAULT '{}', "link" character varying(500), "agenda" character varying(8000), "working_group_id" uuid, "created_by" uuid, "sequence" integer NOT NULL DEFAULT 0, "cancelled_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_meetings_period" CHECK ("ends_at" > "starts_at"), CONSTRAINT "pk_meetings" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_meetings_working_group_id" ON "meetings" ("working_group_id") `,
    );
    await queryRunner.query(`CREATE INDEX "idx_meetings_created_by" ON "meetings" ("created_by") `);
    await queryRunner.query(`CREATE INDEX "idx_meetings_starts_at" ON "meetings" ("starts_at") `);
    await queryRunner.query(
      `ALTER TABLE "meetings" ADD CONSTRAINT "fk_meetings_working_group" FOREIGN KEY ("working_group_id") REFERENCES "working_groups"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "meetings" ADD CONSTRAINT "fk_meetings_created_by" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `CREATE TABLE "meeting_rsvps" ("meeting_id" uuid NOT NULL, "user_id" uuid NOT NULL, "answer" character varying(5) NOT NULL, "answered_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_meeting_rsvps_answer" CHECK ("answer" IN ('yes', 'no', 'maybe')), CONSTRAINT "pk_meeting_rsvps" PRIMARY KEY ("meeting_id", "user_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_meeting_rsvps_user_id" ON "meeting_rsvps" ("user_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "meeting_rsvps" ADD CONSTRAINT "fk_meeting_rsvps_meeting" FOREIGN KEY ("meeting_id") REFERENCES "meetings"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "meeting_rsvps" ADD CONSTRAINT "fk_meeting_rsvps_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "meeting_rsvps"`);
    await queryRunner.query(`DROP TABLE "meetings"`);
    await queryRunner.query(`DROP TABLE "working_group_members"`);
    await queryRunner.query(`DROP TABLE "working_groups"`);
    await queryRunner.query(
      `ALTER TABLE "organizations" DROP COLUMN "joined_on", DROP COLUMN "social_accounts", DROP COLUMN "signal", DROP COLUMN "contact_email", DROP COLUMN "introduction", DROP COLUMN "services"`,
    );
  }
}
