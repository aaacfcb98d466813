import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditAction, AuditService } from '../audit/audit.service';
import { Actor } from '../common/auth/actor';
import { Clock } from '../common/clock';
import { DomainEvents } from '../common/events/domain-events';
import { OnEvent } from '../common/events/on-event.decorator';
import { EventMap } from '../common/events/event-map';
import {
  FieldError,
  ForbiddenError,
  NotFoundError,
  ValidationFailedError,
} from '../common/errors/domain-error';
import { Page, toPage } from '../common/pagination/cursor';
import { Tlp } from '../common/sharing/tlp';
import { AppConfig } from '../config/app-config';
import { ContactsService } from '../contacts/contacts.service';
import { TransactionRunner } from '../database/transaction';
import { OrganizationsService } from '../organizations/organizations.service';
import { PlatformsService } from '../platforms/platforms.service';
import { UsersService } from '../users/users.service';
import {
  applyStep,
  AWAITING_PLATFORM,
  CaseState,
  initialState,
  responseWindowHours,
} from './case-status.machine';
import { clockRuns } from './case-clock';
import { CaseEntity } from './case.entity';
import { CaseFilter, CaseRow, CasesRepository, NewIndicator, NewItem } from './cases.repository';
import {
  IdempotencyKeyReusedError,
  VersionMismatchError,
  VersionRequiredError,
} from './cases.errors';
import {
  CaseCountQueryDto,
  CaseItemDto,
  CaseQueryDto,
  CaseResponseDto,
  CaseSummaryResponseDto,
  CreateCaseDto,
  IndicatorDto,
  UpdateCaseDto,
} from './dto/case.dto';
import { IndicatorMatchQueryDto, IndicatorMatchResponseDto } from './dto/indicator-match.dto';
import { indicatorHash, normalizeIndicator } from './indicator';
import { isSubcategoryOf } from './taxonomy';

/** How long a POST's Idempotency-Key is remembered. */
const IDEMPOTENCY_WINDOW_MS = 24 * 3_600_000;
/** Clients' clocks run a little ahead; beyond this a past event dated in the future is refused. */
const FUTURE_TOLERANCE_MS = 60_000;

/** Escalated cases: logging, reading under TLP, changing, indicator matches. */
@Injectable()
export class CasesService {
  constructor(
    private readonly cases: CasesRepository,
    private readonly platforms: PlatformsService,
    private readonly contacts: ContactsService,
    private readonly organizations: OrganizationsService,
    private readonly users: UsersService,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly events: DomainEvents,
  ) {}

  /** A departed contact's open cases get a contact_changed event, in the departure's transaction. */
  @OnEvent('contact.departed', 'in-transaction')
  async flagCasesOfDepartedContact(
    departure: EventMap['contact.departed'],
    em: EntityManager,
  ): Promise<void> {
    await this.cases.flagCasesOfDepartedContact(
      departure.contactId,
      { contactId: departure.contactId, successorId: departure.successorId },
      this.clock.now(),
      em,
    );
  }

