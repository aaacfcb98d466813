import { Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { AppConfig } from '../config/app-config';
import { JobName } from '../queue/queues';
import { UsersService } from '../users/users.service';
import {
  CaseNotification,
  GroupNotification,
  Notification,
  PatternNotification,
} from './notification';
import { DEFAULT_NOTIFICATION_RETRY } from './notification-retry';
import { firstRecipients, NotificationsService } from './notifications.service';
import { WebhooksRepository } from './webhooks.repository';
import { WorkingGroupsService } from '../community/working-groups.service';

const ORG = '5c0a3f7e-1111-4b2c-8d3e-222233334444';
const CAMPAIGN_ID = '9e2c5f90-3333-4d4e-8f50-444455556666';
const WEBHOOKS = ['a1a1a1a1-0000-4000-8000-000000000001', 'a1a1a1a1-0000-4000-8000-000000000002'];
const USERS = ['b2b2b2b2-0000-4000-8000-000000000001', 'b2b2b2b2-0000-4000-8000-000000000002'];

const campaign: PatternNotification = {
  type: 'campaign.detected',
  key: `campaign-${CAMPAIGN_ID}-${ORG}`,
  organizationId: ORG,
  occurredAt: '2026-03-05T10:00:04.000Z',
  campaign: {
    id: CAMPAIGN_ID,
    cases: 7,
    otherOrganizations: 2,
    namedOrganizations: ['Red Alfa'],
    platforms: ['facebook'],
    categories: ['doxxing'],
    countries: ['BO'],
    firstSeen: '2026-02-01T08:00:00.000Z',
    lastSeen: '2026-03-04T18:30:00.000Z',
  },
};

const emerging: PatternNotification = {
  type: 'pattern.emerging',
  key: `emerging-2026-W10-doxxing-BO-${ORG}`,
  organizationId: ORG,
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

const GROUP_MEMBERS = ['member-of-a', 'member-of-b'];

const groupNotice: GroupNotification = {
  type: 'group.pattern_emerging',
  key: 'emerging-2026-W10-doxxing-BO-group-grp-1',
  workingGroupId: 'grp-1',
  occurredAt: '2026-03-02T10:00:00.000Z',
  emerging: emerging.emerging!,
};

interface QueuedJob {
  name: string;
  data: { webhookId?: string; userId?: string; notification: Notification };
  opts: Record<string, unknown>;
}

function setUp(smtp = true) {
  const addBulk = jest.fn<Promise<unknown>, [QueuedJob[]]>().mockResolvedValue([]);
  const webhooks = { activeIdsOf: jest.fn().mockResolvedValue(WEBHOOKS) };
  const users = {
    activeIdsWithRoles: jest.fn().mockResolvedValue(USERS),
    unknownActiveIds: jest.fn().mockResolvedValue([]),
  };
  const groups = { activeMemberIds: jest.fn().mockResolvedValue(GROUP_MEMBERS) };
  const config = { smtp: smtp ? { url: 'smtp://x', from: 'a@b' } : undefined };
  const service = new NotificationsService(
    { addBulk } as unknown as Queue,
    webhooks as unknown as WebhooksRepository,
    users as unknown as UsersService,
    groups as unknown as WorkingGroupsService,
    config as unknown as AppConfig,
    { ...DEFAULT_NOTIFICATION_RETRY },
  );
  const jobs = () => addBulk.mock.calls.flatMap(([batch]) => batch);
  return { service, webhooks, users, groups, jobs };
}

describe('NotificationsService.notify with pattern notifications', () => {
  // Quiet: the spec reads the jobs, not the log line.
  beforeAll(() => Logger.overrideLogger(false));

  it.each([campaign, emerging])(
    '$type: one job per active webhook and one e-mail per org_admin/member, deterministic ids, the retry policy',
    async (n) => {
      const { service, webhooks, users, jobs } = setUp();
      await service.notify(n);
      expect(webhooks.activeIdsOf).toHaveBeenCalledWith(ORG);
      expect(users.activeIdsWithRoles).toHaveBeenCalledWith(ORG, ['org_admin', 'member']);
      expect(users.unknownActiveIds).not.toHaveBeenCalled();
      expect(jobs().map((j) => [j.name, j.opts.jobId])).toEqual([
        ['webhook-delivery', `${n.key}-wh-${WEBHOOKS[0]}`],
        ['webhook-delivery', `${n.key}-wh-${WEBHOOKS[1]}`],
        ['email-delivery', `${n.key}-mail-${USERS[0]}`],
        ['email-delivery', `${n.key}-mail-${USERS[1]}`],
      ]);
      for (const job of jobs()) {
        expect(job.data.notification).toEqual(n);
        expect(job.opts).toMatchObject({
          attempts: 11,
          backoff: { type: 'exponential', delay: 90_000 },
          removeOnComplete: { age: 7 * 24 * 3600 },
        });
      }
    },
  );

  it('enqueues the contract only: extra fields at the top or inside the campaign stay behind, arrays copied', async () => {
    const { service, jobs } = setUp(false);
    const extra = { title: 'Doxxing of Valentina', caseIds: ['0b7f2d7e'], summary: 'Calle Sucre' };
    const richer = { ...campaign, ...extra, campaign: { ...campaign.campaign!, ...extra } };
    await service.notify(richer);
    expect(jobs()).toHaveLength(2);
    for (const job of jobs()) {
      expect(Object.keys(job.data).sort()).toEqual(['notification', 'webhookId']);
      expect(job.data.notification).toEqual(campaign);
      expect(JSON.stringify(job.data)).not.toMatch(/Valentina|0b7f2d7e|Calle Sucre|title|caseIds/);
      const sent = job.data.notification as PatternNotification;
      expect(sent.campaign!.namedOrganizations).not.toBe(richer.campaign.namedOrganizations);
    }
  });

  it('refuses a pattern notification with restrictedTo, or without its aggregate, enqueueing nothing', async () => {
    const { service, jobs } = setUp();
    const restricted = { ...campaign, restrictedTo: [USERS[0]] } as unknown as Notification;
    await expect(service.notify(restricted)).rejects.toThrow(/restrictedTo is not allowed/);
    await expect(service.notify({ ...emerging, emerging: undefined })).rejects.toThrow(
      /needs its emerging/,
    );
    await expect(service.notify({ ...campaign, key: 'campaign:1' })).rejects.toThrow(
      /notification key/,
    );
    expect(jobs()).toEqual([]);
  });
});

describe('firstRecipients: reminders go to the owner first', () => {
  const [owner, colleague] = USERS;
  const reminder = (n: number, ownerUserId?: string): CaseNotification => ({
    type: 'case.follow_up_due',
    key: `reminder-x-${n}`,
    organizationId: ORG,
    caseId: CAMPAIGN_ID,
    reference: 'ESC-2026-000001',
    platformCode: 'facebook',
    channelCode: 'trusted_partner',
    dueAt: '2026-03-05T10:00:00.000Z',
    occurredAt: '2026-03-05T12:00:00.000Z',
    reminder: n,
    ...(ownerUserId && { ownerUserId }),
  });
  it('the first reminder reaches the owner alone; the next ones everyone', () => {
    expect(firstRecipients(reminder(1, owner), [owner, colleague])).toEqual([owner]);
    expect(firstRecipients(reminder(2, owner), [owner, colleague])).toEqual([owner, colleague]);
  });
  it('everyone when there is no owner, or the owner is not among those it may reach', () => {
    expect(firstRecipients(reminder(1), [owner, colleague])).toEqual([owner, colleague]);
    expect(firstRecipients(reminder(1, owner), [colleague])).toEqual([colleague]);
  });
  it('the overdue notice reaches everyone, owner included', () => {
    const overdue = { ...reminder(1, owner), type: 'case.overdue' as const, reminder: undefined };
    expect(firstRecipients(overdue, [owner, colleague])).toEqual([owner, colleague]);
  });
});

describe('NotificationsService.notify with a notice to a working group', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it("mails the group's active members only, and no webhook", async () => {
    const { service, webhooks, users, groups, jobs } = setUp();
    await service.notify(groupNotice);
    expect(webhooks.activeIdsOf).not.toHaveBeenCalled();
    expect(users.activeIdsWithRoles).not.toHaveBeenCalled();
    expect(groups.activeMemberIds).toHaveBeenCalledWith('grp-1');
    expect(jobs().map((j) => [j.name, j.data.userId, j.opts.jobId])).toEqual(
      GROUP_MEMBERS.map((userId) => [
        JobName.EmailDelivery,
        userId,
        `${groupNotice.key}-mail-${userId}`,
      ]),
    );
    expect(jobs()[0].data.notification).toEqual(groupNotice);
  });

  it('enqueues nothing without SMTP', async () => {
    const { service, jobs } = setUp(false);
    await service.notify(groupNotice);
    expect(jobs()).toEqual([]);
  });
});
