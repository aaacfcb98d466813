import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/auth/actor';
import { Clock } from '../common/clock';
import { DomainEvents } from '../common/events/domain-events';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationFailedError,
} from '../common/errors/domain-error';
import { Page, toPage } from '../common/pagination/cursor';
import { lockForTransaction, TransactionRunner } from '../database/transaction';
import { PlatformsService } from '../platforms/platforms.service';
import { normalizeAddress } from './contact-address';
import {
  CONTACT_CHANNEL_KINDS,
  ContactChannelEntity,
  ContactChannelKind,
} from './contact-channel.entity';
import { ContactEventType } from './contact-event.entity';
import { ContactTenureEntity } from './contact-tenure.entity';
import { ContactEntity } from './contact.entity';
import { ContactRow, ContactsRepository } from './contacts.repository';
import {
  ContactQueryDto,
  ContactResponseDto,
  ContactSummaryResponseDto,
  CreateContactDto,
  TenureResponseDto,
  UpdateContactDto,
} from './dto/contact.dto';
import {
  ContactEventResponseDto,
  CreateTenureDto,
  DepartureDto,
  TurnoverQueryDto,
  TurnoverResponseDto,
  VerifyContactDto,
} from './dto/turnover.dto';
import { ListQueryDto } from '../common/pagination/list-query.dto';
import { longestGapDays, medianTenureDays, yearBefore } from './turnover.calculator';

/** Fields whose changes the history records with their old and new values. */
const TRACKED_FIELDS = [
  'fullName',
  'otherPlatformCodes',
  'languages',
  'countries',
  'notes',
  'tlp',
  'sharedOrganizationIds',
  'status',
] as const;

/** The community's memory of platform contacts: who, how to reach them, and who replaced whom. */
@Injectable()
export class ContactsService {
  constructor(
    private readonly contacts: ContactsRepository,
    private readonly platforms: PlatformsService,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly events: DomainEvents,
  ) {}

  async create(actor: Actor, dto: CreateContactDto): Promise<ContactResponseDto> {
    requireWriter(actor);
    const addresses = normalizeAddresses(dto);
    const id = await this.tx.run(async (em) => {
      const platform = await this.platforms.resolveForInput(dto.platformCode, 'platformCode', em);
      const others = await this.platforms.resolveSiblingsForInput(
        platform,
        dto.otherPlatformCodes ?? [],
        'otherPlatformCodes',
        em,
      );
      const contact = await this.contacts.insert(
        {
          platformId: platform.id,
          organizationId: actor.organizationId,
          createdBy: actor.userId,
          fullName: dto.fullName,
          languages: dto.languages ?? [],
          countries: dto.countries ?? [],
          notes: dto.notes ?? null,
          tlp: dto.tlp ?? 'GREEN',
          sharedOrganizationIds: dto.shareWithOrganizationIds ?? [],
        },
        em,
      );
      await this.contacts.replaceOtherPlatforms(
        contact.id,
        others.map((p) => p.id),
        em,
      );
      const now = this.clock.now();
      for (const [kind, value] of Object.entries(addresses) as [
        ContactChannelKind,
        string | null,
      ][]) {
        if (value) await this.contacts.replaceChannel(contact.id, kind, value, now, em);
      }
      await this.event(actor, contact.id, 'created', {}, em);
      await this.record(actor, 'contact.created', contact, em);
      return contact.id;
    });
    return this.get(actor, id, false);
  }

  /** One contact with tenures and successor chain; 404 if the actor may not see it. */
  async get(actor: Actor, id: string, audited = true): Promise<ContactResponseDto> {
    const contact = await this.requireVisible(actor, id);
    const [channels, tenures, predecessorIds, successorChain] = await Promise.all([
      this.contacts.channels([id], false),
      this.contacts.tenures([id]),
      this.contacts.predecessorIds(actor, id),
      this.contacts.successorChain(actor, id),
    ]);
    if (audited) await this.record(actor, 'contact.read', contact);
    return {
      ...toSummary(contact, channels),
      notes: contact.notes,
      shareWithOrganizationIds: contact.sharedOrganizationIds,
      lastVerifiedBy: contact.lastVerifiedBy,
      leftOn: contact.leftOn,
      channels: channels.map((c) => ({
        kind: c.kind,
        value: c.value,
        current: c.until === null,
        since: c.since.toISOString(),
        until: c.until?.toISOString() ?? null,
      })),
      tenures: tenures.map(toTenureResponse),
      predecessorIds,
      successorChain,
      createdAt: contact.createdAt.toISOString(),
      updatedAt: contact.updatedAt.toISOString(),
    };
  }

