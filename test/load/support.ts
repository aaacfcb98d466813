import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';
import { Client } from 'pg';
import { redisOptionsFromUrl } from '../../src/queue/redis-options';

/**
 * What `npm run test:load`, `npm run test:faults` and `scripts/seed-scratch.ts` share: the app
 * as a child process (the way it runs in production: its own `main`, its own signals), an HTTP
 * client that times every answer, a community seeded through the public API, and clean-up that
 * runs even when a step fails.
 */

export const ROOT = join(__dirname, '..', '..');

// ---------------------------------------------------------------------------------------------
// Clean-up: every resource registers its release as soon as it exists.

const cleanups: { what: string; run: () => Promise<unknown> | unknown }[] = [];
const children = new Set<ChildProcess>();

let stopping = false;

export function onCleanup(what: string, run: () => Promise<unknown> | unknown): void {
  cleanups.push({ what, run });
}

/**
 * Refuses to start anything once clean-up began (a step still running in the background after
 * Ctrl-C or a time-out must not start a service that nobody would stop).
 */
export function assertNotStopping(what: string): void {
  if (stopping) throw new Error(`not starting ${what}: cleaning up`);
}

export const isStopping = () => stopping;

/** Child processes killed (SIGKILL) at exit if still running. */
export function track(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
}

/** Runs every registered clean-up, most recent first; answers those that failed. */
export async function cleanUp(): Promise<string[]> {
  stopping = true;
  const failures: string[] = [];
  while (cleanups.length > 0) {
    const step = cleanups.pop()!;
    try {
      await withTimeout(Promise.resolve(step.run()), 60_000, `clean-up "${step.what}"`);
    } catch (error) {
      failures.push(`clean-up "${step.what}" failed: ${(error as Error).message}`);
    }
  }
  return failures;
}

/**
 * Runs `main`, then the clean-ups (also on Ctrl-C / SIGTERM / a crash), and exits with its code.
 * Child processes still alive at exit are killed (SIGKILL) as a last resort.
 */
export function runMain(main: () => Promise<number>): void {
  let finishing = false;
  const finish = async (code: number) => {
    if (finishing) return;
    finishing = true;
    const failures = await cleanUp();
    for (const f of failures) console.error(f);
    process.exit(failures.length > 0 && code === 0 ? 1 : code);
  };
  process.on('exit', () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      console.error(`\n${signal}: cleaning up`);
      void finish(130);
    });
  }
  // A throw outside `main`'s promise chain must still stop what was started (a PostgreSQL
  // cluster started by pg_ctl is not a child process and would outlive us).
  for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
    process.on(event, (error: unknown) => {
      console.error(`\n${event}: ${(error as Error)?.stack ?? String(error)}`);
      void finish(1);
    });
  }
  main().then(
    (code) => finish(code),
    (error: Error) => {
      console.error(`\nFAILED: ${error.stack ?? error.message}`);
      return finish(1);
    },
  );
}

/** Settles with `work`, or rejects after `ms` naming `what`. */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `check` every `everyMs` until it answers something truthy; rejects after `ms`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T>,
  ms: number,
  everyMs = 250,
): Promise<T> {
  const until = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      if ((error as { fatal?: boolean }).fatal) throw error;
      last = error;
    }
    if (Date.now() > until) {
      throw new Error(
        `${what}: not within ${ms / 1000} s${last ? ` (last error: ${(last as Error).message})` : ''}`,
      );
    }
    await sleep(everyMs);
  }
}

/** A TCP port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

export const suffix = () => randomBytes(4).toString('hex');

// ---------------------------------------------------------------------------------------------
// The app as a child process.

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface AppProcess {
  role: string;
  pid: number;
  logFile: string;
  exited: Promise<Exit>;
  /** Whether the process is still running. */
  alive: () => boolean;
  /** Sends `signal` (default SIGTERM) and waits for the exit, SIGKILL after `ms`. */
  stop: (signal?: NodeJS.Signals, ms?: number) => Promise<Exit>;
  /** The last lines of its log. */
  tail: (lines?: number) => string;
}

