import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Actor } from '../common/auth/actor';
import { ServiceUnavailableError } from '../common/errors/domain-error';
import { decodeCursor } from '../common/pagination/cursor';
import { byTimeAndId } from '../common/pagination/keyset';
import { auditInsertMany } from '../audit/audit.repository';
import type { AuditRow } from '../audit/audit.service';
import { preparedQuery, SqlFragment } from '../database/sql';
import { StatementBatcher } from '../database/statement-batcher';
import { TransactionRunner } from '../database/transaction';
import { caseVisibleTo, CLOCK_RUNS } from './case-sql';
import { CaseEventEntity, ResponseQuality, StatementOfReasons } from './case-event.entity';
import { CaseItemKind } from './case-item.entity';
import { CaseEventType, CaseOutcome, CaseState, CaseStatus } from './case-status.machine';
import { CaseEntity } from './case.entity';
import { IndicatorKind } from './indicator';

/**
 * A case as read: the row plus the codes of its platform and channel. The deadline jobs'
 * bookkeeping and the stored durations are read by their own queries (deadlines, reports).
 */
export type CaseRow = Omit<
  CaseEntity,
  | 'overdueFor'
  | 'nextReminderAt'
  | 'remindersSent'
  | 'timeToFirstResponseSeconds'
  | 'patternKey'
  | 'timeToResolutionSeconds'
> & {
  platformCode: string;
  channelCode: string;
  /** The channel's current expected response time, for a clock that (re)starts now. */
  expectedResponseHours: number;
};

export interface CaseFilter {
  status?: CaseStatus;
  /** Any of these statuses (the web interface's open cases). */
  statuses?: readonly CaseStatus[];
  /** Cases owned by this organisation only (still within what the actor may see). */
  organizationId?: string;
  platformId?: string;
  channel?: string;
  category?: string;
  country?: string;
  urgency?: string;
  overdue?: boolean;
  needsContact?: boolean;
  /** The owner's user id, or null for unassigned cases. */
  ownerId?: string | null;
  from?: string;
  to?: string;
  q?: string;
}

export interface NewCase {
  id: string;
  year: number;
  organizationId: string;
  createdBy: string;
  platformId: string;
  channelId: string;
  contactId: string | null;
  /** Who follows it up; imported cases start unassigned (the bulk insert leaves it null). */
  ownerId?: string | null;
  title: string;
  summary: string;
  categoryCode: string;
  subcategoryCode: string | null;
  targetGroups: string[];
  country: string;
  contentLanguage: string | null;
  urgency: string;
  tlp: string;
  sharedOrganizationIds: string[];
  sharedUserIds: string[];
  consentToSharePattern: boolean;
  platformReference: string | null;
  state: CaseState;
  now: Date;
  /** The timeline it starts with: `created`, and `escalated` when it was. */
  events: {
    type: CaseEventType;
    occurredAt: Date;
    statusAfter: CaseStatus;
    outcome?: CaseOutcome | null;
  }[];
  items: NewItem[];
  indicators: NewIndicator[];
  idempotency?: { key: string; requestHash: string };
  /** The audit entry of the creation, written by the same statement. */
  audit?: AuditRow;
}

export interface NewItem {
  url: string;
  kind: CaseItemKind;
  contentSha256: string | null;
  capturedAt: Date | null;
}

export interface NewIndicator {
  kind: IndicatorKind;
  value: string;
  valueHash: string;
}

export interface NewEvent {
  caseId: string;
  type: CaseEventType;
  occurredAt: Date;
  actorUserId: string | null;
  statusAfter: CaseStatus;
  note?: string | null;
  outcome?: CaseOutcome | null;
  platformReference?: string | null;
  quality?: ResponseQuality | null;
  statementOfReasons?: StatementOfReasons | null;
  details?: Record<string, unknown>;
}

/** Must stay identical to the expression of `idx_cases_search` (migration), or it is not used. */
const SEARCH_DOCUMENT = `to_tsvector('simple', c.reference || ' ' || c.title || ' ' || c.summary)`;

/** Waiting for the platform past the deadline; a stopped clock is not late. */
const OVERDUE = (now: string) => `(${CLOCK_RUNS} AND c.due_at < ${now})`;