  /**
   * The current role of each of these contacts that the actor may see (the latest open tenure),
   * in one query: for lists that show roles (the web directory) without reading each contact.
   */
  async currentTenures(
    actor: Actor,
    contactIds: string[],
  ): Promise<Map<string, TenureResponseDto>> {
    const open = await this.contacts.openTenures(actor, contactIds);
    // Oldest first: the latest open tenure of a contact is set last.
    return new Map(open.map((t) => [t.contactId, toTenureResponse(t)]));
  }

  async list(actor: Actor, query: ContactQueryDto): Promise<Page<ContactSummaryResponseDto>> {
    const platformId = query.platform
      ? (await this.platforms.resolveForInput(query.platform, 'platform')).id
      : undefined;
    const address = query.address ? anyAddressForm(query.address) : undefined;
    const rows = await this.contacts.list(actor, { ...query, platformId, address });
    const shown = rows.slice(0, query.limit);
    const channels = await this.contacts.channels(
      shown.map((c) => c.id),
      true,
    );
    await this.audit.record({
      action: 'contact.listed',
      actorUserId: actor.userId,
      organizationId: actor.organizationId,
      details: { count: shown.length, contactIds: shown.map((c) => c.id) },
    });
    return toPage(
      rows,
      query.limit,
      (c) =>
        toSummary(
          c,
          channels.filter((ch) => ch.contactId === c.id),
        ),
      (c) => c.sortKey,
    );
  }

  async update(actor: Actor, id: string, dto: UpdateContactDto): Promise<ContactResponseDto> {
    requireWriter(actor);
    const addresses = normalizeAddresses(dto);
    await this.tx.run(async (em) => {
      const contact = await this.requireVisible(actor, id, em, true);
      const sharingChange = dto.tlp !== undefined || dto.shareWithOrganizationIds !== undefined;
      if (sharingChange && contact.organizationId !== actor.organizationId) {
        throw new ForbiddenError('Only the owning organization can change who sees this contact.');
      }
      if (dto.status && contact.status === 'left') {
        throw new ConflictError('This contact has left; their status cannot change.', 'status');
      }
      const next: Partial<ContactEntity> = {
        ...(dto.fullName !== undefined && { fullName: dto.fullName }),
        ...(dto.languages !== undefined && { languages: dto.languages }),
        ...(dto.countries !== undefined && { countries: dto.countries }),
        ...(dto.notes !== undefined && { notes: dto.notes }),
        ...(dto.tlp !== undefined && { tlp: dto.tlp }),
        ...(dto.shareWithOrganizationIds !== undefined && {
          sharedOrganizationIds: dto.shareWithOrganizationIds,
        }),
        ...(dto.status !== undefined && { status: dto.status }),
      };
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      const others =
        dto.otherPlatformCodes === undefined
          ? undefined
          : await this.platforms.resolveSiblingsForInput(
              await this.platforms.require(contact.platformCode, em),
              [...dto.otherPlatformCodes].sort(),
              'otherPlatformCodes',
              em,
            );
      const after = { ...next, ...(others && { otherPlatformCodes: others.map((p) => p.code) }) };
      for (const field of TRACKED_FIELDS) {
        if (field in after && JSON.stringify(after[field]) !== JSON.stringify(contact[field])) {
          changes[field] = { from: contact[field], to: after[field] };
        }
      }
      const now = this.clock.now();
      const current = await this.contacts.channels([id], true, em);
      for (const [kind, value] of Object.entries(addresses) as [
        ContactChannelKind,
        string | null,
      ][]) {
        const before = current.find((c) => c.kind === kind)?.value ?? null;
        if (before === value) continue;
        await this.contacts.replaceChannel(id, kind, value, now, em);
        changes[kind] = { from: before, to: value };
      }
      if (Object.keys(changes).length === 0) return;
      if (Object.keys(next).length > 0) await this.contacts.update(id, next, em);
      if (others && changes.otherPlatformCodes) {
        await this.contacts.replaceOtherPlatforms(
          id,
          others.map((p) => p.id),
          em,
        );
      }
      await this.event(actor, id, 'updated', changes, em);
      await this.record(actor, 'contact.updated', contact, em, {
        fields: Object.keys(changes).sort(),
      });
    });
    return this.get(actor, id, false);
  }

