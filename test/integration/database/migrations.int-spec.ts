import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../../src/database/data-source';
import {
  createDatabaseIfMissing,
  revertLastMigration,
  runMigrations,
} from '../../../src/database/migrate';
import { databaseUrl } from '../../support/env';
import { createEmptyDatabase, dropDatabase } from '../../support/test-db';

const tablesOf = async (ds: DataSource): Promise<string[]> =>
  (
    await ds.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    )
  ).map((r: { table_name: string }) => r.table_name);

describe('migrations', () => {
  let name: string;
  let url: string;

  beforeAll(async () => {
    ({ name, url } = await createEmptyDatabase('et_migr'));
  });
  afterAll(() => dropDatabase(name));

  it('run forward on an empty database, and the entities match the schema (no drift)', async () => {
    const applied = await runMigrations(url);
    expect(applied.length).toBeGreaterThan(0);
    await expect(runMigrations(url)).resolves.toEqual([]);
    const ds = await new DataSource({ ...dataSourceOptions(url, 1), logging: false }).initialize();
    try {
      const pending = await ds.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
      expect(await tablesOf(ds)).toEqual([
        'api_tokens',
        'audit_entries',
        'calendar_tokens',
        'campaign_cases',
        'campaigns',
        'case_events',
        'case_indicators',
        'case_items',
        'cases',
        'channel_access',
        'channel_access_history',
        'channel_incident_confirmations',
        'channel_incidents',
        'channel_playbook_versions',
        'channels',
        'contact_channels',
        'contact_events',
        'contact_platforms',
        'contact_tenures',
        'contacts',
        'erased_cases',
        'idempotency_keys',
        'meeting_rsvps',
        'meetings',
        'migrations',
        'organizations',
        'pattern_alerts',
        'pattern_cells',
        'pattern_changes',
        'pattern_duration_buckets',
        'pattern_pending',
        'pattern_records',
        'pattern_scorecard_counts',
        'platforms',
        'reports',
        'response_time_changes',
        'response_time_rollups',
        'retention_policies',
        'taxonomy_dsa_categories',
        // TypeORM's own record of generated columns (the cases' stored durations).
        'typeorm_metadata',
        'users',
        'web_sessions',
        'webhook_deliveries',
        'webhooks',
        'working_group_members',
        'working_groups',
      ]);
    } finally {
      await ds.destroy();
    }
  });

  it('revert one by one down to an empty schema, then apply again', async () => {
    const ds = await new DataSource({ ...dataSourceOptions(url, 1), logging: false }).initialize();
    try {
      const count = (await ds.query('SELECT count(*)::int AS n FROM migrations'))[0].n as number;
      for (let i = 0; i < count; i += 1) await revertLastMigration(url);
      expect(await tablesOf(ds)).toEqual(['migrations', 'typeorm_metadata']);
      const types = await ds.query(`SELECT typname FROM pg_type WHERE typname = 'user_role'`);
      expect(types).toEqual([]);
      const again = await runMigrations(url);
      expect(again.length).toBe(count);
    } finally {
      await ds.destroy();
    }
  });

  it('serialises concurrent runs: replicas starting together apply each migration once', async () => {
    const fresh = await createEmptyDatabase('et_migr');
    try {
      const results = await Promise.all([
        runMigrations(fresh.url),
        runMigrations(fresh.url),
        runMigrations(fresh.url),
      ]);
      const applied = results.flat();
      expect(new Set(applied).size).toBe(applied.length);
      expect(results.filter((r) => r.length > 0)).toHaveLength(1);
    } finally {
      await dropDatabase(fresh.name);
    }
  });

  it('creates the database when it is missing, once', async () => {
    const target = `et_migr_create_${process.pid}`;
    try {
      await expect(createDatabaseIfMissing(databaseUrl(target))).resolves.toBe(true);
      await expect(createDatabaseIfMissing(databaseUrl(target))).resolves.toBe(false);
    } finally {
      await dropDatabase(target);
    }
  });

  it('keeps the audit trail append-only', async () => {
    const ds = await new DataSource({ ...dataSourceOptions(url, 1), logging: false }).initialize();
    try {
      await ds.query(`INSERT INTO audit_entries (action) VALUES ('user.created')`);
      await expect(ds.query(`UPDATE audit_entries SET action = 'user.updated'`)).rejects.toThrow(
        /append-only/,
      );
      await expect(ds.query(`DELETE FROM audit_entries`)).rejects.toThrow(/append-only/);
      await expect(ds.query(`TRUNCATE audit_entries`)).rejects.toThrow(/append-only/);
      await expect(ds.query(`SELECT action FROM audit_entries`)).resolves.toEqual([
        { action: 'user.created' },
      ]);
    } finally {
      await ds.destroy();
    }
  });
});
