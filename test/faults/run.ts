import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { dueJobId } from '../../src/deadlines/deadline-rules';
import { QueueName } from '../../src/queue/queues';
import {
  Answer,
  AppProcess,
  baseEnv,
  caseBody,
  eventually,
  fixed,
  freePort,
  HttpClient,
  isProblem,
  isStopping,
  newPassword,
  onCleanup,
  percentile,
  runMain,
  seedCommunity,
  SeededUser,
  sql,
  startApp,
  tailOf,
  waitForHealth,
  withTimeout,
} from '../load/support';
import { OwnPostgres, OwnRedis } from './services';

/**
 * `npm run test:faults`: the API (APP_ROLE=api) and a worker (APP_ROLE=worker) as child processes
 * on a PostgreSQL cluster and a Redis server that this script starts for itself (initdb into a
 * scratch directory, free ports), then four faults, each with its own time limit:
 *
 * 1. Redis stopped for REDIS_DOWN_SECONDS (20) and started again, empty: POST /v1/cases keeps
 *    answering 201, GET /health answers 503 with redis down, and every deadline job is back in
 *    Redis after the worker's sweep (SWEEP_INTERVAL_SECONDS=5 here).
 * 2. PostgreSQL stopped (`pg_ctl stop -m fast`) for PG_DOWN_SECONDS (10) and started again:
 *    every answer during the outage is a 503 problem+json within FAIL_FAST_MS (6000: the pool's
 *    5 s connect timeout and a margin), nothing hangs or crashes, and the same processes serve
 *    again afterwards.
 * 3. The worker SIGKILLed in the middle of a batch of FAULT_BATCH (400) due deadlines: after a
 *    new worker starts, every job is completed and every case has exactly one `overdue` event.
 * 4. SIGTERM to the API under load: every request sent before the signal gets its answer, none
 *    is cut (reset), every acknowledged case is in PostgreSQL, and the process exits 0.
 *
 * Only the processes and services this script started are stopped or restarted: the API and
 * workers by their PIDs, Redis by the PID of the redis-server it spawned, PostgreSQL with its
 * own pg_ctl on the scratch cluster. Everything is cleaned up, also on failure or Ctrl-C.
 * FAULTS_KEEP=1 keeps the scratch directory (logs); FAULTS_STEPS=2,4 runs only those steps;
 * APP_FROM=dist runs dist/ instead of src/.
 */

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

const REDIS_DOWN_SECONDS = numberFromEnv('REDIS_DOWN_SECONDS', 20);
const PG_DOWN_SECONDS = numberFromEnv('PG_DOWN_SECONDS', 10);
const FAIL_FAST_MS = numberFromEnv('FAIL_FAST_MS', 6000);
const BATCH = numberFromEnv('FAULT_BATCH', 400);
const SIGTERM_LOAD_CONNECTIONS = numberFromEnv('SIGTERM_LOAD_CONNECTIONS', 12);

interface Context {
  dir: string;
  pg: OwnPostgres;
  redis: OwnRedis;
  databaseUrl: string;
  prefix: string;
  env: Record<string, string>;
  client: HttpClient;
  api: AppProcess;
  worker: AppProcess;
  workers: number;
  /** Authenticates with a member's personal API token. */
  member: SeededUser;
  /** Authenticates with a login JWT. */
  viewer: SeededUser;
  countries: string[];
}