const CASE_SELECT = `SELECT c.id, c.reference, c.organization_id, c.created_by, c.platform_id,
  c.channel_id, c.contact_id, c.owner_id, c.title, c.summary, c.category_code, c.subcategory_code,
  c.target_groups, c.country, c.content_language, c.urgency, c.tlp, c.shared_organization_ids,
  c.shared_user_ids, c.consent_to_share_pattern, c.platform_reference, c.status, c.outcome,
  c.escalated_at, c.due_at, c.first_response_at, c.resolved_at, c.closed_at, c.paused_at,
  c.paused_seconds, c.needs_contact, c.content_removed_at, c.version, c.created_at, c.updated_at,
  p.code AS platform_code, ch.code AS channel_code, ch.expected_response_hours
  FROM cases c
  JOIN platforms p ON p.id = c.platform_id
  JOIN channels ch ON ch.id = c.channel_id`;

type RawCase = Record<string, unknown>;

export function toCaseRow(r: RawCase): CaseRow {
  return {
    id: r.id as string,
    reference: r.reference as string,
    organizationId: r.organization_id as string,
    createdBy: r.created_by as string,
    platformId: r.platform_id as string,
    channelId: r.channel_id as string,
    contactId: r.contact_id as string | null,
    ownerId: r.owner_id as string | null,
    title: r.title as string,
    summary: r.summary as string,
    categoryCode: r.category_code as string,
    subcategoryCode: r.subcategory_code as string | null,
    targetGroups: r.target_groups as string[],
    country: r.country as string,
    contentLanguage: r.content_language as string | null,
    urgency: r.urgency as CaseRow['urgency'],
    tlp: r.tlp as CaseRow['tlp'],
    sharedOrganizationIds: r.shared_organization_ids as string[],
    sharedUserIds: r.shared_user_ids as string[],
    consentToSharePattern: r.consent_to_share_pattern as boolean,
    platformReference: r.platform_reference as string | null,
    status: r.status as CaseStatus,
    outcome: r.outcome as CaseOutcome | null,
    escalatedAt: r.escalated_at as Date | null,
    dueAt: r.due_at as Date | null,
    firstResponseAt: r.first_response_at as Date | null,
    resolvedAt: r.resolved_at as Date | null,
    closedAt: r.closed_at as Date | null,
    pausedAt: r.paused_at as Date | null,
    pausedSeconds: r.paused_seconds as number,
    needsContact: r.needs_contact as boolean,
    contentRemovedAt: r.content_removed_at as Date | null,
    version: r.version as number,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
    platformCode: r.platform_code as string,
    channelCode: r.channel_code as string,
    expectedResponseHours: r.expected_response_hours as number,
  };
}

/** Positional parameters for hand-written SQL: `p(value)` appends one and returns `$n`. */
/**
 * SQLSTATE classes one case of a group can cause: a refused value (22), a constraint (23), a
 * deadlock with another group (40). Anything else fails the group as a whole.
 */
const ONE_CASE_ERROR = /^(22|23|40)/;

function sqlState(error: unknown): string | undefined {
  const e = error as { code?: unknown; driverError?: { code?: unknown } } | undefined;
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' ? code : undefined;
}

interface ItemRow {
  caseId: string;
  position: number;
  item: NewItem;
}

interface IndicatorRow {
  caseId: string;
  organizationId: string;
  indicator: NewIndicator;
}

/** The INSERT of items of any number of cases: alone, or in the case insert's statement. */
const itemsInsert =
  (rows: ItemRow[]): SqlFragment =>
  (p) =>
    `INSERT INTO case_items (case_id, position, url, kind, content_sha256, captured_at)
     SELECT x.case_id, x.position, x.url, x.kind::case_item_kind, x.sha, x.captured
     FROM unnest(${p(rows.map((r) => r.caseId))}::uuid[], ${p(rows.map((r) => r.position))}::int[],
       ${p(rows.map((r) => r.item.url))}::text[], ${p(rows.map((r) => r.item.kind))}::text[],
       ${p(rows.map((r) => r.item.contentSha256))}::text[],
       ${p(rows.map((r) => r.item.capturedAt))}::timestamptz[])
       AS x(case_id, position, url, kind, sha, captured)`;

/**
 * The INSERT of indicators of any number of cases: alone, or in the case insert's statement. A
 * repeat within a case is kept once.
 */
const indicatorsInsert =
  (rows: IndicatorRow[]): SqlFragment =>
  (p) =>
    `INSERT INTO case_indicators (case_id, organization_id, kind, value, value_hash)
     SELECT x.case_id, x.organization_id, x.kind::indicator_kind, x.value, x.hash
     FROM unnest(${p(rows.map((r) => r.caseId))}::uuid[],
       ${p(rows.map((r) => r.organizationId))}::uuid[],
       ${p(rows.map((r) => r.indicator.kind))}::text[],
       ${p(rows.map((r) => r.indicator.value))}::text[],
       ${p(rows.map((r) => r.indicator.valueHash))}::text[])
       AS x(case_id, organization_id, kind, value, hash)
     ON CONFLICT ON CONSTRAINT uq_case_indicators_case_hash DO NOTHING`;

