import { Injectable } from '@nestjs/common';
import { EntityManager, In, IsNull, QueryDeepPartialEntity, SelectQueryBuilder } from 'typeorm';
import { Actor } from '../common/auth/actor';
import { decodeCursor } from '../common/pagination/cursor';
import { visibilityParams, visibleToSql } from '../common/sharing/tlp';
import { insertReturning } from '../database/insert';
import { TransactionRunner } from '../database/transaction';
import { ContactChannelEntity, ContactChannelKind } from './contact-channel.entity';
import { ContactEventEntity } from './contact-event.entity';
import { ContactPlatformEntity } from './contact-platform.entity';
import { ContactTenureEntity } from './contact-tenure.entity';
import { ContactEntity, ContactStatus } from './contact.entity';

/**
 * A contact with its platform's code, the further platforms it covers (same parent company), and
 * the sort key of the list it came from (for cursors).
 */
export type ContactRow = ContactEntity & {
  platformCode: string;
  otherPlatformIds: string[];
  otherPlatformCodes: string[];
  sortKey: (string | number)[];
};

export interface ContactFilter {
  platformId?: string;
  country?: string;
  language?: string;
  channel?: ContactChannelKind;
  status?: ContactStatus;
  address?: string;
  best?: boolean;
  cursor?: string;
  limit: number;
}

const CONTACT_COLUMNS = {
  organization: 'organization_id',
  creator: 'created_by',
  sharedOrganizations: 'shared_organization_ids',
};
const CONTACT_VISIBILITY = visibleToSql('c', 'tlp', CONTACT_COLUMNS);
const SUCCESSOR_VISIBILITY = visibleToSql('s', 'tlp', CONTACT_COLUMNS);
const LINEAGE_VISIBILITY = visibleToSql('l', 'tlp', CONTACT_COLUMNS);

/** Does the contact `id` (of platform `platformId`, both SQL expressions) work for `:platformId`? */
const covers = (id: string, platformId: string) =>
  `(${platformId} = :platformId OR EXISTS (SELECT 1 FROM contact_platforms cp WHERE cp.contact_id = ${id} AND cp.platform_id = :platformId))`;

/**
 * Who replaced each departed contact the reader may see: their successor, and if that one left
 * too (and the reader may see them), theirs, and so on; one row per departed contact and heir.
 * Suggestions follow it: a successor inherits the platforms and countries of the contacts they
 * replaced. Followed by a query over `heirs` (departed_id, platform_id, countries, heir_id);
 * uncorrelated, so PostgreSQL computes it once per query, not once per contact.
 */
const HEIRS = `WITH RECURSIVE heirs(departed_id, platform_id, countries, heir_id, depth) AS (
    SELECT l.id, l.platform_id, l.countries, l.successor_id, 1 FROM contacts l
     WHERE l.status = 'left' AND l.successor_id IS NOT NULL AND ${LINEAGE_VISIBILITY}
    UNION ALL
    SELECT heirs.departed_id, heirs.platform_id, heirs.countries, l.successor_id, heirs.depth + 1
      FROM heirs JOIN contacts l ON l.id = heirs.heir_id
     WHERE heirs.depth < 100 AND l.status = 'left' AND l.successor_id IS NOT NULL
       AND ${LINEAGE_VISIBILITY}
  )`;

@Injectable()
export class ContactsRepository {
  constructor(private readonly tx: TransactionRunner) {}

  /** Departures (left on a day in [from, to]) per platform code, among contacts the actor may see. */
  async departuresByPlatform(actor: Actor, from: string, to: string): Promise<Map<string, number>> {
    const rows: { platform: string; departures: number }[] = await this.tx.manager
      .createQueryBuilder(ContactEntity, 'c')
      .select('p.code', 'platform')
      .addSelect('count(*)::int', 'departures')
      .innerJoin('platforms', 'p', 'p.id = c.platform_id')
      .where(CONTACT_VISIBILITY, visibilityParams(actor))
      .andWhere('c.left_on BETWEEN :from AND :to', { from, to })
      .groupBy('p.code')
      .getRawMany();
    return new Map(rows.map((r) => [r.platform, r.departures]));
  }

