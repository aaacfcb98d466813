import { Injectable } from '@nestjs/common';
import { EntityManager, QueryDeepPartialEntity } from 'typeorm';
import { decodeCursor } from '../common/pagination/cursor';
import { TransactionRunner } from '../database/transaction';
import { AuditEntryEntity } from './audit-entry.entity';

export interface AuditFilter {
  organizationId?: string;
  action?: string;
  actorUserId?: string;
  from?: Date;
  to?: Date;
  cursor?: string;
  limit: number;
}

@Injectable()
export class AuditRepository {
  constructor(private readonly tx: TransactionRunner) {}

  async insert(
    entry: Partial<AuditEntryEntity>,
    em: EntityManager = this.tx.manager,
  ): Promise<void> {
    // jsonb details are stored as given.
    await em.insert(AuditEntryEntity, entry as QueryDeepPartialEntity<AuditEntryEntity>);
  }

  /** Newest first, keyset-paginated on (occurredAt, id); fetches one extra row. */
  list(filter: AuditFilter): Promise<AuditEntryEntity[]> {
    const qb = this.tx.manager
      .createQueryBuilder(AuditEntryEntity, 'a')
      .orderBy('a.occurred_at', 'DESC')
      .addOrderBy('a.id', 'DESC')
      .limit(filter.limit + 1);
    if (filter.organizationId)
      qb.andWhere('a.organization_id = :org', { org: filter.organizationId });
    if (filter.action) qb.andWhere('a.action = :action', { action: filter.action });
    if (filter.actorUserId) qb.andWhere('a.actor_user_id = :actor', { actor: filter.actorUserId });
    if (filter.from) qb.andWhere('a.occurred_at >= :from', { from: filter.from });
    if (filter.to) qb.andWhere('a.occurred_at < :to', { to: filter.to });
    if (filter.cursor) {
      const [at, id] = decodeCursor(filter.cursor, ['timestamp', 'uuid']);
      qb.andWhere('(a.occurred_at, a.id) < (:at::timestamptz, :id::uuid)', { at, id });
    }
    return qb.getMany();
  }
}
