import { randomUUID } from 'node:crypto';
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
import { IfMatch, ifMatchHolds } from '../common/http/if-match';
import { AppConfig } from '../config/app-config';
import { ContactsService } from '../contacts/contacts.service';
import { TransactionRunner } from '../database/transaction';
import { OrganizationsService } from '../organizations/organizations.service';
import { PlatformsService } from '../platforms/platforms.service';
import { UsersService } from '../users/users.service';
import { applyStep, initialState, OPEN_STATUSES } from './case-status.machine';
import { clockRuns, deadlineAfterStep } from './case-clock';
import { byKindValue, toCaseResponse, toCaseSummary } from './case.mapper';
import {
  categoryErrors,
  changedFields,
  changesSharing,
  dueAtAfterUrgencyChange,
  hashRequest,
  leavesRepository,
  notInFuture,
  OwnedCase,
  ownerErrors,
  requireChangeRight,
  requireEraseRight,
  requireWriter,
  sharingAfterUpdate,
  sharingErrors,
  subcategoryAfterUpdate,
  toIndicators,
  toItems,
} from './case-rules';
import { CaseEntity } from './case.entity';
import { CaseFilter, CaseRow, CasesRepository } from './cases.repository';
import {
  CaseGoneError,
  IdempotencyKeyReusedError,
  VersionMismatchError,
  VersionRequiredError,
} from './cases.errors';
import {
  CaseCountQueryDto,
  CaseQueryDto,
  CaseResponseDto,
  CaseSummaryResponseDto,
  CreateCaseDto,
  UpdateCaseDto,
} from './dto/case.dto';
import { IndicatorMatchQueryDto, IndicatorMatchResponseDto } from './dto/indicator-match.dto';
import { indicatorHash, normalizeIndicator } from './indicator';

