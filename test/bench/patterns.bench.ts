import { ChildProcess, fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { isIP, type AddressInfo } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import Fastify, { FastifyInstance } from 'fastify';
import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import { createHttpApp } from '../../src/app.factory';
import { createRootLogger } from '../../src/common/logging/logger';
import { loadConfig } from '../../src/config/app-config';
import { createDatabaseIfMissing, runMigrations } from '../../src/database/migrate';
import { PatternProjection } from '../../src/patterns/pattern-projection';
import { DIMENSION_COLUMN, Dimension, grainFor } from '../../src/patterns/pattern-grains';
import { SCORECARD_MEASURES } from '../../src/patterns/scorecard-measures';
import { protectCount } from '../../src/patterns/disclosure';
import { tokenFor } from '../factories/community.factory';
import { databaseUrl, TEST_REDIS_URL } from '../support/env';
import { deleteRedisKeys } from '../support/redis';
import { createEmptyDatabase, dropDatabase } from '../support/test-db';
import {
  alternate,
  benchSeconds,
  BenchResult,
  onCleanup,
  ratio,
  Ratio,
  Sample,
  Target,
} from './harness';
import {
  clearMeta,
  dataWindow,
  ensurePatternCommunity,
  generatePatternCases,
  PatternCommunity,
  readMeta,
  WINDOW_MONTHS,
  writeMeta,
} from './pattern-data.generator';

/**
 * The shared aggression repository's reads at two sizes: 10,000 pattern records against
 * BENCH_PATTERNS (default 1,000,000), each in its own database, loaded the way production fills
 * them (escalated, consenting cases inserted in bulk; the real triggers note them; the app's
 * PatternProjection.catchUp() builds the records and folds their log into the rollups, as the
 * worker does; see pattern-data.generator).
 *
 * What it measures, side by side in one run (alternating; absolute times are machine noise):
 * 1. GET /v1/patterns/trends?groupBy=month,category,country over the last 12 of the data's 24
 *    months, large against 10,000 records, same concurrency (10 connections, then 1). The
 *    issue's bar: large/10k latency under 3 at p50 and p95.
 * 2. GET /v1/reports/platform-scorecard over the same 12 months on the large set (and the 10k
 *    set beside it). The issue's bar: p95 under 200 ms on 1,000,000 records.
 * 3. The trends endpoint against its main query by hand on the app's own pg pool (a bare Fastify
 *    route): `raw` = the cells query alone, `raw-all` = every statement the service sends (cells
 *    and total in parallel, then the audit INSERT), without Nest, validation or suppression.
 * 4. The load: cases inserted per second through the triggers, and changes folded per second by
 *    catchUp() right after (records built, then the whole log folded; the time covers both). Printed with the rollup sizes and the query
 *    plans (EXPLAIN ANALYZE, BUFFERS) of the queries behind both endpoints.
 *
 * Two apps cannot share this process (@nestjs/passport's strategies are process-wide: the second
 * app would authenticate against the first one's database), so each size runs in a child process
 * of its own (this file, forked), with its app, its raw route on the app's pool and its database;
 * this process only drives the load (autocannon) and reads the answers. Both sides are therefore
 * set up alike, and autocannon never shares an event loop with the app it measures.
 *
 * Environment: BENCH_SECONDS (harness, per measured run), BENCH_PATTERNS (large size, default
 * 1,000,000; 20,000 to 5,000,000), BENCH_KEEP_DB=1 (generate into et_bench_patterns_10k and
 * et_bench_patterns_<size>, e.g. _1m, keep them, reuse them next time when complete and of the
 * same size; the bench's audit entries are removed at the end), BENCH_PLAN=full (whole plans).
 * Speed never fails the run; non-2xx answers, errors and different answers do.
 */

const SMALL = 10_000;
const CONNECTIONS = 10;
/** The app's default DATABASE_POOL_SIZE. */
const POOL_SIZE = 10;
const PERIOD_MONTHS = 12;
/** The issue's bars (reported, never enforced). */
const SIZE_RATIO_BAR = 3;
const SCORECARD_P95_MS = 200;
const GROUP_BY: Dimension[] = ['month', 'category', 'country'];

/** BENCH_PATTERNS: the large size (default 1,000,000). */
function benchPatterns(): number {
  const raw = process.env.BENCH_PATTERNS;
  if (raw === undefined || raw === '') return 1_000_000;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < 2 * SMALL || n > 5_000_000) {
    throw new Error('BENCH_PATTERNS must be a whole number between 20,000 and 5,000,000');
  }
  return n;
}

const keepDatabase = () => process.env.BENCH_KEEP_DB === '1';
const fmt = (n: number) => n.toLocaleString('en');
const fixed = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

/** 1m, 10k, 2.5m, 50k: a size as a short label (database names, sample labels). */
function shortSize(n: number): string {
  if (n % 100_000 === 0 && n >= 1_000_000) return `${n / 1_000_000}m`;
  if (n % 1_000 === 0) return `${n / 1_000}k`;
  return String(n);
}

// ---------------------------------------------------------------------------------------------
// The SQL behind the endpoints, as PatternsRepository writes it for these questions.

const TRENDS_GRAIN = grainFor(GROUP_BY).id;
const TOTAL_GRAIN = grainFor([]).id;
const groupColumns = GROUP_BY.map((d) =>
  d === 'month' ? `to_char(month, 'YYYY-MM') AS "month"` : `${DIMENSION_COLUMN[d]} AS "${d}"`,
);
const ordinals = GROUP_BY.map((_, i) => i + 1).join(', ');