  async verify(actor: Actor, id: string, dto: VerifyContactDto): Promise<ContactResponseDto> {
    requireWriter(actor);
    await this.tx.run(async (em) => {
      const contact = await this.requireVisible(actor, id, em, true);
      if (contact.status === 'left') throw new ConflictError('This contact has left the platform.');
      const now = this.clock.now();
      const status = contact.status === 'unverified' ? 'active' : contact.status;
      await this.contacts.update(
        id,
        { lastVerifiedAt: now, lastVerifiedBy: actor.userId, status },
        em,
      );
      await this.event(
        actor,
        id,
        'verified',
        {
          ...(dto.note ? { note: dto.note } : {}),
          ...(status !== contact.status ? { status: { from: contact.status, to: status } } : {}),
        },
        em,
      );
      await this.record(actor, 'contact.verified', contact, em);
    });
    return this.get(actor, id, false);
  }

  async addTenure(actor: Actor, id: string, dto: CreateTenureDto): Promise<ContactResponseDto> {
    requireWriter(actor);
    if (dto.endedOn && dto.endedOn < dto.startedOn) {
      throw new ValidationFailedError([
        { field: 'endedOn', message: 'endedOn must not be before startedOn' },
      ]);
    }
    await this.tx.run(async (em) => {
      const contact = await this.requireVisible(actor, id, em, true);
      if (!dto.endedOn) {
        if (contact.status === 'left')
          throw new ConflictError(
            'This contact has left; an open tenure needs an end date.',
            'endedOn',
          );
        const open = (await this.contacts.tenures([id], em)).filter((t) => t.endedOn === null);
        if (open.length > 0)
          throw new ConflictError(
            'This contact already has an open tenure; end it first.',
            'endedOn',
          );
      }
      const tenure = await this.contacts.insertTenure(
        {
          contactId: id,
          title: dto.title,
          team: dto.team ?? null,
          countries: dto.countries ?? [],
          startedOn: dto.startedOn,
          endedOn: dto.endedOn ?? null,
          createdBy: actor.userId,
        },
        em,
      );
      await this.event(
        actor,
        id,
        'tenure_added',
        {
          tenureId: tenure.id,
          title: dto.title,
          startedOn: dto.startedOn,
          endedOn: dto.endedOn ?? null,
        },
        em,
      );
      await this.record(actor, 'contact.tenure_added', contact, em);
    });
    return this.get(actor, id, false);
  }

  /**
   * Records that the contact left: closes the open tenure, retires their addresses (kept as
   * history), links the successor, and notes who reported it.
   */
  async depart(actor: Actor, id: string, dto: DepartureDto): Promise<ContactResponseDto> {
    requireWriter(actor);
    await this.tx.run(async (em) => {
      // Successions of one company take turns (a successor may work for another of its
      // platforms), so two departures naming each other cannot both pass the cycle check. The
      // turn comes before any row lock, or they would deadlock.
      const { platformCode } = await this.requireVisible(actor, id, em);
      const platform = await this.platforms.require(platformCode, em);
      await lockForTransaction(em, `contact-succession-${platform.parentCompany ?? platform.id}`);
      const contact = await this.requireVisible(actor, id, em, true);
      if (contact.status === 'left') throw new ConflictError('This contact has already left.');
      if (dto.successorContactId) {
        if (dto.successorContactId === id)
          throw new ConflictError('A contact cannot succeed themselves.', 'successorContactId');
        const successor = await this.contacts.findVisible(actor, dto.successorContactId, em);
        if (!successor) {
          throw new ValidationFailedError([
            {
              field: 'successorContactId',
              message: 'successorContactId is not a contact you can see',
            },
          ]);
        }
        // The successor works for the contact's platform: as their own, or covering it.
        if (
          successor.platformId !== contact.platformId &&
          !successor.otherPlatformIds.includes(contact.platformId)
        ) {
          throw new ValidationFailedError([
            {
              field: 'successorContactId',
              message: 'successorContactId works for another platform',
            },
          ]);
        }
        if (await this.contacts.wouldCycle(id, successor.id, em)) {
          throw new ConflictError(
            'That successor was replaced, directly or not, by this contact: the chain would loop.',
            'successorContactId',
          );
        }
      }
      const open = (await this.contacts.tenures([id], em)).filter((t) => t.endedOn === null);
      if (open.some((t) => t.startedOn > dto.leftOn)) {
        throw new ValidationFailedError([
          { field: 'leftOn', message: 'leftOn is before the start of the current tenure' },
        ]);
      }
      await this.contacts.closeOpenTenures(
        id,
        { endedOn: dto.leftOn, endReason: dto.reason, handoverNotes: dto.handoverNotes ?? null },
        em,
      );
      await this.contacts.retireChannels(id, this.clock.now(), em);
      await this.contacts.update(
        id,
        { status: 'left', leftOn: dto.leftOn, successorId: dto.successorContactId ?? null },
        em,
      );
      await this.event(
        actor,
        id,
        'departed',
        {
          leftOn: dto.leftOn,
          reason: dto.reason,
          successorId: dto.successorContactId ?? null,
          status: { from: contact.status, to: 'left' },
        },
        em,
      );
      await this.record(actor, 'contact.departed', contact, em, {
        successorId: dto.successorContactId ?? null,
      });
      // In this transaction: the features above (cases) commit their consequences with it.
      await this.events.emit(em, 'contact.departed', {
        contactId: id,
        successorId: dto.successorContactId ?? null,
        leftOn: dto.leftOn,
      });
    });
    return this.get(actor, id, false);
  }