/** How long a POST's Idempotency-Key is remembered. */
const IDEMPOTENCY_WINDOW_MS = 24 * 3_600_000;

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
    // Whoever logs the case follows it up (if they may own it: the community's admin may not)
    // unless they name someone else, or nobody.
    const owned = {
      organizationId: actor.organizationId,
      tlp,
      createdBy: actor.userId,
      sharedUserIds,
    };
    const ownerId =
      dto.ownerId !== undefined
        ? dto.ownerId
        : ownerErrors(actor.userId, actor, owned).length === 0
          ? actor.userId
          : null;
    if (ownerId) await this.requireOwner(ownerId, owned, actor);

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
      ownerId,
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
      // atomic without a transaction, and one round trip (shared with cases logged meanwhile).
      reference = await this.cases.insert({
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
        audit: this.audit.row({
          action: 'case.created',
          actorUserId: actor.userId,
          organizationId: actor.organizationId,
          targetType: 'case',
          targetId: id,
        }),
      });
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
      contentRemovedAt: null,
      version: 1,
      createdAt: now,
      updatedAt: now,
      platformCode: platform.code,
      channelCode: channel.code,
      expectedResponseHours: channel.expectedResponseHours,
    };
    return {
      body: toCaseResponse(row, items, [...indicators].sort(byKindValue), now),
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
    return toCaseResponse(row, items, indicators, this.clock.now());
  }

  /**
   * An organisation's open cases as a work queue (the web interface): most overdue first, then
   * the most urgent; `owner` as the list's filter. One more row than asked says a page follows.
   */
  async queue(
    actor: Actor,
    owner: 'me' | 'none' | undefined,
    page: { offset: number; limit: number },
  ): Promise<{ rows: CaseSummaryResponseDto[]; more: boolean }> {
    const now = this.clock.now();
    const rows = await this.cases.queue(
      actor,
      {
        organizationId: actor.organizationId,
        statuses: OPEN_STATUSES,
        ...(owner && { ownerId: owner === 'me' ? actor.userId : null }),
      },
      now,
      page,
    );
    const shown = rows.slice(0, page.limit);
    await this.record(actor, 'case.listed', undefined, undefined, {
      count: shown.length,
      caseIds: shown.map((c) => c.id),
    });
    return { rows: shown.map((c) => toCaseSummary(c, now)), more: rows.length > page.limit };
  }

  /** `scope` narrows further for callers other than the API (the web interface's open cases). */
  async list(
    actor: Actor,
    query: CaseQueryDto,
    scope: Pick<CaseFilter, 'statuses' | 'organizationId'> = {},
  ): Promise<Page<CaseSummaryResponseDto>> {
    const now = this.clock.now();
    const rows = await this.cases.list(
      actor,
      { ...(await this.toFilter(actor, query)), ...scope },
      now,
    );
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
    const count = await this.cases.count(
      actor,
      await this.toFilter(actor, query),
      this.clock.now(),
    );
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
    ifMatch: IfMatch | undefined,
  ): Promise<CaseResponseDto> {
    await this.tx.run(async (em) => {
      const current = await this.requireChangeable(actor, id, em);
      if (ifMatch === undefined) throw new VersionRequiredError();
      if (!ifMatchHolds(ifMatch, current.version)) {
        throw new VersionMismatchError(current.version);
      }
      const now = this.clock.now();

      if (changesSharing(dto) && current.organizationId !== actor.organizationId) {
        throw new ForbiddenError('Only the owning organisation can change who sees this case.');
      }
      const { tlp, sharedOrganizationIds, sharedUserIds } = sharingAfterUpdate(current, dto);
      const category = dto.categoryCode ?? current.categoryCode;
      const subcategory = subcategoryAfterUpdate(current.subcategoryCode, dto);
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
      const ownerId = dto.ownerId === undefined ? current.ownerId : dto.ownerId;
      // A new owner, or new rules for the one it has (a move to RED): may they own it?
      if (ownerId && (ownerId !== current.ownerId || tlp === 'RED')) {
        await this.requireOwner(
          ownerId,
          {
            organizationId: current.organizationId,
            tlp,
            createdBy: current.createdBy,
            sharedUserIds,
          },
          actor,
        );
      }

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
      if (ownerId !== current.ownerId) changes.ownerId = ownerId;
      if (dto.urgency !== undefined && dto.urgency !== current.urgency) {
        changes.urgency = dto.urgency;
        // A running clock keeps its start; only the window changes (critical caps it at 24 h).
        const dueAt = dueAtAfterUrgencyChange(current, dto.urgency);
        if (dueAt) changes.dueAt = dueAt;
      }
      const fields = changedFields(current, changes, dto);
      if (fields.length === 0) return;
      const deadline = deadlineAfterStep(current, { ...current, ...changes });
      // Reminders belong to the deadline they were for: a moved one ends them (bookkeeping,
      // not a field the user changed).
      if (changes.dueAt && !deadline.keepReminders) changes.nextReminderAt = null;
      if (!(await this.cases.update(id, changes, current.version, now, em))) {
        throw new VersionMismatchError(current.version + 1);
      }
      // Who the case goes to and who follows it up are part of its story: the timeline says so.
      const handovers = [
        changes.contactId !== undefined && {
          type: 'contact_changed' as const,
          details: { previousContactId: current.contactId, contactId: changes.contactId },
        },
        changes.ownerId !== undefined && {
          type: 'owner_changed' as const,
          details: { previousOwnerId: current.ownerId, ownerId: changes.ownerId },
        },
      ];
      for (const handover of handovers) {
        if (!handover) continue;
        await this.cases.insertEvent(
          {
            caseId: id,
            ...handover,
            occurredAt: now,
            actorUserId: actor.userId,
            statusAfter: current.status,
          },
          now,
          em,
        );
      }
      if (items) await this.cases.replaceItems(id, items, em);
      if (indicators)
        await this.cases.replaceIndicators(id, current.organizationId, indicators, em);
      if (deadline.schedule) {
        // The deadline moved (urgency): its job is queued after the commit, the old one goes.
        await this.events.emit(em, 'case.deadline-changed', {
          deadlines: [
            { caseId: id, dueAt: changes.dueAt ?? current.dueAt!, replaces: current.dueAt },
          ],
        });
      }
      if (leavesRepository(current, { ...current, ...changes })) {
        await this.events.emit(em, 'case.unshared', { caseId: id });
      }
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
    if (row) return row;
    // Erased on request: 410 to whoever could see it, 404 (no such case) to everyone else.
    const erased = await this.cases.findErased(actor, id, em);
    if (erased) throw new CaseGoneError(erased.reference, erased.erasedAt);
    throw new NotFoundError('case');
  }

  /**
   * Erases a case on a survivor's request (GDPR Art. 17): its content, timeline, items,
   * indicators and pattern record go at once, in one transaction, its counts leave the shared
   * repository as for a withdrawn consent (`case.unshared`); what remains is the tombstone (410
   * Gone to those who could see it) and the audit entry naming who erased which reference.
   */
  async erase(actor: Actor, id: string): Promise<void> {
    await this.tx.run(async (em) => {
      const row = await this.requireVisible(actor, id, em, true);
      requireEraseRight(actor, row);
      await this.eraseVisible(actor, row, em);
    });
  }

  /**
   * The retention rule of an organisation, applied: its cases closed before `closedBefore` lose
   * their content (title, summary, items, indicator values, notes of their timeline) and keep the
   * skeleton (reference, dates, status, platform, channel, category, outcome, timeline steps), so
   * response times, rollups and the shared repository keep counting them. In batches, one
   * transaction and one audit entry each (no actor: the organisation's rule did it). Idempotent:
   * a case redacted once is never taken again.
   */
  async removeExpiredContent(
    organizationId: string,
    closedBefore: Date,
    keepIndicatorHashes: boolean,
    batch = 500,
  ): Promise<{ redacted: number }> {
    let redacted = 0;
    for (;;) {
      const ids = await this.tx.run(async (em) => {
        const now = this.clock.now();
        const taken = await this.cases.redactClosedBefore(
          organizationId,
          closedBefore,
          keepIndicatorHashes,
          now,
          batch,
          em,
        );
        if (taken.length > 0) {
          await this.audit.record(
            {
              action: 'case.content_removed',
              actorUserId: null,
              organizationId,
              details: {
                rule: 'retention',
                closedBefore: closedBefore.toISOString(),
                keepIndicatorHashes,
                count: taken.length,
                caseIds: taken,
              },
            },
            em,
          );
        }
        return taken;
      });
      redacted += ids.length;
      if (ids.length < batch) return { redacted };
    }
  }

  /** Every case of an organisation, skeleton only (its archive reads content under TLP). */
  ownedBy(organizationId: string) {
    return this.cases.ownedBy(organizationId);
  }

  /**
   * An organisation leaving: each of its cases erased as one erasure on request is (its counts
   * leave the shared repository, a tombstone, an audit entry), whatever its TLP, one transaction
   * per case so that progress is kept if the job is retried.
   */
  async eraseAllOf(
    actor: Actor,
    organizationId: string,
    progress: (done: number, total: number) => Promise<void>,
  ): Promise<number> {
    const owned = await this.cases.ownedBy(organizationId);
    let done = 0;
    for (const c of owned) {
      await this.tx.run(async (em) => {
        const row = await this.cases.lockOwned(organizationId, c.id, em);
        if (row) await this.eraseVisible(actor, { ...row, organizationId }, em);
      });
      done += 1;
      if (done % 20 === 0 || done === owned.length) await progress(done, owned.length);
    }
    return owned.length;
  }

  /** The erasure of a case already read (and locked) in `em`; for the organisation's leaving. */
  async eraseVisible(
    actor: Actor,
    row: Pick<CaseRow, 'id' | 'reference' | 'organizationId'>,
    em: EntityManager,
  ): Promise<void> {
    await this.events.emit(em, 'case.unshared', { caseId: row.id });
    await this.events.emit(em, 'case.erased', {
      caseId: row.id,
      organizationId: row.organizationId,
    });
    await this.cases.erase(row.id, actor.userId, this.clock.now(), em);
    await this.record(actor, 'case.erased', row.id, em, { reference: row.reference });
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

  private async toFilter<Q extends CaseCountQueryDto>(
    actor: Actor,
    query: Q,
  ): Promise<Q & CaseFilter> {
    const platformId = query.platform
      ? await this.platforms.idForInput(query.platform, 'platform')
      : undefined;
    if (query.from && query.to && new Date(query.from) > new Date(query.to)) {
      throw new ValidationFailedError([{ field: 'from', message: 'from must not be after to' }]);
    }
    const ownerId =
      query.owner === undefined
        ? undefined
        : query.owner === 'none'
          ? null
          : query.owner === 'me'
            ? actor.userId
            : query.owner;
    return { ...query, platformId, ownerId };
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
    // A contact covers their own platform and the further ones of its company they list.
    if (contact.platformId !== platformId && !contact.otherPlatformIds.includes(platformId)) {
      throw new ValidationFailedError([
        { field: 'contactId', message: 'contactId works for another platform' },
      ]);
    }
  }

  /** The owner must be allowed to own the case (ownerErrors); the actor is known already. */
  private async requireOwner(ownerId: string, c: OwnedCase, actor?: Actor): Promise<void> {
    const owner = actor?.userId === ownerId ? actor : await this.users.findActive(ownerId);
    const errors = ownerErrors(ownerId, owner, c);
    if (errors.length > 0) throw new ValidationFailedError(errors);
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

function isConstraint(error: unknown, name: string): boolean {
  const e = error as { driverError?: { constraint?: string }; constraint?: string };
  return (e?.driverError?.constraint ?? e?.constraint) === name;
}