  /** Every read starts here: the TLP rule is part of the query, never applied afterwards. */
  private visible(
    actor: Actor,
    em: EntityManager = this.tx.manager,
  ): SelectQueryBuilder<ContactEntity> {
    return (
      em
        .createQueryBuilder(ContactEntity, 'c')
        .innerJoin('platforms', 'p', 'p.id = c.platform_id')
        .addSelect('p.code', 'platform_code')
        .addSelect(
          `ARRAY(SELECT op.id::text FROM contact_platforms cp JOIN platforms op ON op.id = cp.platform_id WHERE cp.contact_id = c.id ORDER BY op.code)`,
          'other_platform_ids',
        )
        .addSelect(
          `ARRAY(SELECT op.code::text FROM contact_platforms cp JOIN platforms op ON op.id = cp.platform_id WHERE cp.contact_id = c.id ORDER BY op.code)`,
          'other_platform_codes',
        )
        // The successor's id only if the reader may see the successor too.
        .addSelect(
          `(SELECT s.id FROM contacts s WHERE s.id = c.successor_id AND ${SUCCESSOR_VISIBILITY})`,
          'visible_successor_id',
        )
        .where(CONTACT_VISIBILITY, visibilityParams(actor))
    );
  }

  private async withPlatformCode(qb: SelectQueryBuilder<ContactEntity>): Promise<ContactRow[]> {
    const { entities, raw } = await qb.getRawAndEntities<{
      platform_code: string;
      other_platform_ids: string[];
      other_platform_codes: string[];
      best_score?: number;
      best_verified?: string;
      visible_successor_id: string | null;
    }>();
    return entities.map((e, i) => {
      const r = raw[i];
      const sortKey =
        r.best_score === undefined
          ? [e.createdAt.toISOString(), e.id]
          : [Number(r.best_score), r.best_verified!, e.id];
      // Rows are answered as the reader sees them: a successor they may not see is not named.
      return Object.assign(e, {
        platformCode: r.platform_code,
        otherPlatformIds: r.other_platform_ids,
        otherPlatformCodes: r.other_platform_codes,
        successorId: r.visible_successor_id,
        sortKey,
      });
    });
  }

  /** The contact if the actor may see it; `lock` holds it for the rest of the transaction. */
  async findVisible(
    actor: Actor,
    id: string,
    em?: EntityManager,
    lock = false,
  ): Promise<ContactRow | null> {
    const qb = this.visible(actor, em).andWhere('c.id = :id', { id });
    if (lock) qb.setLock('pessimistic_write', undefined, ['c']);
    return (await this.withPlatformCode(qb))[0] ?? null;
  }

  list(actor: Actor, filter: ContactFilter): Promise<ContactRow[]> {
    const qb = this.visible(actor).limit(filter.limit + 1);
    if (filter.platformId) {
      qb.setParameter('platformId', filter.platformId);
      // Suggestions also name the successors of those who covered the platform. In this shape
      // (the contact's own platform, or one id set computed once) 10,000 contacts take
      // milliseconds; an EXISTS over the chain per contact took over a second.
      qb.andWhere(
        filter.best
          ? `(c.platform_id = :platformId OR c.id IN (
               SELECT cp.contact_id FROM contact_platforms cp WHERE cp.platform_id = :platformId
               UNION ALL (${HEIRS} SELECT heir_id FROM heirs WHERE ${covers('heirs.departed_id', 'heirs.platform_id')})))`
          : covers('c.id', 'c.platform_id'),
      );
    }
    // With `best`, country and language rank the contacts instead of filtering them.
    if (filter.country) {
      qb.setParameter('country', filter.country);
      if (!filter.best) qb.andWhere(':country = ANY(c.countries)');
    }
    if (filter.language) {
      qb.setParameter('language', filter.language);
      if (!filter.best) qb.andWhere(':language = ANY(c.languages)');
    }
    if (filter.status) qb.andWhere('c.status = :status', { status: filter.status });
    if (filter.channel) {
      qb.andWhere(
        'EXISTS (SELECT 1 FROM contact_channels ch WHERE ch.contact_id = c.id AND ch.kind = :channel AND ch.until IS NULL)',
        { channel: filter.channel },
      );
    }
    if (filter.address) {
      qb.andWhere(
        'EXISTS (SELECT 1 FROM contact_channels ch WHERE ch.contact_id = c.id AND ch.value = :address)',
        {
          address: filter.address,
        },
      );
    }
    if (filter.best) {
      // Suggestions: a contact who left is never suggested (their successor is).
      qb.andWhere(`c.status <> 'left'`);
      // Active first, then covering the country, then the language; most recently verified first.
      const country = filter.country
        ? `(:country = ANY(c.countries) OR c.id IN (${HEIRS} SELECT heir_id FROM heirs WHERE :country = ANY(heirs.countries)))`
        : 'false';
      const score = `((c.status = 'active')::int * 4 + (${country})::int * 2 + (${filter.language ? ':language = ANY(c.languages)' : 'false'})::int)`;
      const verified = `COALESCE(c.last_verified_at, '-infinity'::timestamptz)`;
      qb.addSelect(score, 'best_score')
        // As text: keeps the microseconds (and -infinity) exactly for the cursor.
        .addSelect(`${verified}::text`, 'best_verified')
        .orderBy(score, 'DESC')
        .addOrderBy(verified, 'DESC')
        .addOrderBy('c.id', 'DESC');
      if (filter.cursor) {
        const [s, v, id] = decodeCursor(filter.cursor, ['int', 'timestamp', 'uuid']);
        qb.andWhere(`(${score}, ${verified}, c.id) < (:s::int, :v::timestamptz, :cid::uuid)`, {
          s,
          v,
          cid: id,
        });
      }
    } else {
      qb.orderBy('c.created_at', 'DESC').addOrderBy('c.id', 'DESC');
      if (filter.cursor) {
        const [at, id] = decodeCursor(filter.cursor, ['timestamp', 'uuid']);
        qb.andWhere('(c.created_at, c.id) < (:at::timestamptz, :cid::uuid)', { at, cid: id });
      }
    }
    return this.withPlatformCode(qb);
  }

