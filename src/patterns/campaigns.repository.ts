import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { caseVisibleTo } from '../cases/case-sql';
import { Actor } from '../common/auth/actor';
import { decodeCursor } from '../common/pagination/cursor';
import { IndicatorSighting, LinkedCases } from './campaign-linking';
import { CellCounts } from './disclosure';

/** A campaign's cases per platform, category or country, as cells (for outsiders' views). */
export interface CampaignValueCell extends CellCounts {
  campaignId: string;
  dimension: 'platform' | 'category' | 'country';
  value: string;
}

export interface CampaignRow extends CellCounts {
  id: string;
  /** Cases (the cell's count). */
  cases: number;
  involved: boolean;
  platforms: string[];
  categories: string[];
  countries: string[];
  firstSeen: string;
  lastSeen: string;
  createdAt: Date;
  /** Names of involved organisations (besides the reader's) that opted in to be named. */
  namedOrganizations: string[];
}

@Injectable()
export class CampaignsRepository {
  /**
   * Sightings of every indicator hash that two or more organisations' consenting cases carry
   * (only the shared repository: a case without consent is never linked). TLP:RED cases stay
   * out: a campaign would tell other organisations that such a case exists, which only its
   * creator and named users may know (indicator matches count them the same way).
   */
  sightings(em: EntityManager): Promise<IndicatorSighting[]> {
    return em
      .query(
        `WITH sighted AS (
           SELECT h, p.case_id, p.organization_id, c.escalated_at
             FROM pattern_records p
            CROSS JOIN unnest(p.indicator_hashes) h
             JOIN cases c ON c.id = p.case_id
            WHERE c.tlp <> 'RED'
         ), shared AS (
           SELECT h FROM sighted GROUP BY h HAVING count(DISTINCT organization_id) >= 2
         )
         SELECT h AS hash, case_id AS "caseId", organization_id AS "organizationId",
                escalated_at AS "escalatedAt"
           FROM sighted WHERE h IN (SELECT h FROM shared)`,
      )
      .then((rows: IndicatorSighting[]) => rows);
  }

  /** Campaign id of each case already in one (oldest campaign first when merged). */
  async currentCampaigns(em: EntityManager): Promise<{ caseId: string; campaignId: string }[]> {
    return em.query(
      `SELECT cc.case_id AS "caseId", cc.campaign_id AS "campaignId"
         FROM campaign_cases cc JOIN campaigns k ON k.id = cc.campaign_id
        ORDER BY k.created_at, k.id`,
    );
  }

  async create(em: EntityManager, found: LinkedCases): Promise<string> {
    const [row] = await em.query(
      `INSERT INTO campaigns (first_seen, last_seen) VALUES ($1, $2) RETURNING id`,
      [day(found.firstSeen), day(found.lastSeen)],
    );
    return row.id as string;
  }

  /** Makes the campaign hold exactly these cases and span these days. */
  async setCases(em: EntityManager, campaignId: string, found: LinkedCases): Promise<void> {
    await em.query(
      `WITH gone AS (
         DELETE FROM campaign_cases WHERE campaign_id = $1 AND NOT (case_id = ANY($2::uuid[]))
       ), added AS (
         INSERT INTO campaign_cases (campaign_id, case_id)
         SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING
       )
       UPDATE campaigns SET first_seen = $3, last_seen = $4, updated_at = now()
        WHERE id = $1 AND (first_seen, last_seen) IS DISTINCT FROM ($3::date, $4::date)`,
      [campaignId, found.caseIds, day(found.firstSeen), day(found.lastSeen)],
    );
  }

  /** Campaigns no longer found (consent withdrawn, cases gone) disappear. */
  async deleteExcept(em: EntityManager, keep: string[]): Promise<number> {
    // A bare DELETE through TypeORM answers [rows, count]: count in SQL instead.
    const [row] = await em.query(
      `WITH gone AS (DELETE FROM campaigns WHERE NOT (id = ANY($1::uuid[])) RETURNING id)
       SELECT count(*)::int AS n FROM gone`,
      [keep],
    );
    return row.n as number;
  }

  /** Records the alert of each organisation not yet alerted; returns those newly recorded. */
  async newAlerts(em: EntityManager, key: string, organizationIds: string[]): Promise<string[]> {
    const rows: { organizationId: string }[] = await em.query(
      `INSERT INTO pattern_alerts (key, organization_id)
       SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING
       RETURNING organization_id AS "organizationId"`,
      [key, organizationIds],
    );
    return rows.map((r) => r.organizationId);
  }

