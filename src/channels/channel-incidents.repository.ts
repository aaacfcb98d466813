import { Injectable } from '@nestjs/common';
import { EntityManager, QueryDeepPartialEntity } from 'typeorm';
import { decodeCursor } from '../common/pagination/cursor';
import { insertReturning } from '../database/insert';
import { TransactionRunner } from '../database/transaction';
import { ChannelIncidentEntity, IncidentKind } from './channel-incident.entity';

export interface IncidentRow {
  id: string;
  channelId: string;
  organizationId: string | null;
  platformCode: string;
  channelCode: string;
  channelName: string;
  kind: IncidentKind;
  since: string;
  description: string;
  resolvedOn: string | null;
  resolutionNote: string | null;
  organizationSlug: string | null;
  organizationName: string | null;
  confirmations: number;
  yours: boolean;
  createdAt: Date;
}

export interface IncidentFilter {
  id?: string;
  platform?: string;
  channel?: string;
  channelIds?: string[];
  status?: 'open' | 'resolved';
}

/**
 * Channel incidents are community content: every signed-in user reads every incident (they
 * say nothing of cases). `yours` is computed for the reader's organisation.
 */
@Injectable()
export class ChannelIncidentsRepository {
  constructor(private readonly tx: TransactionRunner) {}

  list(
    readerOrganizationId: string,
    filter: IncidentFilter,
    page: { cursor?: string; limit: number },
    em: EntityManager = this.tx.manager,
  ): Promise<IncidentRow[]> {
    const params: unknown[] = [readerOrganizationId];
    const where: string[] = ['true'];
    const add = (sql: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (filter.id) add((n) => `i.id = ${n}::uuid`, filter.id);
    if (filter.platform) add((n) => `p.code = ${n}`, filter.platform);
    if (filter.channel) add((n) => `ch.code = ${n}`, filter.channel);
    if (filter.channelIds) add((n) => `i.channel_id = ANY(${n}::uuid[])`, filter.channelIds);
    if (filter.status === 'open') where.push('i.resolved_on IS NULL');
    if (filter.status === 'resolved') where.push('i.resolved_on IS NOT NULL');
    if (page.cursor) {
      const [at, id] = decodeCursor(page.cursor, ['timestamp', 'uuid']);
      params.push(at, id);
      where.push(
        `(i.created_at, i.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`,
      );
    }
    params.push(page.limit + 1);
    return em.query(
      `SELECT i.id, i.channel_id AS "channelId", i.organization_id AS "organizationId",
              p.code AS "platformCode", ch.code AS "channelCode", ch.name AS "channelName",
              i.kind, i.since::text AS since, i.description, i.resolved_on::text AS "resolvedOn",
              i.resolution_note AS "resolutionNote", o.slug AS "organizationSlug",
              o.name AS "organizationName",
              (SELECT count(*)::int FROM channel_incident_confirmations k WHERE k.incident_id = i.id) AS confirmations,
              (i.organization_id = $1::uuid OR EXISTS (
                 SELECT 1 FROM channel_incident_confirmations k
                  WHERE k.incident_id = i.id AND k.organization_id = $1::uuid)) AS yours,
              i.created_at AS "createdAt"
         FROM channel_incidents i
         JOIN channels ch ON ch.id = i.channel_id
         JOIN platforms p ON p.id = ch.platform_id
         LEFT JOIN organizations o ON o.id = i.organization_id
        WHERE ${where.join(' AND ')}
        ORDER BY i.created_at DESC, i.id DESC
        LIMIT $${params.length}`,
      params,
    );
  }

  /** What an alert says of an incident: the channel, the kind and since when (no description). */
  async alertFacts(id: string): Promise<{
    id: string;
    platformCode: string;
    channelCode: string;
    kind: string;
    since: string;
  } | null> {
    const [row] = await this.tx.manager.query(
      `SELECT i.id, p.code AS "platformCode", ch.code AS "channelCode", i.kind::text AS kind,
              i.since::text AS since
         FROM channel_incidents i
         JOIN channels ch ON ch.id = i.channel_id
         JOIN platforms p ON p.id = ch.platform_id
        WHERE i.id = $1`,
      [id],
    );
    return row ?? null;
  }

  async findRow(readerOrganizationId: string, id: string, em?: EntityManager) {
    const [row] = await this.list(readerOrganizationId, { id }, { limit: 1 }, em);
    return row ?? null;
  }

  findForUpdate(id: string, em: EntityManager): Promise<ChannelIncidentEntity | null> {
    return em
      .createQueryBuilder(ChannelIncidentEntity, 'i')
      .where('i.id = :id', { id })
      .setLock('pessimistic_write')
      .getOne();
  }

  insert(values: Partial<ChannelIncidentEntity>, em: EntityManager) {
    return insertReturning(em, ChannelIncidentEntity, values);
  }

  async update(
    id: string,
    values: QueryDeepPartialEntity<ChannelIncidentEntity>,
    em: EntityManager,
  ): Promise<void> {
    await em.update(ChannelIncidentEntity, { id }, values);
  }

  /** One confirmation per organisation: false when the organisation had already confirmed. */
  async confirm(
    incidentId: string,
    organizationId: string,
    userId: string,
    note: string | null,
    em: EntityManager,
  ): Promise<boolean> {
    const rows: unknown[] = await em.query(
      `INSERT INTO channel_incident_confirmations (incident_id, organization_id, user_id, note)
       VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING incident_id`,
      [incidentId, organizationId, userId, note],
    );
    return rows.length > 0;
  }

  /**
   * Per channel, the incidents that overlap [from, to] (open ones run to today): the scorecard
   * marks its rows with them.
   */
  overlapping(
    from: string,
    to: string,
  ): Promise<{ platformCode: string; channelCode: string; open: number; overlapping: number }[]> {
    return this.tx.manager.query(
      `SELECT p.code AS "platformCode", ch.code AS "channelCode",
              count(*) FILTER (WHERE i.resolved_on IS NULL)::int AS open,
              count(*)::int AS overlapping
         FROM channel_incidents i
         JOIN channels ch ON ch.id = i.channel_id
         JOIN platforms p ON p.id = ch.platform_id
        WHERE i.since <= $2::date AND (i.resolved_on IS NULL OR i.resolved_on >= $1::date)
        GROUP BY p.code, ch.code`,
      [from, to],
    );
  }
}
