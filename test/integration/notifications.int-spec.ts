import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, RequestListener } from 'node:http';
import { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { getQueueToken } from '@nestjs/bullmq';
import { Job, Queue } from 'bullmq';
import { SMTPServer } from 'smtp-server';
import { createWorkerContext } from '../../src/app.factory';
import { createRootLogger } from '../../src/common/logging/logger';
import { loadConfig } from '../../src/config/app-config';
import { CaseNotification } from '../../src/notifications/notification';
import {
  NOTIFICATION_RETRY,
  NotificationRetryPolicy,
} from '../../src/notifications/notification-retry';
import { NotificationsProcessor } from '../../src/notifications/notifications.processor';
import { NotificationsService } from '../../src/notifications/notifications.service';
import { postWebhook } from '../../src/notifications/webhook-sender';
import { isInternalAddress } from '../../src/notifications/webhook-url';
import { QueueName } from '../../src/queue/queues';
import { createCase } from '../factories/case.factory';
import { createOrganization, createUser, TestUser } from '../factories/community.factory';
import { TEST_REDIS_URL } from '../support/env';
import { call } from '../support/http';
import {
  eventually,
  pause,
  startReceiver,
  Mail,
  decode,
  expectSigned,
} from '../support/notification-receivers';
import {
  createTestApp,
  TEST_INDICATOR_HASH_KEY,
  TEST_JWT_SECRET,
  TestApp,
} from '../support/test-app';
import { cloneTemplateDatabase, dropDatabase } from '../support/test-db';

/** Polls `check` until it returns something truthy, or fails after `ms`. */
const PUBLIC_BASE_URL = 'https://tracker.example.org';
const SMTP_FROM = 'tracker@example.org';

function notification(organizationId: string, overrides: Partial<CaseNotification> = {}) {
  const caseId = randomUUID();
  return {
    type: 'case.overdue',
    key: `overdue-${caseId}-1772704800000`,
    organizationId,
    caseId,
    reference: 'ESC-2026-000123',
    platformCode: 'facebook',
    channelCode: 'trusted_partner',
    dueAt: '2026-03-05T10:00:00.000Z',
    occurredAt: '2026-03-05T10:00:04.000Z',
    ...overrides,
  } satisfies CaseNotification;
}

/** The payload a receiver must get for `n`, in full: nothing more, nothing less. */
const expectedPayload = (n: CaseNotification) => ({
  id: n.key,
  type: n.type,
  occurredAt: n.occurredAt,
  case: {
    id: n.caseId,
    reference: n.reference,
    platform: n.platformCode,
    channel: n.channelCode,
    dueAt: n.dueAt,
    links: { api: `${PUBLIC_BASE_URL}/v1/cases/${n.caseId}` },
  },
});

/** Checks a delivery's signature the way a receiver would, without the service's own code. */

interface DeliveryRow {
  attempt: number;
  http_status: number | null;
  error: string | null;
  notification_key: string;
  event_type: string;
  duration_ms: number;
}

describe('notifications (real PostgreSQL, Redis, HTTP receiver and SMTP server)', () => {
  let t: TestApp;
  let service: NotificationsService;
  let queue: Queue;
  let retry: NotificationRetryPolicy;
  let smtp: SMTPServer;
  const mails: Mail[] = [];
  const receivers: { close: () => Promise<void> }[] = [];

  const receiver = async (statuses: number[], headers?: Record<string, string>) => {
    const r = await startReceiver(statuses, headers);
    receivers.push(r);
    return r;
  };
  const deliveries = (webhookId: string) =>
    t.db.query(
      `SELECT attempt, http_status, error, notification_key, event_type, duration_ms
         FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY attempted_at, attempt`,
      [webhookId],
    ) as Promise<DeliveryRow[]>;
  const registerWebhook = async (orgAdmin: TestUser, url: string) => {
    const answer = await call<{ id: string; secret: string }>(t.app, 'POST', '/v1/webhooks', {
      token: orgAdmin.token,
      body: { url },
    });
    expect(answer.status).toBe(201);
    return answer.body;
  };
  const newOrganization = async () => {
    const org = await createOrganization(t.app);
    return { org, orgAdmin: await createUser(t.app, org.id, 'org_admin') };
  };
  const jobState = async (id: string) => (await queue.getJob(id))?.getState();
  const mailsFor = (key: string) =>
    mails.filter((m) => decode(m.raw).headers['x-escalation-delivery'] === key);

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo(address, _session, done) {
        if (!address.address.startsWith('bounce-')) return done();
        done(
          Object.assign(new Error(`No mailbox for <${address.address}>`), { responseCode: 550 }),
        );
      },
      onData(stream, session, done) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          done();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
    const { port } = smtp.server.address() as AddressInfo;
    t = await createTestApp({
      APP_ROLE: 'all',
      SMTP_URL: `smtp://127.0.0.1:${port}`,
      SMTP_FROM,
      PUBLIC_BASE_URL,
    });
    service = t.app.get(NotificationsService);
    queue = t.app.get<Queue>(getQueueToken(QueueName.Notifications));
    // The retry policy is injected: this app retries after 300 ms, 600 ms (3 tries in all).
    retry = t.app.get<NotificationRetryPolicy>(NOTIFICATION_RETRY);
    Object.assign(retry, { attempts: 3, backoffMs: 300 });
  });
  afterAll(async () => {
    await t.close();
    await Promise.all(receivers.map((r) => r.close()));
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  it('uses the production policy by default: 11 tries over about 25.6 hours, done jobs kept a week', async () => {
    const { DEFAULT_NOTIFICATION_RETRY, retrySpanMs } =
      await import('../../src/notifications/notification-retry');
    expect(DEFAULT_NOTIFICATION_RETRY).toEqual({
      attempts: 11,
      backoffMs: 90_000,
      keepCompletedSeconds: 7 * 24 * 3600,
    });
    expect(DEFAULT_NOTIFICATION_RETRY.attempts).toBeGreaterThanOrEqual(8);
    expect(retrySpanMs(DEFAULT_NOTIFICATION_RETRY) / 3_600_000).toBeCloseTo(25.575, 2);
    // This app's copy was shortened, not the default itself.
    expect(retry).not.toBe(DEFAULT_NOTIFICATION_RETRY);
  });

  describe('webhooks', () => {
    it('receiver answering 500 then 200: delivered once more on the retry, signed, both attempts recorded and readable', async () => {
      const { org, orgAdmin } = await newOrganization();
      const hook = await receiver([500, 200]);
      const webhook = await registerWebhook(orgAdmin, hook.url);
      const n = notification(org.id);

      await service.notify(n);

      const jobId = `${n.key}-wh-${webhook.id}`;
      await eventually(async () => (await jobState(jobId)) === 'completed');
      expect(hook.received).toHaveLength(2);
      for (const r of hook.received) {
        expect(r.method).toBe('POST');
        expect(r.path).toBe('/hook');
        expect(r.headers).toMatchObject({
          'content-type': 'application/json',
          'user-agent': 'escalation-tracker-webhooks',
          'x-escalation-event': 'case.overdue',
          'x-escalation-delivery': n.key,
        });
        expectSigned(r, webhook.secret);
        expect(JSON.parse(r.body)).toEqual(expectedPayload(n));
      }
      expect(hook.received[1].body).toBe(hook.received[0].body);

      const rows = await deliveries(webhook.id);
      expect(rows).toEqual([
        expect.objectContaining({ attempt: 1, http_status: 500, error: 'answered 500' }),
        expect.objectContaining({ attempt: 2, http_status: 200, error: null }),
      ]);
      for (const row of rows) {
        expect(row).toMatchObject({ notification_key: n.key, event_type: 'case.overdue' });
        expect(row.duration_ms).toBeGreaterThanOrEqual(0);
      }

      const page = await call<{ data: Record<string, unknown>[]; nextCursor: string | null }>(
        t.app,
        'GET',
        `/v1/webhooks/${webhook.id}/deliveries`,
        { token: orgAdmin.token },
      );
      expect(page.status).toBe(200);
      expect(page.body).toEqual({
        data: [
          {
            id: expect.any(String),
            notificationKey: n.key,
            eventType: 'case.overdue',
            attempt: 2,
            httpStatus: 200,
            error: null,
            durationMs: expect.any(Number),
            attemptedAt: expect.any(String),
          },
          expect.objectContaining({ attempt: 1, httpStatus: 500, error: 'answered 500' }),
        ],
        nextCursor: null,
      });
      expect(page.text).not.toContain('do-not-store');
      const first = await call<{ data: { attempt: number }[]; nextCursor: string }>(
        t.app,
        'GET',
        `/v1/webhooks/${webhook.id}/deliveries`,
        { token: orgAdmin.token, query: { limit: '1' } },
      );
      expect(first.body.data.map((d) => d.attempt)).toEqual([2]);
      const second = await call<{ data: { attempt: number }[]; nextCursor: string | null }>(
        t.app,
        'GET',
        `/v1/webhooks/${webhook.id}/deliveries`,
        { token: orgAdmin.token, query: { limit: '1', cursor: first.body.nextCursor } },
      );
      expect(second.body).toEqual({
        data: [expect.objectContaining({ attempt: 1 })],
        nextCursor: null,
      });

      // The same notification again (a deadline job retried): nothing new is delivered.
      await service.notify(n);
      await pause(1000);
      expect(hook.received).toHaveLength(2);
      await expect(deliveries(webhook.id)).resolves.toHaveLength(2);
      await expect(jobState(jobId)).resolves.toBe('completed');
      await expect(
        t.db.query(
          `SELECT count(*)::int AS n FROM webhook_deliveries WHERE notification_key = $1`,
          [n.key],
        ),
      ).resolves.toEqual([{ n: 2 }]);
    });

    it('delivers once when notified twice at the same time with one key, to every active webhook of the organisation only', async () => {
      const { org, orgAdmin } = await newOrganization();
      const one = await receiver([200]);
      const two = await receiver([204]);
      const gone = await receiver([200]);
      const elsewhere = await receiver([200]);
      await registerWebhook(orgAdmin, one.url);
      await registerWebhook(orgAdmin, two.url);
      const deleted = await registerWebhook(orgAdmin, gone.url);
      expect(
        (await call(t.app, 'DELETE', `/v1/webhooks/${deleted.id}`, { token: orgAdmin.token }))
          .status,
      ).toBe(204);
      const other = await newOrganization();
      await registerWebhook(other.orgAdmin, elsewhere.url);
      const n = notification(org.id, {
        type: 'case.follow_up_due',
        key: `reminder-${randomUUID()}-1`,
      });

      await Promise.all([service.notify(n), service.notify(n), service.notify(n)]);

      await eventually(async () => one.received.length === 1 && two.received.length === 1);
      await pause(1000);
      expect([one, two, gone, elsewhere].map((r) => r.received.length)).toEqual([1, 1, 0, 0]);
      expect(one.received[0].headers['x-escalation-event']).toBe('case.follow_up_due');
      expect(JSON.parse(one.received[0].body)).toEqual(expectedPayload(n));
    });

    it('records each unanswered attempt as "no answer" (no body, no address, no network code) until the tries run out', async () => {
      const { org, orgAdmin } = await newOrganization();
      const closed = await startReceiver([200]);
      await closed.close(); // nothing listens there any more
      const webhook = await registerWebhook(orgAdmin, closed.url);
      const n = notification(org.id);

      await service.notify(n);

      const jobId = `${n.key}-wh-${webhook.id}`;
      await eventually(async () => (await jobState(jobId)) === 'failed');
      const rows = await deliveries(webhook.id);
      expect(rows.map((r) => [r.attempt, r.http_status, r.error])).toEqual([
        [1, null, 'no answer'],
        [2, null, 'no answer'],
        [3, null, 'no answer'],
      ]);
      // The operators' job record keeps the system code; the organisation's log does not.
      const job = await queue.getJob(jobId);
      expect(job!.attemptsMade).toBe(3);
      expect(job!.failedReason).toBe('webhook delivery failed: no answer (ECONNREFUSED)');
    });

    it('does not follow a redirect: recorded as such and retried, the other address never called', async () => {
      const { org, orgAdmin } = await newOrganization();
      const target = await receiver([200]);
      const redirecting = await receiver([307], { location: target.url });
      const webhook = await registerWebhook(orgAdmin, redirecting.url);
      const n = notification(org.id);

      await service.notify(n);

      await eventually(async () => (await jobState(`${n.key}-wh-${webhook.id}`)) === 'failed');
      expect(redirecting.received).toHaveLength(3);
      expect(target.received).toHaveLength(0);
      expect((await deliveries(webhook.id)).map((r) => [r.http_status, r.error])).toEqual([
        [307, 'redirect not followed'],
        [307, 'redirect not followed'],
        [307, 'redirect not followed'],
      ]);
    });

    it('drops the retries of a webhook deleted in the meantime', async () => {
      const { org, orgAdmin } = await newOrganization();
      const hook = await receiver([500]);
      const webhook = await registerWebhook(orgAdmin, hook.url);
      const n = notification(org.id);
      const saved = retry.backoffMs;
      retry.backoffMs = 2000; // time to delete it between the first try and the retry
      try {
        await service.notify(n);
      } finally {
        retry.backoffMs = saved;
      }
      await eventually(async () => (await deliveries(webhook.id)).length === 1);
      expect(
        (await call(t.app, 'DELETE', `/v1/webhooks/${webhook.id}`, { token: orgAdmin.token }))
          .status,
      ).toBe(204);

      const jobId = `${n.key}-wh-${webhook.id}`;
      await eventually(async () => (await jobState(jobId)) === 'completed');
      expect((await queue.getJob(jobId))!.returnvalue).toEqual({
        delivered: false,
        skipped: 'webhook-gone',
      });
      expect(hook.received).toHaveLength(1);
      await expect(deliveries(webhook.id)).resolves.toHaveLength(1);
    });
  });

  it('drops the retries about a case erased in the meantime: nothing of it leaves any more', async () => {
    const { org, orgAdmin } = await newOrganization();
    const member = await createUser(t.app, org.id, 'member');
    const made = await createCase(t.app, member.token);
    const hook = await receiver([500]);
    const webhook = await registerWebhook(orgAdmin, hook.url);
    const n = notification(org.id, {
      caseId: made.id,
      key: `overdue-${made.id}-1772704800000`,
      reference: made.reference,
    });
    const saved = retry.backoffMs;
    retry.backoffMs = 2000; // time to erase the case between the first try and the retry
    try {
      await service.notify(n);
    } finally {
      retry.backoffMs = saved;
    }
    await eventually(async () => (await deliveries(webhook.id)).length === 1);
    expect(
      (await call(t.app, 'DELETE', `/v1/cases/${made.id}`, { token: orgAdmin.token })).status,
    ).toBe(204);
    const jobId = `${n.key}-wh-${webhook.id}`;
    await eventually(async () => (await jobState(jobId)) === 'completed');
    expect((await queue.getJob(jobId))!.returnvalue).toEqual({
      delivered: false,
      skipped: 'case-erased',
    });
    expect(hook.received).toHaveLength(1);
  });

  describe('e-mail', () => {
    it('sends one plain-text mail per active org_admin and member of the organisation, once per key, without case content', async () => {
      const { org, orgAdmin } = await newOrganization();
      const member = await createUser(t.app, org.id, 'member');
      await createUser(t.app, org.id, 'viewer');
      const inactive = await createUser(t.app, org.id, 'member');
      await t.db.query('UPDATE users SET active = false WHERE id = $1', [inactive.id]);
      const other = await newOrganization();
      await createUser(t.app, other.org.id, 'member');
      const n = notification(org.id);

      await service.notify(n);
      await service.notify(n);

      await eventually(async () => mailsFor(n.key).length >= 2);
      await pause(1000);
      const sent = mailsFor(n.key);
      expect(sent.flatMap((m) => m.to).sort()).toEqual([orgAdmin.email, member.email].sort());
      for (const mail of sent) {
        expect(mail.to).toHaveLength(1);
        expect(mail.from).toBe(SMTP_FROM);
        const { headers, text } = decode(mail.raw);
        expect(headers.subject).toBe('[ESC-2026-000123] overdue: no answer from facebook');
        expect(headers.from).toBe(SMTP_FROM);
        expect(headers['content-type']).toMatch(/^text\/plain/);
        expect(text).toContain(`Open the case: ${PUBLIC_BASE_URL}/v1/cases/${n.caseId}`);
        expect(text).toContain('ESC-2026-000123');
        expect(text).toContain('2026-03-05T10:00:00.000Z');
      }
      for (const user of [orgAdmin, member]) {
        await expect(jobState(`${n.key}-mail-${user.id}`)).resolves.toBe('completed');
      }
      await expect(queue.getJob(`${n.key}-mail-${inactive.id}`)).resolves.toBeUndefined();
    });

    it('words a follow-up reminder as such', async () => {
      const { org } = await newOrganization();
      const n = notification(org.id, {
        type: 'case.follow_up_due',
        key: `reminder-${randomUUID()}-2`,
        platformCode: 'tiktok',
        reference: 'ESC-2026-000777',
      });
      await service.notify(n);
      const [mail] = await eventually(async () => {
        const found = mailsFor(n.key);
        return found.length ? found : undefined;
      });
      expect(decode(mail.raw).headers.subject).toBe(
        '[ESC-2026-000777] follow-up due: still no answer from tiktok',
      );
    });

    it('retries a refused recipient, keeping only the code of the refusal (never the address)', async () => {
      const org = await createOrganization(t.app);
      const bouncing = await createUser(t.app, org.id, 'member', {
        email: `bounce-${randomUUID()}@example.org`,
      });
      const n = notification(org.id);

      await service.notify(n);

      const jobId = `${n.key}-mail-${bouncing.id}`;
      await eventually(async () => (await jobState(jobId)) === 'failed');
      const job = await queue.getJob(jobId);
      expect(job!.attemptsMade).toBe(3);
      expect(job!.failedReason).toBe('SMTP delivery failed: EENVELOPE (550)');
      expect(JSON.stringify(job!.stacktrace)).not.toContain(bouncing.email);
      expect(mailsFor(n.key)).toHaveLength(0);
    });

    it('skips a recipient deactivated between notify and sending', async () => {
      const { org, orgAdmin } = await newOrganization();
      const worker = t.app.get(NotificationsProcessor).worker;
      await worker.pause();
      const n = notification(org.id);
      try {
        await service.notify(n);
        await t.db.query('UPDATE users SET active = false WHERE id = $1', [orgAdmin.id]);
      } finally {
        worker.resume();
      }
      const jobId = `${n.key}-mail-${orgAdmin.id}`;
      await eventually(async () => (await jobState(jobId)) === 'completed');
      expect((await queue.getJob(jobId))!.returnvalue).toEqual({
        delivered: false,
        skipped: 'recipient-gone',
      });
      expect(mailsFor(n.key)).toHaveLength(0);
    });
  });

  it('tells about a real overdue case with its reference and link only: no title, summary, items, indicators or names', async () => {
    const { org, orgAdmin } = await newOrganization();
    const member = await createUser(t.app, org.id, 'member', {
      displayName: 'Reporter Marisol Quispe',
    });
    const hook = await receiver([200]);
    const webhook = await registerWebhook(orgAdmin, hook.url);
    const secretWords = {
      title: 'Doxxing of Valentina Mamani at her home',
      summary: 'Home address Calle Sucre 1234 and phone posted.',
      items: [{ url: 'https://facebook.com/posts/998877', kind: 'post' }],
      indicators: [{ kind: 'account_handle', value: '@StalkerHandle_42' }],
    };
    // Escalated in March to a 72-hour channel: overdue as soon as the deadline worker sees it.
    const logged = await createCase(t.app, member.token, {
      ...secretWords,
      escalatedAt: '2026-03-02T10:00:00.000Z',
    });

    const overdue = await eventually(async () =>
      hook.received.find((r) => r.headers['x-escalation-event'] === 'case.overdue'),
    );
    const payload = JSON.parse(overdue.body) as ReturnType<typeof expectedPayload>;
    expect(payload).toEqual({
      id: expect.stringContaining(logged.id),
      type: 'case.overdue',
      occurredAt: expect.any(String),
      case: {
        id: logged.id,
        reference: logged.reference,
        platform: 'facebook',
        channel: 'trusted_partner',
        dueAt: logged.dueAt,
        links: { api: `${PUBLIC_BASE_URL}/v1/cases/${logged.id}` },
      },
    });
    expectSigned(overdue, webhook.secret);
    const mail = await eventually(async () =>
      mailsFor(payload.id).find((m) => m.to[0] === member.email),
    );
    for (const text of [overdue.body, decode(mail.raw).text, decode(mail.raw).headers.subject]) {
      for (const word of [
        'Valentina',
        'Calle Sucre',
        '998877',
        'StalkerHandle',
        'Marisol',
        'doxxing',
        'Doxxing',
        member.email,
      ]) {
        expect(text).not.toContain(word);
      }
    }
    // Nor in what Redis holds for the jobs.
    const jobs = (await queue.getJobs(['completed', 'waiting', 'delayed', 'failed'])).filter(
      (j: Job) => String(j.id).startsWith(payload.id),
    );
    expect(jobs.length).toBeGreaterThanOrEqual(2);
    for (const job of jobs) {
      expect(JSON.stringify(job.data)).not.toMatch(
        /Valentina|Calle Sucre|998877|StalkerHandle|Marisol/,
      );
    }
  });

  it('keeps a TLP:RED case to its people: no webhook, e-mail only to the creator and the users named', async () => {
    const { org, orgAdmin } = await newOrganization();
    const creator = await createUser(t.app, org.id, 'member');
    const named = await createUser(t.app, org.id, 'viewer');
    const colleague = await createUser(t.app, org.id, 'member');
    const hook = await receiver([200, 200, 200]);
    await registerWebhook(orgAdmin, hook.url);
    const red = await createCase(t.app, creator.token, {
      tlp: 'RED',
      shareWithUserIds: [named.id],
      escalatedAt: '2026-03-02T10:00:00.000Z',
    });
    const key = `overdue-${red.id}-${new Date(red.dueAt!).getTime()}`;
    // The same organisation's AMBER+STRICT case, for contrast: the webhook hears of that one.
    const amber = await createCase(t.app, creator.token, {
      escalatedAt: '2026-03-02T10:00:00.000Z',
    });
    await eventually(async () => hook.received.find((r) => r.body.includes(amber.id)));
    await eventually(async () => mailsFor(key).length >= 2 || undefined);
    // Whatever was still to come for the RED case has had the time the AMBER one needed.
    await new Promise((r) => setTimeout(r, 500));
    expect(hook.received.filter((r) => r.body.includes(red.id))).toEqual([]);
    expect(
      mailsFor(key)
        .map((m) => m.to[0])
        .sort(),
    ).toEqual([creator.email, named.email].sort());
    expect(mailsFor(key).some((m) => [orgAdmin.email, colleague.email].includes(m.to[0]))).toBe(
      false,
    );
    expect(decode(mailsFor(key)[0].raw).text).toContain('TLP:RED');
  });

  it('never logs secrets, addresses, receiver URLs or response bodies', () => {
    const logs = t.rawLogs();
    expect(logs).toContain('"msg":"job done"');
    expect(logs).toContain('"msg":"job failed"');
    expect(logs).not.toMatch(/whsec_/);
    expect(logs).not.toMatch(/@example\.org/);
    expect(logs).not.toMatch(/127\.0\.0\.1:\d+\/hook/);
    expect(logs).not.toContain('do-not-store');
  });
});

describe('notifications without SMTP_URL (API role: jobs stay queued)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('queues webhook jobs only, carrying ids and the notification’s fields and nothing else', async () => {
    expect(t.config.smtp).toBeUndefined();
    const org = await createOrganization(t.app);
    const orgAdmin = await createUser(t.app, org.id, 'org_admin');
    await createUser(t.app, org.id, 'member');
    const webhook = await call<{ id: string }>(t.app, 'POST', '/v1/webhooks', {
      token: orgAdmin.token,
      body: { url: 'https://hooks.example.org/x' },
    });
    const n = notification(org.id);
    // A caller handing over more than the contract (say, a whole case row): only the contract goes on.
    const richer = { ...n, title: 'Doxxing of Valentina', summary: 'Home address posted' };

    await t.app.get(NotificationsService).notify(richer);

    const queue = t.app.get<Queue>(getQueueToken(QueueName.Notifications));
    const jobs = await queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
    expect(jobs.map((j) => [j.id, j.name])).toEqual([
      [`${n.key}-wh-${webhook.body.id}`, 'webhook-delivery'],
    ]);
    expect(jobs[0].data).toEqual({ webhookId: webhook.body.id, notification: n });
    expect(jobs[0].opts).toMatchObject({
      attempts: 11,
      backoff: { type: 'exponential', delay: 90_000 },
      removeOnComplete: { age: 7 * 24 * 3600 },
    });
  });

  it('refuses a key that cannot be a job id', async () => {
    const org = await createOrganization(t.app);
    for (const key of ['overdue:1', '12345', '', 'x'.repeat(151)]) {
      await expect(
        t.app.get(NotificationsService).notify(notification(org.id, { key })),
      ).rejects.toThrow(/notification key/);
    }
  });
});

