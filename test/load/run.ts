import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatTable } from '../bench/harness';
import {
  Answer,
  baseEnv,
  caseBody,
  Community,
  deleteRedisKeys,
  dropDatabase,
  fixed,
  freePort,
  HttpClient,
  newPassword,
  onCleanup,
  percentile,
  runMain,
  seedCommunity,
  SeededUser,
  sql,
  startApp,
  suffix,
  waitForHealth,
  withDatabaseName,
} from './support';

/**
 * `npm run test:load`: the app (APP_ROLE=all: API and workers in one process, as `npm start`)
 * as a child process on loopback, on a database and a queue prefix of its own, driven for
 * LOAD_SECONDS by LOAD_CONNECTIONS virtual users of LOAD_ORGANIZATIONS organisations with a
 * helpline's mix: cases logged with an Idempotency-Key (some retried, some retried in parallel),
 * timeline events, lists, single cases, contact look-ups, trends, the scorecard, indicator
 * matches. Prints throughput, p50/p99 per route and every non-2xx answer, then checks in
 * PostgreSQL that every acknowledged write is there exactly once.
 *
 * Fails (exit 1) on any 5xx, any request without an answer, any lost or duplicated write, or a
 * crashed app. Other non-2xx answers are printed, not failed.
 *
 * Environment: LOAD_SECONDS (60), LOAD_CONNECTIONS (16), LOAD_ORGANIZATIONS (4),
 * LOAD_DATABASE_SERVER (postgres://postgres@127.0.0.1:5432/postgres), LOAD_REDIS_URL
 * (redis://127.0.0.1:6379), LOAD_POOL_SIZE (the app's DATABASE_POOL_SIZE, 20),
 * LOAD_KEEP=1 (keep the database and the log), APP_FROM=dist (run dist/ instead of the sources),
 * LOAD_APP_ENV (JSON object of extra variables for the app, e.g. '{"WRITE_RATE_LIMIT_PER_MINUTE":"600"}'
 * to measure with the production write limit, which this run otherwise raises out of the way).
 */

function intFromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number between ${min} and ${max}`);
  }
  return value;
}

interface RouteStats {
  latencies: number[];
  statuses: Map<number, number>;
  errors: Map<string, number>;
  /** A problem title per non-2xx status, to show what the refusal said. */
  samples: Map<number, string>;
}

interface AckedCase {
  id: string;
  key: string;
  title: string;
  userId: string;
}

interface AckedEvent {
  id: string;
  caseId: string;
  note: string;
}

class Recorder {
  readonly routes = new Map<string, RouteStats>();
  readonly cases = new Map<string, AckedCase>();
  /** `userId key` -> the case id the first acknowledgement named. */
  readonly keys = new Map<string, string>();
  readonly events = new Map<string, AckedEvent>();
  readonly problems: string[] = [];
  /** Writes that got no answer: they may or may not have happened. */
  unansweredCreates = 0;
  unansweredEvents = 0;
  replays = 0;
  races = 0;

  note(route: string, answer: Answer): void {
    let stats = this.routes.get(route);
    if (!stats) {
      stats = { latencies: [], statuses: new Map(), errors: new Map(), samples: new Map() };
      this.routes.set(route, stats);
    }
    if (answer.error) {
      stats.errors.set(answer.error, (stats.errors.get(answer.error) ?? 0) + 1);
      return;
    }
    stats.latencies.push(answer.ms);
    stats.statuses.set(answer.status, (stats.statuses.get(answer.status) ?? 0) + 1);
    if ((answer.status < 200 || answer.status > 299) && !stats.samples.has(answer.status)) {
      const body = answer.body as { title?: string; detail?: string } | null;
      stats.samples.set(
        answer.status,
        body?.title ? `${body.title}: ${body.detail ?? ''}` : answer.text.slice(0, 120),
      );
    }
  }

  /** A 201 for (user, key): the same key must always name the same case. */
  ackCase(user: SeededUser, key: string, title: string, answer: Answer): void {
    const id = answer.body?.id as string | undefined;
    if (!id) {
      this.problems.push(`POST /v1/cases answered 201 without an id: ${answer.text.slice(0, 200)}`);
      return;
    }
    const earlier = this.keys.get(`${user.id} ${key}`);
    if (earlier && earlier !== id) {
      this.problems.push(
        `duplicated case: Idempotency-Key ${key} answered case ${earlier} and then case ${id}`,
      );
    }
    if (!earlier) this.keys.set(`${user.id} ${key}`, id);
    this.cases.set(id, { id, key, title, userId: user.id });
  }
}

async function main(): Promise<number> {
  const seconds = intFromEnv('LOAD_SECONDS', 60, 1, 3600);
  const connections = intFromEnv('LOAD_CONNECTIONS', 16, 1, 512);
  const organizationCount = intFromEnv('LOAD_ORGANIZATIONS', 4, 2, 20);
  const poolSize = intFromEnv('LOAD_POOL_SIZE', 20, 2, 200);
  const keep = process.env.LOAD_KEEP === '1';
  const serverUrl =
    process.env.LOAD_DATABASE_SERVER ??
    process.env.TEST_DATABASE_URL ??
    'postgres://postgres@127.0.0.1:5432/postgres';
  const redisUrl =
    process.env.LOAD_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const extraEnv = JSON.parse(process.env.LOAD_APP_ENV ?? '{}') as Record<string, string>;

  const database = `et_load_${suffix()}`;
  const databaseUrl = withDatabaseName(serverUrl, database);
  const prefix = `load${suffix()}`;
  const dir = mkdtempSync(join(tmpdir(), 'et-load-'));
  const logFile = join(dir, 'app.log');
  onCleanup('remove the scratch directory', () => {
    if (keep) console.log(`kept the app log: ${logFile}`);
    else rmSync(dir, { recursive: true, force: true });
  });
  onCleanup(`drop the database ${database}`, async () => {
    if (keep) console.log(`kept the database: ${databaseUrl}`);
    else await dropDatabase(serverUrl, database);
  });
  onCleanup(`delete the Redis keys ${prefix}:*`, () => deleteRedisKeys(redisUrl, prefix));

  const port = await freePort();
  const admin = { email: `admin-${suffix()}@load.example.org`, password: newPassword() };
  const app = startApp(
    'app (APP_ROLE=all)',
    baseEnv({
      APP_ROLE: 'all',
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: String(poolSize),
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
      ADMIN_ORG_SLUG: 'load-coordination',
      // The per-user write limit stays on (its Redis count is part of every write's cost) but
      // high: 16 connections from 12 members write faster than any person, which it would stop.
      WRITE_RATE_LIMIT_PER_MINUTE: '1000000',
      ...extraEnv,
    }),
    logFile,
  );
  const client = new HttpClient(`http://127.0.0.1:${port}`, connections * 2 + 8);
  onCleanup('close the HTTP client', () => client.close());
  const booting = performance.now();
  await waitForHealth(client, app, 180_000);
  console.log(
    `app pid ${app.pid} (APP_ROLE=all, ${process.env.APP_FROM === 'dist' ? 'dist/' : 'sources via ts-node'}) ` +
      `ready in ${fixed((performance.now() - booting) / 1000)} s on :${port}, database ${database}, ` +
      `queue prefix ${prefix}, pool ${poolSize}`,
  );

  const community = await seedCommunity(client, admin, {
    organizations: organizationCount,
    members: 3,
    viewers: 1,
    contacts: 5,
  });
  const rec = new Recorder();
  const casesByOrg = new Map<string, string[]>(community.organizations.map((o) => [o.id, []]));
  // A few cases per member first, so events and reads have targets from the first second.
  for (const user of community.users.filter((u) => u.role === 'member')) {
    for (let i = 0; i < 3; i++) await createCase(client, rec, community, casesByOrg, user, 'seed');
  }
  console.log(
    `seeded ${community.organizations.length} organisations, ${community.users.length} users ` +
      `(members with API tokens, viewers with JWTs), ${rec.cases.size} cases`,
  );

  // The virtual users: connection i acts as user i (round robin over organisations and roles).
  const users = interleave(community);
  console.log(
    `\nload: ${seconds} s, ${connections} connections (virtual users: ` +
      `${describeUsers(users, connections)}), node ${process.version}`,
  );
  const loadBefore = loadavg()[0];
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, (_, i) =>
      virtualUser(client, rec, community, casesByOrg, users[i % users.length], until),
    ),
  );
  const elapsed = (performance.now() - started) / 1000;
  // Anything else running on the machine shares its cores: say how busy it was.
  console.log(
    `machine: ${cpus().length} cores, ${fixed(totalmem() / 2 ** 30, 0)} GiB; load average ` +
      `${fixed(loadBefore, 2)} before the run, ${fixed(loadavg()[0], 2)} at its end`,
  );

  const problems = [...rec.problems];
  printStats(rec, elapsed, problems);

  if (!app.alive()) problems.push(`the app exited during the run:\n${app.tail()}`);
  // Jobs the run queued (overdue deadlines) settle before the counts are read.
  await sleep(1000);
  problems.push(...(await verify(databaseUrl, community, rec)));
  const errorLines = app
    .tail(100_000)
    .split('\n')
    .filter((l) => /"level":50|"level":60/.test(l));
  console.log(`app log: ${errorLines.length} error-level lines`);
  for (const line of errorLines.slice(0, 5)) console.log(`  ${line.slice(0, 400)}`);

  if (problems.length > 0) {
    console.error(`\nFAILED (${problems.length}):\n  - ${problems.join('\n  - ')}`);
    return 1;
  }
  console.log('\nok: zero 5xx, every request answered, zero lost or duplicated writes');
  return 0;
}