/**
 * PatternsRepository.trendCells for groupBy=month,category,country, no filters: the grain's
 * dimensions exactly, so one rollup row per (cell, organisation) and no per-organisation step.
 */
const TRENDS_SQL = `SELECT ${[...groupColumns, 'sum(cases)::int AS count', '(sum(cell_key) % 4096)::int AS "keySum"', 'count(*)::int AS organizations', 'max(cases)::int AS largest'].join(', ')}
         FROM pattern_cells
        WHERE grain = $1 AND month BETWEEN $2::date AND $3::date
        GROUP BY ${GROUP_BY.map((d) => DIMENSION_COLUMN[d]).join(', ')} ORDER BY ${GROUP_BY.map((d) => DIMENSION_COLUMN[d]).join(', ')}`;

/** PatternsRepository.total (trendCells with no groupBy). */
const TOTAL_SQL = `SELECT sum(n)::int AS count, (sum(k) % 4096)::int AS "keySum", count(*)::int AS organizations, max(n)::int AS largest
         FROM (SELECT sum(cases)::int AS n, (sum(cell_key) % 4096)::int AS k
                 FROM pattern_cells
                WHERE grain = $1 AND month BETWEEN $2::date AND $3::date
                GROUP BY organization_id
               HAVING sum(cases) > 0) per_organization`;

/**
 * The cells query before disclosure control (counts and distinct organisations only): the
 * side-by-side measure of what the per-organisation aggregation costs the trends.
 */
const TRENDS_PLAIN_SQL = `SELECT ${[...groupColumns, 'sum(cases)::int AS count', 'count(DISTINCT organization_id)::int AS organizations'].join(', ')}
         FROM pattern_cells
        WHERE grain = $1 AND month BETWEEN $2::date AND $3::date
        GROUP BY ${ordinals} ORDER BY ${ordinals}`;

/** What AuditService.record writes for a trends read. */
const AUDIT_SQL = `INSERT INTO audit_entries (action, actor_user_id, organization_id, target_type, target_id,
  ip, request_id, details) VALUES ('patterns.read', $1, $2, NULL, NULL, $3, $4, $5)`;

const MEASURES = Object.keys(SCORECARD_MEASURES);

/** PatternsRepository.scorecardCounts. */
const SCORECARD_SQL = `SELECT platform, channel, max(channel_kind) AS "channelKind",
              ${MEASURES.map((m) => `sum(${m})::int AS "n_${m}", (sum(${m}_key) % 4096)::int AS "k_${m}"`).join(',\n              ')}
         FROM pattern_scorecard_counts
        WHERE month BETWEEN $1::date AND $2::date
        GROUP BY platform, channel, organization_id
        ORDER BY platform, channel`;

/** PatternsRepository.durationBuckets. */
const DURATIONS_SQL = `SELECT platform, channel, measure, bucket, sum(cases)::int AS count,
              (sum(cell_key) % 4096)::int AS "keySum"
         FROM pattern_duration_buckets
        WHERE month BETWEEN $1::date AND $2::date
        GROUP BY 1, 2, 3, 4`;

type QueryName = 'trends' | 'trends-plain' | 'total' | 'scorecard' | 'durations';

/** A named query's SQL and parameters for a period of months ('YYYY-MM'). */
function namedQuery(name: QueryName, from: string, to: string): [string, unknown[]] {
  const period = [`${from}-01`, `${to}-01`];
  switch (name) {
    case 'trends':
      return [TRENDS_SQL, [TRENDS_GRAIN, ...period]];
    case 'trends-plain':
      return [TRENDS_PLAIN_SQL, [TRENDS_GRAIN, ...period]];
    case 'total':
      return [TOTAL_SQL, [TOTAL_GRAIN, ...period]];
    case 'scorecard':
      return [SCORECARD_SQL, period];
    case 'durations':
      return [DURATIONS_SQL, period];
  }
}

// ---------------------------------------------------------------------------------------------
// This process: databases, the two sides, the measurements, the summary.

