import { randomUUID } from 'node:crypto';
import { AddressInfo } from 'node:net';
import { getQueueToken } from '@nestjs/bullmq';
import { Job, Queue } from 'bullmq';
import { SMTPServer } from 'smtp-server';
import { GroupNotification, PatternNotification } from '../../src/notifications/notification';
import {
  NOTIFICATION_RETRY,
  NotificationRetryPolicy,
} from '../../src/notifications/notification-retry';
import { NotificationsProcessor } from '../../src/notifications/notifications.processor';
import { NotificationsService } from '../../src/notifications/notifications.service';
import { QueueName } from '../../src/queue/queues';
import { createOrganization, createUser, TestUser } from '../factories/community.factory';
import { call } from '../support/http';
import {
  eventually,
  pause,
  startReceiver,
  Mail,
  decode,
  expectSigned,
} from '../support/notification-receivers';
import { createTestApp, TestApp } from '../support/test-app';

const PUBLIC_BASE_URL = 'https://tracker.example.org';
const SMTP_FROM = 'tracker@example.org';

function campaignAlert(organizationId: string, namedOrganizations: string[] = []) {
  const campaignId = randomUUID();
  return {
    type: 'campaign.detected',
    key: `campaign-${campaignId}-${organizationId}`,
    organizationId,
    occurredAt: '2026-03-05T10:00:04.000Z',
    campaign: {
      id: campaignId,
      cases: 6,
      otherOrganizations: 2,
      namedOrganizations,
      platforms: ['facebook', 'instagram'],
      categories: ['doxxing'],
      countries: ['BO', 'PE'],
      firstSeen: '2026-02-01T08:00:00.000Z',
      lastSeen: '2026-03-04T18:30:00.000Z',
    },
  } satisfies PatternNotification;
}

