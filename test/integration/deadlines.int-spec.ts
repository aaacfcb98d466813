import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { getQueueToken } from '@nestjs/bullmq';
import { Job, Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { CaseResponseDto } from '../../src/cases/dto/case.dto';
import { dueJobId, reminderKey } from '../../src/deadlines/deadline-rules';
import { DeadlinesProcessor } from '../../src/deadlines/deadlines.processor';
import { DeadlinesService } from '../../src/deadlines/deadlines.service';
import { NotificationsService } from '../../src/notifications/notifications.service';
import { JobName, QueueName } from '../../src/queue/queues';
import { redisOptionsFromUrl } from '../../src/queue/redis-options';
import { createCase } from '../factories/case.factory';
import { createOrganization, createUser, TestUser } from '../factories/community.factory';
import { TEST_REDIS_URL } from '../support/env';
import { call } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';

const HOUR = 3_600_000;

/** Polls `check` until it returns something truthy, or fails after `ms`. */
async function eventually<T>(check: () => Promise<T>, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface CaseDeadlineRow {
  due_at: Date;
  overdue_for: Date | null;
  next_reminder_at: Date | null;
  reminders_sent: number;
  version: number;
}

describe('deadlines (real PostgreSQL and Redis)', () => {
  let t: TestApp;
  let member: TestUser;
  let service: DeadlinesService;
  let queue: Queue;
  let notified: string[];

  const overdueEvents = async (caseId: string) =>
    (await t.db.query(
      `SELECT occurred_at, details FROM case_events WHERE case_id = $1 AND type = 'overdue'`,
      [caseId],
    )) as { occurred_at: Date; details: { dueAt: string } }[];
  const deadlineOf = async (caseId: string) =>
    (
      (await t.db.query(
        `SELECT due_at, overdue_for, next_reminder_at, reminders_sent, version FROM cases WHERE id = $1`,
        [caseId],
      )) as CaseDeadlineRow[]
    )[0];
  /** Escalated `hoursAgo` to a 72-hour channel: due in 72 - hoursAgo hours. */
  const escalatedHoursAgo = (hoursAgo: number) =>
    createCase(t.app, member.token, {
      escalatedAt: new Date(t.clock.now().getTime() - hoursAgo * HOUR).toISOString(),
      urgency: 'normal',
    });

  beforeAll(async () => {
    t = await createTestApp({ APP_ROLE: 'all', FOLLOW_UP_INTERVAL_HOURS: '1' });
    member = await createUser(t.app, (await createOrganization(t.app)).id, 'member');
    service = t.app.get(DeadlinesService);
    queue = t.app.get<Queue>(getQueueToken(QueueName.Deadlines));
    // Every notification the deadlines ask for, by key (the real service still runs).
    const notifications = t.app.get(NotificationsService);
    const notify = notifications.notify.bind(notifications);
    notified = [];
    jest.spyOn(notifications, 'notify').mockImplementation(async (n) => {
      notified.push(n.key);
      return notify(n);
    });
  });
  afterAll(() => t.close());

  it('marks a case logged with a deadline already past overdue within seconds, once', async () => {
    const logged = await escalatedHoursAgo(100);
    await eventually(async () => (await overdueEvents(logged.id)).length > 0);
    const events = await overdueEvents(logged.id);
    expect(events).toHaveLength(1);
    expect(events[0].occurred_at.toISOString()).toBe(logged.dueAt);
    const row = await deadlineOf(logged.id);
    expect(row.overdue_for?.toISOString()).toBe(logged.dueAt);
    // Reminders keep the rhythm of the deadline (hourly here), the first one still ahead.
    expect(row.next_reminder_at!.getTime()).toBeGreaterThan(t.clock.now().getTime() - 5000);
    expect(row.next_reminder_at!.getTime() - new Date(logged.dueAt!).getTime()).toBe(29 * HOUR);
    expect(row.version).toBe(2);
    expect(notified).toContain(`overdue-${logged.id}-${new Date(logged.dueAt!).getTime()}`);
    const read = await call(t.app, 'GET', `/v1/cases/${logged.id}`, { token: member.token });
    expect(read.body).toMatchObject({ overdue: true, version: 2 });
  });

  it('sends a job that fires early back to wait for its time, and fails a malformed one for good', async () => {
    const logged = await escalatedHoursAgo(1); // due in 71 hours
    const dueAt = new Date(logged.dueAt!);
    // The same deadline, handed over now (as by a host whose clock runs ahead).
    const early = await queue.add(
      JobName.CaseDue,
      { caseId: logged.id, at: dueAt.toISOString() },
      { jobId: `early-${logged.id}` },
    );
    await eventually(async () => (await early.getState()) === 'delayed');
    const waiting = (await queue.getJob(early.id!))!;
    // Planned for the deadline. BullMQ keeps the delay counted from the moment the worker moved
    // the job, but `timestamp` from when it was added: their sum falls short of the deadline by
    // however long the job waited before the worker took it (318 ms once, under CI load).
    const plannedFor = waiting.timestamp + waiting.delay;
    const waitedAtMost = Date.now() - waiting.timestamp;
    expect(plannedFor).toBeLessThanOrEqual(dueAt.getTime() + 50);
    expect(plannedFor).toBeGreaterThanOrEqual(dueAt.getTime() - waitedAtMost - 50);
    expect(await overdueEvents(logged.id)).toHaveLength(0);

    const malformed = await queue.add(JobName.CaseDue, { caseId: 42, at: 'soon' });
    await eventually(async () => (await malformed.getState()) === 'failed');
    const failed = (await queue.getJob(malformed.id!))!;
    expect(failed.attemptsMade).toBe(1); // not retried: it can never succeed
    expect(failed.failedReason).toBe('malformed case-due job');
  });

  describe('with the worker held', () => {
    let worker: Worker;
    beforeAll(async () => {
      worker = t.app.get(DeadlinesProcessor).worker;
      await worker.pause();
    });
    afterAll(() => worker.resume());

    it('a deadline job that runs twice (even at once) appends one event and notifies once', async () => {
      const logged = await escalatedHoursAgo(80);
      const dueAt = new Date(logged.dueAt!);
      const runs = await Promise.all([
        service.due(logged.id, dueAt),
        service.due(logged.id, dueAt),
      ]);
      expect(runs).toEqual([{ overdue: true }, { overdue: true }]);
      await service.due(logged.id, dueAt);
      expect(await overdueEvents(logged.id)).toHaveLength(1);
      // Each run asks for the same key: the notifications queue keeps one delivery per key.
      const keys = notified.filter((k) => k.includes(logged.id));
      expect(new Set(keys)).toEqual(new Set([`overdue-${logged.id}-${dueAt.getTime()}`]));
    });

    it('a deadline moved or answered before its job runs is left alone', async () => {
      const answered = await escalatedHoursAgo(80);
      await call(t.app, 'POST', `/v1/cases/${answered.id}/events`, {
        token: member.token,
        body: { type: 'platform_responded', outcome: 'content_removed' },
      });
      await expect(service.due(answered.id, new Date(answered.dueAt!))).resolves.toEqual({
        overdue: false,
      });
      const stale = await escalatedHoursAgo(80);
      const wrongTime = new Date(new Date(stale.dueAt!).getTime() - 1000);
      await expect(service.due(stale.id, wrongTime)).resolves.toEqual({ overdue: false });
      expect(await overdueEvents(answered.id)).toHaveLength(0);
      expect(await overdueEvents(stale.id)).toHaveLength(0);
    });

    it('sends follow-up reminders while the case waits, each once, and none once it is answered', async () => {
      const logged = await escalatedHoursAgo(73);
      await service.due(logged.id, new Date(logged.dueAt!));
      const first = (await deadlineOf(logged.id)).next_reminder_at!;
      t.clock.advance(first.getTime() - t.clock.now().getTime() + 1000);
      await expect(service.remind(logged.id, first)).resolves.toEqual({ sent: true });
      const second = await deadlineOf(logged.id);
      expect(second.next_reminder_at!.getTime()).toBe(first.getTime() + HOUR);
      expect(second.reminders_sent).toBe(1);
      // The same reminder job again: nothing moves, the same key (one delivery).
      await service.remind(logged.id, first);
      expect((await deadlineOf(logged.id)).reminders_sent).toBe(1);
      expect(notified.filter((k) => k === reminderKey(logged.id, first)).length).toBeGreaterThan(0);
      expect(
        await queue.getJob(`reminder-${logged.id}-${second.next_reminder_at!.getTime()}`),
      ).toBeTruthy();

      const answered = await call(t.app, 'POST', `/v1/cases/${logged.id}/events`, {
        token: member.token,
        body: { type: 'platform_responded', outcome: 'content_removed' },
      });
      expect(answered.status).toBe(201);
      expect((await deadlineOf(logged.id)).next_reminder_at).toBeNull();
      t.clock.advance(HOUR);
      const before = notified.length;
      await expect(service.remind(logged.id, second.next_reminder_at!)).resolves.toEqual({
        sent: false,
      });
      expect(notified.length).toBe(before);
    });

    it('a stopped clock replaces the pending job when it runs again, never duplicates it', async () => {
      const logged = await escalatedHoursAgo(1);
      const firstDue = new Date(logged.dueAt!);
      await eventually(() => queue.getJob(dueJobId(logged.id, firstDue)));
      const step = (type: string) =>
        call(t.app, 'POST', `/v1/cases/${logged.id}/events`, {
          token: member.token,
          body: { type },
        });
      expect((await step('platform_requested_info')).status).toBe(201);
      t.clock.advance(2 * HOUR);
      expect((await step('info_provided')).status).toBe(201);
      const row = await deadlineOf(logged.id);
      expect(row.due_at.getTime()).toBeGreaterThanOrEqual(firstDue.getTime() + 2 * HOUR - 1000);
      await eventually(() => queue.getJob(dueJobId(logged.id, row.due_at)));
      await eventually(async () => !(await queue.getJob(dueJobId(logged.id, firstDue))));
      const jobs = (await queue.getJobs(['delayed', 'wait'])).filter(
        (j: Job) => j.data.caseId === logged.id,
      );
      expect(jobs.map((j) => j.id)).toEqual([dueJobId(logged.id, row.due_at)]);
    });

    it('a deadline moved by a change of urgency replaces the pending job', async () => {
      const logged = await escalatedHoursAgo(1); // normal: due in 71 hours
      const firstDue = new Date(logged.dueAt!);
      await eventually(() => queue.getJob(dueJobId(logged.id, firstDue)));
      const patched = await call<CaseResponseDto>(t.app, 'PATCH', `/v1/cases/${logged.id}`, {
        token: member.token,
        headers: { 'if-match': `"${logged.version}"` },
        body: { urgency: 'critical' },
      });
      expect(patched.status).toBe(200);
      const row = await deadlineOf(logged.id);
      // Critical caps the window at 24 hours from the escalation: 23 hours from now.
      expect(row.due_at.getTime()).toBe(new Date(logged.escalatedAt!).getTime() + 24 * HOUR);
      expect(patched.body.dueAt).toBe(row.due_at.toISOString());
      await eventually(async () => !(await queue.getJob(dueJobId(logged.id, firstDue))));
      const jobs = (await queue.getJobs(['delayed', 'wait'])).filter(
        (j: Job) => j.data.caseId === logged.id,
      );
      expect(jobs.map((j) => j.id)).toEqual([dueJobId(logged.id, row.due_at)]);
    });

    it('stores response durations on the case and recounts rollups per platform, channel and month', async () => {
      const writer = await createUser(t.app, (await createOrganization(t.app)).id, 'member');
      const at = (day: string, hour = 0) =>
        `2026-05-${day}T${String(hour).padStart(2, '0')}:00:00.000Z`;
      const log = (day: string) => createCase(t.app, writer.token, { escalatedAt: at(day) });
      const step = (id: string, body: Record<string, unknown>) =>
        call(t.app, 'POST', `/v1/cases/${id}/events`, { token: writer.token, body });
      const answered = await log('01');
      expect(
        (await step(answered.id, { type: 'platform_acknowledged', occurredAt: at('01', 2) }))
          .status,
      ).toBe(201);
      expect(
        (
          await step(answered.id, {
            type: 'platform_responded',
            outcome: 'content_removed',
            occurredAt: at('01', 10),
          })
        ).status,
      ).toBe(201);
      const ignored = await log('02');
      expect((await step(ignored.id, { type: 'closed', occurredAt: at('20') })).status).toBe(201);
      const waiting = await log('03');
      // The sweep marks the one still waiting overdue (its deadline passed in May); the other two
      // were answered or closed before any job ran.
      await service.sweep();
      expect(await overdueEvents(waiting.id)).toHaveLength(1);
      expect(await overdueEvents(ignored.id)).toHaveLength(0);

      const [durations] = await t.db.query(
        'SELECT time_to_first_response_seconds AS first, time_to_resolution_seconds AS resolution FROM cases WHERE id = $1',
        [answered.id],
      );
      expect(durations).toEqual({ first: 7200, resolution: 36000 });

      await service.refreshRollups();
      const rows = await t.db.query(
        `SELECT r.cases, r.responded, r.resolved, r.actioned, r.no_response, r.overdue,
                r.first_response_seconds_sum::int AS fr_sum, r.first_response_seconds_p50 AS fr_p50,
                r.resolution_seconds_p90 AS res_p90
           FROM response_time_rollups r
           JOIN platforms p ON p.id = r.platform_id JOIN channels ch ON ch.id = r.channel_id
          WHERE p.code = 'facebook' AND ch.code = 'trusted_partner' AND r.month = '2026-05-01'`,
      );
      expect(rows).toEqual([
        {
          cases: 3,
          responded: 1,
          resolved: 1,
          actioned: 1,
          no_response: 1,
          overdue: 1,
          fr_sum: 7200,
          fr_p50: 7200,
          res_p90: 36000,
        },
      ]);

      // A change to one case is recounted at the next refresh: the waiting case gets its answer.
      expect(
        (
          await step(waiting.id, {
            type: 'platform_responded',
            outcome: 'no_violation_found',
            occurredAt: at('10'),
          })
        ).status,
      ).toBe(201);
      await service.refreshRollups();
      const [after] = await t.db.query(
        `SELECT r.responded, r.resolved, r.actioned FROM response_time_rollups r
           JOIN platforms p ON p.id = r.platform_id JOIN channels ch ON ch.id = r.channel_id
          WHERE p.code = 'facebook' AND ch.code = 'trusted_partner' AND r.month = '2026-05-01'`,
      );
      expect(after).toEqual({ responded: 2, resolved: 2, actioned: 1 });
    });
  });
});

describe('deadlines after Redis lost everything', () => {
  // A Redis database of its own: FLUSHDB there is FLUSHALL for this app, without wiping the
  // queues of the suites running in parallel on database 0.
  const url = `${TEST_REDIS_URL.replace(/\/\d*$/, '')}/13`;
  let t: TestApp;
  let member: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ APP_ROLE: 'all', REDIS_URL: url });
    member = await createUser(t.app, (await createOrganization(t.app)).id, 'member');
  });
  afterAll(() => t.close());

  it('the sweep puts every deadline back and marks the ones that passed, duplicating nothing', async () => {
    const worker = t.app.get(DeadlinesProcessor).worker;
    await worker.pause();
    const hoursAgo = [100, 90, 80, 10, 20, 30, 40];
    const cases = [];
    for (const h of hoursAgo) {
      cases.push(
        await createCase(t.app, member.token, {
          escalatedAt: new Date(Date.now() - h * HOUR).toISOString(),
          urgency: 'normal',
        }),
      );
    }
    const queue = t.app.get<Queue>(getQueueToken(QueueName.Deadlines));
    await eventually(
      async () => (await queue.getDelayedCount()) + (await queue.getWaitingCount()) >= 7,
    );

    const redis = new Redis({ ...redisOptionsFromUrl(url), maxRetriesPerRequest: 1 });
    try {
      await redis.flushdb();
      expect(await redis.dbsize()).toBe(0);
    } finally {
      redis.disconnect();
    }

    const service = t.app.get(DeadlinesService);
    const swept = await service.sweep();
    expect(swept).toMatchObject({ marked: 3, deadlines: 4 });
    const past = cases.slice(0, 3);
    const ahead = cases.slice(3);
    for (const c of ahead) {
      const job = await queue.getJob(dueJobId(c.id, new Date(c.dueAt!)));
      expect({ id: c.id, state: await job?.getState() }).toEqual({ id: c.id, state: 'delayed' });
    }
    // Everything is back: a second sweep finds nothing to mark and nothing missing.
    const again = await service.sweep();
    expect(again).toEqual({ marked: 0, deadlines: 0, reminders: 0, remindersSent: 0 });
    const counts = (await t.db.query(
      `SELECT case_id, count(*)::int AS n FROM case_events WHERE type = 'overdue' AND case_id = ANY($1) GROUP BY case_id`,
      [cases.map((c) => c.id)],
    )) as { case_id: string; n: number }[];
    expect(counts.map((r) => r.n)).toEqual([1, 1, 1]);
    expect(new Set(counts.map((r) => r.case_id))).toEqual(new Set(past.map((c) => c.id)));
    expect(await queue.getDelayedCount()).toBe(4 + 3); // the deadlines ahead + one reminder each
    await worker.resume();
  });
});

