import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { JobName, QueueName } from '../queue/queues';
import { UsersService } from '../users/users.service';
import { WorkingGroupsService } from '../community/working-groups.service';
import { DeliveryError } from './delivery-error';
import { MailSender } from './mail-sender';
import {
  EmailDeliveryJob,
  emailMessage,
  WebhookDeliveryJob,
  webhookPayload,
} from './notification-message';
import { EMAIL_RECIPIENT_ROLES } from './notifications.service';
import type { Notification } from './notification';
import { isGroupNotification } from './notification-contract';
import { postWebhook } from './webhook-sender';
import { isInternalAddress } from './webhook-url';
import { WebhooksRepository } from './webhooks.repository';

export type DeliveryOutcome =
  | { delivered: true; status?: number }
  | {
      delivered: false;
      skipped: 'webhook-gone' | 'recipient-gone' | 'smtp-off' | 'restricted' | 'case-erased';
    };

/**
 * Delivers notifications (APP_ROLE=worker|all): webhook POSTs and e-mails, one per job. A
 * failed try throws, so BullMQ retries it with the backoff set by `NotificationsService`; a
 * target gone since (webhook deleted, user deactivated) ends the job quietly.
 */
@Processor(QueueName.Notifications, { concurrency: 8 })
export class NotificationsProcessor extends WorkerHost {
  private readonly logger = new Logger(NotificationsProcessor.name);
  private readonly handlers: Record<string, (job: Job) => Promise<DeliveryOutcome>> = {
    [JobName.WebhookDelivery]: (job) => this.deliverWebhook(job as Job<WebhookDeliveryJob>),
    [JobName.EmailDelivery]: (job) => this.sendEmail(job as Job<EmailDeliveryJob>),
  };

  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly users: UsersService,
    private readonly groups: WorkingGroupsService,
    private readonly mail: MailSender,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
    super();
  }

  async process(job: Job): Promise<DeliveryOutcome> {
    const handle = this.handlers[job.name];
    if (!handle) throw new UnrecoverableError(`unknown job ${job.name}`);
    const started = Date.now();
    const outcome = await handle(job);
    this.logger.log(
      {
        jobId: job.id,
        job: job.name,
        attempt: job.attemptsMade + 1,
        durationMs: Date.now() - started,
        ...outcome,
      },
      'job done',
    );
    return outcome;
  }

  /** Ids, attempt and our own short reason; other errors (database...) by name only. */
  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, error: Error): void {
    if (!job) return;
    this.logger.warn(
      {
        jobId: job.id,
        job: job.name,
        attempt: job.attemptsMade,
        of: job.opts.attempts,
        reason: error instanceof DeliveryError ? error.message : error.name,
      },
      'job failed',
    );
  }

  async deliverWebhook(job: Job<WebhookDeliveryJob>): Promise<DeliveryOutcome> {
    const { webhookId, notification } = job.data;
    // A TLP:RED case's people are persons, never an endpoint (notify enqueues no such job).
    if (notification.restrictedTo) return { delivered: false, skipped: 'restricted' };
    // A working group's notice goes to persons only (notify enqueues no such job either).
    if (isGroupNotification(notification)) return { delivered: false, skipped: 'restricted' };
    if (await this.erased(notification)) return { delivered: false, skipped: 'case-erased' };
    const target = await this.webhooks.findActiveTarget(webhookId);
    if (!target || target.organizationId !== notification.organizationId) {
      return { delivered: false, skipped: 'webhook-gone' };
    }
    const attemptedAt = this.clock.now();
    const result = await postWebhook(
      {
        url: target.url,
        secret: target.secret,
        body: JSON.stringify(webhookPayload(notification, this.config.publicBaseUrl)),
        eventType: notification.type,
        key: notification.key,
        now: attemptedAt,
      },
      // In production the name's addresses are checked as the URL's were when it was registered.
      this.config.isProduction ? (address) => !isInternalAddress(address) : undefined,
    );
    await this.webhooks.recordDelivery({
      webhookId,
      notificationKey: notification.key,
      eventType: notification.type,
      attempt: job.attemptsMade + 1,
      httpStatus: result.status,
      error: result.error,
      durationMs: result.durationMs,
      attemptedAt,
    });
    if (result.error !== null) {
      // The system error code is for the service's log and job record, not the deliveries log.
      const cause = result.cause ? ` (${result.cause})` : '';
      throw new DeliveryError(`webhook delivery failed: ${result.error}${cause}`);
    }
    return { delivered: true, status: result.status ?? undefined };
  }

  async sendEmail(job: Job<EmailDeliveryJob>): Promise<DeliveryOutcome> {
    const { userId, notification } = job.data;
    if (!this.mail.enabled) return { delivered: false, skipped: 'smtp-off' };
    if (await this.erased(notification)) return { delivered: false, skipped: 'case-erased' };
    const user = await this.users.findActive(userId);
    // A RED case: still one of its people. Otherwise (the organisation as a whole, which every
    // pattern notification addresses): still in the organisation, as org_admin or member.
    // A working group's notice: still a member of the group.
    const stillRecipient =
      user &&
      (isGroupNotification(notification)
        ? await this.groups.isMember(notification.workingGroupId, user.id)
        : notification.restrictedTo
          ? notification.restrictedTo.includes(user.id)
          : user.organizationId === notification.organizationId &&
            EMAIL_RECIPIENT_ROLES.includes(user.role));
    if (!user || !stillRecipient) return { delivered: false, skipped: 'recipient-gone' };
    await this.mail.send(
      user.email,
      emailMessage(notification, this.config.publicBaseUrl),
      notification.key,
    );
    return { delivered: true };
  }

  /** A case notification queued before its case was erased on request says nothing more. */
  private erased(notification: Notification): Promise<boolean> {
    return 'caseId' in notification
      ? this.webhooks.caseErased(notification.caseId)
      : Promise.resolve(false);
  }
}