/** Users ordered so that consecutive connections belong to different organisations. */
function interleave(community: Community): SeededUser[] {
  const lists = community.organizations.map((o) => o.users);
  const longest = Math.max(...lists.map((l) => l.length));
  const out: SeededUser[] = [];
  for (let i = 0; i < longest; i++) for (const list of lists) if (list[i]) out.push(list[i]);
  return out;
}

function describeUsers(users: SeededUser[], connections: number): string {
  const chosen = Array.from({ length: connections }, (_, i) => users[i % users.length]);
  const orgs = new Set(chosen.map((u) => u.organizationId)).size;
  const members = chosen.filter((u) => u.role === 'member').length;
  return `${members} members, ${chosen.length - members} viewers, from ${orgs} organisations`;
}

const pickOne = <T>(values: readonly T[]): T => values[Math.floor(Math.random() * values.length)];

/** The mix, by weight. Viewers do the reads only. */
const WRITES = [
  ['create', 22],
  ['event', 18],
] as const;
const READS = [
  ['list', 14],
  ['get', 8],
  ['events', 5],
  ['contacts', 12],
  ['trends', 10],
  ['scorecard', 5],
  ['matches', 6],
] as const;
type Operation = (typeof WRITES)[number][0] | (typeof READS)[number][0];

function chooseOperation(user: SeededUser): Operation {
  const table: readonly (readonly [Operation, number])[] =
    user.role === 'viewer' ? READS : [...WRITES, ...READS];
  const total = table.reduce((sum, [, w]) => sum + w, 0);
  let roll = Math.random() * total;
  for (const [op, weight] of table) {
    roll -= weight;
    if (roll < 0) return op;
  }
  return table[0][0];
}

