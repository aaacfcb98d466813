import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { byTimeAndId } from '../common/pagination/keyset';
import { insertReturning } from '../database/insert';
import { TransactionRunner } from '../database/transaction';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';
import { WebhookEntity } from './webhook.entity';

/** A webhook as the delivery job needs it (its secret included): never for an API answer. */
export interface WebhookTarget {
  id: string;
  organizationId: string;
  url: string;
  secret: string;
}

export type NewDelivery = Pick<
  WebhookDeliveryEntity,
  | 'webhookId'
  | 'notificationKey'
  | 'eventType'
  | 'attempt'
  | 'httpStatus'
  | 'error'
  | 'durationMs'
  | 'attemptedAt'
>;

@Injectable()
export class WebhooksRepository {
  constructor(private readonly tx: TransactionRunner) {}

  insert(values: Partial<WebhookEntity>, em: EntityManager): Promise<WebhookEntity> {
    return insertReturning(em, WebhookEntity, values);
  }

  countActive(organizationId: string, em: EntityManager): Promise<number> {
    return em.count(WebhookEntity, { where: { organizationId, active: true } });
  }

  /** The organisation's active webhooks, newest first, keyset-paginated; one extra row. */
  listActive(
    organizationId: string,
    page: { cursor?: string; limit: number },
  ): Promise<WebhookEntity[]> {
    const qb = this.tx.manager
      .createQueryBuilder(WebhookEntity, 'w')
      .where('w.organization_id = :organizationId', { organizationId })
      .andWhere('w.active');
    return byTimeAndId(qb, 'created_at', page).getMany();
  }

  /** Whether the organisation has this active webhook (another organisation's is "no"). */
  existsActive(organizationId: string, id: string): Promise<boolean> {
    return this.tx.manager.exists(WebhookEntity, { where: { id, organizationId, active: true } });
  }

  /** Deactivates the organisation's webhook; false when it has no such active webhook. */
  async deactivate(organizationId: string, id: string, em: EntityManager): Promise<boolean> {
    const result = await em.update(
      WebhookEntity,
      { id, organizationId, active: true },
      { active: false },
    );
    return (result.affected ?? 0) > 0;
  }

  async activeIdsOf(organizationId: string): Promise<string[]> {
    const rows = await this.tx.manager.find(WebhookEntity, {
      select: { id: true },
      where: { organizationId, active: true },
      order: { id: 'ASC' },
    });
    return rows.map((r) => r.id);
  }

  /** For a delivery: the webhook if it is still active, with what signing needs. */
  findActiveTarget(id: string): Promise<WebhookTarget | null> {
    return this.tx.manager.findOne(WebhookEntity, {
      select: { id: true, organizationId: true, url: true, secret: true },
      where: { id, active: true },
    });
  }

  /** Whether the case was erased on request: a notification still queued about it is dropped. */
  async caseErased(caseId: string): Promise<boolean> {
    const [row]: { erased: boolean }[] = await this.tx.manager.query(
      'SELECT EXISTS (SELECT 1 FROM erased_cases WHERE case_id = $1) AS erased',
      [caseId],
    );
    return row.erased;
  }

  async recordDelivery(values: NewDelivery): Promise<void> {
    await this.tx.manager.insert(WebhookDeliveryEntity, values);
  }

  /** One webhook's attempts, newest first, keyset-paginated; fetches one extra row. */
  listDeliveries(
    webhookId: string,
    page: { cursor?: string; limit: number },
  ): Promise<WebhookDeliveryEntity[]> {
    const qb = this.tx.manager
      .createQueryBuilder(WebhookDeliveryEntity, 'd')
      .where('d.webhook_id = :webhookId', { webhookId });
    return byTimeAndId(qb, 'attempted_at', page).getMany();
  }
}