export default async function patternsBench(): Promise<BenchResult[]> {
  const seconds = benchSeconds();
  const largeSize = benchPatterns();
  const prefix = `bench${randomBytes(4).toString('hex')}`;
  onCleanup(`delete redis keys ${prefix}:*`, () => deleteRedisKeys(prefix));

  // One side after the other: loading both at once would share the two cores.
  const small = await startSide(SMALL, prefix);
  const large = await startSide(largeSize, prefix);
  const sides = [small, large];
  const problems: string[] = [];

  console.log('');
  for (const side of sides) await printData(side);
  for (const side of sides) problems.push(...(await sameTrends(side)));
  for (const side of sides) await printQueryTimes(side);
  await printPlan(small, 'trends');
  await printPlan(large, 'trends');
  await printPlan(large, 'total');
  await printPlan(large, 'scorecard');
  await printPlan(large, 'durations');

  const options = (connections: number) => ({
    seconds,
    connections,
    rounds: 2,
    warmupSeconds: Math.min(2, seconds),
  });
  // autocannon stops without waiting for its last answers: let their queries finish first.
  const drained = () => Promise.all(sides.map((side) => side.call('drain')));
  const loadBefore = machineLoad();
  const results: BenchResult[] = [];
  const trendsPath = (side: Side) =>
    `/v1/patterns/trends?from=${side.from}&to=${side.to}&groupBy=${GROUP_BY.join(',')}`;
  const scorecardPath = (side: Side) =>
    `/v1/reports/platform-scorecard?from=${side.from}&to=${side.to}`;
  const apiShot = (side: Side, path: string, label = `api-${side.name}`): Target => ({
    label,
    url: `${side.apiUrl}${path}`,
    headers: { authorization: `Bearer ${side.token}` },
  });

  // 1. Trends, large against 10k, at 10 connections then 1.
  const trendsBySize: Record<number, { samples: Sample[]; problems: string[] }> = {};
  for (const connections of [CONNECTIONS, 1]) {
    const run = await alternate(
      sides.map((s) => apiShot(s, trendsPath(s))),
      options(connections),
    );
    await drained();
    trendsBySize[connections] = run;
    results.push({
      name:
        `GET /v1/patterns/trends?groupBy=${GROUP_BY.join(',')} (12 months), ` +
        `${fmt(large.size)} vs ${fmt(small.size)} records, ${connections} connection(s)`,
      samples: run.samples,
      ratios: sizeRatios(run.samples, large, small),
      problems: run.problems,
    });
  }

  // 3. Trends: API against its SQL by hand on the same pool, on each side.
  const apiVsRaw: Record<string, { samples: Sample[]; problems: string[] }> = {};
  for (const side of sides) {
    const path = `/trends?from=${side.from}&to=${side.to}`;
    const run = await alternate(
      [
        { label: 'raw', url: `${side.rawUrl}${path}` },
        { label: 'raw-plain', url: `${side.rawUrl}${path}&plain=1` },
        { label: 'raw-all', url: `${side.rawUrl}${path}&all=1` },
        apiShot(side, trendsPath(side), 'api'),
      ],
      options(CONNECTIONS),
    );
    await drained();
    apiVsRaw[side.name] = run;
    results.push({
      name:
        `GET /v1/patterns/trends?groupBy=${GROUP_BY.join(',')}, ${fmt(side.size)} records, ` +
        `${CONNECTIONS} connections: API vs its cells query (raw) and every statement it sends ` +
        '(raw-all), on the same pool',
      samples: run.samples,
      ratios: [
        ratio(run.samples, 'api', 'raw'),
        ratio(run.samples, 'api', 'raw', 'best'),
        ratio(run.samples, 'api', 'raw-all'),
        ratio(run.samples, 'raw-all', 'raw'),
        ratio(run.samples, 'raw', 'raw-plain'),
      ],
      problems: run.problems,
    });
  }

  // 2. Scorecard, large (and 10k beside it), at 10 connections then 1.
  const scorecards: Record<number, { samples: Sample[]; problems: string[] }> = {};
  for (const connections of [CONNECTIONS, 1]) {
    const run = await alternate(
      sides.map((s) => apiShot(s, scorecardPath(s))),
      options(connections),
    );
    await drained();
    scorecards[connections] = run;
    results.push({
      name:
        `GET /v1/reports/platform-scorecard (12 months), ${fmt(large.size)} vs ` +
        `${fmt(small.size)} records, ${connections} connection(s)`,
      samples: run.samples,
      ratios: sizeRatios(run.samples, large, small),
      problems: run.problems,
    });
  }

  printSummary({ small, large, trendsBySize, apiVsRaw, scorecards, loadBefore });
  if (problems.length > 0) results[0].problems.push(...problems);
  return results;
}

function sizeRatios(samples: Sample[], large: Side, small: Side): Ratio[] {
  return [
    ratio(samples, `api-${large.name}`, `api-${small.name}`),
    ratio(samples, `api-${large.name}`, `api-${small.name}`, 'best'),
  ];
}

interface Side {
  name: string;
  size: number;
  database: string;
  apiUrl: string;
  rawUrl: string;
  token: string;
  /** The asked period: the last PERIOD_MONTHS of the data's months ('YYYY-MM'). */
  from: string;
  to: string;
  meta: Record<string, string>;
  /** Whether this run generated the data (else: a kept database). */
  generated: boolean;
  call: <T>(cmd: string, args?: unknown) => Promise<T>;
}

/** The side's database: a scratch one, or the kept one when BENCH_KEEP_DB=1. */
async function openDatabase(size: number): Promise<{ name: string; url: string; reuse: boolean }> {
  if (!keepDatabase()) {
    const database = await createEmptyDatabase('et_bench_patterns');
    onCleanup(`drop database ${database.name}`, () => dropDatabase(database.name));
    return { ...database, reuse: false };
  }
  const name = `et_bench_patterns_${shortSize(size)}`;
  const url = databaseUrl(name);
  if (!(await createDatabaseIfMissing(url))) {
    const client = new Client({ connectionString: url });
    await client.connect();
    let meta: Record<string, string>;
    try {
      meta = await readMeta(client);
    } finally {
      await client.end();
    }
    if (meta.patterns_generated === String(size)) {
      console.log(`reusing ${name} with ${fmt(size)} pattern records (BENCH_KEEP_DB=1)`);
      return { name, url, reuse: true };
    }
    console.log(`${name} holds an incomplete or different generation: dropped and generated again`);
    await dropDatabase(name);
    await createDatabaseIfMissing(url);
  }
  console.log(`generating into ${name}, kept afterwards (BENCH_KEEP_DB=1)`);
  return { name, url, reuse: false };
}