async function virtualUser(
  client: HttpClient,
  rec: Recorder,
  community: Community,
  casesByOrg: Map<string, string[]>,
  user: SeededUser,
  until: number,
): Promise<void> {
  const org = community.organizations.find((o) => o.id === user.organizationId)!;
  const token = user.token;
  const ownCases = () => casesByOrg.get(org.id)!;
  while (performance.now() < until) {
    const op = chooseOperation(user);
    switch (op) {
      case 'create':
        await createCase(client, rec, community, casesByOrg, user, 'load');
        break;
      case 'event': {
        const caseId = pickOne(ownCases());
        const note = `load event ${randomUUID()}`;
        const type = Math.random() < 0.7 ? 'note' : 'follow_up_sent';
        const answer = await client.request('POST', `/v1/cases/${caseId}/events`, {
          token,
          body: { type, note },
        });
        rec.note('POST /v1/cases/:id/events', answer);
        if (answer.error) rec.unansweredEvents++;
        else if (answer.status === 201) {
          const id = answer.body?.id as string | undefined;
          if (!id)
            rec.problems.push(`event answered 201 without an id: ${answer.text.slice(0, 200)}`);
          else rec.events.set(id, { id, caseId, note });
        }
        break;
      }
      case 'list': {
        const query = pickOne([
          'limit=50',
          'status=escalated&platform=facebook&limit=20',
          'overdue=true&limit=20',
          'category=doxxing&limit=20',
          `country=${pickOne(org.countries)}&limit=50`,
        ]);
        rec.note('GET /v1/cases', await client.request('GET', `/v1/cases?${query}`, { token }));
        break;
      }
      case 'get':
        rec.note(
          'GET /v1/cases/:id',
          await client.request('GET', `/v1/cases/${pickOne(ownCases())}`, { token }),
        );
        break;
      case 'events':
        rec.note(
          'GET /v1/cases/:id/events',
          await client.request('GET', `/v1/cases/${pickOne(ownCases())}/events?limit=50`, {
            token,
          }),
        );
        break;
      case 'contacts': {
        const query = pickOne([
          `platform=facebook&country=${pickOne(org.countries)}`,
          'platform=facebook&status=active',
          'language=es',
        ]);
        rec.note(
          'GET /v1/contacts',
          await client.request('GET', `/v1/contacts?${query}`, { token }),
        );
        break;
      }
      case 'trends': {
        const query = pickOne([
          'groupBy=category,country',
          'groupBy=month,platform',
          'groupBy=category&platform=facebook',
          'groupBy=targetGroup',
        ]);
        rec.note(
          'GET /v1/patterns/trends',
          await client.request('GET', `/v1/patterns/trends?${query}`, { token }),
        );
        break;
      }
      case 'scorecard':
        rec.note(
          'GET /v1/reports/platform-scorecard',
          await client.request('GET', '/v1/reports/platform-scorecard', { token }),
        );
        break;
      case 'matches': {
        const value = `@shared_attacker_${Math.floor(Math.random() * 12)}`;
        rec.note(
          'GET /v1/indicators/matches',
          await client.request(
            'GET',
            `/v1/indicators/matches?kind=account_handle&value=${encodeURIComponent(value)}`,
            { token },
          ),
        );
        break;
      }
    }
  }
}

/**
 * POST /v1/cases with a fresh Idempotency-Key. One in ten is sent again after its answer (a
 * client retry: the same case, `Idempotent-Replayed: true`); one in twenty is sent twice at
 * once (two retries racing).
 */
async function createCase(
  client: HttpClient,
  rec: Recorder,
  community: Community,
  casesByOrg: Map<string, string[]>,
  user: SeededUser,
  phase: 'seed' | 'load',
): Promise<void> {
  const org = community.organizations.find((o) => o.id === user.organizationId)!;
  const key = randomUUID();
  const body = caseBody(key, org.countries);
  const send = () =>
    client.request('POST', '/v1/cases', {
      token: user.token,
      body,
      headers: { 'idempotency-key': key },
    });
  const roll = phase === 'seed' ? 1 : Math.random();
  const answers: Answer[] = [];
  if (roll < 0.05) {
    rec.races++;
    const both = await Promise.all([send(), send()]);
    both.forEach((a) => rec.note('POST /v1/cases (parallel same key)', a));
    answers.push(...both);
  } else {
    const first = await send();
    rec.note('POST /v1/cases', first);
    answers.push(first);
    if (roll < 0.15 && first.status === 201) {
      rec.replays++;
      const again = await send();
      rec.note('POST /v1/cases (retry same key)', again);
      if (again.status === 201 && again.headers['idempotent-replayed'] !== 'true') {
        rec.problems.push(`a retry with key ${key} answered 201 without Idempotent-Replayed`);
      }
      answers.push(again);
    }
  }
  for (const answer of answers) {
    if (answer.error) rec.unansweredCreates++;
    else if (answer.status === 201) rec.ackCase(user, key, body.title as string, answer);
  }
  const id = rec.keys.get(`${user.id} ${key}`);
  if (id) casesByOrg.get(org.id)!.push(id);
}

