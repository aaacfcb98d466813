import chromium from '@sparticuz/chromium';
import { runMigrations } from '../../src/database/migrate';
import { databaseUrl, TEMPLATE_ENV } from './env';
import { createEmptyDatabase } from './test-db';

/**
 * Migrates one template database (closing every connection to it afterwards, or cloning fails);
 * each test file clones it. Unpacks the Chromium that `npm ci` brought (@sparticuz/chromium)
 * once, here, so parallel browser files never unpack it over each other; `CHROMIUM_PATH` picks
 * another one. Workers inherit both through the environment.
 */
export default async function globalSetup(): Promise<void> {
  const { name } = await createEmptyDatabase('et_template');
  await runMigrations(databaseUrl(name));
  process.env[TEMPLATE_ENV] = name;
  process.env.CHROMIUM_PATH ??= await chromium.executablePath();
}
