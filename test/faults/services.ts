import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';
import { assertNotStopping, eventually, onCleanup, tailOf, track } from '../load/support';

/**
 * A PostgreSQL cluster and a Redis server of the fault suite's own, in its scratch directory, on
 * ports of their own: the suite stops and restarts only these (PostgreSQL with its own `pg_ctl`,
 * Redis by the PID of the process it started), never the machine's shared services.
 */

const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** As root, PostgreSQL refuses to run: its tools then run as the `postgres` user. */
function asPostgresUser(command: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [command, args];
  return ['runuser', ['-u', 'postgres', '--', command, ...args]];
}

function run(command: string, args: string[], timeoutMs = 120_000): string {
  const [cmd, argv] = asPostgresUser(command, args);
  try {
    return execFileSync(cmd, argv, { encoding: 'utf8', timeout: timeoutMs, stdio: 'pipe' });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${command} ${args.join(' ')} failed: ${e.message}\n${e.stderr ?? ''}${e.stdout ?? ''}`,
      { cause: error },
    );
  }
}

export class OwnPostgres {
  readonly data: string;
  readonly log: string;
  readonly socketDir: string;
  private started = false;

  constructor(
    readonly dir: string,
    readonly port: number,
  ) {
    this.data = join(dir, 'pgdata');
    this.log = join(dir, 'postgres.log');
    this.socketDir = join(dir, 'pgsock');
  }

  /** `initdb` into the scratch directory (owned by `postgres` when we are root). */
  init(): void {
    if (!existsSync(join(PG_BIN, 'initdb'))) {
      throw new Error(`no initdb in ${PG_BIN} (set PG_BIN to PostgreSQL's bin directory)`);
    }
    mkdirSync(this.socketDir, { recursive: true });
    closeSync(openSync(this.log, 'a'));
    if (process.getuid?.() === 0) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      for (const path of [this.dir, this.socketDir, this.log]) chownSync(path, uid, gid);
    }
    run(join(PG_BIN, 'initdb'), [
      '-D',
      this.data,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-sync',
    ]);
  }

  /** `pg_ctl start`, waiting until it accepts connections. */
  start(): void {
    assertNotStopping('PostgreSQL');
    run(join(PG_BIN, 'pg_ctl'), [
      '-D',
      this.data,
      '-l',
      this.log,
      '-w',
      '-t',
      '60',
      '-o',
      `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${this.socketDir} -c max_connections=100 ` +
        '-c shared_buffers=64MB -c fsync=off -c synchronous_commit=off',
      'start',
    ]);
    if (!this.started) {
      this.started = true;
      onCleanup(`stop the suite's PostgreSQL (pg_ctl, port ${this.port})`, () =>
        this.stopQuietly(),
      );
    }
  }

  /** `pg_ctl stop -m fast`: sessions are cut, as in a failover or a restart for maintenance. */
  stop(mode: 'fast' | 'immediate' = 'fast'): void {
    run(join(PG_BIN, 'pg_ctl'), ['-D', this.data, '-m', mode, '-w', '-t', '60', 'stop']);
  }

  running(): boolean {
    const [cmd, argv] = asPostgresUser(join(PG_BIN, 'pg_ctl'), ['-D', this.data, 'status']);
    try {
      execFileSync(cmd, argv, { stdio: 'ignore', timeout: 10_000 });
      return true;
    } catch {
      return false;
    }
  }

  private stopQuietly(): void {
    if (existsSync(join(this.data, 'postmaster.pid'))) this.stop('immediate');
  }

  url(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  tail(lines = 20): string {
    return tailOf(this.log, lines);
  }
}

/** A redis-server child process keeping nothing on disk (`--save "" --appendonly no`). */
export class OwnRedis {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  readonly log: string;

  constructor(
    readonly dir: string,
    readonly port: number,
  ) {
    this.log = join(dir, 'redis.log');
    onCleanup(`stop the suite's Redis (port ${port})`, () => this.stop());
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    assertNotStopping('redis-server');
    const fd = openSync(this.log, 'a');
    const child = spawn(
      process.env.REDIS_SERVER ?? 'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        this.dir,
        '--daemonize',
        'no',
      ],
      { stdio: ['ignore', fd, fd] },
    );
    closeSync(fd);
    track(child);
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    await eventually(
      `redis-server on port ${this.port}`,
      async () => {
        if (child.exitCode !== null) {
          throw Object.assign(new Error(`redis-server exited:\n${tailOf(this.log)}`), {
            fatal: true,
          });
        }
        const redis = new Redis({
          port: this.port,
          host: '127.0.0.1',
          lazyConnect: true,
          maxRetriesPerRequest: 0,
          retryStrategy: () => null,
        });
        redis.on('error', () => undefined);
        try {
          await redis.connect();
          return (await redis.ping()) === 'PONG';
        } finally {
          redis.disconnect();
        }
      },
      15_000,
      100,
    );
  }

  /** SIGTERM to the PID this suite started; SIGKILL after 10 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
    await sleep(50);
  }
}
