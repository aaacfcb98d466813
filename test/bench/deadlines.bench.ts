import { randomUUID } from 'node:crypto';
import { getQueueToken } from '@nestjs/bullmq';
import { Queue, Worker } from 'bullmq';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createHttpApp } from '../../src/app.factory';
import { createRootLogger } from '../../src/common/logging/logger';
import { loadConfig } from '../../src/config/app-config';
import { DeadlineScheduler } from '../../src/deadlines/deadline-scheduler';
import { DeadlinesProcessor } from '../../src/deadlines/deadlines.processor';
import { DeadlinesService } from '../../src/deadlines/deadlines.service';
import { createDatabaseIfMissing, runMigrations } from '../../src/database/migrate';
import { QueueName } from '../../src/queue/queues';
import { redisOptionsFromUrl } from '../../src/queue/redis-options';
import { databaseUrl, TEST_REDIS_URL } from '../support/env';
import { deleteRedisKeys } from '../support/redis';
import { createEmptyDatabase, dropDatabase } from '../support/test-db';
import { BenchResult, onCleanup } from './harness';

/**
 * Deadlines through the real worker (one process, the deadlines processor at its concurrency)
 * against BullMQ's own delayed jobs with an empty processor, side by side:
 *
 * 1. BENCH_DEADLINES (default 10,000) cases escalated with deadlines spread over the next
 *    minute, queued through DeadlineScheduler as the API does. Lateness of the overdue marking
 *    = the overdue event's recorded time minus dueAt (the event is written), p50 / p99 / max.
 *    Issue: p99 under 1 s, aim 250 ms. The same number of bare delayed jobs (no work) with the
 *    same times give BullMQ's own lateness on this machine: the ratio is ours over theirs.
 * 2. The same number of deadlines that all passed already (a burst, as after an import): jobs
 *    per second until every case is marked.
 * 3. The sweep over the kept database of the cases bench (`et_bench_cases`, 1,000,000 cases
 *    from `BENCH_KEEP_DB=1 npm run bench -- cases`) when it exists: the first sweep (which
 *    marks every generated deadline that passed) and a second one (steady state), with EXPLAIN
 *    of the query that walks the pending deadlines.
 */

const COUNT = Number(process.env.BENCH_DEADLINES ?? 10_000);
const SPREAD_MS = 60_000;
const KEPT_DATABASE = 'et_bench_cases';

interface Lateness {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

function summary(values: number[]): Lateness {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] };
}

const ms = (n: number) => `${n.toFixed(0)} ms`;

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

async function startApp(url: string, prefix: string) {
  await runMigrations(url);
  const { config } = loadConfig({
    NODE_ENV: 'test',
    APP_ROLE: 'all',
    DATABASE_URL: url,
    DATABASE_POOL_SIZE: '20',
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    JWT_SECRET: 'bench-secret-for-jwt-signing-0123456789abcdef',
    INDICATOR_HASH_KEY: 'bench-key-for-indicator-hashes-0123456789abcdef',
    LOG_LEVEL: 'warn',
    SWEEP_INTERVAL_SECONDS: '86400',
  });
  onCleanup(`redis keys ${prefix}`, () => deleteRedisKeys(prefix));
  const app = await createHttpApp({ config, logger: createRootLogger('warn') });
  onCleanup('deadlines app', () => app.close());
  return app;
}

/** `count` escalated cases of one organisation, due at the given times (one INSERT). */
async function insertCases(db: DataSource, dueAts: Date[]): Promise<string[]> {
  const [{ org, usr, platform, channel }] = await db.query(
    `SELECT (SELECT id FROM organizations ORDER BY created_at LIMIT 1) AS org,
            (SELECT id FROM users ORDER BY created_at LIMIT 1) AS usr,
            p.id AS platform, ch.id AS channel
       FROM platforms p JOIN channels ch ON ch.platform_id = p.id
      WHERE p.code = 'facebook' AND ch.code = 'trusted_partner'`,
  );
  const ids = dueAts.map(() => randomUUID());
  await db.query(
    `INSERT INTO cases (id, reference, organization_id, created_by, platform_id, channel_id, title,
       summary, category_code, country, status, escalated_at, due_at)
     SELECT id, 'ESC-2026-' || case_reference_number(nextval('case_reference_seq')), $3, $4, $5, $6,
            'bench', 'bench', 'doxxing', 'BO', 'escalated', due - interval '72 hours', due
       FROM unnest($1::uuid[], $2::timestamptz[]) AS x (id, due)`,
    [ids, dueAts, org, usr, platform, channel],
  );
  return ids;
}

async function overdueLateness(db: DataSource, ids: string[]): Promise<number[]> {
  const rows: { late: number }[] = await db.query(
    `SELECT extract(epoch FROM e.recorded_at - c.due_at) * 1000 AS late
       FROM case_events e JOIN cases c ON c.id = e.case_id
      WHERE e.type = 'overdue' AND e.case_id = ANY($1)`,
    [ids],
  );
  return rows.map((r) => Number(r.late));
}