/** A child process with its app on the side's database, loaded and folded when needed. */
async function startSide(size: number, prefix: string): Promise<Side> {
  const name = shortSize(size);
  const database = await openDatabase(size);
  const child = fork(__filename, [], {
    env: { ...process.env, PATTERNS_BENCH_CHILD: '1' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const rpc = childRpc(name, child);
  onCleanup(`stop the ${name} side (pid ${child.pid})`, rpc.close);
  const opened = await rpc.call<Opened>('open', {
    url: database.url,
    prefix,
    keep: keepDatabase(),
  });
  let meta = opened.meta;
  if (!database.reuse) {
    console.log(`${name}: generating ${fmt(size)} consenting escalated cases in ${database.name}`);
    meta = await rpc.call<Record<string, string>>('generate', { size });
  }
  const start = meta.window_start.slice(0, 7);
  const side: Side = {
    name,
    size,
    database: database.name,
    apiUrl: opened.apiUrl,
    rawUrl: opened.rawUrl,
    token: opened.token,
    from: shiftMonth(start, WINDOW_MONTHS - PERIOD_MONTHS),
    to: shiftMonth(start, WINDOW_MONTHS - 1),
    meta,
    generated: !database.reuse,
    call: rpc.call,
  };
  const records = Number(meta.records);
  if (records !== size) {
    throw new Error(`${name}: ${fmt(records)} pattern records instead of ${fmt(size)}`);
  }
  return side;
}

function shiftMonth(ym: string, n: number): string {
  const index = Number(ym.slice(0, 4)) * 12 + Number(ym.slice(5, 7)) - 1 + n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

interface Opened {
  apiUrl: string;
  rawUrl: string;
  token: string;
  meta: Record<string, string>;
}

interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

/** Requests to a child, answered in order of their ids; its log lines printed with its name. */
function childRpc(name: string, child: ChildProcess) {
  let next = 1;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      exited = true;
      for (const w of waiting.values()) {
        w.reject(new Error(`the ${name} side exited (${signal ?? code}) before answering`));
      }
      waiting.clear();
      resolve();
    }),
  );
  child.on('message', (message: Reply | { log: string }) => {
    if ('log' in message) {
      console.log(`  [${name}] ${message.log}`);
      return;
    }
    const w = waiting.get(message.id);
    waiting.delete(message.id);
    if (!w) return;
    if (message.ok) w.resolve(message.result);
    else w.reject(new Error(`${name} side: ${message.error}`));
  });
  const call = <T>(cmd: string, args?: unknown): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (exited || !child.connected) {
        reject(new Error(`the ${name} side is not running`));
        return;
      }
      const id = next++;
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, cmd, args });
    });
  const close = async () => {
    if (exited) return;
    await within(
      call('close').catch(() => undefined),
      30_000,
    );
    await within(exit, 5_000);
    if (!exited) {
      child.kill('SIGTERM');
      await within(exit, 5_000);
    }
  };
  return { call, close };
}

/** Waits for `promise`, at most `ms` (the timer does not outlive the wait). */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------------
// Checks, sizes, plans.

interface TrendAnswer {
  k?: number;
  data?: Record<string, unknown>[];
  total?: { count: number | null };
}

async function getJson(url: string, headers?: Record<string, string>) {
  const response = await fetch(url, { headers });
  const text = await response.text();
  let body: TrendAnswer = {};
  try {
    body = JSON.parse(text) as TrendAnswer;
  } catch {
    // reported through the status
  }
  return { status: response.status, body, text };
}

/** The API answers the raw query's cells, each as protectCount publishes it. */
async function sameTrends(side: Side): Promise<string[]> {
  const path = `from=${side.from}&to=${side.to}`;
  const [api, raw] = await Promise.all([
    getJson(`${side.apiUrl}/v1/patterns/trends?${path}&groupBy=${GROUP_BY.join(',')}`, {
      authorization: `Bearer ${side.token}`,
    }),
    getJson(`${side.rawUrl}/trends?${path}`),
  ]);
  const problems: string[] = [];
  if (api.status !== 200) problems.push(`api answered ${api.status} ${api.text.slice(0, 300)}`);
  if (raw.status !== 200) problems.push(`raw answered ${raw.status} ${raw.text.slice(0, 300)}`);
  const apiRows = api.body.data ?? [];
  const rawRows = raw.body.data ?? [];
  const key = (r: Record<string, unknown>) => GROUP_BY.map((d) => String(r[d])).join('/');
  const rawByKey = new Map(rawRows.map((r) => [key(r), r]));
  if (problems.length === 0) {
    if (apiRows.length === 0)
      problems.push('the API answered no cells: the measurement says little');
    if (apiRows.length !== rawRows.length) {
      problems.push(`the API answered ${apiRows.length} cells, the raw query ${rawRows.length}`);
    }
    const differ = apiRows.filter((r) => {
      const other = rawByKey.get(key(r));
      if (!other) return true;
      const shown = protectCount(
        {
          count: other.count as number,
          keySum: other.keySum as number,
          organizations: other.organizations as number,
          largest: other.largest as number,
        },
        api.body.k ?? 5,
      );
      return (
        r.suppressed !== shown.suppressed ||
        r.count !== shown.count ||
        r.organizations !== shown.organizations
      );
    });
    if (differ.length > 0) problems.push(`${differ.length} cells differ from the raw query's`);
  }
  const suppressed = apiRows.filter((r) => r.suppressed).length;
  side.meta.answer_cells = String(apiRows.length);
  side.meta.answer_suppressed = String(suppressed);
  console.log(
    `${side.name}: trends ${side.from}..${side.to} by ${GROUP_BY.join(',')}: ${apiRows.length} ` +
      `cells (${suppressed} suppressed), total ${api.body.total?.count ?? 'suppressed'}` +
      (problems.length === 0 ? '; the same cells through the API and raw' : ''),
  );
  if (problems.length === 0) printNodeWork(side, api.body, rawRows);
  return problems.map((p) => `${side.name} trends: ${p}`);
}