  /**
   * Logs a case with its first timeline events, items and indicators. With an Idempotency-Key,
   * a retry of the same request returns the case the first one created.
   */
  async create(
    actor: Actor,
    dto: CreateCaseDto,
    idempotencyKey?: string,
    /**
     * 'same-body' (the API's Idempotency-Key): a key sent again with another body is refused.
     * 'key' (a key the server minted for one web form): whatever comes with it again is that
     * same submission re-sent (its "sent now" time differs), answered with the case it made.
     */
    replayBy: 'same-body' | 'key' = 'same-body',
  ): Promise<{ body: CaseResponseDto; replayed: boolean }> {
    requireWriter(actor);
    const requestHash = idempotencyKey ? hashRequest(dto) : undefined;
    const expectedHash = replayBy === 'key' ? undefined : requestHash;
    if (idempotencyKey) {
      const replay = await this.replay(actor, idempotencyKey, expectedHash);
      if (replay) return { body: replay, replayed: true };
    }
    const now = this.clock.now();
    const tlp = dto.tlp ?? 'AMBER+STRICT';
    const sharedOrganizationIds = dto.shareWithOrganizationIds ?? [];
    const sharedUserIds = dto.shareWithUserIds ?? [];
    const errors = [
      ...categoryErrors(dto.categoryCode, dto.subcategoryCode),
      ...sharingErrors(tlp, sharedOrganizationIds, sharedUserIds),
      ...notInFuture('escalatedAt', dto.escalatedAt, now),
    ];
    const items = toItems(dto.items ?? [], now, errors);
    const indicators = toIndicators(dto.indicators ?? [], this.config.indicatorHashKey, errors);
    if (errors.length > 0) throw new ValidationFailedError(errors);

    const { platform, channel } = await this.platforms.resolveWithChannelForInput(
      dto.platformCode,
      dto.channelCode,
      { platform: 'platformCode', channel: 'channelCode' },
    );
    if (dto.contactId) await this.requireContact(actor, dto.contactId, platform.id);
    await this.requireSharingTargets(sharedOrganizationIds, sharedUserIds);

    const urgency = dto.urgency ?? 'normal';
    const escalatedAt = dto.escalatedAt ? new Date(dto.escalatedAt) : null;
    const state = escalatedAt
      ? applyStep(initialState(), {
          type: 'escalated',
          occurredAt: escalatedAt,
          expectedResponseHours: channel.expectedResponseHours,
          urgency,
        })
      : initialState();
    const id = randomUUID();
    const values = {
      id,
      organizationId: actor.organizationId,
      createdBy: actor.userId,
      platformId: platform.id,
      channelId: channel.id,
      contactId: dto.contactId ?? null,
      title: dto.title,
      summary: dto.summary,
      categoryCode: dto.categoryCode,
      subcategoryCode: dto.subcategoryCode ?? null,
      targetGroups: dto.targetGroups ?? [],
      country: dto.country,
      contentLanguage: dto.contentLanguage ?? null,
      urgency,
      tlp,
      sharedOrganizationIds,
      sharedUserIds,
      consentToSharePattern: dto.consentToSharePattern ?? false,
      platformReference: dto.platformReference ?? null,
    };
    let reference: string;
    try {
      // One statement writes the case, its timeline, items, indicators, key and audit entry:
      // atomic without a transaction, and one round trip.
      reference = await this.cases.insert(
        {
          ...values,
          year: now.getUTCFullYear(),
          state,
          now,
          events: [
            { type: 'created', occurredAt: now, statusAfter: 'draft' },
            ...(escalatedAt
              ? [
                  {
                    type: 'escalated' as const,
                    occurredAt: escalatedAt,
                    statusAfter: state.status,
                  },
                ]
              : []),
          ],
          items,
          indicators,
          idempotency: idempotencyKey
            ? { key: idempotencyKey, requestHash: requestHash! }
            : undefined,
          audit: this.audit.insertion({
            action: 'case.created',
            actorUserId: actor.userId,
            organizationId: actor.organizationId,
            targetType: 'case',
            targetId: id,
          }),
        },
        this.tx.manager,
      );
    } catch (error) {
      // The same key raced in from a parallel retry: answer as that one did.
      if (idempotencyKey && isConstraint(error, 'pk_idempotency_keys')) {
        const replay = await this.replay(actor, idempotencyKey, expectedHash);
        if (replay) return { body: replay, replayed: true };
      }
      throw error;
    }
    // The insert above committed (one statement, no transaction): deadlines queue the job now.
    if (clockRuns(state)) {
      await this.events.emit(this.tx.manager, 'case.deadline-changed', {
        deadlines: [{ caseId: id, dueAt: state.dueAt! }],
      });
    }
    const row: CaseRow = {
      ...values,
      ...state,
      reference,
      needsContact: false,
      version: 1,
      createdAt: now,
      updatedAt: now,
      platformCode: platform.code,
      channelCode: channel.code,
      expectedResponseHours: channel.expectedResponseHours,
    };
    return {
      body: {
        ...toCaseSummary(row, now),
        items: items.map(toItemResponse),
        indicators: indicators.map(({ kind, value }) => ({ kind, value })).sort(byKindValue),
      },
      replayed: false,
    };
  }