async function markedCount(db: DataSource, ids: string[]): Promise<number> {
  const [{ n }] = await db.query(
    `SELECT count(*)::int AS n FROM cases WHERE id = ANY($1) AND overdue_for IS NOT NULL`,
    [ids],
  );
  return n;
}

/** BullMQ alone: delayed jobs with the same times and an empty processor, lateness by job. */
async function bareBullmq(dueAts: Date[], prefix: string): Promise<number[]> {
  const connection = { ...redisOptionsFromUrl(TEST_REDIS_URL), maxRetriesPerRequest: null };
  const name = 'bare-delayed';
  const queue = new Queue(name, { connection, prefix });
  const late: number[] = [];
  const worker = new Worker(
    name,
    async (job) => {
      late.push(Date.now() - (job.data as { due: number }).due);
    },
    { connection, prefix, concurrency: 16 },
  );
  try {
    const now = Date.now();
    for (let i = 0; i < dueAts.length; i += 1000) {
      await queue.addBulk(
        dueAts.slice(i, i + 1000).map((due) => ({
          name,
          data: { due: due.getTime() },
          opts: { delay: Math.max(0, due.getTime() - now), removeOnComplete: true },
        })),
      );
    }
    await waitFor(async () => late.length >= dueAts.length, SPREAD_MS + 60_000);
    return late;
  } finally {
    await worker.close();
    await queue.close();
  }
}

export default async function deadlinesBench(): Promise<BenchResult[]> {
  const problems: string[] = [];
  const database = await createEmptyDatabase('et_bench_deadlines');
  onCleanup(`drop database ${database.name}`, () => dropDatabase(database.name));
  const prefix = `bd${randomUUID().slice(0, 8)}`;
  const app = await startApp(database.url, prefix);
  const db = app.get(DataSource);
  const scheduler = app.get(DeadlineScheduler);
  await db.query(
    `INSERT INTO organizations (slug, name, countries, languages, constituencies, timezone)
     VALUES ('bench-deadlines', 'Bench', '{BO}', '{es}', '{}', 'UTC')`,
  );
  const [org] = await db.query(`SELECT id FROM organizations WHERE slug = 'bench-deadlines'`);
  await db.query(
    `INSERT INTO users (organization_id, email, display_name, role, password_hash)
     VALUES ($1, 'bench-deadlines@example.org', 'Bench', 'member', 'x')`,
    [org.id],
  );

  // 1. Deadlines over the next minute, then BullMQ alone with the same spread.
  const spread = (start: number) =>
    Array.from({ length: COUNT }, (_, i) => new Date(start + 2000 + (i * SPREAD_MS) / COUNT));
  const dueAts = spread(Date.now());
  const ids = await insertCases(db, dueAts);
  const queued = Date.now();
  scheduler.deadlines(ids.map((caseId, i) => ({ caseId, at: dueAts[i] })));
  await scheduler.flush();
  console.log(`queued ${COUNT.toLocaleString('en')} deadline jobs in ${Date.now() - queued} ms`);
  const done = await waitFor(
    async () => (await markedCount(db, ids)) === ids.length,
    SPREAD_MS + 120_000,
  );
  if (!done) problems.push(`not every deadline was marked within ${SPREAD_MS / 1000 + 120} s`);
  const ours = summary(await overdueLateness(db, ids));
  const bare = summary(await bareBullmq(spread(Date.now()), prefix));
  console.log(
    `overdue marking lateness (event written minus dueAt), ${ours.count.toLocaleString('en')} cases: ` +
      `p50 ${ms(ours.p50)}, p99 ${ms(ours.p99)}, max ${ms(ours.max)}; ` +
      `p99 ${ours.p99 < 1000 ? 'under' : 'NOT under'} 1 s (issue), ` +
      `${ours.p99 < 250 ? 'under' : 'not under'} the 250 ms aim`,
  );
  console.log(
    `BullMQ alone (empty processor, same times): p50 ${ms(bare.p50)}, p99 ${ms(bare.p99)}, ` +
      `max ${ms(bare.max)}; ours/bare p99 ${(ours.p99 / Math.max(1, bare.p99)).toFixed(2)}`,
  );

  // 2. A burst of deadlines that passed already.
  const pastDues = Array.from({ length: COUNT }, (_, i) => new Date(Date.now() - 3_600_000 - i));
  const pastIds = await insertCases(db, pastDues);
  const burstStart = Date.now();
  scheduler.deadlines(pastIds.map((caseId, i) => ({ caseId, at: pastDues[i] })));
  await scheduler.flush();
  const burstDone = await waitFor(
    async () => (await markedCount(db, pastIds)) === pastIds.length,
    180_000,
  );
  const burstSeconds = (Date.now() - burstStart) / 1000;
  if (!burstDone) problems.push('the burst of passed deadlines was not marked within 180 s');
  console.log(
    `burst: ${COUNT.toLocaleString('en')} passed deadlines marked in ${burstSeconds.toFixed(1)} s ` +
      `(${(COUNT / burstSeconds).toFixed(0)} jobs/s, worker concurrency ` +
      `${app.get(DeadlinesProcessor).worker.opts.concurrency})`,
  );
  await app.close();

  // 3. The sweep over the cases bench's kept database.
  await sweepLarge(problems);

  return [
    {
      name: `deadlines: ${COUNT.toLocaleString('en')} cases due over ${SPREAD_MS / 1000} s, lateness in ms (requests = cases)`,
      samples: [
        {
          label: 'ours',
          round: 1,
          requests: ours.count,
          seconds: SPREAD_MS / 1000,
          reqPerSec: ours.count / (SPREAD_MS / 1000),
          p50: ours.p50,
          p99: ours.p99,
          non2xx: 0,
          errors: 0,
        },
        {
          label: 'bullmq',
          round: 1,
          requests: bare.count,
          seconds: SPREAD_MS / 1000,
          reqPerSec: bare.count / (SPREAD_MS / 1000),
          p50: bare.p50,
          p99: bare.p99,
          non2xx: 0,
          errors: 0,
        },
      ],
      ratios: [
        {
          name: 'ours/bullmq',
          throughput: ours.count / Math.max(1, bare.count),
          p50: ours.p50 / Math.max(1, bare.p50),
          p99: ours.p99 / Math.max(1, bare.p99),
        },
      ],
      problems,
    },
  ];
}

