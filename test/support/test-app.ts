import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { createHttpApp } from '../../src/app.factory';
import { Clock } from '../../src/common/clock';
import { createRootLogger } from '../../src/common/logging/logger';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { TEST_REDIS_URL } from './env';
import { deleteRedisKeys } from './redis';
import { cloneTemplateDatabase, dropDatabase } from './test-db';

export const TEST_JWT_SECRET = 'test-secret-for-jwt-signing-0123456789abcdef';
export const TEST_INDICATOR_HASH_KEY = 'test-key-for-indicator-hashes-0123456789abcdef';

/** A clock the test moves by hand. */
export class TestClock extends Clock {
  private offsetMs = 0;
  override now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  clock: TestClock;
  /** Direct SQL on this file's database, to check what the API really wrote. */
  db: DataSource;
  /** Every log line the app wrote, parsed. */
  logs: Record<string, unknown>[];
  /** The raw log text, to search for leaks. */
  rawLogs: () => string;
  close: () => Promise<void>;
}

/**
 * The HTTP app (APP_ROLE=api unless `env` says otherwise) on its own database (cloned from the migrated template) and its own Redis
 * key prefix, so test files run in parallel without sharing state.
 */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const database = await cloneTemplateDatabase();
  const prefix = `t${randomBytes(4).toString('hex')}`;
  const { config } = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    DATABASE_POOL_SIZE: '5',
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    JWT_SECRET: TEST_JWT_SECRET,
    INDICATOR_HASH_KEY: TEST_INDICATOR_HASH_KEY,
    LOG_LEVEL: 'info',
    // Workers would mark the suites' past-dated cases overdue behind their backs (a new version,
    // a new event); suites about jobs ask for APP_ROLE=all.
    APP_ROLE: 'api',
    ...env,
  });
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const clock = new TestClock();
  const app = await createHttpApp({
    config,
    logger: createRootLogger(config.logLevel, sink),
    clock,
  });
  const db = app.get(DataSource);
  return {
    app,
    config,
    clock,
    db,
    get logs() {
      return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    rawLogs: () => lines.join('\n'),
    close: async () => {
      await app.close();
      await deleteRedisKeys(prefix);
      await dropDatabase(database.name);
    },
  };
}
