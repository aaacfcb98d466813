import { join } from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';
import { SnakeNamingStrategy } from './snake-naming.strategy';

/** Where entities and migrations live, for both `ts` (tests) and compiled `js` (dist). */
export const ENTITY_GLOB = join(__dirname, '..', '**', '*.entity.{ts,js}');
export const MIGRATION_GLOB = join(__dirname, '..', '..', 'migrations', '*.{ts,js}');

/**
 * The one set of DataSource options shared by the app, the migration CLI and the tests.
 * `synchronize` is never on: the schema changes only through migrations.
 */
export function dataSourceOptions(url: string, poolSize = 10): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: [ENTITY_GLOB],
    migrations: [MIGRATION_GLOB],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    migrationsRun: false,
    installExtensions: false,
    uuidExtension: 'pgcrypto',
    // TypeORM's own logger prints failed SQL with its parameters (e-mails, hashes, case text);
    // errors reach our logger through the exception filter instead, without row values.
    // `maxQueryExecutionTime` stays unset for the same reason: TypeORM logs a slow query with its
    // parameters whatever `logging` says (and the case insert hands it a query config, see sql.ts).
    logging: false,
    extra: {
      max: poolSize,
      // Fail fast instead of hanging when PostgreSQL is unreachable or the pool is exhausted.
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30000,
      application_name: 'escalation-tracker',
    },
  };
}

/** For the TypeORM CLI (`migration:generate` against dist/). */
export default new DataSource(
  dataSourceOptions(
    process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/escalation_tracker',
  ),
);