/** Median milliseconds of `work` over `runs` runs (after 2 unmeasured). */
function medianMs(work: () => unknown, runs = 21): number {
  for (let i = 0; i < 2; i++) work();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    work();
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  times.sort((x, y) => x - y);
  return times[Math.floor(runs / 2)];
}

/**
 * The service's own work on this answer, timed here on the same cells: the disclosure control
 * (protectCount on every cell, as PatternsService calls it) and serialising the answer.
 */
function printNodeWork(side: Side, answer: TrendAnswer, rows: Record<string, unknown>[]): void {
  const k = answer.k ?? 5;
  const cells = rows.map((r) => ({
    count: r.count as number,
    keySum: r.keySum as number,
    organizations: r.organizations as number,
    largest: r.largest as number,
  }));
  const protection = medianMs(() => cells.map((c) => protectCount(c, k)));
  const json = medianMs(() => JSON.stringify(answer));
  console.log(
    `  ${side.name}: protectCount on these ${fmt(cells.length)} cells (k=${k}) ` +
      `${fixed(protection)} ms, JSON.stringify of the answer (${fmt(JSON.stringify(answer).length)} ` +
      `bytes) ${fixed(json)} ms (median of 21, in this process)`,
  );
  side.meta.suppression_ms = String(protection);
}

async function printData(side: Side): Promise<void> {
  const stats = await side.call<Record<string, number>>('stats', { from: side.from, to: side.to });
  const m = side.meta;
  const insertSeconds = Number(m.insert_seconds);
  const foldSeconds = Number(m.fold_seconds);
  const folded = Number(m.folded);
  console.log(
    `${side.name}: ${fmt(side.size)} pattern records in ${side.database}, escalated ` +
      `${m.window_start.slice(0, 7)}..${shiftMonth(m.window_start.slice(0, 7), WINDOW_MONTHS - 1)}` +
      (side.generated ? '' : ` (kept; loaded on ${m.generated_at?.slice(0, 10) ?? '?'})`),
  );
  console.log(
    `  load${side.generated ? '' : ' (when generated)'}: cases inserted through the triggers ` +
      `${fixed(insertSeconds, 1)} s (${fmt(Math.round(side.size / insertSeconds))} cases/s, ` +
      `each noted for the projection); catchUp() then built the records and folded ` +
      `${fmt(folded)} changes in ${fixed(foldSeconds, 1)} s: ` +
      `${fmt(Math.round(folded / foldSeconds))} records/s, built and folded`,
  );
  console.log(
    `  rollups: pattern_cells ${fmt(stats.cells)} rows (grain ${TRENDS_GRAIN}: ${fmt(stats.grainCells)}, ` +
      `${fmt(stats.grainCellsInPeriod)} in the period, of which ${fmt(stats.outsideCellsInPeriod)} ` +
      `from cases outside the organisations' own countries), pattern_scorecard_counts ` +
      `${fmt(stats.scorecardCells)}, pattern_duration_buckets ${fmt(stats.durationBuckets)}; ` +
      `change log left: ${fmt(stats.changes)}; contacts ${fmt(stats.contacts)}`,
  );
}

async function printQueryTimes(side: Side): Promise<void> {
  const parts: string[] = [];
  for (const query of [
    'trends',
    'trends-plain',
    'total',
    'scorecard',
    'durations',
  ] as QueryName[]) {
    const ms = await side.call<number>('time', { query, from: side.from, to: side.to });
    parts.push(`${query} ${fixed(ms)} ms`);
  }
  console.log(
    `${side.name}: queries alone on the pool (median of 30): ${parts.join(', ')} ` +
      '(trends = cells query; trends-plain = the same before disclosure control; the endpoint ' +
      'also sends total; scorecard = scorecard + durations)',
  );
}

async function printPlan(side: Side, query: QueryName): Promise<void> {
  const lines = await side.call<string[]>('plan', { query, from: side.from, to: side.to });
  const indexes = [
    ...new Set(
      lines.flatMap((l) =>
        [
          ...l.matchAll(/(?:Index(?: Only)? Scan(?: Backward)? using|Bitmap Index Scan on) (\S+)/g),
        ].map((m) => m[1]),
      ),
    ),
  ];
  const shown =
    process.env.BENCH_PLAN === 'full'
      ? lines
      : lines.filter(
          (l, i) =>
            i === 0 ||
            l.includes('->') ||
            /^\s*(Buffers|Heap Fetches|Sort Method)/.test(l) ||
            /^(Planning|Execution) Time/.test(l),
        );
  console.log(
    `EXPLAIN (ANALYZE, BUFFERS) of the ${query} query, ${fmt(side.size)} records ` +
      `(BENCH_PLAN=full for all of it):`,
  );
  for (const line of shown) console.log(`  ${line}`);
  console.log(`  indexes used: ${indexes.join(', ') || 'none (sequential scans)'}`);
}

// ---------------------------------------------------------------------------------------------
// Summary.

interface Figures {
  p50: number;
  p95: number;
  reqPerSec: number;
  bestP95: number;
}