  /** For cases naming a contact: the contact if the actor may see it, else null. */
  findVisible(actor: Actor, id: string, em?: EntityManager): Promise<ContactRow | null> {
    return this.contacts.findVisible(actor, id, em);
  }

  async history(
    actor: Actor,
    id: string,
    query: ListQueryDto,
  ): Promise<Page<ContactEventResponseDto>> {
    const contact = await this.requireVisible(actor, id);
    const rows = await this.contacts.events(id, query);
    // The history holds old and new addresses: reading it is reading personal details.
    await this.record(actor, 'contact.read', contact, undefined, { part: 'history' });
    return toPage(
      rows,
      query.limit,
      (e) => ({
        id: e.id,
        occurredAt: e.occurredAt.toISOString(),
        actorUserId: e.actorUserId,
        type: e.type,
        changes: e.changes,
      }),
      (e) => [e.occurredAt.toISOString(), e.id],
    );
  }

  /** The contact's current details for an address book; audited as an export. */
  async forVcard(
    actor: Actor,
    id: string,
  ): Promise<{
    contact: ContactRow;
    channels: ContactChannelEntity[];
    tenure: ContactTenureEntity | null;
    platformName: string;
  }> {
    const contact = await this.requireVisible(actor, id);
    const [channels, tenures, platform] = await Promise.all([
      this.contacts.channels([id], true),
      this.contacts.tenures([id]),
      this.platforms.require(contact.platformCode),
    ]);
    await this.record(actor, 'contact.exported', contact, undefined, { format: 'vcard' });
    return {
      contact,
      channels,
      tenure: tenures.filter((t) => t.endedOn === null).pop() ?? null,
      platformName: platform.name,
    };
  }

  /** Contact departures per platform code in [from, to] (YYYY-MM-DD), among those the actor may see. */
  departuresByPlatform(actor: Actor, from: string, to: string): Promise<Map<string, number>> {
    return this.contacts.departuresByPlatform(actor, from, to);
  }

  /** Turnover of one platform's contacts in a period, from what the actor may see. */
  async turnover(
    actor: Actor,
    platformCode: string,
    query: TurnoverQueryDto,
  ): Promise<TurnoverResponseDto> {
    const platform = await this.platforms.require(platformCode);
    const to = query.to ?? this.clock.now().toISOString().slice(0, 10);
    const from = query.from ?? yearBefore(to);
    if (from > to)
      throw new ValidationFailedError([{ field: 'from', message: 'from must not be after to' }]);
    const contacts = await this.contacts.listForPlatform(actor, platform.id);
    const tenures = await this.contacts.tenures(contacts.map((c) => c.id));
    const byStatus = (status: string) => contacts.filter((c) => c.status === status).length;
    // Coverage: each tenure (its countries, else the contact's); a contact without tenures covers
    // its countries from when it was recorded until it left.
    const coverage = contacts.flatMap((c) => {
      const own = tenures.filter((t) => t.contactId === c.id);
      if (own.length === 0) {
        return [
          {
            countries: c.countries,
            startedOn: c.createdAt.toISOString().slice(0, 10),
            endedOn: c.leftOn,
          },
        ];
      }
      return own.map((t) => ({
        countries: t.countries.length ? t.countries : c.countries,
        startedOn: t.startedOn,
        endedOn: t.endedOn,
      }));
    });
    return {
      from,
      to,
      departures: contacts.filter((c) => c.leftOn !== null && c.leftOn >= from && c.leftOn <= to)
        .length,
      medianTenureDays: medianTenureDays(tenures, from, to),
      active: byStatus('active'),
      unverified: byStatus('unverified'),
      unresponsive: byStatus('unresponsive'),
      left: byStatus('left'),
      longestGapDays: longestGapDays(coverage, from, to),
    };
  }