class Params {
  readonly values: unknown[] = [];
  p = (value: unknown): string => `$${this.values.push(value)}`;
}

/** All SQL of cases. Every read goes through `visible()`: TLP is in the query, never after it. */
@Injectable()
export class CasesRepository {
  /**
   * Cases logged at the same moment share one statement (group commit): alone, a case pays
   * PostgreSQL a commit, the statement triggers and an executor start, about twice what its share
   * of a group costs. Two statements at a time keep two cores busy and carry up to 200 cases,
   * far more than helplines log at once. A case waits for a statement no longer than a request
   * waits for a pooled connection; two cases with one Idempotency-Key never share a statement.
   */
  private readonly creations = new StatementBatcher<NewCase, string>(
    async (cases) => {
      const references = await this.insertMany(cases, this.tx.manager);
      return cases.map((c) => references.get(c.id)!);
    },
    {
      inFlight: 2,
      maxBatch: 100,
      maxWaitMs: 5000,
      busy: () => new ServiceUnavailableError('The database is busy; try again shortly.'),
      itemError: (error) => ONE_CASE_ERROR.test(sqlState(error) ?? ''),
      keyOf: (c) => c.idempotency && `${c.createdBy} ${c.idempotency.key}`,
    },
  );

  constructor(private readonly tx: TransactionRunner) {}

  private visible(actor: Actor, params: Params): string {
    return caseVisibleTo(params.p(actor.organizationId), params.p(actor.userId));
  }

  private filters(actor: Actor, filter: CaseFilter, now: Date, params: Params): string[] {
    const { p } = params;
    const where = [this.visible(actor, params)];
    if (filter.status) where.push(`c.status = ${p(filter.status)}`);
    if (filter.statuses) where.push(`c.status = ANY(${p(filter.statuses)}::case_status[])`);
    if (filter.organizationId) where.push(`c.organization_id = ${p(filter.organizationId)}`);
    if (filter.platformId) where.push(`c.platform_id = ${p(filter.platformId)}`);
    if (filter.channel) where.push(`ch.code = ${p(filter.channel)}`);
    if (filter.category) where.push(`c.category_code = ${p(filter.category)}`);
    if (filter.country) where.push(`c.country = ${p(filter.country)}`);
    if (filter.urgency) where.push(`c.urgency = ${p(filter.urgency)}`);
    if (filter.overdue !== undefined) {
      where.push(`${filter.overdue ? '' : 'NOT '}${OVERDUE(p(now))}`);
    }
    if (filter.needsContact !== undefined) {
      where.push(`c.needs_contact = ${p(filter.needsContact)}`);
    }
    if (filter.ownerId === null) where.push('c.owner_id IS NULL');
    else if (filter.ownerId) where.push(`c.owner_id = ${p(filter.ownerId)}`);
    if (filter.from) where.push(`c.escalated_at >= ${p(filter.from)}`);
    if (filter.to) where.push(`c.escalated_at < ${p(filter.to)}`);
    if (filter.q) {
      const q = p(filter.q);
      where.push(
        `(${SEARCH_DOCUMENT} @@ websearch_to_tsquery('simple', ${q}) OR c.reference = upper(${q}))`,
      );
    }
    return where;
  }

  /** The case if the actor may see it; `lock` holds the row for the rest of the transaction. */
  async findVisible(
    actor: Actor,
    id: string,
    em: EntityManager = this.tx.manager,
    lock = false,
  ): Promise<CaseRow | null> {
    const params = new Params();
    const sql = `${CASE_SELECT} WHERE c.id = ${params.p(id)} AND ${this.visible(actor, params)}${
      lock ? ' FOR UPDATE OF c' : ''
    }`;
    const rows: RawCase[] = await em.query(sql, params.values);
    return rows[0] ? toCaseRow(rows[0]) : null;
  }