function figures(samples: Sample[], label: string): Figures {
  const own = samples.filter((s) => s.label === label);
  const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;
  // The harness's `load` measures p95 on every sample.
  const p95s = own.map((s) => s.p95 ?? Number.NaN);
  return {
    p50: mean(own.map((s) => s.p50)),
    p95: mean(p95s),
    reqPerSec: mean(own.map((s) => s.reqPerSec)),
    bestP95: Math.min(...p95s),
  };
}

const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

/** The 1-minute load average against the cores: how much else shares the machine. */
function machineLoad(): string {
  return `load average ${fixed(loadavg()[0])} on ${availableParallelism()} cores`;
}

function printSummary(r: {
  small: Side;
  large: Side;
  trendsBySize: Record<number, { samples: Sample[]; problems: string[] }>;
  apiVsRaw: Record<string, { samples: Sample[]; problems: string[] }>;
  scorecards: Record<number, { samples: Sample[]; problems: string[] }>;
  loadBefore: string;
}): void {
  const { small, large } = r;
  const out: string[] = [];
  out.push('', '== patterns: summary (mean of 2 rounds per figure; the harness tables follow)');
  out.push(`  machine: ${r.loadBefore} before the measurements, ${machineLoad()} after`);
  for (const side of [small, large]) {
    const m = side.meta;
    out.push(
      `  ${side.name.padStart(4)}: ${fmt(side.size)} pattern records, period ${side.from}..${side.to}` +
        ` (${PERIOD_MONTHS} of ${WINDOW_MONTHS} months), trends answer ${m.answer_cells} cells ` +
        `(${m.answer_suppressed} suppressed); load ${fmt(Math.round(side.size / Number(m.insert_seconds)))} ` +
        `cases/s, fold ${fmt(Math.round(Number(m.folded) / Number(m.fold_seconds)))} changes/s ` +
        `(${fmt(Number(m.folded))} changes in ${fixed(Number(m.fold_seconds), 1)} s)` +
        (side.generated ? '' : ' [figures from the run that loaded the kept database]'),
    );
  }
  const a = `api-${large.name}`;
  const b = `api-${small.name}`;
  out.push(
    `  Bar 1: trends groupBy=${GROUP_BY.join(',')}, ${large.name}/${small.name} latency under ${SIZE_RATIO_BAR}x (p50 and p95):`,
  );
  for (const connections of [CONNECTIONS, 1]) {
    const run = r.trendsBySize[connections];
    const big = figures(run.samples, a);
    const little = figures(run.samples, b);
    const p50 = big.p50 / little.p50;
    const p95 = big.p95 / little.p95;
    out.push(
      `    ${String(connections).padStart(2)} connection(s): p50 ${fixed(little.p50)} -> ${fixed(big.p50)} ms ` +
        `= ${fixed(p50)}x, p95 ${fixed(little.p95)} -> ${fixed(big.p95)} ms = ${fixed(p95)}x ` +
        `(${fixed(little.reqPerSec, 0)} -> ${fixed(big.reqPerSec, 0)} req/s): ` +
        verdict(p50 < SIZE_RATIO_BAR && p95 < SIZE_RATIO_BAR),
    );
  }
  out.push(`  Bar 2: scorecard on ${fmt(large.size)} records, p95 under ${SCORECARD_P95_MS} ms:`);
  for (const connections of [CONNECTIONS, 1]) {
    const run = r.scorecards[connections];
    const big = figures(run.samples, a);
    const little = figures(run.samples, b);
    out.push(
      `    ${String(connections).padStart(2)} connection(s): p95 ${fixed(big.p95)} ms (best round ` +
        `${fixed(big.bestP95)}), p50 ${fixed(big.p50)} ms, ${fixed(big.reqPerSec, 0)} req/s ` +
        `[${small.name}: p95 ${fixed(little.p95)} ms, p50 ${fixed(little.p50)} ms]: ` +
        verdict(big.p95 < SCORECARD_P95_MS),
    );
  }
  out.push(`  Trends API against its SQL on the same pool, ${CONNECTIONS} connections:`);
  for (const side of [small, large]) {
    const run = r.apiVsRaw[side.name];
    const api = figures(run.samples, 'api');
    const raw = figures(run.samples, 'raw');
    const all = figures(run.samples, 'raw-all');
    out.push(
      `    ${side.name.padStart(4)}: api/raw throughput ${fixed(api.reqPerSec / raw.reqPerSec)}, ` +
        `p50 ${fixed(api.p50 / raw.p50)}x, p95 ${fixed(api.p95 / raw.p95)}x ` +
        `(api p50 ${fixed(api.p50)} ms, raw ${fixed(raw.p50)} ms); api/raw-all throughput ` +
        `${fixed(api.reqPerSec / all.reqPerSec)}, p50 ${fixed(api.p50 / all.p50)}x`,
    );
  }
  out.push(
    '  (raw = the cells query alone; raw-all = cells and total in parallel, then the audit INSERT,',
    '   as the service sends them; the API adds Nest, auth, validation, suppression, JSON)',
  );
  for (const line of out) console.log(line);
}

// ---------------------------------------------------------------------------------------------
// A side: the child process (this file forked with PATTERNS_BENCH_CHILD=1).

interface ChildState {
  url: string;
  keep: boolean;
  app: NestFastifyApplication;
  pool: Pool;
  generator: Client;
  community: PatternCommunity;
  raw: FastifyInstance;
}

let state: ChildState | undefined;

const log = (line: string) => process.send?.({ log: line });

function must(): ChildState {
  if (!state) throw new Error('not open');
  return state;
}