describe('notifications in the process roles', () => {
  it('an API process only enqueues: no notifications worker there', async () => {
    const t = await createTestApp({ APP_ROLE: 'api' });
    try {
      expect(t.app.get(NotificationsService)).toBeInstanceOf(NotificationsService);
      const queue = t.app.get<Queue>(getQueueToken(QueueName.Notifications));
      await expect(queue.getWorkersCount()).resolves.toBe(0);
    } finally {
      await t.close();
    }
  });

  it('a worker process (no HTTP) has both the service, for the deadline jobs, and the worker', async () => {
    const db = await cloneTemplateDatabase();
    try {
      const { config } = loadConfig({
        NODE_ENV: 'test',
        APP_ROLE: 'worker',
        DATABASE_URL: db.url,
        REDIS_URL: TEST_REDIS_URL,
        QUEUE_PREFIX: `t${randomBytes(4).toString('hex')}`,
        JWT_SECRET: TEST_JWT_SECRET,
        INDICATOR_HASH_KEY: TEST_INDICATOR_HASH_KEY,
      });
      const silent = new Writable({ write: (_c, _e, done) => done() });
      const worker = await createWorkerContext({
        config,
        logger: createRootLogger('silent', silent),
      });
      try {
        expect(worker.get(NotificationsService)).toBeInstanceOf(NotificationsService);
        expect(worker.get(NotificationsProcessor)).toBeInstanceOf(NotificationsProcessor);
        const queue = worker.get<Queue>(getQueueToken(QueueName.Notifications));
        await eventually(async () => (await queue.getWorkersCount()) === 1);
      } finally {
        await worker.close();
      }
    } finally {
      await dropDatabase(db.name);
    }
  });
});

