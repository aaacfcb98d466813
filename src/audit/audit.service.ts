import { isIP } from 'node:net';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Actor } from '../common/auth/actor';
import { ForbiddenError } from '../common/errors/domain-error';
import { Page, toPage } from '../common/pagination/cursor';
import { currentRequest } from '../common/logging/request-context';
import { AuditEntryEntity } from './audit-entry.entity';
import { AuditRepository } from './audit.repository';
import { AuditQueryDto } from './dto/audit-query.dto';
import { AuditEntryResponseDto } from './dto/audit-entry-response.dto';

export type AuditAction =
  | 'auth.login_succeeded'
  | 'auth.login_failed'
  | 'auth.login_throttled'
  | 'auth.password_changed'
  | 'auth.sessions_ended'
  | 'auth.account_locked'
  | 'auth.account_unlocked'
  | 'api_token.created'
  | 'api_token.revoked'
  | 'calendar_token.created'
  | 'calendar_token.revoked'
  | 'calendar.read'
  | 'organization.created'
  | 'organization.updated'
  | 'user.created'
  | 'user.updated'
  | 'platform.created'
  | 'platform.updated'
  | 'channel.created'
  | 'channel.updated'
  | 'channel_access.granted'
  | 'channel_access.claimed'
  | 'channel_access.approved'
  | 'channel_access.refused'
  | 'channel_access.corrected'
  | 'channel_access.revoked'
  | 'channel_playbook.edited'
  | 'channel_incident.reported'
  | 'channel_incident.confirmed'
  | 'channel_incident.resolved'
  | 'contact.created'
  | 'contact.updated'
  | 'contact.read'
  | 'contact.listed'
  | 'contact.exported'
  | 'contact.verified'
  | 'contact.departed'
  | 'contact.tenure_added'
  | 'case.created'
  | 'case.read'
  | 'case.listed'
  | 'case.counted'
  | 'case.updated'
  | 'case.event_added'
  | 'case.imported'
  | 'case.exported'
  | 'case.erased'
  | 'case.content_removed'
  | 'retention.updated'
  | 'organization.archive_requested'
  | 'organization.archived'
  | 'organization.erasure_requested'
  | 'organization.erased'
  | 'campaign.exported'
  | 'indicator.matched'
  | 'patterns.read'
  | 'report.exported'
  | 'working_group.created'
  | 'working_group.member_added'
  | 'working_group.member_removed'
  | 'meeting.created'
  | 'meeting.updated'
  | 'meeting.cancelled'
  | 'meeting.answered'
  | 'webhook.created'
  | 'webhook.deleted';

export interface AuditRecord {
  action: AuditAction;
  actorUserId?: string | null;
  organizationId?: string | null;
  targetType?: string;
  targetId?: string;
  /** Ids, flags and outcomes only. */
  details?: Record<string, unknown>;
}

export interface AuditRow {
  action: AuditAction;
  actorUserId: string | null;
  organizationId: string | null;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
}

@Injectable()
export class AuditService {
  constructor(private readonly audit: AuditRepository) {}

  /** Appends an entry; pass the use case's manager so it commits (or not) with the change. */
  async record(entry: AuditRecord, em?: EntityManager): Promise<void> {
    await this.audit.insert(this.row(entry), em);
  }

  /**
   * The row an entry becomes, with the request's address and id, for a feature that writes it
   * in its own statement (the case insert, through `auditInsertMany`): committed with the change,
   * at no extra round trip.
   */
  row(entry: AuditRecord): AuditRow {
    const request = currentRequest();
    return {
      action: entry.action,
      actorUserId: entry.actorUserId ?? null,
      organizationId: entry.organizationId ?? null,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      // X-Forwarded-For is client-controlled behind TRUST_PROXY: keep only a real address.
      ip: request?.ip && isIP(request.ip) ? request.ip : null,
      requestId: request?.requestId ?? null,
      details: entry.details ?? {},
    };
  }

  /** admin: every entry; org_admin: its own organisation's. */
  async list(actor: Actor, query: AuditQueryDto): Promise<Page<AuditEntryResponseDto>> {
    if (actor.role !== 'admin' && actor.role !== 'org_admin') throw new ForbiddenError();
    if (
      actor.role === 'org_admin' &&
      query.organizationId &&
      query.organizationId !== actor.organizationId
    ) {
      throw new ForbiddenError('You can only read the audit trail of your own organisation.');
    }
    const rows = await this.audit.list({
      organizationId: actor.role === 'admin' ? query.organizationId : actor.organizationId,
      action: query.action,
      actorUserId: query.actorUserId,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
      cursor: query.cursor,
      limit: query.limit,
    });
    return toPage(rows, query.limit, toAuditEntryResponse, (r) => [
      r.occurredAt.toISOString(),
      r.id,
    ]);
  }
}

export function toAuditEntryResponse(e: AuditEntryEntity): AuditEntryResponseDto {
  return {
    id: e.id,
    occurredAt: e.occurredAt.toISOString(),
    action: e.action,
    actorUserId: e.actorUserId,
    organizationId: e.organizationId,
    targetType: e.targetType,
    targetId: e.targetId,
    ip: e.ip,
    requestId: e.requestId,
    details: e.details,
  };
}