/** TypeORM 1.x's PostgresDriver keeps its pg Pool as `master` (typed `any`). */
function typeormPool(dataSource: DataSource): Pool {
  const master = (dataSource.driver as unknown as { master?: unknown }).master;
  if (!(master instanceof Pool)) throw new Error('TypeORM driver exposes no pg Pool as `master`');
  return master;
}

function serverUrl(address: string | AddressInfo | null): string {
  if (!address || typeof address === 'string') throw new Error('server is not listening on TCP');
  return `http://127.0.0.1:${address.port}`;
}

/** The trends' SQL by hand on the app's pool: the cells query, or (all=1) every statement. */
async function startRawServer(pool: Pool, community: PatternCommunity): Promise<FastifyInstance> {
  const server = Fastify({ logger: false, genReqId: () => randomUUID() });
  const reader = community.reader;
  server.get<{ Querystring: { from: string; to: string; all?: string; plain?: string } }>(
    '/trends',
    async (request) => {
      const { from, to, all, plain } = request.query;
      const [cellsSql, cellsParams] = namedQuery(
        plain === '1' ? 'trends-plain' : 'trends',
        from,
        to,
      );
      if (all !== '1') {
        const { rows } = await pool.query(cellsSql, cellsParams);
        return { data: rows };
      }
      const [totalSql, totalParams] = namedQuery('total', from, to);
      const [cells, total] = await Promise.all([
        pool.query(cellsSql, cellsParams),
        pool.query(totalSql, totalParams),
      ]);
      await pool.query(AUDIT_SQL, [
        reader.id,
        reader.organizationId,
        isIP(request.ip) ? request.ip : null,
        request.id,
        JSON.stringify({ kind: 'trends', groupBy: GROUP_BY }),
      ]);
      return { data: cells.rows, total: total.rows[0] };
    },
  );
  await server.listen({ port: 0, host: '127.0.0.1' });
  return server;
}

/**
 * Audit entries of the benchmark's reads, so a kept database stays as generated. The audit
 * trail refuses deletes by trigger: replica mode skips it (a benchmark database, never a real
 * one).
 */
async function removeBenchWrites(s: ChildState): Promise<void> {
  await s.generator.query('BEGIN');
  try {
    await s.generator.query('SET LOCAL session_replication_role = replica');
    await s.generator.query('DELETE FROM audit_entries WHERE actor_user_id = $1', [
      s.community.reader.id,
    ]);
    await s.generator.query('COMMIT');
  } catch (error) {
    await s.generator.query('ROLLBACK');
    throw error;
  }
}

const count = async (client: Client | Pool, sql: string, params: unknown[] = []) =>
  Number((await client.query<{ n: string }>(sql, params)).rows[0].n);