  /** One case with items and indicators; 404 if the actor may not see it. */
  async get(actor: Actor, id: string, audited = true): Promise<CaseResponseDto> {
    const row = await this.requireVisible(actor, id);
    const [items, indicators] = await Promise.all([
      this.cases.items(id),
      this.cases.indicators(id),
    ]);
    if (audited) await this.record(actor, 'case.read', id);
    return {
      ...toCaseSummary(row, this.clock.now()),
      items: items.map(toItemResponse),
      indicators,
    };
  }

  /** `scope` narrows further for callers other than the API (the web interface's open cases). */
  async list(
    actor: Actor,
    query: CaseQueryDto,
    scope: Pick<CaseFilter, 'statuses' | 'organizationId'> = {},
  ): Promise<Page<CaseSummaryResponseDto>> {
    const now = this.clock.now();
    const rows = await this.cases.list(actor, { ...(await this.toFilter(query)), ...scope }, now);
    const shown = rows.slice(0, query.limit);
    await this.record(actor, 'case.listed', undefined, undefined, {
      count: shown.length,
      caseIds: shown.map((c) => c.id),
    });
    return toPage(
      rows,
      query.limit,
      (c) => toCaseSummary(c, now),
      (c) => [c.createdAt.toISOString(), c.id],
    );
  }

  async count(actor: Actor, query: CaseCountQueryDto): Promise<{ count: number }> {
    const count = await this.cases.count(actor, await this.toFilter(query), this.clock.now());
    await this.record(actor, 'case.counted', undefined, undefined, { count });
    return { count };
  }

  /**
   * Changes a case the actor may change, if it is still at the version they read. The status is
   * not changed here: the timeline moves it.
   */
  async update(
    actor: Actor,
    id: string,
    dto: UpdateCaseDto,
    ifMatch: number | undefined,
  ): Promise<CaseResponseDto> {
    await this.tx.run(async (em) => {
      const current = await this.requireChangeable(actor, id, em);
      if (ifMatch === undefined) throw new VersionRequiredError();
      if (ifMatch !== current.version) throw new VersionMismatchError(current.version);
      const now = this.clock.now();

      const sharingChange =
        dto.tlp !== undefined ||
        dto.shareWithOrganizationIds !== undefined ||
        dto.shareWithUserIds !== undefined;
      if (sharingChange && current.organizationId !== actor.organizationId) {
        throw new ForbiddenError('Only the owning organisation can change who sees this case.');
      }
      const tlp = dto.tlp ?? current.tlp;
      // Lists that no longer apply to the new level go, unless the request sets them.
      const sharedOrganizationIds =
        dto.shareWithOrganizationIds ?? (tlp === 'AMBER' ? current.sharedOrganizationIds : []);
      const sharedUserIds = dto.shareWithUserIds ?? (tlp === 'RED' ? current.sharedUserIds : []);
      const category = dto.categoryCode ?? current.categoryCode;
      const subcategory =
        dto.subcategoryCode !== undefined
          ? dto.subcategoryCode
          : dto.categoryCode !== undefined
            ? null
            : current.subcategoryCode;
      const errors = [
        ...categoryErrors(category, subcategory),
        ...sharingErrors(tlp, sharedOrganizationIds, sharedUserIds),
      ];
      const items = dto.items ? toItems(dto.items, now, errors) : undefined;
      const indicators = dto.indicators
        ? toIndicators(dto.indicators, this.config.indicatorHashKey, errors)
        : undefined;
      if (errors.length > 0) throw new ValidationFailedError(errors);
      if (dto.contactId) await this.requireContact(actor, dto.contactId, current.platformId, em);
      await this.requireSharingTargets(sharedOrganizationIds, sharedUserIds, em);

      const changes: Partial<CaseEntity> = {
        ...(dto.title !== undefined && { title: dto.title }),
        ...(dto.summary !== undefined && { summary: dto.summary }),
        categoryCode: category,
        subcategoryCode: subcategory,
        ...(dto.targetGroups !== undefined && { targetGroups: dto.targetGroups }),
        ...(dto.country !== undefined && { country: dto.country }),
        ...(dto.contentLanguage !== undefined && { contentLanguage: dto.contentLanguage }),
        ...(dto.consentToSharePattern !== undefined && {
          consentToSharePattern: dto.consentToSharePattern,
        }),
        ...(dto.platformReference !== undefined && { platformReference: dto.platformReference }),
        tlp,
        sharedOrganizationIds,
        sharedUserIds,
      };
      if (dto.contactId !== undefined && dto.contactId !== current.contactId) {
        changes.contactId = dto.contactId;
        changes.needsContact = false;
      }
      if (dto.urgency !== undefined && dto.urgency !== current.urgency) {
        changes.urgency = dto.urgency;
        // A running clock keeps its start; only the window changes (critical caps it at 24 h).
        if (current.dueAt && AWAITING_PLATFORM.includes(current.status)) {
          const shift =
            responseWindowHours(current.expectedResponseHours, dto.urgency) -
            responseWindowHours(current.expectedResponseHours, current.urgency);
          changes.dueAt = new Date(current.dueAt.getTime() + shift * 3_600_000);
        }
      }
      const fields = changedFields(current, changes, dto);
      if (fields.length === 0) return;
      if (!(await this.cases.update(id, changes, current.version, now, em))) {
        throw new VersionMismatchError(current.version + 1);
      }
      if (items) await this.cases.replaceItems(id, items, em);
      if (indicators)
        await this.cases.replaceIndicators(id, current.organizationId, indicators, em);
      await this.record(actor, 'case.updated', id, em, { fields });
    });
    return this.get(actor, id, false);
  }