  /** Newest first, `limit + 1` rows (the extra one says whether a next page exists). */
  async list(
    actor: Actor,
    filter: CaseFilter & { cursor?: string; limit: number },
    now: Date,
  ): Promise<CaseRow[]> {
    const params = new Params();
    const where = this.filters(actor, filter, now, params);
    if (filter.cursor) {
      const [at, id] = decodeCursor(filter.cursor, ['timestamp', 'uuid']);
      where.push(`(c.created_at, c.id) < (${params.p(at)}::timestamptz, ${params.p(id)}::uuid)`);
    }
    const sql = `${CASE_SELECT} WHERE ${where.join(' AND ')}
      ORDER BY c.created_at DESC, c.id DESC LIMIT ${params.p(filter.limit + 1)}`;
    const rows: RawCase[] = await this.tx.manager.query(sql, params.values);
    return rows.map(toCaseRow);
  }

  /**
   * A work queue: the most overdue first (by how late, then the most urgent), then the others
   * by deadline, then the newest; `limit + 1` rows from `offset` (pages of a person's queue).
   */
  async queue(
    actor: Actor,
    filter: CaseFilter,
    now: Date,
    page: { offset: number; limit: number },
  ): Promise<CaseRow[]> {
    const params = new Params();
    const where = this.filters(actor, filter, now, params);
    const at = params.p(now);
    const sql = `${CASE_SELECT} WHERE ${where.join(' AND ')}
      ORDER BY CASE WHEN ${OVERDUE(at)} THEN ${at}::timestamptz - c.due_at END DESC NULLS LAST,
        c.urgency DESC, c.due_at ASC NULLS LAST, c.created_at DESC, c.id DESC
      LIMIT ${params.p(page.limit + 1)} OFFSET ${params.p(page.offset)}`;
    const rows: RawCase[] = await this.tx.manager.query(sql, params.values);
    return rows.map(toCaseRow);
  }

  async count(actor: Actor, filter: CaseFilter, now: Date): Promise<number> {
    const params = new Params();
    const where = this.filters(actor, filter, now, params);
    const rows: { count: string }[] = await this.tx.manager.query(
      `SELECT count(*) AS count FROM cases c JOIN channels ch ON ch.id = c.channel_id
       WHERE ${where.join(' AND ')}`,
      params.values,
    );
    return Number(rows[0].count);
  }

  /**
   * Logs one case (POST /v1/cases) with its first events, items, indicators, idempotency key and
   * audit entry; answers its reference. Concurrent calls share a statement (`creations`).
   */
  insert(c: NewCase): Promise<string> {
    return this.creations.submit(c);
  }

  /** The case an earlier POST with this key created, and the hash of that request. */
  async findIdempotent(
    userId: string,
    key: string,
    notBefore: Date,
  ): Promise<{ caseId: string; requestHash: string } | null> {
    const rows: { case_id: string; request_hash: string }[] = await this.tx.manager.query(
      `SELECT case_id, request_hash FROM idempotency_keys
       WHERE user_id = $1 AND key = $2 AND created_at >= $3`,
      [userId, key, notBefore],
    );
    return rows[0] ? { caseId: rows[0].case_id, requestHash: rows[0].request_hash } : null;
  }

  /** Keys older than the replay window are forgotten, so the key may be used again. */
  async forgetIdempotencyKey(userId: string, key: string, before: Date): Promise<void> {
    await this.tx.manager.query(
      'DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND created_at < $3',
      [userId, key, before],
    );
  }

  async items(caseId: string, em: EntityManager = this.tx.manager): Promise<NewItem[]> {
    const rows: {
      url: string;
      kind: CaseItemKind;
      content_sha256: string | null;
      captured_at: Date | null;
    }[] = await em.query(
      `SELECT url, kind, content_sha256, captured_at FROM case_items WHERE case_id = $1
       ORDER BY position`,
      [caseId],
    );
    return rows.map((r) => ({
      url: r.url,
      kind: r.kind,
      contentSha256: r.content_sha256,
      capturedAt: r.captured_at,
    }));
  }

  async indicators(
    caseId: string,
    em: EntityManager = this.tx.manager,
  ): Promise<{ kind: IndicatorKind; value: string }[]> {
    return em.query(
      // A value removed by the retention rule (its hash kept for matching) is no indicator to show.
      `SELECT kind, value FROM case_indicators WHERE case_id = $1 AND value <> ''
        ORDER BY kind, value`,
      [caseId],
    );
  }

  async replaceItems(caseId: string, items: NewItem[], em: EntityManager): Promise<void> {
    await em.query('DELETE FROM case_items WHERE case_id = $1', [caseId]);
    await this.insertItems(
      items.map((item, i) => ({ caseId, position: i + 1, item })),
      em,
    );
  }

