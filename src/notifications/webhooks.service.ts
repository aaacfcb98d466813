import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/auth/actor';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationFailedError,
} from '../common/errors/domain-error';
import { Page, toPage } from '../common/pagination/cursor';
import { ListQueryDto } from '../common/pagination/list-query.dto';
import { AppConfig } from '../config/app-config';
import { lockForTransaction, TransactionRunner } from '../database/transaction';
import {
  CreatedWebhookResponseDto,
  CreateWebhookDto,
  WebhookDeliveryResponseDto,
  WebhookResponseDto,
} from './dto/webhook.dto';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';
import { newWebhookSecret } from './webhook-signature';
import { productionUrlProblem } from './webhook-url';
import { WebhookEntity } from './webhook.entity';
import { WebhooksRepository } from './webhooks.repository';

/** Each notification fans out to every webhook: a bound keeps one organisation's fan-out small. */
export const MAX_ACTIVE_WEBHOOKS = 20;

/**
 * An organisation's webhooks, managed by its org_admins (and by an admin for the admin's own
 * organisation). Another organisation's webhook is 404, whoever asks.
 */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  async create(actor: Actor, dto: CreateWebhookDto): Promise<CreatedWebhookResponseDto> {
    requireManager(actor);
    const problem = this.config.isProduction ? productionUrlProblem(dto.url) : null;
    if (problem) throw new ValidationFailedError([{ field: 'url', message: problem }]);
    const secret = newWebhookSecret();
    const created = await this.tx.run(async (em) => {
      // Two creations at once must not both pass the count.
      await lockForTransaction(em, `webhooks-${actor.organizationId}`);
      if ((await this.webhooks.countActive(actor.organizationId, em)) >= MAX_ACTIVE_WEBHOOKS) {
        throw new ConflictError(
          `Your organisation already has ${MAX_ACTIVE_WEBHOOKS} webhooks; delete one first.`,
        );
      }
      const webhook = await this.webhooks.insert(
        {
          organizationId: actor.organizationId,
          url: dto.url,
          secret,
          description: dto.description ?? null,
          active: true,
          createdBy: actor.userId,
        },
        em,
      );
      await this.audit.record(
        {
          action: 'webhook.created',
          actorUserId: actor.userId,
          organizationId: actor.organizationId,
          targetType: 'webhook',
          targetId: webhook.id,
          // The host only: a URL's path or query may carry a receiver's own token.
          details: { host: new URL(dto.url).host },
        },
        em,
      );
      return webhook;
    });
    return { ...toWebhookResponse(created), secret };
  }

  async list(actor: Actor, query: ListQueryDto): Promise<Page<WebhookResponseDto>> {
    requireManager(actor);
    const rows = await this.webhooks.listActive(actor.organizationId, query);
    return toPage(rows, query.limit, toWebhookResponse, (w) => [w.createdAt.toISOString(), w.id]);
  }

  /** Stops deliveries at once (queued ones are dropped); the delivery log is kept. */
  async remove(actor: Actor, id: string): Promise<void> {
    requireManager(actor);
    await this.tx.run(async (em) => {
      if (!(await this.webhooks.deactivate(actor.organizationId, id, em))) {
        throw new NotFoundError('webhook');
      }
      await this.audit.record(
        {
          action: 'webhook.deleted',
          actorUserId: actor.userId,
          organizationId: actor.organizationId,
          targetType: 'webhook',
          targetId: id,
        },
        em,
      );
    });
  }

  async deliveries(
    actor: Actor,
    id: string,
    query: ListQueryDto,
  ): Promise<Page<WebhookDeliveryResponseDto>> {
    requireManager(actor);
    if (!(await this.webhooks.existsActive(actor.organizationId, id))) {
      throw new NotFoundError('webhook');
    }
    const rows = await this.webhooks.listDeliveries(id, query);
    return toPage(rows, query.limit, toDeliveryResponse, (d) => [
      d.attemptedAt.toISOString(),
      d.id,
    ]);
  }
}

/** The controller says the same; repeated here so no other caller can skip it. */
function requireManager(actor: Actor): void {
  if (actor.role !== 'org_admin' && actor.role !== 'admin') {
    throw new ForbiddenError('Only organisation admins manage webhooks.');
  }
}

function toWebhookResponse(w: WebhookEntity): WebhookResponseDto {
  return {
    id: w.id,
    url: w.url,
    description: w.description,
    active: w.active,
    createdAt: w.createdAt.toISOString(),
  };
}

function toDeliveryResponse(d: WebhookDeliveryEntity): WebhookDeliveryResponseDto {
  return {
    id: d.id,
    notificationKey: d.notificationKey,
    eventType: d.eventType,
    attempt: d.attempt,
    httpStatus: d.httpStatus,
    error: d.error,
    durationMs: d.durationMs,
    attemptedAt: d.attemptedAt.toISOString(),
  };
}