describe('pattern notifications (real PostgreSQL, Redis, HTTP receiver and SMTP server)', () => {
  let t: TestApp;
  let service: NotificationsService;
  let queue: Queue;
  let smtp: SMTPServer;
  const mails: Mail[] = [];
  const receivers: { close: () => Promise<void> }[] = [];

  const receiver = async () => {
    const r = await startReceiver();
    receivers.push(r);
    return r;
  };
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
    Object.assign(t.app.get<NotificationRetryPolicy>(NOTIFICATION_RETRY), {
      attempts: 3,
      backoffMs: 300,
    });
  });
  afterAll(async () => {
    await t.close();
    await Promise.all(receivers.map((r) => r.close()));
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  it('delivers a campaign alert once to the organisation’s webhook, signed, with the contract’s fields only, and mails its admins and members only', async () => {
    const { org, orgAdmin } = await newOrganization();
    const member = await createUser(t.app, org.id, 'member');
    const viewer = await createUser(t.app, org.id, 'viewer');
    const hook = await receiver();
    const webhook = await registerWebhook(orgAdmin, hook.url);
    const other = await newOrganization();
    const otherMember = await createUser(t.app, other.org.id, 'member');
    const elsewhere = await receiver();
    await registerWebhook(other.orgAdmin, elsewhere.url);
    const n = campaignAlert(org.id);
    // A caller handing over more than the contract: none of it may leave the service.
    const richer = {
      ...n,
      title: 'Doxxing of Valentina Mamani',
      caseIds: [randomUUID()],
      campaign: { ...n.campaign, caseIds: [randomUUID()], organizationIds: [other.org.id] },
    };

    await service.notify(richer);
    await service.notify(n);

    await eventually(async () => (await jobState(`${n.key}-wh-${webhook.id}`)) === 'completed');
    await eventually(async () => mailsFor(n.key).length >= 2);
    await pause(1000);

    expect(hook.received).toHaveLength(1);
    expect(elsewhere.received).toHaveLength(0);
    const [r] = hook.received;
    expect(r.method).toBe('POST');
    expect(r.path).toBe('/hook');
    expect(r.headers).toMatchObject({
      'content-type': 'application/json',
      'x-escalation-event': 'campaign.detected',
      'x-escalation-delivery': n.key,
    });
    expectSigned(r, webhook.secret);
    expect(JSON.parse(r.body)).toEqual({
      id: n.key,
      type: 'campaign.detected',
      occurredAt: n.occurredAt,
      campaign: {
        id: n.campaign.id,
        cases: 6,
        otherOrganizations: 2,
        namedOrganizations: [],
        platforms: ['facebook', 'instagram'],
        categories: ['doxxing'],
        countries: ['BO', 'PE'],
        firstSeen: n.campaign.firstSeen,
        lastSeen: n.campaign.lastSeen,
        links: { api: `${PUBLIC_BASE_URL}/v1/patterns/campaigns/${n.campaign.id}` },
      },
    });
    await expect(
      t.db.query(
        `SELECT attempt, http_status, event_type FROM webhook_deliveries WHERE notification_key = $1`,
        [n.key],
      ),
    ).resolves.toEqual([{ attempt: 1, http_status: 200, event_type: 'campaign.detected' }]);

    const sent = mailsFor(n.key);
    expect(sent.flatMap((m) => m.to).sort()).toEqual([orgAdmin.email, member.email].sort());
    expect(mails.some((m) => m.to.includes(viewer.email) || m.to.includes(otherMember.email))).toBe(
      false,
    );
    for (const mail of sent) {
      expect(mail.to).toHaveLength(1);
      const { headers, text } = decode(mail.raw);
      expect(headers.subject).toBe(
        'campaign detected: your cases are linked with 2 other organisations',
      );
      expect(headers['content-type']).toMatch(/^text\/plain/);
      expect(text).toContain('share an indicator with cases of 2 other organisations');
      expect(text).toContain(
        `Open the campaign: ${PUBLIC_BASE_URL}/v1/patterns/campaigns/${n.campaign.id}`,
      );
      expect(text).not.toMatch(/named/i);
    }

    // Nothing beyond the contract in what the receiver, the mails or Redis got.
    const jobs = (await queue.getJobs(['completed', 'waiting', 'delayed', 'failed'])).filter(
      (j: Job) => String(j.id).startsWith(n.key),
    );
    expect(jobs).toHaveLength(3);
    for (const text of [
      r.body,
      ...sent.map((m) => decode(m.raw).text),
      ...jobs.map((j) => JSON.stringify(j.data)),
    ]) {
      expect(text).not.toMatch(/Valentina|caseIds|organizationIds|title/);
      expect(text).not.toContain(other.org.id);
    }
  });

  it('names other organisations in the mail only as given by the alert', async () => {
    const { org, orgAdmin } = await newOrganization();
    const n = campaignAlert(org.id, ['Red Alfa']);
    await service.notify(n);
    const [mail] = await eventually(async () => {
      const found = mailsFor(n.key);
      return found.length ? found : undefined;
    });
    expect(mail.to).toEqual([orgAdmin.email]);
    expect(decode(mail.raw).text).toContain('\nNamed with their consent: Red Alfa\n');
  });

  it('delivers an emerging-pattern alert to the webhook with its aggregates', async () => {
    const { org, orgAdmin } = await newOrganization();
    const hook = await receiver();
    const webhook = await registerWebhook(orgAdmin, hook.url);
    const emerging = {
      category: 'doxxing',
      country: 'BO',
      recentCount: 12,
      baselineCount: null,
      rateRatio: null,
      pValue: 0.0002,
      windowMonths: 3,
      baselineMonths: 12,
    };
    const n = {
      type: 'pattern.emerging',
      key: `emerging-2026-W10-doxxing-BO-${org.id}`,
      organizationId: org.id,
      occurredAt: '2026-03-05T10:00:04.000Z',
      emerging,
    } satisfies PatternNotification;

    await service.notify(n);

    await eventually(async () => hook.received.length === 1);
    expectSigned(hook.received[0], webhook.secret);
    expect(hook.received[0].headers['x-escalation-event']).toBe('pattern.emerging');
    expect(JSON.parse(hook.received[0].body)).toEqual({
      id: n.key,
      type: 'pattern.emerging',
      occurredAt: n.occurredAt,
      emerging,
    });
    const [mail] = await eventually(async () => {
      const found = mailsFor(n.key);
      return found.length ? found : undefined;
    });
    expect(decode(mail.raw).headers.subject).toBe('emerging pattern: doxxing in BO');
  });

  it('skips a recipient who is no longer an admin or member of the organisation by the time the mail goes', async () => {
    const { org, orgAdmin } = await newOrganization();
    const demoted = await createUser(t.app, org.id, 'member');
    const worker = t.app.get(NotificationsProcessor).worker;
    await worker.pause();
    const n = campaignAlert(org.id);
    try {
      await service.notify(n);
      await t.db.query(`UPDATE users SET role = 'viewer' WHERE id = $1`, [demoted.id]);
    } finally {
      worker.resume();
    }
    const jobId = `${n.key}-mail-${demoted.id}`;
    await eventually(async () => (await jobState(jobId)) === 'completed');
    expect((await queue.getJob(jobId))!.returnvalue).toEqual({
      delivered: false,
      skipped: 'recipient-gone',
    });
    await eventually(async () => mailsFor(n.key).length === 1);
    expect(mailsFor(n.key).map((m) => m.to[0])).toEqual([orgAdmin.email]);
  });

  it("mails a working group's notice to its members of every organisation, no webhook, and skips one who left before it went", async () => {
    const first = await newOrganization();
    const second = await newOrganization();
    const hook = await receiver();
    await registerWebhook(first.orgAdmin, hook.url);
    const viewer = await createUser(t.app, second.org.id, 'viewer');
    const leaving = await createUser(t.app, second.org.id, 'member');
    const outsider = await createUser(t.app, first.org.id, 'member');
    const admin = await createUser(t.app, first.org.id, 'admin');
    const group = await call<{ id: string }>(t.app, 'POST', '/v1/working-groups', {
      token: admin.token,
      body: { name: `Pattern watch ${first.org.id}`, patternAlerts: true },
    });
    for (const user of [first.orgAdmin, viewer, leaving]) {
      await call(t.app, 'POST', `/v1/working-groups/${group.body.id}/members`, {
        token: admin.token,
        body: { userId: user.id },
      });
    }
    const n: GroupNotification = {
      type: 'group.pattern_emerging',
      key: `emerging-2026-W10-doxxing-BO-group-${group.body.id}`,
      workingGroupId: group.body.id,
      occurredAt: '2026-03-05T10:00:04.000Z',
      emerging: {
        category: 'doxxing',
        country: 'BO',
        recentCount: 12,
        baselineCount: null,
        rateRatio: null,
        pValue: 0.0002,
        windowMonths: 3,
        baselineMonths: 12,
      },
    };
    const worker = t.app.get(NotificationsProcessor).worker;
    await worker.pause();
    try {
      await service.notify(n);
      const left = await call(
        t.app,
        'DELETE',
        `/v1/working-groups/${group.body.id}/members/${leaving.id}`,
        { token: leaving.token },
      );
      expect(left.status).toBe(204);
    } finally {
      worker.resume();
    }
    const jobId = `${n.key}-mail-${leaving.id}`;
    await eventually(async () => (await jobState(jobId)) === 'completed');
    expect((await queue.getJob(jobId))!.returnvalue).toEqual({
      delivered: false,
      skipped: 'recipient-gone',
    });
    await eventually(async () => mailsFor(n.key).length === 2);
    const sent = mailsFor(n.key);
    expect(sent.map((m) => m.to[0]).sort()).toEqual([first.orgAdmin.email, viewer.email].sort());
    expect(mails.some((m) => m.to.includes(outsider.email))).toBe(false);
    const { headers, text } = decode(sent[0].raw);
    expect(headers.subject).toBe('emerging pattern: doxxing in BO');
    expect(text).toContain('member of a working group that follows emerging patterns');
    expect(hook.received).toEqual([]);
  });

  it('tells the working groups that follow incidents of a channel incident reported, by e-mail, without its description', async () => {
    const reporter = await newOrganization();
    const member = await createUser(t.app, reporter.org.id, 'member');
    const other = await newOrganization();
    const hook = await receiver();
    await registerWebhook(reporter.orgAdmin, hook.url);
    const admin = await createUser(t.app, other.org.id, 'admin');
    const group = async (name: string, incidentAlerts: boolean, members: TestUser[]) => {
      const created = await call<{ id: string; incidentAlerts: boolean }>(
        t.app,
        'POST',
        '/v1/working-groups',
        { token: admin.token, body: { name: `${name} ${randomUUID()}`, incidentAlerts } },
      );
      expect(created.body.incidentAlerts).toBe(incidentAlerts);
      for (const user of members) {
        await call(t.app, 'POST', `/v1/working-groups/${created.body.id}/members`, {
          token: admin.token,
          body: { userId: user.id },
        });
      }
      return created.body.id;
    };
    const following = await group('Platform advocacy', true, [reporter.orgAdmin, other.orgAdmin]);
    const notFollowing = await group('Research', false, [member]);

    const reported = await call<{ id: string }>(t.app, 'POST', '/v1/channel-incidents', {
      token: member.token,
      body: {
        platformCode: 'tiktok',
        channelCode: 'community_partner_channel',
        kind: 'silent',
        since: '2026-03-01',
        description: 'No answer since March; a survivor in La Paz still waits',
      },
    });
    expect(reported.status).toBe(201);

    const key = `incident-${reported.body.id}-group-${following}`;
    await eventually(async () => mailsFor(key).length === 2);
    const sent = mailsFor(key);
    expect(sent.map((m) => m.to[0]).sort()).toEqual(
      [reporter.orgAdmin.email, other.orgAdmin.email].sort(),
    );
    const { headers, text } = decode(sent[0].raw);
    expect(headers.subject).toBe(
      'channel incident: tiktok community_partner_channel has gone silent',
    );
    expect(text).toContain('since 2026-03-01');
    expect(text).toContain(`${PUBLIC_BASE_URL}/web/channels/tiktok/community_partner_channel`);
    expect(text).not.toContain('La Paz');
    await pause(500);
    expect(mailsFor(`incident-${reported.body.id}-group-${notFollowing}`)).toEqual([]);
    expect(mails.some((m) => m.to.includes(member.email))).toBe(false);
    expect(hook.received).toEqual([]);
  });

  it('refuses a pattern alert meant for a few people only', async () => {
    const { org, orgAdmin } = await newOrganization();
    const restricted = { ...campaignAlert(org.id), restrictedTo: [orgAdmin.id] };
    await expect(service.notify(restricted as unknown as PatternNotification)).rejects.toThrow(
      /restrictedTo is not allowed/,
    );
  });

  it('never logs the names, addresses or receiver URLs', () => {
    const logs = t.rawLogs();
    expect(logs).toContain('"type":"campaign.detected"');
    expect(logs).not.toMatch(/whsec_/);
    expect(logs).not.toMatch(/@example\.org/);
    expect(logs).not.toMatch(/127\.0\.0\.1:\d+\/hook/);
    expect(logs).not.toContain('Red Alfa');
    expect(logs).not.toContain('Valentina');
  });
});