  private async requireVisible(
    actor: Actor,
    id: string,
    em?: EntityManager,
    lock = false,
  ): Promise<ContactRow> {
    const contact = await this.contacts.findVisible(actor, id, em, lock);
    if (!contact) throw new NotFoundError('contact');
    return contact;
  }

  private event(
    actor: Actor,
    contactId: string,
    type: ContactEventType,
    changes: Record<string, unknown>,
    em: EntityManager,
  ) {
    return this.contacts.insertEvent(
      { contactId, type, changes, actorUserId: actor.userId, occurredAt: this.clock.now() },
      em,
    );
  }

  private record(
    actor: Actor,
    action:
      | 'contact.created'
      | 'contact.updated'
      | 'contact.read'
      | 'contact.exported'
      | 'contact.verified'
      | 'contact.departed'
      | 'contact.tenure_added',
    contact: ContactEntity,
    em?: EntityManager,
    details: Record<string, unknown> = {},
  ) {
    return this.audit.record(
      {
        action,
        actorUserId: actor.userId,
        organizationId: actor.organizationId,
        targetType: 'contact',
        targetId: contact.id,
        details,
      },
      em,
    );
  }
}

/** Viewers read; everyone else in the working group may keep contacts up to date. */
function requireWriter(actor: Actor): void {
  if (actor.role === 'viewer') throw new ForbiddenError('Viewers cannot change contacts.');
}

/** The addresses present in a request, normalised; a malformed one is a 400 naming it. */
function normalizeAddresses(dto: {
  email?: string | null;
  signal?: string | null;
  phone?: string | null;
}) {
  const result: Partial<Record<ContactChannelKind, string | null>> = {};
  const errors = [];
  for (const kind of CONTACT_CHANNEL_KINDS) {
    const raw = dto[kind];
    if (raw === undefined) continue;
    if (raw === null) {
      result[kind] = null;
      continue;
    }
    const value = normalizeAddress(kind, raw);
    if (value === null)
      errors.push({
        field: kind,
        message: `${kind} is not a valid ${kind === 'email' ? 'e-mail address' : 'number (E.164)'}`,
      });
    result[kind] = value;
  }
  if (errors.length) throw new ValidationFailedError(errors);
  return result;
}

/** An address to look up, in the canonical form of whichever kind it parses as. */
function anyAddressForm(raw: string): string {
  for (const kind of CONTACT_CHANNEL_KINDS) {
    const value = normalizeAddress(kind, raw);
    if (value) return value;
  }
  return raw.trim().toLowerCase();
}

function toSummary(c: ContactRow, channels: ContactChannelEntity[]): ContactSummaryResponseDto {
  const current = (kind: ContactChannelKind) =>
    channels.find((ch) => ch.kind === kind && ch.until === null)?.value ?? null;
  return {
    id: c.id,
    platformCode: c.platformCode,
    otherPlatformCodes: c.otherPlatformCodes,
    fullName: c.fullName,
    email: current('email'),
    signal: current('signal'),
    phone: current('phone'),
    languages: c.languages,
    countries: c.countries,
    tlp: c.tlp,
    organizationId: c.organizationId,
    status: c.status,
    lastVerifiedAt: c.lastVerifiedAt?.toISOString() ?? null,
    successorId: c.successorId,
  };
}

function toTenureResponse(t: ContactTenureEntity): TenureResponseDto {
  return {
    id: t.id,
    title: t.title,
    team: t.team,
    countries: t.countries,
    startedOn: t.startedOn,
    endedOn: t.endedOn,
    endReason: t.endReason,
    handoverNotes: t.handoverNotes,
  };
}