  /**
   * Campaigns the organisation is part of, and any other campaign of at least `k` cases that no
   * single organisation dominates (the caller protects them further). Newest first, after the
   * cursor; every one of them (campaigns are few): the caller filters and pages.
   */
  list(
    em: EntityManager,
    organizationId: string,
    k: number,
    page: { cursor?: string; id?: string },
  ): Promise<CampaignRow[]> {
    const params: unknown[] = [organizationId, k];
    const where: string[] = [];
    if (page.id) {
      params.push(page.id);
      where.push(`s.id = $${params.length}`);
    }
    if (page.cursor) {
      const [at, id] = decodeCursor(page.cursor, ['timestamp', 'uuid']);
      params.push(at, id);
      where.push(
        `(s.created_at, s.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`,
      );
    }
    return em.query(
      `WITH per_organization AS (
         SELECT cc.campaign_id, p.organization_id, count(*)::int AS n,
                sum(p.record_key)::int AS key_sum
           FROM campaign_cases cc
           JOIN pattern_records p ON p.case_id = cc.case_id
           -- A case turned RED since the last scan leaves at once, not at the next scan.
           JOIN cases c ON c.id = cc.case_id AND c.tlp <> 'RED'
          GROUP BY 1, 2
       ), s AS (
         SELECT k.id, k.first_seen, k.last_seen, k.created_at,
                sum(o.n)::int AS cases, (sum(o.key_sum) % 4096)::int AS key_sum,
                count(*)::int AS organizations, max(o.n)::int AS largest,
                bool_or(o.organization_id = $1) AS involved,
                array_agg(o.organization_id) AS organization_ids
           FROM campaigns k JOIN per_organization o ON o.campaign_id = k.id
          GROUP BY k.id
       )
       SELECT s.id, s.cases, s.cases AS count, s.key_sum AS "keySum", s.organizations,
              s.largest, s.involved,
              ARRAY(SELECT DISTINCT p.platform FROM campaign_cases cc
                      JOIN pattern_records p ON p.case_id = cc.case_id
                      JOIN cases c ON c.id = cc.case_id AND c.tlp <> 'RED'
                     WHERE cc.campaign_id = s.id ORDER BY 1) AS platforms,
              ARRAY(SELECT DISTINCT p.category FROM campaign_cases cc
                      JOIN pattern_records p ON p.case_id = cc.case_id
                      JOIN cases c ON c.id = cc.case_id AND c.tlp <> 'RED'
                     WHERE cc.campaign_id = s.id ORDER BY 1) AS categories,
              ARRAY(SELECT DISTINCT p.country FROM campaign_cases cc
                      JOIN pattern_records p ON p.case_id = cc.case_id
                      JOIN cases c ON c.id = cc.case_id AND c.tlp <> 'RED'
                     WHERE cc.campaign_id = s.id ORDER BY 1) AS countries,
              to_char(s.first_seen, 'YYYY-MM-DD') AS "firstSeen",
              to_char(s.last_seen, 'YYYY-MM-DD') AS "lastSeen", s.created_at AS "createdAt",
              ARRAY(SELECT o.name FROM organizations o
                     WHERE o.id = ANY(s.organization_ids) AND o.named_in_campaigns AND o.id <> $1
                     ORDER BY o.name) AS "namedOrganizations"
         FROM s
        WHERE s.organizations >= 2 AND (s.involved OR s.cases - s.largest >= $2)
          ${where.length ? `AND ${where.join(' AND ')}` : ''}
        ORDER BY s.created_at DESC, s.id DESC`,
      params,
    );
  }

  /** The cases of each campaign per platform, category and country, as cells. */
  valueCells(em: EntityManager, campaignIds: string[]): Promise<CampaignValueCell[]> {
    return em.query(
      `SELECT campaign_id AS "campaignId", dimension, value, sum(n)::int AS count,
              (sum(key_sum) % 4096)::int AS "keySum", count(*)::int AS organizations,
              max(n)::int AS largest
         FROM (SELECT cc.campaign_id, d.dimension, d.value, p.organization_id, count(*) AS n,
                      sum(p.record_key)::int AS key_sum
                 FROM campaign_cases cc
                 JOIN pattern_records p ON p.case_id = cc.case_id
                 JOIN cases c ON c.id = cc.case_id AND c.tlp <> 'RED'
                CROSS JOIN LATERAL (VALUES ('platform', p.platform), ('category', p.category),
                                           ('country', p.country)) d (dimension, value)
                WHERE cc.campaign_id = ANY($1::uuid[])
                GROUP BY 1, 2, 3, 4) per_organization
        GROUP BY 1, 2, 3
        ORDER BY 1, 2, 3`,
      [campaignIds],
    );
  }

  /** The campaign's cases the actor may see (TLP in SQL), with their references. */
  visibleCases(
    em: EntityManager,
    actor: Actor,
    campaignIds: string[],
  ): Promise<{ campaignId: string; id: string; reference: string }[]> {
    return em.query(
      `SELECT cc.campaign_id AS "campaignId", c.id, c.reference
         FROM campaign_cases cc JOIN cases c ON c.id = cc.case_id
        WHERE cc.campaign_id = ANY($1::uuid[]) AND ${caseVisibleTo('$2', '$3')}
        ORDER BY c.escalated_at, c.id`,
      [campaignIds, actor.organizationId, actor.userId],
    );
  }
}

const day = (d: Date) => d.toISOString().slice(0, 10);