describe('deadlines while Redis is down', () => {
  it('POST /v1/cases still answers 201 quickly; the case and its deadline are in PostgreSQL', async () => {
    const t = await createTestApp({ REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const member = await createUser(t.app, (await createOrganization(t.app)).id, 'member');
      const started = Date.now();
      const logged = await createCase(t.app, member.token);
      expect(Date.now() - started).toBeLessThan(3000);
      const [row] = await t.db.query('SELECT due_at FROM cases WHERE id = $1', [logged.id]);
      expect(row.due_at.toISOString()).toBe(logged.dueAt);
      const health = await call(t.app, 'GET', '/health');
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ checks: { postgres: 'up', redis: 'down' } });
    } finally {
      await t.close();
    }
  });
});

describe('a worker killed in the middle of a deadline job', () => {
  it('the job goes back to the queue and a new worker completes it once', async () => {
    const t = await createTestApp({ APP_ROLE: 'all' });
    const workers: Worker[] = [];
    try {
      // Only the workers of this test take deadline jobs, and only they look for stalled ones:
      // the app's worker stops, and its claim on the stalled check (a key that lives one
      // 30-second interval) goes with it.
      await t.app.get(DeadlinesProcessor).worker.close();
      const queue = t.app.get<Queue>(getQueueToken(QueueName.Deadlines));
      const redis = new Redis({ ...redisOptionsFromUrl(TEST_REDIS_URL), maxRetriesPerRequest: 1 });
      await redis.del(queue.toKey('stalled-check'));
      redis.disconnect();
      const member = await createUser(t.app, (await createOrganization(t.app)).id, 'member');
      const service = t.app.get(DeadlinesService);
      const connection = { ...redisOptionsFromUrl(TEST_REDIS_URL), maxRetriesPerRequest: null };

      // The worker that dies: its own process takes the case's deadline job, then is killed
      // (SIGKILL: no completion, no lock renewal, nothing cleaned up).
      const doomed = spawn(
        process.execPath,
        [
          '-r',
          'ts-node/register/transpile-only',
          join(__dirname, '../support/doomed-worker.ts'),
          TEST_REDIS_URL,
          t.config.queuePrefix,
          '1000',
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const tookIt = new Promise<string>((resolve, reject) => {
        doomed.stdout.on('data', (chunk: Buffer) => {
          const match = /taken (\S+)/.exec(chunk.toString());
          if (match) resolve(match[1]);
        });
        doomed.once('exit', () => reject(new Error('the doomed worker exited early')));
      });
      const logged = await createCase(t.app, member.token); // due in March: at once
      const jobId = await tookIt;
      expect(jobId).toBe(dueJobId(logged.id, new Date(logged.dueAt!)));
      const gone = new Promise((resolve) => doomed.once('exit', resolve));
      doomed.kill('SIGKILL');
      await gone;

      // A new worker process starts, with the real deadline logic.
      const runs: string[] = [];
      const fresh = new Worker(
        QueueName.Deadlines,
        async (job) => {
          if (job.name !== JobName.CaseDue) return;
          runs.push(String(job.id));
          const { caseId, at } = job.data as { caseId: string; at: string };
          return service.due(caseId, new Date(at));
        },
        { connection, prefix: t.config.queuePrefix, lockDuration: 1000, stalledInterval: 300 },
      );
      workers.push(fresh);
      await eventually(async () => (await queue.getJob(jobId))?.finishedOn !== undefined, 20_000);
      const job = (await queue.getJob(jobId))!;
      expect(await job.getState()).toBe('completed');
      expect(job.returnvalue).toEqual({ overdue: true });
      expect(runs).toEqual([jobId]);
      const events = await t.db.query(
        `SELECT count(*)::int AS n FROM case_events WHERE case_id = $1 AND type = 'overdue'`,
        [logged.id],
      );
      expect(events).toEqual([{ n: 1 }]);
    } finally {
      await Promise.all(workers.map((w) => w.close(true)));
      await t.close();
    }
  });
});