  /** Who else saw this indicator: counts across organisations, and the cases you may see. */
  async matchIndicator(
    actor: Actor,
    query: IndicatorMatchQueryDto,
  ): Promise<IndicatorMatchResponseDto> {
    const normalized = normalizeIndicator(query.kind, query.value);
    if ('error' in normalized) {
      throw new ValidationFailedError([{ field: 'value', message: `value ${normalized.error}` }]);
    }
    const result = await this.cases.matches(
      actor,
      indicatorHash(this.config.indicatorHashKey, query.kind, normalized.value),
    );
    await this.record(actor, 'indicator.matched', undefined, undefined, {
      kind: query.kind,
      organizations: result.organizations,
      cases: result.cases,
      caseIds: result.visible.map((c) => c.id),
    });
    return result;
  }

  /**
   * For the timeline and other writers: the case, locked, if the actor may change it. Visibility
   * first: a case the actor may not see is a 404 whatever their role.
   */
  async requireChangeable(actor: Actor, id: string, em: EntityManager): Promise<CaseRow> {
    const row = await this.requireVisible(actor, id, em, true);
    requireWriter(actor);
    requireChangeRight(actor, row);
    return row;
  }

  async requireVisible(
    actor: Actor,
    id: string,
    em?: EntityManager,
    lock = false,
  ): Promise<CaseRow> {
    const row = await this.cases.findVisible(actor, id, em, lock);
    if (!row) throw new NotFoundError('case');
    return row;
  }

  record(
    actor: Actor,
    action: AuditAction,
    caseId?: string,
    em?: EntityManager,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    return this.audit.record(
      {
        action,
        actorUserId: actor.userId,
        organizationId: actor.organizationId,
        ...(caseId && { targetType: 'case', targetId: caseId }),
        details,
      },
      em,
    );
  }

  /** The case an earlier request with this key made; `requestHash` undefined: any body. */
  private async replay(
    actor: Actor,
    key: string,
    requestHash: string | undefined,
  ): Promise<CaseResponseDto | null> {
    const notBefore = new Date(this.clock.now().getTime() - IDEMPOTENCY_WINDOW_MS);
    const earlier = await this.cases.findIdempotent(actor.userId, key, notBefore);
    if (!earlier) {
      await this.cases.forgetIdempotencyKey(actor.userId, key, notBefore);
      return null;
    }
    if (requestHash !== undefined && earlier.requestHash !== requestHash) {
      throw new IdempotencyKeyReusedError();
    }
    return this.get(actor, earlier.caseId, false);
  }

