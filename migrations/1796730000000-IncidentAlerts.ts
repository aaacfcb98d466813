import { MigrationInterface, QueryRunner } from 'typeorm';

/** A working group may follow channel incidents: its members hear of each one reported. */
export class IncidentAlerts1796730000000 implements MigrationInterface {
  name = 'IncidentAlerts1796730000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "working_groups" ADD COLUMN "incident_alerts" boolean NOT NULL DEFAULT false`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "working_groups" DROP COLUMN "incident_alerts"`);
  }
}