function printStats(rec: Recorder, elapsed: number, problems: string[]): void {
  const rows: string[][] = [];
  let total = 0;
  let all: number[] = [];
  for (const [route, stats] of [...rec.routes.entries()].sort()) {
    const sorted = [...stats.latencies].sort((a, b) => a - b);
    all = all.concat(sorted);
    const count = sorted.length + [...stats.errors.values()].reduce((s, n) => s + n, 0);
    total += count;
    const non2xx = [...stats.statuses.entries()]
      .filter(([s]) => s < 200 || s > 299)
      .reduce((s, [, n]) => s + n, 0);
    rows.push([
      route,
      String(count),
      fixed(count / elapsed, 1),
      fixed(percentile(sorted, 50), 1),
      fixed(percentile(sorted, 99), 1),
      fixed(sorted[sorted.length - 1] ?? NaN, 0),
      String(non2xx),
      String([...stats.errors.values()].reduce((s, n) => s + n, 0)),
    ]);
  }
  all.sort((a, b) => a - b);
  console.log(
    `\n${total} requests in ${fixed(elapsed, 1)} s: ${fixed(total / elapsed, 1)} req/s; ` +
      `all routes p50 ${fixed(percentile(all, 50), 1)} ms, p99 ${fixed(percentile(all, 99), 1)} ms`,
  );
  console.log(
    formatTable(
      ['route', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'non-2xx', 'no answer'],
      rows,
      [1, 2, 3, 4, 5, 6, 7],
    ),
  );
  const refusals: string[][] = [];
  for (const [route, stats] of rec.routes) {
    for (const [status, n] of stats.statuses) {
      if (status >= 200 && status <= 299) continue;
      refusals.push([route, String(status), String(n), stats.samples.get(status) ?? '']);
      if (status >= 500) problems.push(`${route}: ${n} answers ${status}`);
    }
    for (const [error, n] of stats.errors) {
      refusals.push([route, error, String(n), 'no answer']);
      problems.push(`${route}: ${n} requests without an answer (${error})`);
    }
  }
  console.log('\nnon-2xx answers and requests without an answer, by route and status:');
  if (refusals.length === 0) console.log('  none');
  else console.log(formatTable(['route', 'status', 'count', 'first answer said'], refusals, [2]));
}