interface StepResult {
  name: string;
  problems: string[];
  seconds: number;
}

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'et-faults-'));
  onCleanup('remove the scratch directory', () => {
    if (process.env.FAULTS_KEEP === '1') console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  });
  const pg = new OwnPostgres(dir, await freePort());
  pg.init();
  pg.start();
  const redis = new OwnRedis(dir, await freePort());
  await redis.start();
  console.log(
    `own PostgreSQL 15 on :${pg.port} (scratch cluster in ${dir}), own redis-server pid ` +
      `${redis.pid} on :${redis.port}`,
  );

  const port = await freePort();
  const admin = { email: 'admin@faults.example.org', password: newPassword() };
  const databaseUrl = pg.url('et_faults');
  const prefix = 'faults';
  const env = baseEnv({
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: '10',
    REDIS_URL: redis.url,
    QUEUE_PREFIX: prefix,
    PORT: String(port),
    LOG_LEVEL: 'info',
    SWEEP_INTERVAL_SECONDS: '5',
    // Public routes reach PostgreSQL without authentication (step 2 sends them as well).
    PUBLIC_TRENDS: 'true',
    LOGIN_MAX_ATTEMPTS_PER_IP: '100000',
    LOGIN_MAX_FAILURES_PER_EMAIL: '10000',
    // One member writes the whole batch of step 3: the per-user write limit is raised out of
    // the way, but stays on, so its Redis count is exercised (and must fail open) in step 1.
    WRITE_RATE_LIMIT_PER_MINUTE: '1000000',
    ADMIN_EMAIL: admin.email,
    ADMIN_PASSWORD: admin.password,
  });
  const client = new HttpClient(`http://127.0.0.1:${port}`, 64);
  onCleanup('close the HTTP client', () => client.close());
  const api = startApp('api', { ...env, APP_ROLE: 'api' }, join(dir, 'api.log'));
  await waitForHealth(client, api, 180_000);
  const worker = await startWorker(env, join(dir, 'worker-1.log'));
  const community = await seedCommunity(client, admin, {
    organizations: 1,
    members: 2,
    viewers: 1,
    contacts: 1,
  });
  const ctx: Context = {
    dir,
    pg,
    redis,
    databaseUrl,
    prefix,
    env,
    client,
    api,
    worker,
    workers: 1,
    member: community.users[0],
    viewer: community.users.find((u) => u.role === 'viewer')!,
    countries: community.organizations[0].countries,
  };
  console.log(`api pid ${api.pid}, worker pid ${worker.pid}, database et_faults, prefix ${prefix}`);

  const steps: [string, number, (c: Context) => Promise<string[]>][] = [
    [`1. Redis stopped for ${REDIS_DOWN_SECONDS} s`, 240_000, redisOutage],
    [`2. PostgreSQL restarted (down ${PG_DOWN_SECONDS} s)`, 180_000, postgresRestart],
    [`3. worker SIGKILLed during a batch of ${BATCH} jobs`, 300_000, workerKilled],
    ['4. SIGTERM to the API under load', 120_000, apiSigterm],
  ];
  const only = (process.env.FAULTS_STEPS ?? '1,2,3,4').split(',').map((n) => n.trim());
  const results: StepResult[] = [];
  for (const [name, limit, step] of steps.filter(([name]) => only.includes(name[0]))) {
    if (isStopping()) break;
    console.log(`\n== ${name}`);
    const started = performance.now();
    let problems: string[];
    let timedOut = false;
    try {
      problems = await withTimeout(step(ctx), limit, name);
    } catch (error) {
      problems = [`${(error as Error).message}`];
      timedOut = /no result within/.test((error as Error).message);
    }
    const seconds = (performance.now() - started) / 1000;
    results.push({ name, problems, seconds });
    for (const p of problems) console.log(`  MISSED: ${p}`);
    console.log(`  ${problems.length === 0 ? 'bar met' : 'BAR MISSED'} (${fixed(seconds)} s)`);
    // A step still running in the background would disturb the next ones.
    if (timedOut) {
      console.log('  the step overran its time limit: the remaining steps are not run');
      break;
    }
  }

  console.log('\nsummary:');
  for (const r of results) {
    console.log(
      `  ${r.problems.length === 0 ? 'ok    ' : 'FAILED'} ${r.name} (${fixed(r.seconds)} s)`,
    );
  }
  const failed = results.filter((r) => r.problems.length > 0);
  if (failed.length > 0) {
    console.log(
      process.env.FAULTS_KEEP === '1'
        ? `\nlogs: ${dir}`
        : '\n(the logs go with the scratch directory: FAULTS_KEEP=1 keeps them)',
    );
    for (const app of [ctx.api, ctx.worker]) {
      console.log(`--- last lines of the ${app.role} log ---\n${app.tail(15)}`);
    }
    return 1;
  }
  return 0;
}

