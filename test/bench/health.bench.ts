import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import Fastify from 'fastify';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { createHttpApp } from '../../src/app.factory';
import { createRootLogger } from '../../src/common/logging/logger';
import { loadConfig } from '../../src/config/app-config';
import { runMigrations } from '../../src/database/migrate';
import { redisOptionsFromUrl } from '../../src/queue/redis-options';
import { TEST_REDIS_URL } from '../support/env';
import { deleteRedisKeys } from '../support/redis';
import { createEmptyDatabase, dropDatabase } from '../support/test-db';
import { alternate, benchSeconds, BenchResult, onCleanup, ratio, Target } from './harness';

const POOL_SIZE = 10;
const CONNECTIONS = 10;

/**
 * GET /health through the whole app (Nest + Fastify adapter, hooks, guards, filters, TypeORM,
 * the health controller) against a bare Fastify route doing the same work raw: `SELECT 1` on a
 * pg Pool and a Redis PING, answering the same JSON. Same database, same Redis, same pool size.
 */
export default async function healthBench(): Promise<BenchResult[]> {
  const database = await createEmptyDatabase('et_bench');
  onCleanup(`drop database ${database.name}`, () => dropDatabase(database.name));
  await runMigrations(database.url);

  const prefix = `bench${randomBytes(4).toString('hex')}`;
  onCleanup(`delete redis keys ${prefix}:*`, () => deleteRedisKeys(prefix));
  // Production mode: every secret given here, nothing generated into a local file.
  const { config } = loadConfig({
    NODE_ENV: 'production',
    APP_ROLE: 'api',
    DATABASE_URL: database.url,
    DATABASE_POOL_SIZE: String(POOL_SIZE),
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    JWT_SECRET: 'bench-secret-for-jwt-signing-0123456789abcdef',
    INDICATOR_HASH_KEY: 'bench-key-for-indicator-hashes-0123456789abcdef',
    LOG_LEVEL: 'silent',
  });
  const app = await createHttpApp({ config, logger: createRootLogger('silent') });
  onCleanup('close the app', () => app.close());
  await app.listen({ port: 0, host: '127.0.0.1' });

  const raw = await startRawServer(database.url);
  onCleanup('close the raw server', raw.close);

  const targets: Target[] = [
    { label: 'raw', url: `${raw.url}/health` },
    { label: 'app', url: `${serverUrl(app.getHttpServer().address())}/health` },
  ];
  const problems = await sameAnswer(targets);
  const seconds = benchSeconds();
  const run = await alternate(targets, {
    seconds,
    connections: CONNECTIONS,
    rounds: 2,
    warmupSeconds: Math.min(1, seconds),
  });
  return [
    {
      name: 'GET /health',
      samples: run.samples,
      ratios: [ratio(run.samples, 'app', 'raw'), ratio(run.samples, 'app', 'raw', 'best')],
      problems: [...problems, ...run.problems],
    },
  ];
}

function serverUrl(address: string | AddressInfo | null): string {
  if (!address || typeof address === 'string') throw new Error('server is not listening on TCP');
  return `http://127.0.0.1:${address.port}`;
}

async function startRawServer(
  databaseUrl: string,
): Promise<{ url: string; close: () => Promise<void> }> {
  const pool = new Pool({ connectionString: databaseUrl, max: POOL_SIZE });
  const redis = new Redis({
    ...redisOptionsFromUrl(TEST_REDIS_URL),
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
  });
  redis.on('error', () => undefined); // failures surface through the commands
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    await pool.end();
    throw new Error(`raw server: Redis unreachable: ${(error as Error).message}`, { cause: error });
  }
  const server = Fastify({ logger: false });
  server.get('/health', async (_request, reply) => {
    const [postgres, redisCheck] = await Promise.all([
      pool.query('SELECT 1').then(
        () => 'up' as const,
        () => 'down' as const,
      ),
      redis.ping().then(
        () => 'up' as const,
        () => 'down' as const,
      ),
    ]);
    const ok = postgres === 'up' && redisCheck === 'up';
    void reply.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'unavailable', checks: { postgres, redis: redisCheck } };
  });
  await server.listen({ port: 0, host: '127.0.0.1' });
  return {
    url: serverUrl(server.server.address()),
    close: async () => {
      await server.close();
      await pool.end();
      redis.disconnect();
    },
  };
}

/** Both answer 200 with the same body, or the comparison is meaningless. */
async function sameAnswer(targets: Target[]): Promise<string[]> {
  const answers = await Promise.all(
    targets.map(async (t) => {
      const response = await fetch(t.url);
      return { label: t.label, status: response.status, body: (await response.json()) as unknown };
    }),
  );
  const problems = answers
    .filter((a) => a.status !== 200)
    .map((a) => `${a.label}: GET /health answered ${a.status} ${JSON.stringify(a.body)}`);
  if (!answers.every((a) => isDeepStrictEqual(a.body, answers[0].body))) {
    problems.push(`bodies differ: ${answers.map((a) => JSON.stringify(a.body)).join(' vs ')}`);
  }
  return problems;
}
