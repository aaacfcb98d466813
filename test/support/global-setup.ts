import { runMigrations } from '../../src/database/migrate';
import { databaseUrl, TEMPLATE_ENV } from './env';
import { createEmptyDatabase } from './test-db';

/**
 * Migrates one template database (closing every connection to it afterwards, or cloning fails);
 * each test file clones it. Workers inherit the name through the environment.
 */
export default async function globalSetup(): Promise<void> {
  const { name } = await createEmptyDatabase('et_template');
  await runMigrations(databaseUrl(name));
  process.env[TEMPLATE_ENV] = name;
}
