import { Injectable } from '@nestjs/common';
import { EntityManager, QueryDeepPartialEntity } from 'typeorm';
import { decodeCursor } from '../common/pagination/cursor';
import { insertReturning } from '../database/insert';
import { TransactionRunner } from '../database/transaction';
import { ChannelAccessEntity, ChannelAccessStatus } from '../platforms/channel-access.entity';
import { ChannelAccessHistoryEntity } from './channel-access-history.entity';

/** Who reads: their organisation's own evidence, or all of it for a community admin. */
export interface Reader {
  organizationId: string;
  isAdmin: boolean;
}

export interface AccessRow {
  id: string;
  organizationId: string;
  organizationSlug: string;
  organizationName: string;
  channelId: string;
  platformCode: string;
  channelCode: string;
  channelName: string;
  countries: string[];
  since: string;
  until: string | null;
  status: ChannelAccessStatus;
  evidenceNote: string | null;
  confirmedOn: string | null;
  confirmedBy: string | null;
  decidedAt: Date | null;
  decisionReason: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface AccessFilter {
  platform?: string;
  channel?: string;
  country?: string;
  organization?: string;
  status?: ChannelAccessStatus;
  id?: string;
}

export interface OverviewRow {
  platformCode: string;
  platformName: string;
  country: string;
  slug: string | null;
  name: string | null;
  channelCode: string | null;
  claimed: number;
}

/**
 * The evidence columns, in SQL: the organisation's own and the admins' only. What another
 * organisation may not read never leaves the database.
 */
const PRIVATE = (column: string) =>
  `CASE WHEN $1::boolean OR ca.organization_id = $2::uuid THEN ${column} END`;

const SELECT = `
  SELECT ca.id, ca.organization_id AS "organizationId", o.slug AS "organizationSlug",
         o.name AS "organizationName", ca.channel_id AS "channelId", p.code AS "platformCode",
         ch.code AS "channelCode", ch.name AS "channelName", ca.countries,
         ca.since::text AS since, ca.until::text AS until, ca.status,
         ${PRIVATE('ca.evidence_note')} AS "evidenceNote", ca.confirmed_on::text AS "confirmedOn",
         ${PRIVATE('ca.confirmed_by')} AS "confirmedBy", ca.decided_at AS "decidedAt",
         ${PRIVATE('ca.decision_reason')} AS "decisionReason", ca.version,
         ca.created_at AS "createdAt", ca.updated_at AS "updatedAt"
    FROM channel_access ca
    JOIN organizations o ON o.id = ca.organization_id
    JOIN channels ch ON ch.id = ca.channel_id
    JOIN platforms p ON p.id = ch.platform_id`;

@Injectable()
export class ChannelRegistryRepository {
  constructor(private readonly tx: TransactionRunner) {}