  private async toFilter<Q extends CaseCountQueryDto>(query: Q): Promise<Q & CaseFilter> {
    const platformId = query.platform
      ? await this.platforms.idForInput(query.platform, 'platform')
      : undefined;
    if (query.from && query.to && new Date(query.from) > new Date(query.to)) {
      throw new ValidationFailedError([{ field: 'from', message: 'from must not be after to' }]);
    }
    return { ...query, platformId };
  }

  private async requireContact(
    actor: Actor,
    contactId: string,
    platformId: string,
    em?: EntityManager,
  ): Promise<void> {
    const contact = await this.contacts.findVisible(actor, contactId, em);
    if (!contact) {
      throw new ValidationFailedError([
        { field: 'contactId', message: 'contactId is not a contact you can see' },
      ]);
    }
    if (contact.platformId !== platformId) {
      throw new ValidationFailedError([
        { field: 'contactId', message: 'contactId works for another platform' },
      ]);
    }
  }

  private async requireSharingTargets(
    organizationIds: string[],
    userIds: string[],
    em?: EntityManager,
  ): Promise<void> {
    const [unknownOrganizations, unknownUsers] = await Promise.all([
      this.organizations.unknownIds(organizationIds, em),
      this.users.unknownActiveIds(userIds, em),
    ]);
    const errors: FieldError[] = [];
    if (unknownOrganizations.length > 0) {
      errors.push({
        field: 'shareWithOrganizationIds',
        message: `shareWithOrganizationIds names ${unknownOrganizations.length} unknown organisation(s)`,
      });
    }
    if (unknownUsers.length > 0) {
      errors.push({
        field: 'shareWithUserIds',
        message: `shareWithUserIds names ${unknownUsers.length} unknown or inactive user(s)`,
      });
    }
    if (errors.length > 0) throw new ValidationFailedError(errors);
  }
}

/** Viewers read and export; members and admins log and update cases. */
export function requireWriter(actor: Actor): void {
  if (actor.role === 'viewer') throw new ForbiddenError('Viewers cannot change cases.');
}

/**
 * Only members of the owning organisation change a case; a RED case only its creator and the
 * users named on it. Others who may see it (AMBER partners, GREEN readers) get a 403.
 */
function requireChangeRight(actor: Actor, c: CaseRow): void {
  const allowed =
    c.tlp === 'RED'
      ? c.createdBy === actor.userId || c.sharedUserIds.includes(actor.userId)
      : c.organizationId === actor.organizationId;
  if (!allowed) throw new ForbiddenError('Only the owning organisation can change this case.');
}

export function categoryErrors(category: string, subcategory?: string | null): FieldError[] {
  if (subcategory && !isSubcategoryOf(category, subcategory)) {
    return [
      {
        field: 'subcategoryCode',
        message: `subcategoryCode must be a subcategory of ${category} in the taxonomy`,
      },
    ];
  }
  return [];
}

/** AMBER names at least one organisation; only AMBER names organisations, only RED names users. */
export function sharingErrors(
  tlp: Tlp,
  organizationIds: string[],
  userIds: string[],
): FieldError[] {
  const errors: FieldError[] = [];
  if (tlp === 'AMBER' && organizationIds.length === 0) {
    errors.push({
      field: 'shareWithOrganizationIds',
      message: 'TLP AMBER needs at least one organisation in shareWithOrganizationIds',
    });
  }
  if (tlp !== 'AMBER' && organizationIds.length > 0) {
    errors.push({
      field: 'shareWithOrganizationIds',
      message: 'shareWithOrganizationIds is only for TLP AMBER',
    });
  }
  if (tlp !== 'RED' && userIds.length > 0) {
    errors.push({ field: 'shareWithUserIds', message: 'shareWithUserIds is only for TLP RED' });
  }
  return errors;
}

export function notInFuture(
  field: string,
  value: string | null | undefined,
  now: Date,
): FieldError[] {
  if (value && new Date(value).getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
    return [{ field, message: `${field} must not be in the future` }];
  }
  return [];
}

/** Items as stored; capture times in the future are reported into `errors`. */
export function toItems(items: CaseItemDto[], now: Date, errors: FieldError[]): NewItem[] {
  return items.map((item, i) => {
    errors.push(...notInFuture(`items.${i}.capturedAt`, item.capturedAt, now));
    return {
      url: item.url,
      kind: item.kind,
      contentSha256: item.contentSha256 ?? null,
      capturedAt: item.capturedAt ? new Date(item.capturedAt) : null,
    };
  });
}

