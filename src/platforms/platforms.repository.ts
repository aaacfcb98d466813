import { Injectable } from '@nestjs/common';
import { EntityManager, In, QueryDeepPartialEntity } from 'typeorm';
import { decodeCursor } from '../common/pagination/cursor';
import { insertReturning } from '../database/insert';
import { TransactionRunner } from '../database/transaction';
import { ChannelEntity } from './channel.entity';
import { PlatformEntity } from './platform.entity';
import { ReferencePlatform } from './reference-data';

export interface PartnerRow {
  channelId: string;
  organizationId: string;
  slug: string;
  name: string;
  countries: string[];
}

@Injectable()
export class PlatformsRepository {
  constructor(private readonly tx: TransactionRunner) {}

  findByCode(code: string, em: EntityManager = this.tx.manager): Promise<PlatformEntity | null> {
    return em.findOneBy(PlatformEntity, { code });
  }

  findByCodes(codes: string[], em: EntityManager = this.tx.manager): Promise<PlatformEntity[]> {
    if (codes.length === 0) return Promise.resolve([]);
    return em.findBy(PlatformEntity, { code: In(codes) });
  }

  /** Platforms by code, keyset-paginated; fetches one extra row. */
  list(page: { cursor?: string; limit: number }): Promise<PlatformEntity[]> {
    const qb = this.tx.manager
      .createQueryBuilder(PlatformEntity, 'p')
      .orderBy('p.code', 'ASC')
      .limit(page.limit + 1);
    if (page.cursor) {
      const [code] = decodeCursor(page.cursor, ['text']);
      qb.andWhere('p.code > :code', { code });
    }
    return qb.getMany();
  }

  channelsOf(platformIds: string[], em: EntityManager = this.tx.manager): Promise<ChannelEntity[]> {
    if (platformIds.length === 0) return Promise.resolve([]);
    return em.find(ChannelEntity, {
      where: { platformId: In(platformIds) },
      order: { code: 'ASC' },
    });
  }

  findChannel(
    platformId: string,
    code: string,
    em: EntityManager = this.tx.manager,
  ): Promise<ChannelEntity | null> {
    return em.findOneBy(ChannelEntity, { platformId, code });
  }

  /** The platform by code and its channel by code, in one query (channel null if it has none). */
  async findWithChannel(
    platformCode: string,
    channelCode: string,
    em: EntityManager = this.tx.manager,
  ): Promise<{ platform: PlatformEntity; channel: ChannelEntity | null } | null> {
    const platform = await em
      .createQueryBuilder(PlatformEntity, 'p')
      .leftJoinAndMapOne(
        'p.channel',
        ChannelEntity,
        'ch',
        'ch.platform_id = p.id AND ch.code = :channelCode',
        {
          channelCode,
        },
      )
      .where('p.code = :platformCode', { platformCode })
      .getOne();
    if (!platform) return null;
    const { channel, ...rest } = platform as PlatformEntity & { channel?: ChannelEntity };
    return { platform: Object.assign(new PlatformEntity(), rest), channel: channel ?? null };
  }

  findChannelById(id: string, em: EntityManager = this.tx.manager): Promise<ChannelEntity | null> {
    return em.findOneBy(ChannelEntity, { id });
  }

  insertPlatform(values: Partial<PlatformEntity>, em: EntityManager): Promise<PlatformEntity> {
    return insertReturning(em, PlatformEntity, values);
  }

  async updatePlatform(
    id: string,
    values: QueryDeepPartialEntity<PlatformEntity>,
    em: EntityManager,
  ): Promise<void> {
    await em.update(PlatformEntity, { id }, values);
  }

  insertChannel(values: Partial<ChannelEntity>, em: EntityManager): Promise<ChannelEntity> {
    return insertReturning(em, ChannelEntity, values);
  }

  async updateChannel(
    id: string,
    values: QueryDeepPartialEntity<ChannelEntity>,
    em: EntityManager,
  ): Promise<void> {
    await em.update(ChannelEntity, { id }, values);
  }

  /**
   * Organisations that may use each channel of the platform in `country` on `date`: approved
   * access only (a claim, a refusal or a revoked access is no access).
   */
  partners(platformId: string, country: string | null, date: string): Promise<PartnerRow[]> {
    return this.tx.manager.query(
      `SELECT DISTINCT ca.channel_id AS "channelId", o.id AS "organizationId", o.slug, o.name, o.countries
         FROM channel_access ca
         JOIN channels c ON c.id = ca.channel_id
         JOIN organizations o ON o.id = ca.organization_id
        WHERE c.platform_id = $1
          AND ca.status = 'approved'
          AND ($2::text IS NULL OR $2 = ANY(ca.countries))
          AND ca.since <= $3::date
          AND (ca.until IS NULL OR ca.until >= $3::date)
        ORDER BY o.slug`,
      [platformId, country, date],
    );
  }

  /** Channels the organisation may use on `date` (in `country`, when given): approved access only. */
  async usableChannelIds(
    organizationId: string,
    date: string,
    country: string | null,
  ): Promise<string[]> {
    const rows: { id: string }[] = await this.tx.manager.query(
      `SELECT DISTINCT ca.channel_id AS id
         FROM channel_access ca
        WHERE ca.organization_id = $1
          AND ca.status = 'approved'
          AND ($3::text IS NULL OR $3 = ANY(ca.countries))
          AND ca.since <= $2::date
          AND (ca.until IS NULL OR ca.until >= $2::date)`,
      [organizationId, date, country],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Adds the reference platforms and channels that are missing. Existing rows are never touched,
   * so edits made through the API survive; safe to run concurrently (ON CONFLICT DO NOTHING).
   */
  async insertMissingReferenceData(
    platforms: ReferencePlatform[],
    em: EntityManager = this.tx.manager,
  ): Promise<number> {
    await em.query(
      `INSERT INTO platforms (code, name, parent_company, dsa_vlop)
       SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::boolean[])
       ON CONFLICT (code) DO NOTHING`,
      [
        platforms.map((p) => p.code),
        platforms.map((p) => p.name),
        platforms.map((p) => p.parentCompany),
        platforms.map((p) => p.dsaVlop),
      ],
    );
    const channels = platforms.flatMap((p) =>
      p.channels.map((c) => ({ ...c, platformCode: p.code })),
    );
    const inserted: unknown[] = await em.query(
      `INSERT INTO channels (platform_id, code, name, kind, url, expected_response_hours, verified, note)
       SELECT p.id, c.code, c.name, c.kind::channel_kind, c.url, c.hours, c.verified, c.note
         FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::text[], $5::varchar[], $6::int[], $7::boolean[], $8::varchar[])
              AS c(platform_code, code, name, kind, url, hours, verified, note)
         JOIN platforms p ON p.code = c.platform_code
       ON CONFLICT (platform_id, code) DO NOTHING
       RETURNING id`,
      [
        channels.map((c) => c.platformCode),
        channels.map((c) => c.code),
        channels.map((c) => c.name),
        channels.map((c) => c.kind),
        channels.map((c) => c.url),
        channels.map((c) => c.expectedResponseHours),
        channels.map((c) => c.verified),
        channels.map((c) => c.note),
      ],
    );
    return inserted.length;
  }
}