  /**
   * Access records, newest first, keyset-paginated (one extra row). The registry is the
   * community's: every signed-in reader sees every claim, approval and revocation, but a
   * refused claim only its organisation and the admins, and the evidence columns likewise.
   */
  list(
    reader: Reader,
    filter: AccessFilter,
    page: { cursor?: string; limit: number },
    em: EntityManager = this.tx.manager,
  ): Promise<AccessRow[]> {
    const params: unknown[] = [reader.isAdmin, reader.organizationId];
    // A refusal is between the organisation and the coordination: nobody else sees it.
    const where: string[] = [
      `(ca.status <> 'refused' OR $1::boolean OR ca.organization_id = $2::uuid)`,
    ];
    const add = (sql: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (filter.id) add((n) => `ca.id = ${n}::uuid`, filter.id);
    if (filter.platform) add((n) => `p.code = ${n}`, filter.platform);
    if (filter.channel) add((n) => `ch.code = ${n}`, filter.channel);
    if (filter.country) add((n) => `${n} = ANY(ca.countries)`, filter.country);
    if (filter.organization) add((n) => `ca.organization_id = ${n}::uuid`, filter.organization);
    if (filter.status) add((n) => `ca.status = ${n}::channel_access_status`, filter.status);
    if (page.cursor) {
      const [at, id] = decodeCursor(page.cursor, ['timestamp', 'uuid']);
      params.push(at, id);
      where.push(
        `(ca.created_at, ca.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`,
      );
    }
    params.push(page.limit + 1);
    return em.query(
      `${SELECT} WHERE ${where.join(' AND ')}
       ORDER BY ca.created_at DESC, ca.id DESC LIMIT $${params.length}`,
      params,
    );
  }

  async findRow(reader: Reader, id: string, em?: EntityManager): Promise<AccessRow | null> {
    const [row] = await this.list(reader, { id }, { limit: 1 }, em);
    return row ?? null;
  }

  /** The record, locked for a change. */
  findForUpdate(id: string, em: EntityManager): Promise<ChannelAccessEntity | null> {
    return em
      .createQueryBuilder(ChannelAccessEntity, 'ca')
      .where('ca.id = :id', { id })
      .setLock('pessimistic_write')
      .getOne();
  }

  insert(values: Partial<ChannelAccessEntity>, em: EntityManager): Promise<ChannelAccessEntity> {
    return insertReturning(em, ChannelAccessEntity, values);
  }

  async update(
    id: string,
    values: QueryDeepPartialEntity<ChannelAccessEntity>,
    em: EntityManager,
  ): Promise<void> {
    await em.update(ChannelAccessEntity, { id }, values);
  }

  async addHistory(values: Partial<ChannelAccessHistoryEntity>, em: EntityManager): Promise<void> {
    await em.insert(ChannelAccessHistoryEntity, values);
  }

  history(
    reader: Reader,
    accessId: string,
  ): Promise<
    {
      version: number;
      action: ChannelAccessHistoryEntity['action'];
      status: ChannelAccessStatus;
      countries: string[];
      since: string;
      until: string | null;
      reason: string | null;
      actorUserId: string | null;
      at: Date;
    }[]
  > {
    return this.tx.manager.query(
      `SELECT h.version, h.action, h.status, h.countries, h.since::text AS since,
              h.until::text AS until, ${PRIVATE('h.reason')} AS reason,
              h.actor_user_id AS "actorUserId", h.created_at AS at
         FROM channel_access_history h
         JOIN channel_access ca ON ca.id = h.access_id
        WHERE h.access_id = $3
          AND (ca.status <> 'refused' OR $1::boolean OR ca.organization_id = $2::uuid)
        ORDER BY h.version`,
      [reader.isAdmin, reader.organizationId, accessId],
    );
  }

  /**
   * Per platform and country: the organisations with approved access on `date` (one row each,
   * by channel), and how many claims wait (a row with no organisation when there is none).
   */
  overview(date: string, country?: string, platform?: string): Promise<OverviewRow[]> {
    return this.tx.manager.query(
      `WITH spread AS (
         SELECT p.code AS platform_code, p.name AS platform_name, c AS country, ca.status,
                o.slug, o.name, ch.code AS channel_code
           FROM channel_access ca
           JOIN channels ch ON ch.id = ca.channel_id
           JOIN platforms p ON p.id = ch.platform_id
           JOIN organizations o ON o.id = ca.organization_id
           CROSS JOIN LATERAL unnest(ca.countries) AS c
          WHERE ca.status IN ('approved', 'claimed')
            AND ca.since <= $1::date AND (ca.until IS NULL OR ca.until >= $1::date)
            AND ($2::text IS NULL OR c = $2)
            AND ($3::text IS NULL OR p.code = $3))
       SELECT s.platform_code AS "platformCode", s.platform_name AS "platformName", s.country,
              a.slug, a.name, a.channel_code AS "channelCode",
              (SELECT count(*)::int FROM spread x
                WHERE x.platform_code = s.platform_code AND x.country = s.country
                  AND x.status = 'claimed') AS claimed
         FROM (SELECT DISTINCT platform_code, platform_name, country FROM spread) s
         LEFT JOIN LATERAL (
           SELECT DISTINCT y.slug, y.name, y.channel_code FROM spread y
            WHERE y.platform_code = s.platform_code AND y.country = s.country
              AND y.status = 'approved') a ON true
        ORDER BY s.platform_code, s.country, a.slug, a.channel_code`,
      [date, country ?? null, platform ?? null],
    );
  }
}