async function sweepLarge(problems: string[]): Promise<void> {
  const url = databaseUrl(KEPT_DATABASE);
  if (await createDatabaseIfMissing(url)) {
    await dropDatabase(KEPT_DATABASE);
    console.log(
      `sweep over 1,000,000 cases skipped: no ${KEPT_DATABASE} (run BENCH_KEEP_DB=1 npm run bench -- cases first)`,
    );
    return;
  }
  const prefix = `bs${randomUUID().slice(0, 8)}`;
  const started = Date.now();
  const app = await startApp(url, prefix);
  console.log(
    `app on ${KEPT_DATABASE} (migrations applied) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  const db = app.get(DataSource);
  // The worker's own sweep runs at start: let it finish, then undo what it did, so the two
  // timed sweeps below are the catch-up over the generated data and then the steady state.
  await app.get(DeadlinesProcessor).worker.pause();
  const queue = app.get<Queue>(getQueueToken(QueueName.Deadlines));
  await queue.drain(true);
  await resetMarks(url);
  const [{ n: total }] = await db.query('SELECT count(*)::int AS n FROM cases');
  const plan: { 'QUERY PLAN': string }[] = await db.query(
    `EXPLAIN (ANALYZE, BUFFERS) SELECT c.id, c.due_at FROM cases c
      WHERE c.status IN ('escalated', 'acknowledged') AND c.paused_at IS NULL AND c.due_at IS NOT NULL
        AND c.overdue_for IS DISTINCT FROM c.due_at
      ORDER BY c.due_at, c.id LIMIT 1000`,
  );
  console.log(
    `EXPLAIN of the sweep's walk over pending deadlines (${total.toLocaleString('en')} cases):`,
  );
  for (const line of plan) console.log(`  ${line['QUERY PLAN']}`);
  if (!plan.some((l) => l['QUERY PLAN'].includes('idx_cases_pending_deadline'))) {
    problems.push('the sweep does not use idx_cases_pending_deadline');
  }
  const service = app.get(DeadlinesService);
  for (const run of ['first (catch-up)', 'second (steady state)']) {
    const t0 = Date.now();
    const result = await service.sweep();
    console.log(
      `sweep ${run} over ${total.toLocaleString('en')} cases: ${((Date.now() - t0) / 1000).toFixed(2)} s, ` +
        JSON.stringify(result),
    );
  }
  console.log(
    `  deadline jobs held: ${(await queue.getDelayedCount()).toLocaleString('en')} delayed`,
  );
  await app.close();
  await resetMarks(url);
}

/** Puts the kept database back as generated: overdue marks, reminders and events undone. */
async function resetMarks(url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SET session_replication_role = replica');
    await client.query(`DELETE FROM case_events WHERE type = 'overdue'`);
    await client.query(
      `UPDATE cases SET overdue_for = NULL, next_reminder_at = NULL, reminders_sent = 0
        WHERE overdue_for IS NOT NULL OR next_reminder_at IS NOT NULL`,
    );
    await client.query('VACUUM ANALYZE cases');
  } finally {
    await client.end();
  }
}
