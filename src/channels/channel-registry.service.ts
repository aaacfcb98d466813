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
import { IfMatch } from '../common/http/if-match';
import { Page, toPage } from '../common/pagination/cursor';
import { TransactionRunner } from '../database/transaction';
import { OrganizationsService } from '../organizations/organizations.service';
import { ChannelAccessEntity, ChannelAccessStatus } from '../platforms/channel-access.entity';
import { PlatformsService } from '../platforms/platforms.service';
import { AccessHistoryAction } from './channel-access-history.entity';
import { isClosed, statusAfterCorrection } from './channel-access.rules';
import { AccessRow, ChannelRegistryRepository, Reader } from './channel-registry.repository';
import { requireVersion } from './channels.errors';
import {
  ApproveChannelAccessDto,
  ChannelAccessHistoryResponseDto,
  ChannelAccessQueryDto,
  ChannelAccessReasonDto,
  ChannelAccessResponseDto,
  CreateChannelAccessDto,
  RegistryOverviewCellDto,
  RegistryOverviewQueryDto,
  RegistryOverviewResponseDto,
  UpdateChannelAccessDto,
} from './dto/channel-access.dto';

const readerOf = (actor: Actor): Reader => ({
  organizationId: actor.organizationId,
  isAdmin: actor.role === 'admin',
});

/**
 * The trusted-partner registry: organisations claim access to a channel with evidence, the
 * community coordination (admin) approves or refuses; access is corrected, ended and revoked,
 * every change a history row and an audit entry. Only approved access counts as access.
 */
