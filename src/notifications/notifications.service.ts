import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { JobsOptions, Queue } from 'bullmq';
import { Role } from '../common/auth/actor';
import { AppConfig } from '../config/app-config';
import { JobName, QueueName } from '../queue/queues';
import { UsersService } from '../users/users.service';
import { WorkingGroupsService } from '../community/working-groups.service';
import { Notification } from './notification';
import { contractOf, isCaseNotification, isGroupNotification } from './notification-contract';
import {
  EmailDeliveryJob,
  emailJobId,
  NOTIFICATION_KEY,
  WebhookDeliveryJob,
  webhookJobId,
} from './notification-message';
import { NOTIFICATION_RETRY, NotificationRetryPolicy } from './notification-retry';
import { WebhooksRepository } from './webhooks.repository';

/** Who gets notification e-mails: the people who work the organisation's cases. */
export const EMAIL_RECIPIENT_ROLES: Role[] = ['org_admin', 'member'];

/**
 * Reminders go to the owner first: the first follow-up reminder of a deadline reaches only the
 * case's owner, if they are among those it may reach (active, of the organisation, named on a
 * RED case); the next reminders and the overdue notice reach everyone, owner included.
 */
export function firstRecipients(n: Notification, candidates: string[]): string[] {
  const owner = isCaseNotification(n) ? n.ownerUserId : undefined;
  const first = n.type === 'case.follow_up_due' && n.reminder === 1;
  return first && owner && candidates.includes(owner) ? [owner] : candidates;
}

/**
 * Tells an organisation about one of its cases, or about a campaign or an emerging pattern from
 * the shared repository (aggregates only): one job per active webhook and, with SMTP on,
 * one per active org_admin or member, each delivered and retried on its own by the
 * notifications worker. Safe to call from any process role.
 */
@Injectable()
export class NotificationsService {
  private readonly logger = new Logger(NotificationsService.name);

  constructor(
    @InjectQueue(QueueName.Notifications) private readonly queue: Queue,
    private readonly webhooks: WebhooksRepository,
    private readonly users: UsersService,
    private readonly groups: WorkingGroupsService,
    private readonly config: AppConfig,
    @Inject(NOTIFICATION_RETRY) private readonly retry: NotificationRetryPolicy,
  ) {}

  /**
   * Enqueues the deliveries. Job ids are built from `n.key`, so calling again with the same key
   * (a retried or repeated job) enqueues nothing new while the first jobs are kept (a week once
   * done). Recipients are those active now; each job re-checks its own when it runs.
   */
  async notify(n: Notification): Promise<void> {
    if (typeof n.key !== 'string' || !NOTIFICATION_KEY.test(n.key)) {
      throw new Error('notification key must be 1-150 of A-Z a-z 0-9 _ . - and not a number');
    }
    // Only the contract's fields, whatever the caller's object holds besides.
    const notification = contractOf(n);
    const [webhookIds, userIds] = await Promise.all([
      // A RED case's people and a working group's members are persons: no webhook.
      notification.restrictedTo || isGroupNotification(notification)
        ? []
        : this.webhooks.activeIdsOf(notification.organizationId),
      this.recipients(notification),
    ]);
    const opts: JobsOptions = {
      attempts: this.retry.attempts,
      backoff: { type: 'exponential', delay: this.retry.backoffMs },
      removeOnComplete: { age: this.retry.keepCompletedSeconds },
    };
    const jobs = [
      ...webhookIds.map((webhookId) => ({
        name: JobName.WebhookDelivery,
        data: { webhookId, notification } satisfies WebhookDeliveryJob,
        opts: { ...opts, jobId: webhookJobId(notification.key, webhookId) },
      })),
      ...userIds.map((userId) => ({
        name: JobName.EmailDelivery,
        data: { userId, notification } satisfies EmailDeliveryJob,
        opts: { ...opts, jobId: emailJobId(notification.key, userId) },
      })),
    ];
    if (jobs.length > 0) await this.queue.addBulk(jobs);
    this.logger.log(
      {
        key: notification.key,
        type: notification.type,
        restricted: Boolean(notification.restrictedTo),
        ...(isGroupNotification(notification)
          ? { workingGroupId: notification.workingGroupId }
          : { organizationId: notification.organizationId }),
        webhooks: webhookIds.length,
        emails: userIds.length,
      },
      'notification queued',
    );
  }

  /**
   * Whom e-mail goes to: with SMTP on, the organisation's workers, or a RED case's people;
   * the first follow-up reminder only to the case's owner among them (firstRecipients).
   * Pattern notifications never have `restrictedTo`: the organisation as a whole. A working
   * group's notice: the group's active members, whatever their organisation or role.
   */
  private async recipients(n: Notification): Promise<string[]> {
    if (!this.config.smtp) return [];
    if (isGroupNotification(n)) return this.groups.activeMemberIds(n.workingGroupId);
    if (!n.restrictedTo) {
      return firstRecipients(
        n,
        await this.users.activeIdsWithRoles(n.organizationId, EMAIL_RECIPIENT_ROLES),
      );
    }
    const inactive = new Set(await this.users.unknownActiveIds(n.restrictedTo));
    return firstRecipients(
      n,
      n.restrictedTo.filter((id) => !inactive.has(id)),
    );
  }
}
