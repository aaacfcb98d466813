import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks per organisation (URL, signing secret, active flag) and the log of every delivery
 * attempt (status or a short error, never a response body), read newest first per webhook.
 */
export class Notifications1795928009008 implements MigrationInterface {
  name = 'Notifications1795928009008';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "webhooks" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "url" character varying(2048) NOT NULL, "secret" character varying(100) NOT NULL, "description" character varying(500), "active" boolean NOT NULL DEFAULT true, "created_by" uuid NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_webhooks" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_webhooks_created_by" ON "webhooks"  ("created_by") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_webhooks_organization_id" ON "webhooks"  ("organization_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "webhook_deliveries" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "webhook_id" uuid NOT NULL, "notification_key" character varying(200) NOT NULL, "event_type" character varying(40) NOT NULL, "attempt" integer NOT NULL, "http_status" smallint, "error" character varying(200), "duration_ms" integer NOT NULL, "attempted_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, CONSTRAINT "ck_webhook_deliveries_attempt" CHECK ("attempt" >= 1), CONSTRAINT "pk_webhook_deliveries" PRIMARY KEY ("id"))`,
    );
    // Newest first per webhook, with the id as the keyset tie-breaker (by hand: descending
    // columns cannot be declared on the entity).
    await queryRunner.query(
      `CREATE INDEX "idx_webhook_deliveries_webhook_attempted" ON "webhook_deliveries" ("webhook_id", "attempted_at" DESC, "id" DESC)`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhooks" ADD CONSTRAINT "fk_webhooks_organization" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhooks" ADD CONSTRAINT "fk_webhooks_created_by" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "fk_webhook_deliveries_webhook" FOREIGN KEY ("webhook_id") REFERENCES "webhooks"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "fk_webhook_deliveries_webhook"`,
    );
    await queryRunner.query(`ALTER TABLE "webhooks" DROP CONSTRAINT "fk_webhooks_created_by"`);
    await queryRunner.query(`ALTER TABLE "webhooks" DROP CONSTRAINT "fk_webhooks_organization"`);
    await queryRunner.query(`DROP INDEX "public"."idx_webhook_deliveries_webhook_attempted"`);
    await queryRunner.query(`DROP TABLE "webhook_deliveries"`);
    await queryRunner.query(`DROP INDEX "public"."idx_webhooks_organization_id"`);
    await queryRunner.query(`DROP INDEX "public"."idx_webhooks_created_by"`);
    await queryRunner.query(`DROP TABLE "webhooks"`);
  }
}