const handlers: Record<string, (args: never) => Promise<unknown>> = {
  async open(args: { url: string; prefix: string; keep: boolean }) {
    await runMigrations(args.url);
    const { config } = loadConfig({
      NODE_ENV: 'production',
      APP_ROLE: 'api',
      DATABASE_URL: args.url,
      DATABASE_POOL_SIZE: String(POOL_SIZE),
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: args.prefix,
      JWT_SECRET: 'bench-secret-for-jwt-signing-0123456789abcdef',
      INDICATOR_HASH_KEY: 'bench-key-for-indicator-hashes-0123456789abcdef',
      LOG_LEVEL: 'silent',
    });
    // Reference platforms and channels, and the DSA crosswalk, are written while the app starts.
    const app = await createHttpApp({ config, logger: createRootLogger('silent') });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const generator = new Client({ connectionString: args.url });
    await generator.connect();
    const community = await ensurePatternCommunity(generator);
    const pool = typeormPool(app.get(DataSource));
    const raw = await startRawServer(pool, community);
    state = { url: args.url, keep: args.keep, app, pool, generator, community, raw };
    if (args.keep) await removeBenchWrites(state);
    // A kept database migrated since (e.g. DisclosureControl re-logs every record): fold first.
    const pending = await count(
      generator,
      'SELECT (SELECT count(*) FROM pattern_changes) + (SELECT count(*) FROM pattern_pending) AS n',
    );
    if (pending > 0) {
      log(`projecting and folding ${pending.toLocaleString('en')} notes and changes`);
      await app.get(PatternProjection).catchUp();
      await generator.query(
        'VACUUM (ANALYZE) pattern_cells, pattern_scorecard_counts, pattern_duration_buckets, ' +
          'pattern_changes',
      );
    }
    return {
      apiUrl: serverUrl(app.getHttpServer().address()),
      rawUrl: serverUrl(raw.server.address()),
      token: await tokenFor(app, community.reader.id),
      meta: await readMeta(generator),
    } satisfies Opened;
  },

  /** Loads `size` cases through the triggers, then folds the whole log: both timed. */
  async generate(args: { size: number }) {
    const s = must();
    await clearMeta(s.generator);
    const window = dataWindow(new Date());
    const insertSeconds = await generatePatternCases(
      s.generator,
      s.community,
      window,
      1,
      args.size,
      log,
    );
    const noted = await count(s.generator, 'SELECT count(*) AS n FROM pattern_pending');
    log(`${noted.toLocaleString('en')} cases noted for the projection; projecting and folding`);
    await s.generator.query('ANALYZE pattern_pending');
    const progress = setInterval(() => {
      void count(
        s.pool,
        `SELECT (SELECT count(*) FROM pattern_pending)
              + (SELECT coalesce(max(id) - min(id) + 1, 0) FROM pattern_changes) AS n`,
      )
        .then((left) => log(`  about ${left.toLocaleString('en')} notes and changes left`))
        .catch(() => undefined);
    }, 30_000);
    const started = process.hrtime.bigint();
    let folded: number;
    try {
      // The worker's path: build the noted records, then fold their logged changes.
      ({ folded } = await s.app.get(PatternProjection).catchUp());
    } finally {
      clearInterval(progress);
    }
    const foldSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const records = await count(s.generator, 'SELECT count(*) AS n FROM pattern_records');
    log(
      `built ${records.toLocaleString('en')} pattern records and folded ` +
        `${folded.toLocaleString('en')} changes in ${foldSeconds.toFixed(1)} s; vacuuming`,
    );
    // What autovacuum would have done by the time anyone reads: the fold updates rows in place.
    await s.generator.query(
      'VACUUM (ANALYZE) pattern_cells, pattern_scorecard_counts, pattern_duration_buckets, ' +
        'pattern_records, pattern_changes, pattern_pending',
    );
    await s.generator.query('ANALYZE');
    const meta = {
      patterns_generated: String(args.size),
      records: String(records),
      window_start: window.start,
      window_end: window.end,
      insert_seconds: String(insertSeconds),
      fold_seconds: String(foldSeconds),
      folded: String(folded),
      generated_at: new Date().toISOString(),
    };
    await writeMeta(s.generator, meta);
    return meta;
  },

  async stats(args: { from: string; to: string }) {
    const s = must();
    const period = [`${args.from}-01`, `${args.to}-01`];
    return {
      cells: await count(s.pool, 'SELECT count(*) AS n FROM pattern_cells'),
      grainCells: await count(s.pool, 'SELECT count(*) AS n FROM pattern_cells WHERE grain = $1', [
        TRENDS_GRAIN,
      ]),
      grainCellsInPeriod: await count(
        s.pool,
        'SELECT count(*) AS n FROM pattern_cells WHERE grain = $1 AND month BETWEEN $2 AND $3',
        [TRENDS_GRAIN, ...period],
      ),
      outsideCellsInPeriod: await count(
        s.pool,
        `SELECT count(*) AS n FROM pattern_cells c JOIN organizations o ON o.id = c.organization_id
          WHERE c.grain = $1 AND c.month BETWEEN $2 AND $3 AND NOT c.country = ANY(o.countries)`,
        [TRENDS_GRAIN, ...period],
      ),
      scorecardCells: await count(s.pool, 'SELECT count(*) AS n FROM pattern_scorecard_counts'),
      durationBuckets: await count(s.pool, 'SELECT count(*) AS n FROM pattern_duration_buckets'),
      changes: await count(s.pool, 'SELECT count(*) AS n FROM pattern_changes'),
      contacts: await count(s.pool, 'SELECT count(*) AS n FROM contacts'),
    };
  },

  /** The median time of a query through the app's pool (no HTTP), over 30 runs after 3. */
  async time(args: { query: QueryName; from: string; to: string }) {
    const s = must();
    const [sql, params] = namedQuery(args.query, args.from, args.to);
    for (let i = 0; i < 3; i++) await s.pool.query(sql, params);
    const times: number[] = [];
    for (let i = 0; i < 30; i++) {
      const started = process.hrtime.bigint();
      await s.pool.query(sql, params);
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    times.sort((x, y) => x - y);
    return (times[14] + times[15]) / 2;
  },

  async plan(args: { query: QueryName; from: string; to: string }) {
    const s = must();
    const [sql, params] = namedQuery(args.query, args.from, args.to);
    const { rows } = await s.pool.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (ANALYZE, BUFFERS) ${sql}`,
      params,
    );
    return rows.map((r) => r['QUERY PLAN']);
  },

  /**
   * Resolves once the pool has had no client checked out and no one waiting for 50 ms in a row,
   * or after 10 s.
   */
  async drain() {
    const pool = must().pool;
    const until = Date.now() + 10_000;
    let quiet = 0;
    while (quiet < 5 && Date.now() < until) {
      await sleep(10);
      const busy = pool.totalCount - pool.idleCount + pool.waitingCount;
      quiet = busy === 0 ? quiet + 1 : 0;
    }
    return null;
  },

  async close() {
    const s = state;
    state = undefined;
    if (!s) return null;
    await s.raw.close();
    await s.app.close();
    if (s.keep) await removeBenchWrites(s);
    await s.generator.end();
    return null;
  },
};

async function childMain(): Promise<void> {
  // Ctrl-C reaches the whole process group: the parent decides (it sends `close`, or exits and
  // disconnects us). Nest's own shutdown hook still closes the app on SIGINT.
  process.on('disconnect', () => {
    void handlers
      .close(undefined as never)
      .catch(() => undefined)
      .finally(() => process.exit(0));
  });
  process.on('message', (message: { id: number; cmd: string; args: unknown }) => {
    const handler = handlers[message.cmd];
    void (async () => {
      let reply: Reply;
      try {
        if (!handler) throw new Error(`unknown command ${message.cmd}`);
        reply = { id: message.id, ok: true, result: await handler(message.args as never) };
      } catch (error) {
        reply = { id: message.id, ok: false, error: (error as Error).stack ?? String(error) };
      }
      process.send?.(reply, () => {
        if (message.cmd === 'close') process.exit(0);
      });
    })();
  });
}

if (process.env.PATTERNS_BENCH_CHILD === '1' && require.main === module) void childMain();