describe('postWebhook', () => {
  const request = (url: string, timeoutMs?: number) => ({
    url,
    secret: 'whsec_x',
    body: '{}',
    eventType: 'case.overdue',
    key: 'overdue-x-1',
    now: new Date(),
    timeoutMs,
  });

  async function listening(handler: RequestListener) {
    const server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { server, port: (server.address() as AddressInfo).port };
  }

  async function closing(server: ReturnType<typeof createServer>) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  it('gives up after the timeout with the same words as a refused connection: "no answer"', async () => {
    const { server, port } = await listening(() => undefined); // reads, never answers
    try {
      const started = Date.now();
      const attempt = await postWebhook(request(`http://127.0.0.1:${port}/hook`, 300));
      expect(attempt).toEqual({
        status: null,
        error: 'no answer',
        cause: 'TIMEOUT',
        durationMs: expect.any(Number),
      });
      expect(attempt.durationMs).toBeGreaterThanOrEqual(250);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await closing(server);
    }
    const refused = await postWebhook(request(`http://127.0.0.1:${port}/hook`, 300));
    expect(refused).toMatchObject({ status: null, error: 'no answer', cause: 'ECONNREFUSED' });
  });

  it('checks every address the name resolves to and connects to a checked one', async () => {
    const received: string[] = [];
    const { server, port } = await listening((req, res) => {
      received.push(`${req.method} ${req.url} ${req.headers['x-escalation-event']}`);
      res.writeHead(204).end();
    });
    try {
      const checked: string[] = [];
      const attempt = await postWebhook(request(`http://localhost:${port}/hook`), (address) => {
        checked.push(address);
        return address === '127.0.0.1';
      });
      // localhost may also resolve to ::1, which this check refuses: then nothing is sent.
      if (checked.includes('::1')) {
        expect(attempt).toMatchObject({ status: null, error: 'destination not allowed' });
        expect(received).toEqual([]);
      } else {
        expect(checked).toEqual(['127.0.0.1']);
        expect(attempt).toMatchObject({ status: 204, error: null });
        expect(received).toEqual(['POST /hook case.overdue']);
      }
    } finally {
      await closing(server);
    }
  });

  it('sends nothing to a name or an address the check refuses', async () => {
    const received: string[] = [];
    const { server, port } = await listening((req, res) => {
      received.push(req.url ?? '');
      res.writeHead(204).end();
    });
    try {
      const internal = (address: string) => !isInternalAddress(address);
      for (const url of [`http://localhost:${port}/a`, `http://127.0.0.1:${port}/b`]) {
        expect(await postWebhook(request(url), internal)).toEqual({
          status: null,
          error: 'destination not allowed',
          cause: null,
          durationMs: expect.any(Number),
        });
      }
      expect(received).toEqual([]);
      // The same receiver, allowed: it answers (the refusal above was the check's).
      expect(await postWebhook(request(`http://127.0.0.1:${port}/c`))).toMatchObject({
        status: 204,
      });
      expect(received).toEqual(['/c']);
    } finally {
      await closing(server);
    }
  });
});
