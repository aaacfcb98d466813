import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Contacts follow the parent company (issue 16): a contact keeps their own platform and may
 * cover further platforms of the same company, one row each. The contact's own platform is never
 * listed here; the service refuses platforms of another company.
 */
export class ContactPlatforms1796010000000 implements MigrationInterface {
  name = 'ContactPlatforms1796010000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "contact_platforms" ("contact_id" uuid NOT NULL, "platform_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_contact_platforms" PRIMARY KEY ("contact_id", "platform_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_contact_platforms_platform_id" ON "contact_platforms" ("platform_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "contact_platforms" ADD CONSTRAINT "fk_contact_platforms_contact" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "contact_platforms" ADD CONSTRAINT "fk_contact_platforms_platform" FOREIGN KEY ("platform_id") REFERENCES "platforms"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "contact_platforms"`);
  }
}
