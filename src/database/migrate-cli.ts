import 'reflect-metadata';
import { loadConfig } from '../config/app-config';
import { createDatabaseIfMissing, revertLastMigration, runMigrations } from './migrate';

/** `npm run migration:run` / `npm run migration:revert`. */
async function main() {
  const { config } = loadConfig();
  const command = process.argv[2];
  if (command === 'run') {
    await createDatabaseIfMissing(config.databaseUrl);
    const applied = await runMigrations(config.databaseUrl);
    console.warn(applied.length ? `applied: ${applied.join(', ')}` : 'no pending migrations');
  } else if (command === 'revert') {
    await revertLastMigration(config.databaseUrl);
    console.warn('reverted the last migration');
  } else {
    console.error('usage: migrate-cli run|revert');
    process.exitCode = 2;
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exitCode = 1;
});