  /** Visible contacts of one platform, for the turnover figures. */
  listForPlatform(actor: Actor, platformId: string): Promise<ContactEntity[]> {
    return this.visible(actor).andWhere('c.platform_id = :platformId', { platformId }).getMany();
  }

  insert(values: Partial<ContactEntity>, em: EntityManager): Promise<ContactEntity> {
    return insertReturning(em, ContactEntity, values);
  }

  /** Replaces the further platforms the contact covers. */
  async replaceOtherPlatforms(
    contactId: string,
    platformIds: string[],
    em: EntityManager,
  ): Promise<void> {
    await em.delete(ContactPlatformEntity, { contactId });
    if (platformIds.length)
      await em.insert(
        ContactPlatformEntity,
        platformIds.map((platformId) => ({ contactId, platformId })),
      );
  }

  async update(
    id: string,
    values: QueryDeepPartialEntity<ContactEntity>,
    em: EntityManager,
  ): Promise<void> {
    await em.update(ContactEntity, { id }, values);
  }

  channels(
    contactIds: string[],
    currentOnly: boolean,
    em: EntityManager = this.tx.manager,
  ): Promise<ContactChannelEntity[]> {
    if (contactIds.length === 0) return Promise.resolve([]);
    return em.find(ContactChannelEntity, {
      where: { contactId: In(contactIds), ...(currentOnly ? { until: IsNull() } : {}) },
      order: { since: 'ASC' },
    });
  }

  /** Retires the current address of this kind (kept as historical) and records the new one. */
  async replaceChannel(
    contactId: string,
    kind: ContactChannelKind,
    value: string | null,
    at: Date,
    em: EntityManager,
  ): Promise<void> {
    await em.update(ContactChannelEntity, { contactId, kind, until: IsNull() }, { until: at });
    if (value !== null)
      await em.insert(ContactChannelEntity, { contactId, kind, value, since: at });
  }

  async retireChannels(contactId: string, at: Date, em: EntityManager): Promise<void> {
    await em.update(ContactChannelEntity, { contactId, until: IsNull() }, { until: at });
  }

  tenures(
    contactIds: string[],
    em: EntityManager = this.tx.manager,
  ): Promise<ContactTenureEntity[]> {
    if (contactIds.length === 0) return Promise.resolve([]);
    return em.find(ContactTenureEntity, {
      where: { contactId: In(contactIds) },
      order: { startedOn: 'ASC', createdAt: 'ASC' },
    });
  }

  /** The open tenures (current roles) of these contacts, of those the actor may see. */
  openTenures(actor: Actor, contactIds: string[]): Promise<ContactTenureEntity[]> {
    if (contactIds.length === 0) return Promise.resolve([]);
    return this.tx.manager
      .createQueryBuilder(ContactTenureEntity, 't')
      .innerJoin(ContactEntity, 'c', 'c.id = t.contact_id')
      .where(CONTACT_VISIBILITY, visibilityParams(actor))
      .andWhere('t.contact_id IN (:...contactIds)', { contactIds })
      .andWhere('t.ended_on IS NULL')
      .orderBy('t.started_on', 'ASC')
      .addOrderBy('t.created_at', 'ASC')
      .getMany();
  }