/**
 * `node -r ts-node/register/transpile-only src/main.ts` (the tree as it is), or with
 * APP_FROM=dist `node dist/src/main.js` (run `npm run build` first). One node process per app:
 * its PID is the app's, so signals reach the app itself.
 */
export function appCommand(): string[] {
  if (process.env.APP_FROM === 'dist') {
    const main = join(ROOT, 'dist', 'src', 'main.js');
    if (!existsSync(main)) throw new Error('APP_FROM=dist but dist/src/main.js is missing');
    return [main];
  }
  return ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src', 'main.ts')];
}

export function startApp(role: string, env: Record<string, string>, logFile: string): AppProcess {
  assertNotStopping(`the ${role} process`);
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, appCommand(), {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      TS_NODE_TRANSPILE_ONLY: 'true',
      ...env,
    },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not start the ${role} process`);
  track(child);
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const app: AppProcess = {
    role,
    pid: child.pid,
    logFile,
    exited,
    alive: () => child.exitCode === null && child.signalCode === null,
    stop: async (signal = 'SIGTERM', ms = 30_000) => {
      if (!app.alive()) return exited;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), ms);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
    tail: (lines = 30) => tailOf(logFile, lines),
  };
  onCleanup(`stop the ${role} process (pid ${child.pid})`, () => app.stop('SIGTERM', 15_000));
  return app;
}

export function tailOf(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Waits until GET /health answers `status` (default 200); fails early if the process exits. */
export async function waitForHealth(
  client: HttpClient,
  app: AppProcess | null,
  ms = 90_000,
  status = 200,
): Promise<void> {
  await eventually(
    `GET /health answering ${status}`,
    async () => {
      if (app && !app.alive()) {
        throw Object.assign(new Error(`the ${app.role} process exited:\n${app.tail()}`), {
          fatal: true,
        });
      }
      const answer = await client.request('GET', '/health', { timeoutMs: 5000 });
      return answer.status === status;
    },
    ms,
    300,
  ).catch((error: Error) => {
    throw new Error(`${error.message}${app ? `\n--- ${app.role} log ---\n${app.tail()}` : ''}`);
  });
}

/** The environment every app process of these suites gets, besides the URLs. */
export function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    JWT_SECRET: randomBytes(32).toString('hex'),
    INDICATOR_HASH_KEY: randomBytes(32).toString('hex'),
    JWT_EXPIRES_IN_SECONDS: '3600',
    LOG_LEVEL: 'warn',
    PUBLIC_BASE_URL: 'https://tracker.example.org',
    ...extra,
  };
}

// ---------------------------------------------------------------------------------------------
// HTTP with timings.

export interface Answer {
  status: number;
  /** Set when no complete answer came (refused, reset, timed out). */
  error?: string;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON, read by callers
  body: any;
  ms: number;
  /** Whether it went out on a kept-alive connection (see Node's `request.reusedSocket`). */
  reusedSocket?: boolean;
  /** When the request was sent and answered (ms, performance.now()). */
  startedAt: number;
  endedAt: number;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** A keep-alive HTTP/1.1 client for one base URL; never throws for an HTTP status. */
export class HttpClient {
  readonly agent: Agent;

  constructor(
    readonly baseUrl: string,
    maxSockets = 64,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  request(method: string, path: string, options: RequestOptions = {}): Promise<Answer> {
    const url = new URL(path, this.baseUrl);
    const payload =
      options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...(payload ? { 'content-type': 'application/json' } : {}),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    };
    const startedAt = performance.now();
    return new Promise((resolve) => {
      let settled = false;
      const sent: { req?: ReturnType<typeof httpRequest> } = {};
      const done = (answer: Omit<Answer, 'ms' | 'startedAt' | 'endedAt'>) => {
        if (settled) return;
        settled = true;
        const endedAt = performance.now();
        resolve({
          ...answer,
          reusedSocket: sent.req?.reusedSocket,
          ms: endedAt - startedAt,
          startedAt,
          endedAt,
        });
      };
      const req = httpRequest(
        url,
        { method, headers, agent: this.agent, timeout: options.timeoutMs ?? 30_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', (error) =>
            done({
              status: 0,
              error: `response: ${error.message}`,
              headers: {},
              text: '',
              body: null,
            }),
          );
          res.on('end', () => {
            if (!res.complete) {
              done({ status: 0, error: 'response cut', headers: {}, text: '', body: null });
              return;
            }
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown = null;
            if (/json/.test(String(res.headers['content-type'] ?? ''))) {
              try {
                body = JSON.parse(text);
              } catch {
                body = null;
              }
            }
            done({ status: res.statusCode ?? 0, headers: res.headers, text, body });
          });
        },
      );
      sent.req = req;
      req.on('timeout', () => {
        req.destroy(new Error('timeout'));
      });
      req.on('error', (error: Error & { code?: string }) =>
        done({
          status: 0,
          error: error.code ?? error.message,
          headers: {},
          text: '',
          body: null,
        }),
      );
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export function isProblem(answer: Answer): boolean {
  return (
    String(answer.headers['content-type'] ?? '').startsWith('application/problem+json') &&
    typeof answer.body?.status === 'number' &&
    typeof answer.body?.title === 'string'
  );
}

// ---------------------------------------------------------------------------------------------
// Statistics.

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export const fixed = (value: number, digits = 1) =>
  Number.isFinite(value) ? value.toFixed(digits) : '-';

// ---------------------------------------------------------------------------------------------
// A community seeded through the public API.

export const PASSWORD_BYTES = 18;
export const newPassword = () => `Lp-${randomBytes(PASSWORD_BYTES).toString('base64url')}`;

export interface SeededUser {
  id: string;
  email: string;
  role: 'org_admin' | 'member' | 'viewer';
  organizationId: string;
  token: string;
  /** How `token` authenticates: a login's JWT or a personal API token. */
  via: 'jwt' | 'api-token';
}

export interface SeededOrganization {
  id: string;
  slug: string;
  countries: string[];
  users: SeededUser[];
}

export interface Community {
  adminToken: string;
  organizations: SeededOrganization[];
  users: SeededUser[];
}

const COUNTRIES = [
  ['BO', 'EC'],
  ['MX', 'GT'],
  ['ID', 'MY'],
  ['KE', 'UG'],
  ['ES', 'AR'],
  ['IN', 'NP'],
];

async function expectStatus(answer: Answer, status: number, what: string): Promise<Answer> {
  if (answer.status !== status) {
    throw new Error(
      `${what}: expected ${status}, got ${answer.status || answer.error} ${answer.text.slice(0, 300)}`,
    );
  }
  return answer;
}

export async function login(client: HttpClient, email: string, password: string): Promise<string> {
  const answer = await expectStatus(
    await client.request('POST', '/v1/auth/login', { body: { email, password } }),
    200,
    `login as ${email}`,
  );
  return answer.body.accessToken as string;
}

/**
 * Organisations, each with `members` members and `viewers` viewers, through the API as the
 * bootstrap admin. Members authenticate with personal API tokens (the scripts' path), viewers
 * with login JWTs (the browser's path). Each organisation records `contacts` platform contacts.
 */
export async function seedCommunity(
  client: HttpClient,
  admin: { email: string; password: string },
  options: { organizations: number; members: number; viewers: number; contacts: number },
): Promise<Community> {
  const adminToken = await login(client, admin.email, admin.password);
  const organizations: SeededOrganization[] = [];
  for (let i = 0; i < options.organizations; i++) {
    const tag = suffix();
    const countries = COUNTRIES[i % COUNTRIES.length];
    const org = await expectStatus(
      await client.request('POST', '/v1/organizations', {
        token: adminToken,
        body: {
          slug: `load-${i}-${tag}`,
          name: `Load helpline ${i} ${tag}`,
          countries,
          languages: ['es', 'en'],
          constituencies: ['women_journalists'],
          timezone: 'UTC',
        },
      }),
      201,
      'create an organisation',
    );
    const users: SeededUser[] = [];
    const roles = [
      ...Array<'member'>(options.members).fill('member'),
      ...Array<'viewer'>(options.viewers).fill('viewer'),
    ];
    for (const [n, role] of roles.entries()) {
      const email = `${role}-${n}-${tag}@load.example.org`;
      const password = newPassword();
      const user = await expectStatus(
        await client.request('POST', `/v1/organizations/${org.body.id}/users`, {
          token: adminToken,
          body: { email, displayName: `Load ${role} ${n}`, role, password },
        }),
        201,
        `create a ${role}`,
      );
      const jwt = await login(client, email, password);
      let token = jwt;
      let via: SeededUser['via'] = 'jwt';
      if (role === 'member') {
        const minted = await expectStatus(
          await client.request('POST', '/v1/auth/tokens', {
            token: jwt,
            body: { name: 'load test', expiresInDays: 1 },
          }),
          201,
          'create an API token',
        );
        token = minted.body.token as string;
        via = 'api-token';
      }
      users.push({ id: user.body.id, email, role, organizationId: org.body.id, token, via });
    }
    const writer = users.find((u) => u.role === 'member');
    for (let c = 0; writer && c < options.contacts; c++) {
      await expectStatus(
        await client.request('POST', '/v1/contacts', {
          token: writer.token,
          body: {
            platformCode: 'facebook',
            fullName: `Contact ${c} ${tag}`,
            email: `contact-${c}-${tag}@platform.example.com`,
            languages: ['es', 'en'],
            countries,
          },
        }),
        201,
        'create a contact',
      );
    }
    organizations.push({ id: org.body.id, slug: org.body.slug, countries, users });
  }
  return { adminToken, organizations, users: organizations.flatMap((o) => o.users) };
}

// ---------------------------------------------------------------------------------------------
// Case bodies.

const CATEGORIES: [string, string][] = [
  ['harassment', 'abusive_messages'],
  ['harassment', 'sexual_harassment'],
  ['threats', 'death_physical_threat'],
  ['ncii', 'ncii_shared'],
  ['synthetic_sexual_media', 'sexual_deepfake'],
  ['sextortion', 'sextortion_money'],
  ['doxxing', 'home_address_location'],
];
const GROUPS = ['women', 'journalists_media', 'human_rights_defenders', 'lgbtiq', 'activists'];
const URGENCIES = ['low', 'normal', 'high', 'critical'];
const HOUR = 3_600_000;

const pick = <T>(values: readonly T[]): T => values[Math.floor(Math.random() * values.length)];

/**
 * A valid POST /v1/cases body with a title unique to `marker` (how the checks find it again).
 * `hoursAgo` sets `escalatedAt` (default: a random time in the last 80 hours, so some deadlines
 * have passed and some are ahead).
 */
export function caseBody(
  marker: string,
  countries: string[],
  overrides: Record<string, unknown> = {},
  hoursAgo = Math.random() * 80,
): Record<string, unknown> {
  const [categoryCode, subcategoryCode] = pick(CATEGORIES);
  return {
    platformCode: 'facebook',
    channelCode: 'trusted_partner',
    title: `Load case ${marker}`,
    summary: 'Coordinated abuse after an interview; the account keeps posting her address.',
    categoryCode,
    subcategoryCode,
    targetGroups: [pick(GROUPS), 'women'].filter((g, i, all) => all.indexOf(g) === i),
    country: pick(countries),
    contentLanguage: 'es',
    urgency: pick(URGENCIES),
    consentToSharePattern: Math.random() < 0.6,
    escalatedAt: new Date(Date.now() - hoursAgo * HOUR).toISOString(),
    items: [{ url: `https://facebook.com/posts/${randomUUID()}`, kind: 'post' }],
    indicators: [
      { kind: 'account_handle', value: `@shared_attacker_${Math.floor(Math.random() * 12)}` },
    ],
    ...overrides,
  };
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL and Redis housekeeping.

export function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

export async function sql<T = Record<string, unknown>>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Drops a database, first closing any connection still open to it. */
export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await sql(
    withDatabaseName(serverUrl, 'postgres'),
    `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`,
  );
}

/** Deletes every key under `prefix:` (queues, login counters). */
export async function deleteRedisKeys(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis({
    ...redisOptionsFromUrl(redisUrl),
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    lazyConnect: true,
  });
  redis.on('error', () => undefined);
  let deleted = 0;
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length) deleted += await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}