/** Normalised and hashed, one per distinct indicator; invalid values are reported into `errors`. */
export function toIndicators(
  indicators: IndicatorDto[],
  hashKey: string,
  errors: FieldError[],
): NewIndicator[] {
  const seen = new Map<string, NewIndicator>();
  indicators.forEach((indicator, i) => {
    const normalized = normalizeIndicator(indicator.kind, indicator.value);
    if ('error' in normalized) {
      errors.push({ field: `indicators.${i}.value`, message: `value ${normalized.error}` });
      return;
    }
    const valueHash = indicatorHash(hashKey, indicator.kind, normalized.value);
    seen.set(valueHash, { kind: indicator.kind, value: normalized.value, valueHash });
  });
  return [...seen.values()];
}

const seconds = (from: Date | null, to: Date | null) =>
  from && to ? Math.round((to.getTime() - from.getTime()) / 1000) : null;
const iso = (d: Date | null) => d?.toISOString() ?? null;

export function isOverdue(c: CaseState, now: Date): boolean {
  return (
    AWAITING_PLATFORM.includes(c.status) &&
    c.pausedAt === null &&
    c.dueAt !== null &&
    c.dueAt.getTime() < now.getTime()
  );
}

export function toCaseSummary(c: CaseRow, now: Date): CaseSummaryResponseDto {
  return {
    id: c.id,
    reference: c.reference,
    organizationId: c.organizationId,
    createdBy: c.createdBy,
    platformCode: c.platformCode,
    channelCode: c.channelCode,
    contactId: c.contactId,
    title: c.title,
    summary: c.summary,
    categoryCode: c.categoryCode,
    subcategoryCode: c.subcategoryCode,
    targetGroups: c.targetGroups,
    country: c.country,
    contentLanguage: c.contentLanguage,
    urgency: c.urgency,
    tlp: c.tlp,
    shareWithOrganizationIds: c.sharedOrganizationIds,
    shareWithUserIds: c.sharedUserIds,
    consentToSharePattern: c.consentToSharePattern,
    platformReference: c.platformReference,
    status: c.status,
    outcome: c.outcome,
    escalatedAt: iso(c.escalatedAt),
    dueAt: iso(c.dueAt),
    firstResponseAt: iso(c.firstResponseAt),
    resolvedAt: iso(c.resolvedAt),
    closedAt: iso(c.closedAt),
    paused: c.pausedAt !== null,
    pausedSeconds: c.pausedSeconds,
    overdue: isOverdue(c, now),
    needsContact: c.needsContact,
    timeToFirstResponseSeconds: seconds(c.escalatedAt, c.firstResponseAt),
    timeToResolutionSeconds: seconds(c.escalatedAt, c.resolvedAt),
    version: c.version,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

const toItemResponse = (i: NewItem) => ({
  url: i.url,
  kind: i.kind,
  contentSha256: i.contentSha256,
  capturedAt: iso(i.capturedAt),
});

const byKindValue = (a: { kind: string; value: string }, b: { kind: string; value: string }) =>
  a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.value < b.value ? -1 : a.value > b.value ? 1 : 0;

/** The fields a PATCH really changed (for the audit entry: names only, never values). */
function changedFields(
  current: CaseRow,
  changes: Partial<CaseEntity>,
  dto: UpdateCaseDto,
): string[] {
  const fields = Object.entries(changes)
    .filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(current[k as keyof CaseRow]))
    .map(([k]) => k);
  if (dto.items) fields.push('items');
  if (dto.indicators) fields.push('indicators');
  return fields.sort();
}

/** A canonical digest of the request, to tell a retry from a different body under one key. */
function hashRequest(dto: object): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  return createHash('sha256')
    .update(JSON.stringify(canonical(dto)))
    .digest('hex');
}

function isConstraint(error: unknown, name: string): boolean {
  const e = error as { driverError?: { constraint?: string }; constraint?: string };
  return (e?.driverError?.constraint ?? e?.constraint) === name;
}