  insertTenure(
    values: Partial<ContactTenureEntity>,
    em: EntityManager,
  ): Promise<ContactTenureEntity> {
    return insertReturning(em, ContactTenureEntity, values);
  }

  async closeOpenTenures(
    contactId: string,
    values: { endedOn: string; endReason: string; handoverNotes: string | null },
    em: EntityManager,
  ): Promise<void> {
    await em.update(ContactTenureEntity, { contactId, endedOn: IsNull() }, values);
  }

  async insertEvent(values: Partial<ContactEventEntity>, em: EntityManager): Promise<void> {
    await em.insert(ContactEventEntity, values as QueryDeepPartialEntity<ContactEventEntity>);
  }

  events(
    contactId: string,
    page: { cursor?: string; limit: number },
  ): Promise<ContactEventEntity[]> {
    const qb = this.tx.manager
      .createQueryBuilder(ContactEventEntity, 'e')
      .where('e.contact_id = :contactId', { contactId })
      .orderBy('e.occurred_at', 'DESC')
      .addOrderBy('e.id', 'DESC')
      .limit(page.limit + 1);
    if (page.cursor) {
      const [at, id] = decodeCursor(page.cursor, ['timestamp', 'uuid']);
      qb.andWhere('(e.occurred_at, e.id) < (:at::timestamptz, :id::uuid)', { at, id });
    }
    return qb.getMany();
  }

  /** Successors in order, stopping at the first one the actor may not see. */
  async successorChain(
    actor: Actor,
    contactId: string,
  ): Promise<{ id: string; fullName: string; status: ContactStatus }[]> {
    const rows: { id: string; full_name: string; status: ContactStatus }[] =
      await this.tx.manager.query(
        `WITH RECURSIVE chain AS (
         SELECT c.id, c.full_name, c.status, c.successor_id, 1 AS depth
           FROM contacts c
          WHERE c.id = (SELECT successor_id FROM contacts WHERE id = $1) AND ${sqlVisibility('c')}
         UNION ALL
         SELECT c.id, c.full_name, c.status, c.successor_id, chain.depth + 1
           FROM contacts c JOIN chain ON c.id = chain.successor_id
          WHERE chain.depth < 100 AND ${sqlVisibility('c')}
       )
       SELECT id, full_name, status FROM chain ORDER BY depth`,
        [contactId, actor.organizationId, actor.userId],
      );
    return rows.map((r) => ({ id: r.id, fullName: r.full_name, status: r.status }));
  }

  async predecessorIds(actor: Actor, contactId: string): Promise<string[]> {
    const rows: { id: string }[] = await this.visible(actor)
      .select('c.id', 'id')
      .andWhere('c.successor_id = :contactId', { contactId })
      .orderBy('c.left_on', 'ASC')
      .getRawMany();
    return rows.map((r) => r.id);
  }

  /** Would making `successorId` the successor of `contactId` close a loop? */
  async wouldCycle(contactId: string, successorId: string, em: EntityManager): Promise<boolean> {
    const rows: unknown[] = await em.query(
      `WITH RECURSIVE chain(id) AS (
         SELECT $2::uuid
         UNION
         SELECT c.successor_id FROM contacts c JOIN chain ON c.id = chain.id WHERE c.successor_id IS NOT NULL
       )
       SELECT 1 FROM chain WHERE id = $1 LIMIT 1`,
      [contactId, successorId],
    );
    return rows.length > 0;
  }

  /**
   * Marks active contacts not verified since `cutoff` as unverified and writes the history
   * entry, in one statement: idempotent, and concurrent runs cannot both mark one contact.
   */
  async markStale(cutoff: Date): Promise<number> {
    const rows: unknown[] = await this.tx.manager.query(
      `WITH stale AS (
         UPDATE contacts SET status = 'unverified', updated_at = now()
          WHERE status = 'active' AND COALESCE(last_verified_at, created_at) < $1
         RETURNING id, last_verified_at
       )
       INSERT INTO contact_events (contact_id, type, changes)
       SELECT id, 'marked_unverified', jsonb_build_object('status', jsonb_build_object('from', 'active', 'to', 'unverified'), 'lastVerifiedAt', last_verified_at)
         FROM stale
       RETURNING contact_id`,
      [cutoff],
    );
    return rows.length;
  }
}

/** The TLP rule with positional parameters ($2 organisation, $3 user) for raw recursive SQL. */
function sqlVisibility(alias: string): string {
  return visibleToSql(alias, 'tlp', CONTACT_COLUMNS)
    .replace(/:tlpOrg/g, '$2::uuid')
    .replace(/:tlpUser/g, '$3::uuid');
}
