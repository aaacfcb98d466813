import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { byTimeAndId } from '../common/pagination/keyset';
import { SqlFragment } from '../database/sql';
import { TransactionRunner } from '../database/transaction';
import { AuditEntryEntity } from './audit-entry.entity';
import type { AuditRow } from './audit.service';

export interface AuditFilter {
  organizationId?: string;
  action?: string;
  actorUserId?: string;
  from?: Date;
  to?: Date;
  cursor?: string;
  limit: number;
}

/** The INSERT of one entry (`insert`). */
export const auditInsert =
  (entry: AuditRow): SqlFragment =>
  (p) =>
    `INSERT INTO audit_entries (action, actor_user_id, organization_id, target_type, target_id,
       ip, request_id, details)
     VALUES (${p(entry.action)}, ${p(entry.actorUserId)}, ${p(entry.organizationId)},
       ${p(entry.targetType)}, ${p(entry.targetId)}, ${p(entry.ip)}::inet, ${p(entry.requestId)},
       ${p(JSON.stringify(entry.details))}::jsonb)`;

/**
 * The INSERT of any number of entries (none too), for another feature's statement: a
 * data-modifying CTE of the case insert writes each case's entry with it. The text does not
 * depend on the number of entries, so that statement can stay prepared.
 */
export const auditInsertMany =
  (entries: AuditRow[]): SqlFragment =>
  (p) =>
    `INSERT INTO audit_entries (action, actor_user_id, organization_id, target_type, target_id,
       ip, request_id, details)
     SELECT x.action, x.actor, x.organization, x.target_type, x.target_id, x.ip, x.request_id,
       x.details
     FROM unnest(${p(entries.map((e) => e.action))}::text[],
       ${p(entries.map((e) => e.actorUserId))}::uuid[],
       ${p(entries.map((e) => e.organizationId))}::uuid[],
       ${p(entries.map((e) => e.targetType))}::text[],
       ${p(entries.map((e) => e.targetId))}::uuid[], ${p(entries.map((e) => e.ip))}::inet[],
       ${p(entries.map((e) => e.requestId))}::text[],
       ${p(entries.map((e) => JSON.stringify(e.details)))}::jsonb[])
       AS x(action, actor, organization, target_type, target_id, ip, request_id, details)`;

@Injectable()
export class AuditRepository {
  constructor(private readonly tx: TransactionRunner) {}

  /** One plain INSERT (no RETURNING, no entity mapping): every read of survivor data writes one. */
  async insert(entry: AuditRow, em: EntityManager = this.tx.manager): Promise<void> {
    const values: unknown[] = [];
    await em.query(
      auditInsert(entry)((value) => `$${values.push(value)}`),
      values,
    );
  }

  /** Newest first, keyset-paginated on (occurredAt, id); fetches one extra row. */
  list(filter: AuditFilter): Promise<AuditEntryEntity[]> {
    const qb = this.tx.manager.createQueryBuilder(AuditEntryEntity, 'a');
    if (filter.organizationId)
      qb.andWhere('a.organization_id = :org', { org: filter.organizationId });
    if (filter.action) qb.andWhere('a.action = :action', { action: filter.action });
    if (filter.actorUserId) qb.andWhere('a.actor_user_id = :actor', { actor: filter.actorUserId });
    if (filter.from) qb.andWhere('a.occurred_at >= :from', { from: filter.from });
    if (filter.to) qb.andWhere('a.occurred_at < :to', { to: filter.to });
    return byTimeAndId(qb, 'occurred_at', filter).getMany();
  }
}