  async replaceIndicators(
    caseId: string,
    organizationId: string,
    indicators: NewIndicator[],
    em: EntityManager,
  ): Promise<void> {
    await em.query('DELETE FROM case_indicators WHERE case_id = $1', [caseId]);
    await this.insertIndicators(
      indicators.map((indicator) => ({ caseId, organizationId, indicator })),
      em,
    );
  }

  /** Items of any number of cases, one statement. */
  private async insertItems(rows: ItemRow[], em: EntityManager): Promise<void> {
    if (rows.length === 0) return;
    const { p, values } = new Params();
    await em.query(itemsInsert(rows)(p), values);
  }

  /** Indicators of any number of cases, one statement. */
  private async insertIndicators(rows: IndicatorRow[], em: EntityManager): Promise<void> {
    if (rows.length === 0) return;
    const { p, values } = new Params();
    await em.query(indicatorsInsert(rows)(p), values);
  }

  /**
   * Writes the changed columns and moves the version on, only if it is still `expectedVersion`.
   * Returns false when someone else changed the case first.
   */
  async update(
    id: string,
    changes: Partial<CaseEntity>,
    expectedVersion: number,
    now: Date,
    em: EntityManager,
  ): Promise<boolean> {
    const result = await em
      .createQueryBuilder()
      .update(CaseEntity)
      .set({ ...changes, version: () => 'version + 1', updatedAt: now })
      .where('id = :id AND version = :expectedVersion', { id, expectedVersion })
      .execute();
    return result.affected === 1;
  }