async function startWorker(env: Record<string, string>, logFile: string): Promise<AppProcess> {
  const worker = startApp('worker', { ...env, APP_ROLE: 'worker' }, logFile);
  await eventually(
    'the worker to start',
    async () => {
      if (!worker.alive()) {
        throw Object.assign(new Error(`the worker exited:\n${worker.tail()}`), { fatal: true });
      }
      return /worker started/.test(tailOf(logFile, 200));
    },
    120_000,
    200,
  );
  return worker;
}

function createCase(ctx: Context, hoursAgo: number, token = ctx.member.token): Promise<Answer> {
  const key = randomUUID();
  return ctx.client.request('POST', '/v1/cases', {
    token,
    body: caseBody(key, ctx.countries, { urgency: 'normal' }, hoursAgo),
    headers: { 'idempotency-key': key },
    timeoutMs: 30_000,
  });
}

const describe = (a: Answer) => (a.error ? `no answer (${a.error})` : String(a.status));

function counts(answers: Answer[]): string {
  const by = new Map<string, number>();
  for (const a of answers) by.set(describe(a), (by.get(describe(a)) ?? 0) + 1);
  return [...by.entries()].map(([k, n]) => `${k} x${n}`).join(', ') || 'none';
}

const longest = (answers: Answer[]) => Math.max(0, ...answers.map((a) => a.ms));

function deadlinesQueue(ctx: Context): { queue: Queue; close: () => Promise<void> } {
  const queue = new Queue(QueueName.Deadlines, {
    connection: { host: '127.0.0.1', port: ctx.redis.port, maxRetriesPerRequest: 1 },
    prefix: ctx.prefix,
  });
  queue.on('error', () => undefined);
  return { queue, close: () => queue.close() };
}

// ---------------------------------------------------------------------------------------------
// 1. Redis down.

