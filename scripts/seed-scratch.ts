import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  baseEnv,
  caseBody,
  deleteRedisKeys,
  freePort,
  HttpClient,
  newPassword,
  onCleanup,
  runMain,
  seedCommunity,
  startApp,
  suffix,
  waitForHealth,
} from '../test/load/support';

/**
 * `node -r ts-node/register/transpile-only scripts/seed-scratch.ts <database URL>`: fills a
 * scratch database for `scripts/backup-verify.sh` the way the service itself would. It starts the
 * app (APP_ROLE=all, which creates and migrates the database) as a child process, records
 * through the API 3 organisations with members, viewers, API tokens and calendar tokens,
 * platform contacts, 60 cases with items and indicators and timelines (acknowledged, answered,
 * overdue), lets the workers write their overdue events, pattern records and rollups, and stops
 * the app (SIGTERM). Redis: REDIS_URL (default the local one), under a queue prefix of its own,
 * deleted at the end.
 */
async function main(): Promise<number> {
  const databaseUrl = process.argv[2];
  if (!databaseUrl || !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    console.error('usage: seed-scratch.ts postgres://.../<scratch database>');
    return 2;
  }
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `bkp${suffix()}`;
  onCleanup(`delete the Redis keys ${prefix}:*`, () => deleteRedisKeys(redisUrl, prefix));
  const dir = mkdtempSync(join(tmpdir(), 'et-seed-'));
  onCleanup('remove the scratch directory', () => rmSync(dir, { recursive: true, force: true }));

  const port = await freePort();
  const admin = { email: `admin-${suffix()}@backup.example.org`, password: newPassword() };
  const app = startApp(
    'app (APP_ROLE=all)',
    baseEnv({
      APP_ROLE: 'all',
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
      ROLLUP_INTERVAL_SECONDS: '1',
      SWEEP_INTERVAL_SECONDS: '5',
    }),
    join(dir, 'app.log'),
  );
  const client = new HttpClient(`http://127.0.0.1:${port}`, 16);
  onCleanup('close the HTTP client', () => client.close());
  await waitForHealth(client, app, 180_000);

  const community = await seedCommunity(client, admin, {
    organizations: 3,
    members: 2,
    viewers: 1,
    contacts: 3,
  });
  const refused: string[] = [];
  const expect = (what: string, status: number, want: number, text: string) => {
    if (status !== want) refused.push(`${what}: ${status} ${text.slice(0, 200)}`);
  };
  for (const user of community.users.filter((u) => u.role === 'viewer')) {
    const feed = await client.request('POST', '/v1/calendar-tokens', {
      token: user.token,
      body: { name: 'phone' },
    });
    expect('calendar token', feed.status, 201, feed.text);
  }
  let cases = 0;
  for (const org of community.organizations) {
    const writer = org.users.find((u) => u.role === 'member')!;
    for (let i = 0; i < 20; i++) {
      const key = randomUUID();
      const created = await client.request('POST', '/v1/cases', {
        token: writer.token,
        body: caseBody(key, org.countries, { tlp: i % 4 === 0 ? 'GREEN' : 'AMBER+STRICT' }),
        headers: { 'idempotency-key': key },
      });
      expect('case', created.status, 201, created.text);
      if (created.status !== 201) continue;
      cases++;
      const steps =
        i % 3 === 0
          ? [
              { type: 'platform_acknowledged' },
              { type: 'platform_responded', outcome: 'content_removed' },
            ]
          : i % 3 === 1
            ? [{ type: 'follow_up_sent', note: 'asked again by e-mail' }]
            : [];
      for (const step of steps) {
        const event = await client.request('POST', `/v1/cases/${created.body.id}/events`, {
          token: writer.token,
          body: step,
        });
        expect(`event ${step.type}`, event.status, 201, event.text);
      }
    }
  }
  // The workers' share: overdue marks, pattern records, rollups.
  await sleep(8000);
  const exit = await app.stop('SIGTERM', 30_000);
  if (exit.code !== 0)
    refused.push(`the app exited with ${exit.code ?? exit.signal}\n${app.tail()}`);
  if (refused.length > 0) {
    console.error(`seed-scratch: ${refused.length} refusals:\n  ${refused.join('\n  ')}`);
    return 1;
  }
  process.stdout.write(
    `seeded: ${community.organizations.length} organisations, ${community.users.length} users, ` +
      `${cases} cases with timelines (through the API, then the workers for 8 s)\n`,
  );
  return 0;
}

runMain(main);