/** Every acknowledged write is in PostgreSQL exactly once; nothing unacknowledged crept in. */
async function verify(url: string, community: Community, rec: Recorder): Promise<string[]> {
  const problems: string[] = [];
  const userIds = community.users.map((u) => u.id);

  const cases = await sql<{ id: string; title: string }>(
    url,
    'SELECT id::text, title FROM cases WHERE created_by = ANY($1::uuid[])',
    [userIds],
  );
  const inDb = new Map(cases.map((c) => [c.id, c]));
  const lostCases = [...rec.cases.keys()].filter((id) => !inDb.has(id));
  const titles = new Map<string, number>();
  for (const c of cases) titles.set(c.title, (titles.get(c.title) ?? 0) + 1);
  const duplicatedCases = [...titles.entries()].filter(([, n]) => n > 1);
  const extraCases = cases.filter((c) => !rec.cases.has(c.id));
  const keys = await sql<{ user_id: string; key: string; case_id: string }>(
    url,
    'SELECT user_id::text, key, case_id::text FROM idempotency_keys WHERE user_id = ANY($1::uuid[])',
    [userIds],
  );
  const keyOf = new Map(keys.map((k) => [`${k.user_id} ${k.key}`, k.case_id]));
  const wrongKeys = [...rec.keys.entries()].filter(([k, id]) => keyOf.get(k) !== id);
  const wrongTitles = [...rec.cases.values()].filter(
    (c) => inDb.has(c.id) && inDb.get(c.id)!.title !== c.title,
  );

  const events = await sql<{ id: string; case_id: string; note: string | null }>(
    url,
    `SELECT id::text, case_id::text, note FROM case_events
      WHERE actor_user_id = ANY($1::uuid[]) AND type IN ('note', 'follow_up_sent')`,
    [userIds],
  );
  const eventsInDb = new Map(events.map((e) => [e.id, e]));
  const lostEvents = [...rec.events.values()].filter((e) => !eventsInDb.has(e.id));
  const misplacedEvents = [...rec.events.values()].filter(
    (e) =>
      eventsInDb.has(e.id) &&
      (eventsInDb.get(e.id)!.case_id !== e.caseId || eventsInDb.get(e.id)!.note !== e.note),
  );
  const notes = new Map<string, number>();
  for (const e of events) notes.set(e.note ?? '', (notes.get(e.note ?? '') ?? 0) + 1);
  const duplicatedEvents = [...notes.entries()].filter(([, n]) => n > 1);
  const extraEvents = events.filter((e) => !rec.events.has(e.id));

  // The events a case's creation writes, and the deadline job's: exactly one each.
  const perCase = await sql<{ case_id: string; type: string; n: number }>(
    url,
    `SELECT case_id::text, type::text, count(*)::int AS n FROM case_events
      WHERE case_id = ANY($1::uuid[]) AND type IN ('created', 'escalated', 'overdue')
      GROUP BY 1, 2`,
    [[...rec.cases.keys()]],
  );
  const count = (type: string) => perCase.filter((r) => r.type === type);
  const badCreated = count('created').filter((r) => r.n !== 1).length;
  const badEscalated = count('escalated').filter((r) => r.n !== 1).length;
  const missingCreated = rec.cases.size - count('created').length;
  const repeatedOverdue = count('overdue').filter((r) => r.n > 1).length;

  console.log('\nacknowledged writes against PostgreSQL:');
  console.log(
    formatTable(
      [
        'write',
        'acknowledged',
        'in PostgreSQL',
        'lost',
        'duplicated',
        'unacknowledged',
        'no answer',
      ],
      [
        [
          'cases (201, by id and key)',
          String(rec.cases.size),
          String(cases.length),
          String(lostCases.length),
          String(duplicatedCases.length),
          String(extraCases.length),
          String(rec.unansweredCreates),
        ],
        [
          'events (201, by id)',
          String(rec.events.size),
          String(events.length),
          String(lostEvents.length),
          String(duplicatedEvents.length),
          String(extraEvents.length),
          String(rec.unansweredEvents),
        ],
      ],
      [1, 2, 3, 4, 5, 6],
    ),
  );
  console.log(
    `  ${rec.replays} sequential retries and ${rec.races} parallel pairs with the same Idempotency-Key; ` +
      `${count('overdue').length} cases marked overdue by the worker during the run ` +
      `(${repeatedOverdue} more than once)`,
  );

  if (lostCases.length) problems.push(`lost cases: ${lostCases.slice(0, 5).join(', ')}`);
  if (duplicatedCases.length)
    problems.push(`duplicated cases: ${duplicatedCases.slice(0, 5).map(([t, n]) => `${t} x${n}`)}`);
  if (extraCases.length > rec.unansweredCreates)
    problems.push(`${extraCases.length} cases in PostgreSQL that no answer acknowledged`);
  if (wrongKeys.length) problems.push(`${wrongKeys.length} Idempotency-Keys point to another case`);
  if (wrongTitles.length) problems.push(`${wrongTitles.length} cases stored with another title`);
  if (lostEvents.length) problems.push(`lost events: ${lostEvents.slice(0, 5).map((e) => e.id)}`);
  if (misplacedEvents.length)
    problems.push(`${misplacedEvents.length} events differ from their 201`);
  if (duplicatedEvents.length) problems.push(`${duplicatedEvents.length} events stored twice`);
  if (extraEvents.length > rec.unansweredEvents)
    problems.push(`${extraEvents.length} events in PostgreSQL that no answer acknowledged`);
  if (badCreated || badEscalated || missingCreated)
    problems.push(
      `creation events: ${missingCreated} cases without 'created', ${badCreated} with more than one, ` +
        `${badEscalated} with other than one 'escalated'`,
    );
  if (repeatedOverdue) problems.push(`${repeatedOverdue} cases marked overdue more than once`);
  return problems;
}

runMain(main);