  async insertEvent(event: NewEvent, now: Date, em: EntityManager): Promise<string> {
    const rows: { id: string }[] = await em.query(
      `INSERT INTO case_events (case_id, type, occurred_at, recorded_at, actor_user_id,
         status_after, note, outcome, platform_reference, quality, statement_of_reasons, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
      [
        event.caseId,
        event.type,
        event.occurredAt,
        now,
        event.actorUserId,
        event.statusAfter,
        event.note ?? null,
        event.outcome ?? null,
        event.platformReference ?? null,
        event.quality ? JSON.stringify(event.quality) : null,
        event.statementOfReasons ? JSON.stringify(event.statementOfReasons) : null,
        JSON.stringify(event.details ?? {}),
      ],
    );
    return rows[0].id;
  }

  /**
   * The timeline, oldest first (the order it happened in); events of the same instant in the
   * order they were recorded (`seq`), never in the random order of their uuids.
   */
  async events(
    caseId: string,
    page: { cursor?: string; limit: number },
  ): Promise<CaseEventEntity[]> {
    const qb = this.tx.manager
      .createQueryBuilder(CaseEventEntity, 'e')
      .where('e.case_id = :caseId', { caseId });
    return byTimeAndId(qb, 'occurred_at', page, 'ASC', 'seq').getMany();
  }

  /**
   * Open cases that went through a contact who just left: each gets a `contact_changed` event
   * and is flagged, in the departure's transaction. Returns how many.
   */
  async flagCasesOfDepartedContact(
    contactId: string,
    details: Record<string, unknown>,
    now: Date,
    em: EntityManager,
  ): Promise<number> {
    const rows: { id: string }[] = await em.query(
      `WITH flagged AS (
         UPDATE cases SET needs_contact = true, version = version + 1, updated_at = $2
         WHERE contact_id = $1 AND status IN ('draft', 'escalated', 'acknowledged')
         RETURNING id, status),
       e AS (
         INSERT INTO case_events (case_id, type, occurred_at, recorded_at, actor_user_id,
           status_after, details)
         SELECT id, 'contact_changed', $2, $2, NULL, status, $3::jsonb FROM flagged)
       SELECT id FROM flagged`,
      [contactId, now, JSON.stringify(details)],
    );
    return rows.length;
  }

  /**
   * Cases of other organisations carrying the indicator: counted over every case except RED
   * ones the actor may not see (RED is for named people only), and listed only where visible.
   * Only for a value the actor's organisation logged itself, in a case the actor may see: for
   * any other value the answer is the one for a value nobody logged, so nobody can ask whether
   * other helplines saw a handle, phone or URL they never met themselves.
   */
  async matches(
    actor: Actor,
    valueHash: string,
  ): Promise<{
    organizations: number;
    cases: number;
    visible: { id: string; reference: string }[];
  }> {
    const params = new Params();
    const hash = params.p(valueHash);
    const org = params.p(actor.organizationId);
    const visible = this.visible(actor, params);
    const rows: {
      organizations: string;
      cases: string;
      visible: { id: string; reference: string }[] | null;
    }[] = await this.tx.manager.query(
      `SELECT count(DISTINCT c.organization_id) AS organizations, count(*) AS cases,
           json_agg(json_build_object('id', c.id, 'reference', c.reference)
             ORDER BY c.created_at DESC) FILTER (WHERE ${visible}) AS visible
         FROM case_indicators i JOIN cases c ON c.id = i.case_id
         WHERE i.value_hash = ${hash} AND c.organization_id <> ${org}
           AND (c.tlp <> 'RED' OR ${visible})
           -- The inner c (the visibility fragment names it so) is the asker's own case.
           AND EXISTS (SELECT 1 FROM case_indicators mine JOIN cases c ON c.id = mine.case_id
                        WHERE mine.value_hash = ${hash} AND c.organization_id = ${org}
                          AND ${visible})`,
      params.values,
    );
    return {
      organizations: Number(rows[0].organizations),
      cases: Number(rows[0].cases),
      visible: rows[0].visible ?? [],
    };
  }

  /**
   * Any number of cases, each with its events, items, indicators, idempotency key and audit
   * entry, in ONE statement (atomic on its own, or part of `em`'s transaction): the values go as
   * arrays, `unnest`ed, so the text is the same whatever the number of cases and stays prepared.
   * Events may carry an outcome (an import's past `platform_responded` or `closed`). Answers each
   * case's reference by id.
   */
  async insertMany(cases: NewCase[], em: EntityManager): Promise<Map<string, string>> {
    if (cases.length === 0) return new Map();
    const { p, values } = new Params();
    const column = <T>(pick: (c: NewCase) => T) => p(cases.map(pick));
    // Arrays per case cannot be unnested from a 2-D array (rows of different lengths): JSON.
    const nested = (pick: (c: NewCase) => string[]) => p(cases.map((c) => JSON.stringify(pick(c))));
    const events = cases.flatMap((c) => c.events.map((e) => ({ c, e })));
    const items = cases.flatMap((c) =>
      c.items.map((item, i) => ({ caseId: c.id, position: i + 1, item })),
    );
    const indicators = cases.flatMap((c) =>
      c.indicators.map((indicator) => ({
        caseId: c.id,
        organizationId: c.organizationId,
        indicator,
      })),
    );
    const keys = cases.flatMap((c) => (c.idempotency ? [{ c, key: c.idempotency }] : []));
    const audit = cases.flatMap((c) => (c.audit ? [c.audit] : []));
    const sql = `WITH c AS (
        INSERT INTO cases (id, reference, organization_id, created_by, platform_id, channel_id,
          contact_id, owner_id, title, summary, category_code, subcategory_code, target_groups,
          country, content_language, urgency, tlp, shared_organization_ids, shared_user_ids,
          consent_to_share_pattern, platform_reference, status, outcome, escalated_at, due_at,
          first_response_at, resolved_at, closed_at, paused_at, paused_seconds, created_at,
          updated_at)
        SELECT x.id, 'ESC-' || x.year || '-' || case_reference_number(nextval('case_reference_seq')),
          x.organization_id, x.created_by, x.platform_id, x.channel_id, x.contact_id, x.owner_id,
          x.title, x.summary, x.category_code, x.subcategory_code,
          ARRAY(SELECT jsonb_array_elements_text(x.target_groups)), x.country, x.content_language,
          x.urgency::case_urgency, x.tlp::tlp,
          ARRAY(SELECT jsonb_array_elements_text(x.shared_organization_ids))::uuid[],
          ARRAY(SELECT jsonb_array_elements_text(x.shared_user_ids))::uuid[],
          x.consent, x.platform_reference, x.status::case_status, x.outcome::case_outcome,
          x.escalated_at, x.due_at, x.first_response_at, x.resolved_at, x.closed_at, x.paused_at,
          x.paused_seconds, x.now, x.now
        FROM unnest(${column((c) => c.id)}::uuid[], ${column((c) => String(c.year))}::text[],
          ${column((c) => c.organizationId)}::uuid[], ${column((c) => c.createdBy)}::uuid[],
          ${column((c) => c.platformId)}::uuid[], ${column((c) => c.channelId)}::uuid[],
          ${column((c) => c.contactId)}::uuid[], ${column((c) => c.ownerId ?? null)}::uuid[],
          ${column((c) => c.title)}::text[], ${column((c) => c.summary)}::text[],
          ${column((c) => c.categoryCode)}::text[], ${column((c) => c.subcategoryCode)}::text[],
          ${nested((c) => c.targetGroups)}::jsonb[], ${column((c) => c.country)}::text[],
          ${column((c) => c.contentLanguage)}::text[], ${column((c) => c.urgency)}::text[],
          ${column((c) => c.tlp)}::text[], ${nested((c) => c.sharedOrganizationIds)}::jsonb[],
          ${nested((c) => c.sharedUserIds)}::jsonb[],
          ${column((c) => c.consentToSharePattern)}::boolean[],
          ${column((c) => c.platformReference)}::text[], ${column((c) => c.state.status)}::text[],
          ${column((c) => c.state.outcome)}::text[],
          ${column((c) => c.state.escalatedAt)}::timestamptz[],
          ${column((c) => c.state.dueAt)}::timestamptz[],
          ${column((c) => c.state.firstResponseAt)}::timestamptz[],
          ${column((c) => c.state.resolvedAt)}::timestamptz[],
          ${column((c) => c.state.closedAt)}::timestamptz[],
          ${column((c) => c.state.pausedAt)}::timestamptz[],
          ${column((c) => c.state.pausedSeconds)}::int[], ${column((c) => c.now)}::timestamptz[])
          WITH ORDINALITY AS x(id, year, organization_id, created_by, platform_id, channel_id,
            contact_id, owner_id, title, summary, category_code, subcategory_code, target_groups,
            country, content_language, urgency, tlp, shared_organization_ids, shared_user_ids,
            consent, platform_reference, status, outcome, escalated_at, due_at, first_response_at,
            resolved_at, closed_at, paused_at, paused_seconds, now, position)
        ORDER BY x.position
        RETURNING id, reference),
      e AS (
        INSERT INTO case_events (case_id, type, occurred_at, recorded_at, actor_user_id,
          status_after, outcome, platform_reference)
        SELECT x.case_id, x.type::case_event_type, x.at, x.recorded, x.actor,
          x.status::case_status, x.outcome::case_outcome,
          CASE WHEN x.type = 'escalated' THEN x.platform_reference END
        FROM unnest(${p(events.map(({ c }) => c.id))}::uuid[],
          ${p(events.map(({ e }) => e.type))}::text[],
          ${p(events.map(({ e }) => e.occurredAt))}::timestamptz[],
          ${p(events.map(({ c }) => c.now))}::timestamptz[],
          ${p(events.map(({ c }) => c.createdBy))}::uuid[],
          ${p(events.map(({ e }) => e.statusAfter))}::text[],
          ${p(events.map(({ e }) => e.outcome ?? null))}::text[],
          ${p(events.map(({ c }) => c.platformReference))}::text[])
          WITH ORDINALITY AS x(case_id, type, at, recorded, actor, status, outcome,
            platform_reference, position)
        ORDER BY x.position),
      i AS (${itemsInsert(items)(p)}),
      n AS (${indicatorsInsert(indicators)(p)}),
      k AS (
        INSERT INTO idempotency_keys (user_id, key, request_hash, case_id, created_at)
        SELECT x.user_id, x.key, x.hash, x.case_id, x.at
        FROM unnest(${p(keys.map(({ c }) => c.createdBy))}::uuid[],
          ${p(keys.map(({ key }) => key.key))}::text[],
          ${p(keys.map(({ key }) => key.requestHash))}::text[],
          ${p(keys.map(({ c }) => c.id))}::uuid[],
          ${p(keys.map(({ c }) => c.now))}::timestamptz[]) AS x(user_id, key, hash, case_id, at)),
      a AS (${auditInsertMany(audit)(p)})
      SELECT id, reference FROM c`;
    const rows = await preparedQuery<{ id: string; reference: string }[]>(em, sql, values);
    return new Map(rows.map((r) => [r.id, r.reference]));
  }

  /**
   * The erased case the actor could see (the TLP rule on what `erased_cases` kept of it), for a
   * 410 Gone; null when there is none or they could not see it (404).
   */
  async findErased(
    actor: Actor,
    id: string,
    em: EntityManager = this.tx.manager,
  ): Promise<{ reference: string; erasedAt: Date } | null> {
    const params = new Params();
    // The alias `c` lets the cases' own visibility fragment read the columns kept for it.
    const rows: { reference: string; erased_at: Date }[] = await em.query(
      `SELECT c.reference, c.erased_at FROM erased_cases c
        WHERE c.case_id = ${params.p(id)} AND ${this.visible(actor, params)}`,
      params.values,
    );
    return rows[0] ? { reference: rows[0].reference, erasedAt: rows[0].erased_at } : null;
  }

  /**
   * Erases a case at once: the tombstone first (reference and who could see it), then the
   * timeline (the append-only guard lets this one case's events go in this transaction), then the
   * case, whose items, indicators, idempotency keys and pattern record go with it (CASCADE).
   * The response-time rollups follow by their trigger on `cases`.
   */
  async erase(caseId: string, erasedBy: string, now: Date, em: EntityManager): Promise<void> {
    await em.query(
      `INSERT INTO erased_cases (case_id, reference, organization_id, created_by, tlp,
         shared_organization_ids, shared_user_ids, erased_by, erased_at)
       SELECT id, reference, organization_id, created_by, tlp, shared_organization_ids,
         shared_user_ids, $2, $3
         FROM cases WHERE id = $1`,
      [caseId, erasedBy, now],
    );
    await em.query(`SELECT set_config('app.erase_case', $1, true)`, [caseId]);
    await em.query('DELETE FROM case_events WHERE case_id = $1', [caseId]);
    await em.query(`SELECT set_config('app.erase_case', '', true)`);
    await em.query('DELETE FROM cases WHERE id = $1', [caseId]);
  }

  /**
   * The retention rule: closed cases of the organisation closed before `closedBefore` lose their
   * content (title, summary, items, indicator values, notes of events) and keep their skeleton.
   * Indicator hashes stay (values emptied) when `keepIndicatorHashes`, else the indicators go.
   * Returns the ids of the cases redacted, at most `limit`.
   */
  async redactClosedBefore(
    organizationId: string,
    closedBefore: Date,
    keepIndicatorHashes: boolean,
    now: Date,
    limit: number,
    em: EntityManager,
  ): Promise<string[]> {
    const rows: { id: string }[] = await em.query(
      `WITH due AS (
         SELECT id FROM cases
          WHERE organization_id = $1 AND status = 'closed' AND closed_at < $2
            -- never redacted, or written to since (a note, an edit): taken (again)
            AND (content_removed_at IS NULL OR updated_at > content_removed_at)
          ORDER BY closed_at, id LIMIT $4 FOR UPDATE SKIP LOCKED),
       done AS (
         UPDATE cases c SET title = '', summary = '', content_removed_at = $3,
           version = c.version + 1, updated_at = $3
          FROM due WHERE c.id = due.id
         RETURNING c.id)
       SELECT id FROM done`,
      [organizationId, closedBefore, now, limit],
    );
    const ids = rows.map((r) => r.id);
    if (ids.length === 0) return ids;
    await em.query('DELETE FROM case_items WHERE case_id = ANY($1::uuid[])', [ids]);
    await em.query(
      keepIndicatorHashes
        ? `UPDATE case_indicators SET value = '' WHERE case_id = ANY($1::uuid[])`
        : 'DELETE FROM case_indicators WHERE case_id = ANY($1::uuid[])',
      [ids],
    );
    await em.query(`SELECT set_config('app.redact_notes', 'on', true)`);
    await em.query(
      'UPDATE case_events SET note = NULL WHERE case_id = ANY($1::uuid[]) AND note IS NOT NULL',
      [ids],
    );
    await em.query(`SELECT set_config('app.redact_notes', '', true)`);
    return ids;
  }

  /**
   * Every case of an organisation, whatever its TLP (an organisation's archive and its leaving):
   * ids and the skeleton only; content is read through the visibility rule by whoever asks.
   */
  async ownedBy(
    organizationId: string,
  ): Promise<Pick<CaseRow, 'id' | 'reference' | 'tlp' | 'status' | 'createdAt' | 'closedAt'>[]> {
    const rows: {
      id: string;
      reference: string;
      tlp: CaseRow['tlp'];
      status: CaseStatus;
      created_at: Date;
      closed_at: Date | null;
    }[] = await this.tx.manager.query(
      `SELECT id, reference, tlp, status, created_at, closed_at FROM cases
        WHERE organization_id = $1 ORDER BY created_at, id`,
      [organizationId],
    );
    return rows.map((r) => ({
      id: r.id,
      reference: r.reference,
      tlp: r.tlp,
      status: r.status,
      createdAt: r.created_at,
      closedAt: r.closed_at,
    }));
  }

  /** Locks one case of the organisation for its erasure (null: gone meanwhile). */
  async lockOwned(
    organizationId: string,
    id: string,
    em: EntityManager,
  ): Promise<{ id: string; reference: string } | null> {
    const rows: { id: string; reference: string }[] = await em.query(
      'SELECT id, reference FROM cases WHERE id = $1 AND organization_id = $2 FOR UPDATE',
      [id, organizationId],
    );
    return rows[0] ?? null;
  }
}
