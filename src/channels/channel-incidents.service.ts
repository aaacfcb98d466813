import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditAction, AuditService } from '../audit/audit.service';
import { Actor } from '../common/auth/actor';
import { Clock } from '../common/clock';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationFailedError,
} from '../common/errors/domain-error';
import { DomainEvents } from '../common/events/domain-events';
import { Page, toPage } from '../common/pagination/cursor';
import { TransactionRunner } from '../database/transaction';
import { PlatformsService } from '../platforms/platforms.service';
import { ChannelIncidentsRepository, IncidentRow } from './channel-incidents.repository';
import {
  ConfirmIncidentDto,
  CreateIncidentDto,
  IncidentQueryDto,
  IncidentResponseDto,
  ResolveIncidentDto,
} from './dto/incident.dto';

/**
 * Channel incidents: any member reports that a channel is broken, silent or changed; other
 * organisations confirm it (one confirmation each, counted); the reporting organisation or a
 * community admin resolves it with a date. Reporting emits `channel-incident.reported`.
 */
@Injectable()
export class ChannelIncidentsService {
  constructor(
    private readonly incidents: ChannelIncidentsRepository,
    private readonly platforms: PlatformsService,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly events: DomainEvents,
    private readonly clock: Clock,
  ) {}

  /** What an alert to a working group says of an incident (null: it is gone). */
  alertFacts(id: string) {
    return this.incidents.alertFacts(id);
  }

  async list(actor: Actor, query: IncidentQueryDto): Promise<Page<IncidentResponseDto>> {
    const rows = await this.incidents.list(actor.organizationId, query, query);
    return toPage(rows, query.limit, toIncident, (r) => [r.createdAt.toISOString(), r.id]);
  }

  /** The open incidents of these channels (the case form shows them). */
  async openOf(actor: Actor, channelIds: string[]): Promise<IncidentResponseDto[]> {
    if (channelIds.length === 0) return [];
    const rows = await this.incidents.list(
      actor.organizationId,
      { channelIds, status: 'open' },
      { limit: 500 },
    );
    return rows.map(toIncident);
  }

  /** Per platform and channel, the incidents overlapping the period (for the scorecard). */
  overlapping(from: string, to: string) {
    return this.incidents.overlapping(from, to);
  }

  async get(actor: Actor, id: string): Promise<IncidentResponseDto> {
    const row = await this.incidents.findRow(actor.organizationId, id);
    if (!row) throw new NotFoundError('incident');
    return toIncident(row);
  }

  async report(actor: Actor, dto: CreateIncidentDto): Promise<IncidentResponseDto> {
    const found = await this.platforms.findWithChannel(dto.platformCode, dto.channelCode);
    if (!found) {
      throw new ValidationFailedError([
        (await this.knownPlatform(dto.platformCode))
          ? { field: 'channelCode', message: 'channelCode is not a channel of this platform' }
          : { field: 'platformCode', message: 'platformCode is not a known platform code' },
      ]);
    }
    if (dto.since > this.today())
      throw new ValidationFailedError([
        { field: 'since', message: 'since must not be in the future' },
      ]);
    const id = await this.tx.run(async (em) => {
      const incident = await this.incidents.insert(
        {
          channelId: found.channel.id,
          kind: dto.kind,
          since: dto.since,
          description: dto.description,
          reportedBy: actor.userId,
          organizationId: actor.organizationId,
        },
        em,
      );
      await this.record(actor, 'channel_incident.reported', incident.id, { kind: dto.kind }, em);
      await this.events.emit(em, 'channel-incident.reported', {
        incidentId: incident.id,
        channelId: found.channel.id,
      });
      return incident.id;
    });
    return this.get(actor, id);
  }

  async confirm(actor: Actor, id: string, dto: ConfirmIncidentDto): Promise<IncidentResponseDto> {
    await this.tx.run(async (em) => {
      const incident = await this.require(actor, id, em);
      if (incident.organizationId === actor.organizationId)
        throw new ConflictError('Your organisation reported this incident.');
      if (incident.resolvedOn !== null) throw new ConflictError('This incident is resolved.');
      if (
        !(await this.incidents.confirm(
          id,
          actor.organizationId,
          actor.userId,
          dto.note ?? null,
          em,
        ))
      )
        throw new ConflictError('Your organisation has already confirmed this incident.');
      await this.record(actor, 'channel_incident.confirmed', id, {}, em);
    });
    return this.get(actor, id);
  }

  async resolve(actor: Actor, id: string, dto: ResolveIncidentDto): Promise<IncidentResponseDto> {
    await this.tx.run(async (em) => {
      const incident = await this.require(actor, id, em);
      if (actor.role !== 'admin' && incident.organizationId !== actor.organizationId)
        throw new ForbiddenError(
          'The reporting organisation or a community admin resolves an incident.',
        );
      if (incident.resolvedOn !== null) throw new ConflictError('This incident is resolved.');
      const errors = [];
      if (dto.resolvedOn < incident.since)
        errors.push({ field: 'resolvedOn', message: 'resolvedOn must not be before since' });
      else if (dto.resolvedOn > this.today())
        errors.push({ field: 'resolvedOn', message: 'resolvedOn must not be in the future' });
      if (errors.length) throw new ValidationFailedError(errors);
      await this.incidents.update(
        id,
        { resolvedOn: dto.resolvedOn, resolutionNote: dto.note ?? null, resolvedBy: actor.userId },
        em,
      );
      await this.record(actor, 'channel_incident.resolved', id, {}, em);
    });
    return this.get(actor, id);
  }

  private async require(actor: Actor, id: string, em: EntityManager) {
    if (!(await this.incidents.findRow(actor.organizationId, id, em)))
      throw new NotFoundError('incident');
    return (await this.incidents.findForUpdate(id, em))!;
  }

  private async knownPlatform(code: string): Promise<boolean> {
    try {
      await this.platforms.require(code);
      return true;
    } catch {
      return false;
    }
  }

  private today(): string {
    return this.clock.now().toISOString().slice(0, 10);
  }

  private record(
    actor: Actor,
    action: AuditAction,
    id: string,
    details: Record<string, unknown>,
    em: EntityManager,
  ) {
    return this.audit.record(
      {
        action,
        actorUserId: actor.userId,
        organizationId: actor.organizationId,
        targetType: 'channel_incident',
        targetId: id,
        details,
      },
      em,
    );
  }
}

export function toIncident(r: IncidentRow): IncidentResponseDto {
  return {
    id: r.id,
    platformCode: r.platformCode,
    channelCode: r.channelCode,
    channelName: r.channelName,
    kind: r.kind,
    since: r.since,
    description: r.description,
    status: r.resolvedOn === null ? 'open' : 'resolved',
    resolvedOn: r.resolvedOn,
    resolutionNote: r.resolutionNote,
    organizationSlug: r.organizationSlug,
    organizationName: r.organizationName,
    confirmations: r.confirmations,
    yours: r.yours,
    createdAt: r.createdAt.toISOString(),
  };
}