@Injectable()
export class ChannelRegistryService {
  constructor(
    private readonly registry: ChannelRegistryRepository,
    private readonly platforms: PlatformsService,
    private readonly organizations: OrganizationsService,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async list(actor: Actor, query: ChannelAccessQueryDto): Promise<Page<ChannelAccessResponseDto>> {
    const rows = await this.registry.list(readerOf(actor), query, query);
    return toPage(rows, query.limit, toResponse, (r) => [r.createdAt.toISOString(), r.id]);
  }

  async get(actor: Actor, id: string): Promise<ChannelAccessResponseDto> {
    const row = await this.registry.findRow(readerOf(actor), id);
    if (!row) throw new NotFoundError('channel access');
    return toResponse(row);
  }

  async history(actor: Actor, id: string): Promise<ChannelAccessHistoryResponseDto> {
    await this.get(actor, id);
    const rows = await this.registry.history(readerOf(actor), id);
    return { data: rows.map((r) => ({ ...r, at: r.at.toISOString() })) };
  }

  /**
   * admin: records access for any organisation, approved at once. org_admin: asks for its own
   * organisation, with evidence; a claim until an admin approves it.
   */
  async request(actor: Actor, dto: CreateChannelAccessDto): Promise<ChannelAccessResponseDto> {
    const isAdmin = actor.role === 'admin';
    if (!isAdmin && !(actor.role === 'org_admin' && actor.organizationId === dto.organizationId)) {
      throw new ForbiddenError(
        'Only a community admin can record channel access for another organization.',
      );
    }
    const errors = [];
    if (dto.until && dto.until < dto.since)
      errors.push({ field: 'until', message: 'until must not be before since' });
    if (!isAdmin && !dto.evidenceNote)
      errors.push({
        field: 'evidenceNote',
        message: 'evidenceNote is required: say how the platform granted the access',
      });
    if (errors.length) throw new ValidationFailedError(errors);
    const id = await this.tx.run(async (em) => {
      const organization = await this.organizations.findById(dto.organizationId, em);
      if (!organization)
        throw new ValidationFailedError([
          { field: 'organizationId', message: 'organizationId is not a known organization' },
        ]);
      const channel = await this.platforms.findChannelById(dto.channelId, em);
      if (!channel)
        throw new ValidationFailedError([
          { field: 'channelId', message: 'channelId is not a known channel' },
        ]);
      const status: ChannelAccessStatus = isAdmin ? 'approved' : 'claimed';
      const access = await this.registry.insert(
        {
          organizationId: dto.organizationId,
          channelId: dto.channelId,
          countries: dto.countries,
          since: dto.since,
          until: dto.until ?? null,
          evidenceNote: dto.evidenceNote ?? null,
          confirmedOn: dto.confirmedOn ?? null,
          confirmedBy: dto.confirmedBy ?? null,
          createdBy: actor.userId,
          status,
          decidedBy: isAdmin ? actor.userId : null,
          decidedAt: isAdmin ? this.clock.now() : null,
        },
        em,
      );
      await this.recordChange(actor, access, isAdmin ? 'recorded' : 'claimed', null, em);
      await this.audit.record(
        {
          action: isAdmin ? 'channel_access.granted' : 'channel_access.claimed',
          actorUserId: actor.userId,
          organizationId: dto.organizationId,
          targetType: 'channel_access',
          targetId: access.id,
          details: { channelId: dto.channelId, countries: dto.countries },
        },
        em,
      );
      return access.id;
    });
    return this.get(actor, id);
  }

  /**
   * admin: a claim becomes access. With If-Match, only the version the admin read: a claim its
   * organisation widened meanwhile is 412, not approved unseen.
   */
  approve(actor: Actor, id: string, dto: ApproveChannelAccessDto, ifMatch?: IfMatch) {
    return this.decide(actor, id, 'approved', dto.reason ?? null, ifMatch);
  }

  /** admin: a claim is refused, with the reason (If-Match as for approve). */
  refuse(actor: Actor, id: string, dto: ChannelAccessReasonDto, ifMatch?: IfMatch) {
    return this.decide(actor, id, 'refused', dto.reason, ifMatch);
  }

  private async decide(
    actor: Actor,
    id: string,
    status: 'approved' | 'refused',
    reason: string | null,
    ifMatch: IfMatch | undefined,
  ): Promise<ChannelAccessResponseDto> {
    // The route admits admins only; kept here too, so no other caller can decide its own claim.
    if (actor.role !== 'admin')
      throw new ForbiddenError('Only the community coordination approves or refuses access.');
    await this.tx.run(async (em) => {
      const access = await this.requireVisible(actor, id, em);
      if (ifMatch !== undefined) requireVersion('channel access', ifMatch, access.version);
      if (access.status !== 'claimed')
        throw new ConflictError(
          `This access is ${access.status}, not a claim waiting for a decision.`,
        );
      const changed = Object.assign(access, {
        status,
        decidedBy: actor.userId,
        decidedAt: this.clock.now(),
        decisionReason: reason,
        version: access.version + 1,
      });
      await this.registry.update(
        id,
        {
          status,
          decidedBy: actor.userId,
          decidedAt: changed.decidedAt,
          decisionReason: reason,
          version: changed.version,
        },
        em,
      );
      await this.recordChange(actor, changed, status, reason, em);
      await this.auditChange(actor, changed, `channel_access.${status}`, {}, em);
    });
    return this.get(actor, id);
  }

  /** admin for any organisation, org_admin for its own: the access ends now, for good. */
  async revoke(
    actor: Actor,
    id: string,
    dto: ChannelAccessReasonDto,
  ): Promise<ChannelAccessResponseDto> {
    await this.tx.run(async (em) => {
      const access = await this.requireChangeable(actor, id, em);
      const changed = Object.assign(access, { status: 'revoked', version: access.version + 1 });
      await this.registry.update(id, { status: 'revoked', version: changed.version }, em);
      await this.recordChange(actor, changed, 'revoked', dto.reason, em);
      await this.auditChange(actor, changed, 'channel_access.revoked', {}, em);
    });
    return this.get(actor, id);
  }

  /**
   * Corrects or ends an access (If-Match: the version read). An organisation that widens its
   * approved access makes it a claim again (see statusAfterCorrection).
   */
  async correct(
    actor: Actor,
    id: string,
    dto: UpdateChannelAccessDto,
    ifMatch: IfMatch | undefined,
  ): Promise<ChannelAccessResponseDto> {
    await this.tx.run(async (em) => {
      const access = await this.requireChangeable(actor, id, em);
      requireVersion('channel access', ifMatch, access.version);
      const since = dto.since ?? access.since;
      const until = dto.until === undefined ? access.until : dto.until;
      if (until !== null && until < since)
        throw new ValidationFailedError([
          {
            field: dto.until !== undefined ? 'until' : 'since',
            message: 'until must not be before since',
          },
        ]);
      const { reason, ...fields } = dto;
      const status = statusAfterCorrection(actor.role, access.status, access, fields);
      const values = {
        ...fields,
        status,
        version: access.version + 1,
        ...(status !== access.status
          ? { decidedBy: null, decidedAt: null, decisionReason: null }
          : {}),
      };
      await this.registry.update(id, values, em);
      const changed = Object.assign(access, values, { since, until });
      await this.recordChange(actor, changed, 'corrected', reason ?? null, em);
      await this.auditChange(
        actor,
        changed,
        'channel_access.corrected',
        { fields: Object.keys(fields).sort(), status },
        em,
      );
    });
    return this.get(actor, id);
  }

  /** Per platform and country, who is a partner today (or on `date`) and how many claims wait. */
  async overview(query: RegistryOverviewQueryDto): Promise<RegistryOverviewResponseDto> {
    const date = this.clock.now().toISOString().slice(0, 10);
    const rows = await this.registry.overview(date, query.country, query.platform);
    const cells = new Map<string, RegistryOverviewCellDto>();
    for (const r of rows) {
      const key = `${r.platformCode}/${r.country}`;
      const cell = cells.get(key) ?? {
        platformCode: r.platformCode,
        platformName: r.platformName,
        country: r.country,
        approved: [],
        claimed: r.claimed,
      };
      if (r.slug) cell.approved.push({ slug: r.slug, name: r.name!, channelCode: r.channelCode! });
      cells.set(key, cell);
    }
    return { date, data: [...cells.values()] };
  }

  /** The record, locked; 404 when the caller may not see it. */
  private async requireVisible(actor: Actor, id: string, em: EntityManager) {
    if (!(await this.registry.findRow(readerOf(actor), id, em)))
      throw new NotFoundError('channel access');
    return (await this.registry.findForUpdate(id, em))!;
  }

  /** Visible, of the caller's organisation (or any for an admin), and not closed. */
  private async requireChangeable(actor: Actor, id: string, em: EntityManager) {
    const access = await this.requireVisible(actor, id, em);
    if (
      actor.role !== 'admin' &&
      !(actor.role === 'org_admin' && actor.organizationId === access.organizationId)
    )
      throw new ForbiddenError(
        'Only the organisation’s org_admin or a community admin can change this access.',
      );
    if (isClosed(access.status))
      throw new ConflictError(`This access is ${access.status}; it is kept as history.`);
    return access;
  }

  private recordChange(
    actor: Actor,
    access: ChannelAccessEntity,
    action: AccessHistoryAction,
    reason: string | null,
    em: EntityManager,
  ) {
    return this.registry.addHistory(
      {
        accessId: access.id,
        version: access.version,
        action,
        status: access.status,
        countries: access.countries,
        since: access.since,
        until: access.until,
        reason,
        actorUserId: actor.userId,
      },
      em,
    );
  }

  private auditChange(
    actor: Actor,
    access: ChannelAccessEntity,
    action: AuditAction,
    details: Record<string, unknown>,
    em: EntityManager,
  ) {
    return this.audit.record(
      {
        action,
        actorUserId: actor.userId,
        organizationId: access.organizationId,
        targetType: 'channel_access',
        targetId: access.id,
        details: { channelId: access.channelId, version: access.version, ...details },
      },
      em,
    );
  }
}

export function toResponse(r: AccessRow): ChannelAccessResponseDto {
  return {
    ...r,
    decidedAt: r.decidedAt ? r.decidedAt.toISOString() : null,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}