async function redisOutage(ctx: Context): Promise<string[]> {
  const problems: string[] = [];
  const before = await ctx.client.request('GET', '/health');
  console.log(`  before: GET /health ${before.status} ${before.text}`);
  const control = await createCase(ctx, 1);
  if (control.status !== 201)
    problems.push(`POST /v1/cases before the outage: ${describe(control)}`);

  await ctx.redis.stop();
  const stoppedAt = performance.now();
  console.log(`  redis-server stopped (SIGTERM to pid ${ctx.redis.pid}); data gone (--save "")`);
  const posts: Answer[] = [];
  const healths: Answer[] = [];
  while (performance.now() - stoppedAt < REDIS_DOWN_SECONDS * 1000) {
    const [post, health] = await Promise.all([
      createCase(ctx, 1),
      ctx.client.request('GET', '/health', { timeoutMs: 10_000 }),
    ]);
    posts.push(post);
    healths.push(health);
    await sleep(500);
  }
  await ctx.redis.start();
  const restartedAt = performance.now();
  console.log(
    `  during ${REDIS_DOWN_SECONDS} s without Redis: POST /v1/cases ${counts(posts)} ` +
      `(longest ${fixed(longest(posts), 0)} ms, p50 ${fixed(
        percentile(
          posts.map((a) => a.ms).sort((a, b) => a - b),
          50,
        ),
        0,
      )} ms); ` +
      `GET /health ${counts(healths)}, checks seen: ${[...new Set(healths.map((h) => JSON.stringify(h.body?.checks)))].join(' ')}`,
  );
  const refused = posts.filter((p) => p.status !== 201);
  if (refused.length) problems.push(`POST /v1/cases without Redis: ${counts(refused)} (want 201)`);
  if (longest(posts) > 5000)
    problems.push(`a POST took ${fixed(longest(posts), 0)} ms without Redis`);
  const healthy = healths.filter((h) => h.status !== 503 || h.body?.checks?.redis !== 'down');
  if (healthy.length) {
    problems.push(`GET /health did not report Redis down: ${healthy.map((h) => h.text).join(' ')}`);
  }

  await waitForHealth(ctx.client, ctx.api, 60_000);
  console.log(
    `  redis-server started again (pid ${ctx.redis.pid}, empty); GET /health 200 after ${fixed((performance.now() - restartedAt) / 1000)} s`,
  );
  const after = await createCase(ctx, 1);
  if (after.status !== 201) problems.push(`POST /v1/cases after the outage: ${describe(after)}`);

  // Every case's deadline job, including those logged while Redis was away, is back.
  const logged = [control, ...posts, after].filter((a) => a.status === 201).map((a) => a.body);
  const jobKeys = logged.map(
    (c: { id: string; dueAt: string }) =>
      `${ctx.prefix}:${QueueName.Deadlines}:${dueJobId(c.id, new Date(c.dueAt))}`,
  );
  const redis = new Redis({ host: '127.0.0.1', port: ctx.redis.port, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  try {
    let present = 0;
    await eventually(
      'every deadline job back in Redis',
      async () => {
        const pipeline = redis.pipeline();
        for (const key of jobKeys) pipeline.exists(key);
        const found = (await pipeline.exec()) ?? [];
        present = found.filter(([, n]) => n === 1).length;
        return present === jobKeys.length;
      },
      150_000,
      1000,
    ).catch((error: Error) => problems.push(`${error.message}: ${present} of ${jobKeys.length}`));
    console.log(
      `  deadline jobs in Redis: ${present} of ${jobKeys.length} cases, ` +
        `${fixed((performance.now() - restartedAt) / 1000)} s after Redis came back ` +
        '(the worker re-registers its sweep within a minute, the sweep runs every 5 s)',
    );
    const { queue, close } = deadlinesQueue(ctx);
    try {
      const states = await Promise.all(
        logged.map(async (c: { id: string; dueAt: string }) =>
          (await queue.getJob(dueJobId(c.id, new Date(c.dueAt))))?.getState(),
        ),
      );
      const notDelayed = states.filter((s) => s !== 'delayed');
      if (notDelayed.length) problems.push(`deadline jobs not delayed: ${notDelayed.join(', ')}`);
    } finally {
      await close();
    }
  } finally {
    redis.disconnect();
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// 2. PostgreSQL down, then back.

async function postgresRestart(ctx: Context): Promise<string[]> {
  const problems: string[] = [];
  const known = await createCase(ctx, 2);
  if (known.status !== 201) return [`POST /v1/cases before the restart: ${describe(known)}`];
  const caseId = known.body.id as string;
  const token = ctx.member.token;
  const shots: [string, () => Promise<Answer>][] = [
    ['POST /v1/cases', () => createCase(ctx, 2)],
    ['GET /v1/cases', () => ctx.client.request('GET', '/v1/cases?limit=20', { token })],
    [
      'GET /v1/cases (JWT)',
      () => ctx.client.request('GET', '/v1/cases?limit=20', { token: ctx.viewer.token }),
    ],
    ['GET /v1/cases/:id', () => ctx.client.request('GET', `/v1/cases/${caseId}`, { token })],
    [
      'POST /v1/cases/:id/events',
      () =>
        ctx.client.request('POST', `/v1/cases/${caseId}/events`, {
          token,
          body: { type: 'note', note: 'during the outage' },
        }),
    ],
    ['GET /v1/patterns/trends', () => ctx.client.request('GET', '/v1/patterns/trends', { token })],
    [
      'GET /v1/public/trends (no auth)',
      () => ctx.client.request('GET', '/v1/public/trends?groupBy=category'),
    ],
    [
      'POST /v1/auth/login',
      () =>
        ctx.client.request('POST', '/v1/auth/login', {
          body: { email: 'nobody@faults.example.org', password: 'not-the-password-at-all' },
        }),
    ],
    ['GET /health', () => ctx.client.request('GET', '/health')],
  ];

  const stopStarted = performance.now();
  ctx.pg.stop('fast');
  const stoppedAt = performance.now();
  console.log(`  pg_ctl stop -m fast: down after ${fixed((stoppedAt - stopStarted) / 1000)} s`);
  const during = new Map<string, Answer[]>(shots.map(([route]) => [route, []]));
  // 2 clients per route, each sending its next request as soon as the previous is answered.
  await Promise.all(
    shots.flatMap(([route, send]) =>
      [0, 1].map(async () => {
        while (performance.now() - stoppedAt < PG_DOWN_SECONDS * 1000) {
          during.get(route)!.push(await send());
          await sleep(100);
        }
      }),
    ),
  );
  const restartStarted = performance.now();
  ctx.pg.start();
  const upAt = performance.now();
  console.log(
    `  pg_ctl start: accepting connections after ${fixed((upAt - restartStarted) / 1000)} s`,
  );

  let slowest = 0;
  for (const [route, answers] of during) {
    const problem = answers.filter((a) =>
      route === 'GET /health'
        ? a.status !== 503 || a.body?.checks?.postgres !== 'down'
        : a.status !== 503 || !isProblem(a),
    );
    slowest = Math.max(slowest, longest(answers));
    console.log(
      `  ${route.padEnd(31)} ${String(answers.length).padStart(4)} answers during the outage: ` +
        `${counts(answers)}; longest ${fixed(longest(answers), 0)} ms` +
        (route === 'GET /health' ? '' : `, problem+json: ${answers.filter(isProblem).length}`),
    );
    if (problem.length) {
      const sample = problem[0];
      problems.push(
        `${route}: ${problem.length} answers other than 503 problem+json (${counts(problem)}; first: ${sample.text.slice(0, 200)})`,
      );
    }
    const slow = answers.filter((a) => a.ms > FAIL_FAST_MS);
    if (slow.length)
      problems.push(`${route}: ${slow.length} answers slower than ${FAIL_FAST_MS} ms`);
  }
  const retryAfter = [...during.values()]
    .flat()
    .find((a) => a.status === 503 && a.headers['retry-after']);
  console.log(
    `  longest answer during the outage: ${fixed(slowest, 0)} ms (bar ${FAIL_FAST_MS} ms); ` +
      `Retry-After: ${retryAfter?.headers['retry-after'] ?? 'none'}`,
  );

  for (const app of [ctx.api, ctx.worker]) {
    if (!app.alive())
      problems.push(`the ${app.role} process exited during the outage:\n${app.tail()}`);
  }
  // Recovery, without restarting anything.
  let firstOk = 0;
  await eventually(
    'POST /v1/cases answering 201 again',
    async () => {
      const answer = await createCase(ctx, 2);
      if (answer.status === 201 && !firstOk) firstOk = performance.now();
      return answer.status === 201;
    },
    60_000,
    250,
  ).catch((error: Error) => problems.push(error.message));
  await waitForHealth(ctx.client, ctx.api, 60_000).catch((error: Error) =>
    problems.push(error.message),
  );
  const reads = await ctx.client.request('GET', `/v1/cases/${caseId}`, { token });
  if (reads.status !== 200)
    problems.push(`GET /v1/cases/:id after the restart: ${describe(reads)}`);
  console.log(
    `  recovered: POST /v1/cases 201 ${fixed((firstOk - upAt) / 1000)} s after PostgreSQL was back, ` +
      `GET /health 200; same processes (api pid ${ctx.api.pid} ${ctx.api.alive() ? 'alive' : 'GONE'}, ` +
      `worker pid ${ctx.worker.pid} ${ctx.worker.alive() ? 'alive' : 'GONE'})`,
  );
  return problems;
}

// ---------------------------------------------------------------------------------------------
// 3. The worker killed in the middle of a batch.

async function workerKilled(ctx: Context): Promise<string[]> {
  const problems: string[] = [];
  // The worker from the steps before stops cleanly (a deploy), so the batch waits in Redis.
  const stopping = performance.now();
  const exit = await ctx.worker.stop('SIGTERM', 30_000);
  console.log(
    `  worker pid ${ctx.worker.pid} SIGTERM: exit code ${exit.code} (signal ${exit.signal}) after ` +
      `${fixed((performance.now() - stopping) / 1000)} s`,
  );
  if (exit.code !== 0)
    problems.push(`the worker's clean stop exited with ${exit.code ?? exit.signal}`);

  // A batch of cases whose deadlines passed 28 hours ago: one case-due job each, due now.
  const cases: { id: string; dueAt: string }[] = [];
  const queueing = [...Array(8).keys()].map(async (lane) => {
    for (let i = lane; i < BATCH; i += 8) {
      const answer = await createCase(ctx, 100);
      if (answer.status !== 201)
        throw new Error(`POST /v1/cases for the batch: ${describe(answer)}`);
      cases.push({ id: answer.body.id, dueAt: answer.body.dueAt });
    }
  });
  await Promise.all(queueing);
  const ids = cases.map((c) => c.id);
  const jobIds = cases.map((c) => dueJobId(c.id, new Date(c.dueAt)));
  const { queue, close } = deadlinesQueue(ctx);
  try {
    await eventually(
      'the batch queued',
      async () => (await queue.getJobCounts('wait', 'prioritized'))['wait'] >= BATCH,
      30_000,
    ).catch(() => undefined);
    const queued = await queue.getJobCounts('wait', 'active', 'delayed', 'completed');
    console.log(
      `  ${BATCH} cases due 28 h ago logged with no worker running; deadlines queue: ${JSON.stringify(queued)}`,
    );

    const overdue = async () =>
      (
        await sql<{ n: number }>(
          ctx.databaseUrl,
          `SELECT count(*)::int AS n FROM case_events WHERE type = 'overdue' AND case_id = ANY($1::uuid[])`,
          [ids],
        )
      )[0].n;
    const doomed = startApp(
      'worker',
      { ...ctx.env, APP_ROLE: 'worker' },
      join(ctx.dir, 'worker-2.log'),
    );
    let atKill = 0;
    await eventually(
      'the new worker taking jobs',
      async () => {
        if (!doomed.alive()) {
          throw Object.assign(new Error(`worker 2 exited:\n${doomed.tail()}`), { fatal: true });
        }
        atKill = await overdue();
        return atKill > 0;
      },
      120_000,
      20,
    );
    const killed = await doomed.stop('SIGKILL');
    const afterKill = await overdue();
    const active = await queue.getActiveCount();
    console.log(
      `  worker pid ${doomed.pid} SIGKILLed (${killed.signal}) with ${atKill} of ${BATCH} cases ` +
        `marked (${afterKill} once it was dead); ${active} jobs left active (locked by the dead worker)`,
    );
    if (afterKill >= BATCH) {
      problems.push(
        `the batch was finished before the kill (${afterKill} of ${BATCH}): raise FAULT_BATCH to test a kill mid-batch`,
      );
    }

    const restarted = performance.now();
    ctx.worker = await startWorker(ctx.env, join(ctx.dir, 'worker-3.log'));
    ctx.workers++;
    let last = { events: 0, completed: 0, failed: 0 };
    await eventually(
      'every job completed after the new worker started',
      async () => {
        const states = await Promise.all(
          jobIds.map(async (id) => (await queue.getJob(id))?.getState()),
        );
        last = {
          events: await overdue(),
          completed: states.filter((s) => s === 'completed').length,
          failed: states.filter((s) => s === 'failed').length,
        };
        return last.completed + last.failed === BATCH;
      },
      180_000,
      1000,
    ).catch((error: Error) => problems.push(`${error.message}: ${JSON.stringify(last)}`));
    const perCase = await sql<{ n: number; cases: number }>(
      ctx.databaseUrl,
      `SELECT coalesce(e.n, 0)::int AS n, count(*)::int AS cases
         FROM unnest($1::uuid[]) AS c(id)
         LEFT JOIN (SELECT case_id, count(*) AS n FROM case_events WHERE type = 'overdue' GROUP BY case_id) e
           ON e.case_id = c.id
        GROUP BY 1 ORDER BY 1`,
      [ids],
    );
    const histogram = perCase.map((r) => `${r.cases} cases with ${r.n}`).join(', ');
    console.log(
      `  new worker pid ${ctx.worker.pid}: ${last.completed} jobs completed, ${last.failed} failed, ` +
        `${fixed((performance.now() - restarted) / 1000)} s after it was started ` +
        `(stalled jobs wait for their 30 s lock); overdue events per case: ${histogram}`,
    );
    if (last.failed) problems.push(`${last.failed} deadline jobs failed`);
    const wrong = perCase.filter((r) => r.n !== 1);
    if (wrong.length) problems.push(`not exactly one overdue event per case: ${histogram}`);
  } finally {
    await close();
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// 4. SIGTERM to the API under load.

async function apiSigterm(ctx: Context): Promise<string[]> {
  const problems: string[] = [];
  const token = ctx.member.token;
  const seedCase = await createCase(ctx, 3);
  if (seedCase.status !== 201) return [`POST /v1/cases before the load: ${describe(seedCase)}`];
  interface Sent {
    route: string;
    requestId: string;
    answer: Answer;
  }
  const sent: Sent[] = [];
  const acked = new Set<string>();
  let exited = false;
  let signalAt = Infinity;

  // Every request carries its own X-Request-Id, which the API logs with each answer: a request
  // without an answer can then be looked up in the API's log.
  const loop = async (lane: number) => {
    while (!exited) {
      const kind = (lane + sent.length) % 4;
      const requestId = randomUUID();
      const headers = { 'x-request-id': requestId };
      let route: string;
      let answer: Answer;
      if (kind === 0) {
        route = 'POST /v1/cases';
        const key = randomUUID();
        answer = await ctx.client.request('POST', '/v1/cases', {
          token,
          body: caseBody(key, ctx.countries, { urgency: 'normal' }, 3),
          headers: { ...headers, 'idempotency-key': key },
        });
        if (answer.status === 201) acked.add(answer.body.id);
      } else if (kind === 1) {
        route = 'GET /v1/cases';
        answer = await ctx.client.request('GET', '/v1/cases?limit=50', { token, headers });
      } else if (kind === 2) {
        route = 'GET /v1/patterns/trends';
        answer = await ctx.client.request('GET', '/v1/patterns/trends?groupBy=category,country', {
          token,
          headers,
        });
      } else {
        route = 'POST /v1/cases/:id/events';
        answer = await ctx.client.request('POST', `/v1/cases/${seedCase.body.id}/events`, {
          token,
          body: { type: 'note', note: `load ${lane}` },
          headers,
        });
      }
      sent.push({ route, requestId, answer });
      // The listener is closed: this lane is done (a client would go to another replica).
      if (answer.error === 'ECONNREFUSED') break;
      // A 503 says when to come back (Retry-After), as a client or a load balancer honours it.
      const retryAfter = Number(answer.headers?.['retry-after']);
      if (answer.status === 503 && retryAfter > 0) await sleep(Math.min(retryAfter, 5) * 1000);
    }
  };
  const lanes = [...Array(SIGTERM_LOAD_CONNECTIONS).keys()].map(loop);
  await sleep(4000);
  signalAt = performance.now();
  process.kill(ctx.api.pid, 'SIGTERM');
  const exit = await withTimeout(ctx.api.exited, 60_000, 'the API exiting after SIGTERM');
  const exitedAt = performance.now();
  exited = true;
  await Promise.all(lanes);

  const apiLog = tailOf(ctx.api.logFile, 1_000_000);
  const logged = (s: Sent) => apiLog.includes(s.requestId);
  const before = sent.filter((s) => s.answer.startedAt < signalAt);
  const inFlight = before.filter((s) => s.answer.endedAt > signalAt);
  const after = sent.filter((s) => s.answer.startedAt >= signalAt);
  const notOk = before.filter(
    (s) => s.answer.error || s.answer.status < 200 || s.answer.status > 299,
  );
  // No answer and not a refused connection. Sent after the signal on a kept-alive connection
  // that the closing server had just shut (ECONNRESET, and the API never logged the request):
  // the race Node documents for `request.reusedSocket`; the request was never read. Anything
  // else without an answer was cut.
  const noAnswer = sent.filter((s) => s.answer.error && s.answer.error !== 'ECONNREFUSED');
  const raced = noAnswer.filter(
    (s) =>
      s.answer.startedAt >= signalAt &&
      s.answer.reusedSocket === true &&
      s.answer.error === 'ECONNRESET' &&
      !logged(s),
  );
  const cut = noAnswer.filter((s) => !raced.includes(s));
  const fiveOhThrees = after.filter((s) => s.answer.status === 503);
  console.log(
    `  ${SIGTERM_LOAD_CONNECTIONS} connections for 4 s, then SIGTERM to api pid ${ctx.api.pid}: ` +
      `exit code ${exit.code} (signal ${exit.signal}) ${fixed((exitedAt - signalAt) / 1000, 2)} s after the signal`,
  );
  console.log(
    `  sent before the signal: ${before.length} (${counts(before.map((s) => s.answer))}); ` +
      `in flight at the signal: ${inFlight.length} (${counts(inFlight.map((s) => s.answer))}), ` +
      `the last answered ${fixed(Math.max(0, ...inFlight.map((s) => s.answer.endedAt - signalAt)), 0)} ms after it`,
  );
  console.log(
    `  sent after the signal: ${after.length} (${counts(after.map((s) => s.answer))}); ` +
      `503s problem+json: ${fiveOhThrees.filter((s) => isProblem(s.answer)).length} of ${fiveOhThrees.length}`,
  );
  if (raced.length) {
    console.log(
      `  NOTE: ${raced.length} request(s) sent ${raced.map((s) => `${fixed(s.answer.startedAt - signalAt, 0)} ms`).join(', ')} ` +
        'after the signal on an idle kept-alive connection got ECONNRESET: the closing server shut ' +
        'the idle connection as the request went out; the API never logged them (never read). ' +
        `Routes: ${raced.map((s) => s.route).join(', ')}`,
    );
  }
  if (exit.code !== 0) problems.push(`the API exited with ${exit.code ?? exit.signal}, want 0`);
  const plain503 = fiveOhThrees.filter((s) => !isProblem(s.answer));
  if (plain503.length) {
    problems.push(`${plain503.length} 503 answers during the shutdown were not problem+json`);
  }
  if (inFlight.length === 0)
    problems.push('no request was in flight at the signal: nothing was tested');
  if (notOk.length) {
    problems.push(
      `${notOk.length} requests sent before the signal were not answered 2xx: ${counts(notOk.map((s) => s.answer))}`,
    );
  }
  if (cut.length) {
    problems.push(
      `${cut.length} requests cut: ` +
        cut
          .slice(0, 5)
          .map(
            (s) =>
              `${s.route} ${s.answer.error} sent ${fixed(s.answer.startedAt - signalAt, 0)} ms after the signal ` +
              `(reused connection: ${s.answer.reusedSocket}, in the API log: ${logged(s)})`,
          )
          .join('; '),
    );
  }
  const stored = await sql<{ id: string }>(
    ctx.databaseUrl,
    'SELECT id::text FROM cases WHERE id = ANY($1::uuid[])',
    [[...acked]],
  );
  const lost = acked.size - stored.length;
  console.log(
    `  cases acknowledged 201 during the run: ${acked.size}, in PostgreSQL: ${stored.length}`,
  );
  if (lost) problems.push(`${lost} acknowledged cases are not in PostgreSQL`);
  return problems;
}

runMain(main);
