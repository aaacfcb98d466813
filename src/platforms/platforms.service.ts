import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/auth/actor';
import { Clock } from '../common/clock';
import { ConflictError, NotFoundError, ValidationFailedError } from '../common/errors/domain-error';
import { TtlCache } from '../common/cache/ttl-cache';
import { Page, toPage } from '../common/pagination/cursor';
import { TransactionRunner } from '../database/transaction';
import { OrganizationsService } from '../organizations/organizations.service';
import { ChannelEntity } from './channel.entity';
import { PartnersQueryDto, PartnersResponseDto } from './dto/channel-access.dto';
import {
  ChannelResponseDto,
  CreateChannelDto,
  CreatePlatformDto,
  PlatformQueryDto,
  PlatformResponseDto,
  UpdateChannelDto,
  UpdatePlatformDto,
} from './dto/platform.dto';
import { PlatformEntity } from './platform.entity';
import { PlatformsRepository } from './platforms.repository';
import { REFERENCE_PLATFORMS } from './reference-data';

export interface PlatformWithChannel {
  platform: PlatformEntity;
  channel: ChannelEntity;
}

/** Platforms, their channels, and which organisations may use which channel where. */
@Injectable()
export class PlatformsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(PlatformsService.name);

  constructor(
    private readonly platforms: PlatformsRepository,
    private readonly organizations: OrganizationsService,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** Every process that serves platforms makes sure the reference data is there. */
  async onApplicationBootstrap(): Promise<void> {
    const added = await this.platforms.insertMissingReferenceData(REFERENCE_PLATFORMS);
    if (added > 0) this.logger.log(`added ${added} reference channels`);
  }

  async list(query: PlatformQueryDto): Promise<Page<PlatformResponseDto>> {
    const rows = await this.platforms.list(query);
    const page = rows.slice(0, query.limit);
    const channels = await this.platforms.channelsOf(page.map((p) => p.id));
    return toPage(
      rows,
      query.limit,
      (p) =>
        toPlatformResponse(
          p,
          channels.filter((c) => c.platformId === p.id),
        ),
      (p) => [p.code],
    );
  }

  async get(code: string): Promise<PlatformResponseDto> {
    const platform = await this.require(code);
    return toPlatformResponse(platform, await this.platforms.channelsOf([platform.id]));
  }

  /** The platform or a 404; other modules use it to resolve a `platformCode`. */
  async require(code: string, em?: EntityManager): Promise<PlatformEntity> {
    const platform = await this.platforms.findByCode(code, em);
    if (!platform) throw new NotFoundError('platform');
    return platform;
  }

  /** Codes never change and platforms are never deleted, so a code's id may be remembered. */
  private readonly idsByCode = new Map<string, string>();

  /** For list filters: the platform id of a code, from memory after the first lookup; 400 if unknown. */
  async idForInput(code: string, field: string): Promise<string> {
    const known = this.idsByCode.get(code);
    if (known) return known;
    const { id } = await this.resolveForInput(code, field);
    this.idsByCode.set(code, id);
    return id;
  }

  /** For other modules' request bodies: an unknown code is a 400 naming the field. */
  async resolveForInput(code: string, field: string, em?: EntityManager): Promise<PlatformEntity> {
    const platform = await this.platforms.findByCode(code, em);
    if (!platform)
      throw new ValidationFailedError([
        { field, message: `${field} is not a known platform code` },
      ]);
    return platform;
  }

  /**
   * Further platforms of `platform`'s parent company, from a request body (contacts covering
   * several platforms): an unknown code, the platform itself, or a platform of another company
   * (or of none) is a 400 naming the field. Answers them in the order given.
   */
  async resolveSiblingsForInput(
    platform: PlatformEntity,
    codes: string[],
    field: string,
    em?: EntityManager,
  ): Promise<PlatformEntity[]> {
    const found = new Map(
      (await this.platforms.findByCodes(codes, em)).map((p) => [p.code, p] as const),
    );
    const errors = codes.flatMap((code) => {
      const other = found.get(code);
      const message = !other
        ? `${field} has ${code}, which is not a known platform code`
        : other.id === platform.id
          ? `${field} has ${code}, the contact's own platform`
          : platform.parentCompany === null || other.parentCompany !== platform.parentCompany
            ? `${field} has ${code}, which is not of the parent company of ${platform.code} (${platform.parentCompany ?? 'none recorded'})`
            : null;
      return message ? [{ field, message }] : [];
    });
    if (errors.length) throw new ValidationFailedError(errors);
    return codes.map((code) => found.get(code)!);
  }

  /**
   * Platform and channel by codes, for case bodies. Codes never change; what a channel says
   * (expected response hours) may, so an entry lives a minute and this process's own changes
   * drop the cache at once.
   */
  private readonly channelsByCodes = new TtlCache<string, PlatformWithChannel>(60_000, 1000);

  /** A platform and one of its channels from a request body; 400s name the fields. */
  async resolveWithChannelForInput(
    platformCode: string,
    channelCode: string,
    fields: { platform: string; channel: string },
  ): Promise<PlatformWithChannel> {
    let platformKnown = true;
    const found = await this.channelsByCodes.getOrLoad(
      `${platformCode}/${channelCode}`,
      async () => {
        const row = await this.platforms.findWithChannel(platformCode, channelCode);
        platformKnown = row !== null;
        return row?.channel ? { platform: row.platform, channel: row.channel } : null;
      },
    );
    if (found) return found;
    throw new ValidationFailedError([
      platformKnown
        ? { field: fields.channel, message: `${fields.channel} is not a channel of this platform` }
        : { field: fields.platform, message: `${fields.platform} is not a known platform code` },
    ]);
  }

  async resolveChannelForInput(
    platformId: string,
    code: string,
    field: string,
    em?: EntityManager,
  ): Promise<ChannelEntity> {
    const channel = await this.platforms.findChannel(platformId, code, em);
    if (!channel)
      throw new ValidationFailedError([
        { field, message: `${field} is not a channel of this platform` },
      ]);
    return channel;
  }

  /**
   * The channels the organisation may use today (its channel access), in `country` when given:
   * the escalation form offers them first.
   */
  usableChannelIds(organizationId: string, country: string | null): Promise<string[]> {
    const today = this.clock.now().toISOString().slice(0, 10);
    return this.platforms.usableChannelIds(organizationId, today, country);
  }

  async create(actor: Actor, dto: CreatePlatformDto): Promise<PlatformResponseDto> {
    return this.tx.run(async (em) => {
      if (await this.platforms.findByCode(dto.code, em))
        throw new ConflictError('A platform with this code already exists.', 'code');
      const platform = await this.platforms.insertPlatform(
        {
          code: dto.code,
          name: dto.name,
          parentCompany: dto.parentCompany ?? null,
          dsaVlop: dto.dsaVlop ?? null,
        },
        em,
      );
      await this.record(actor, 'platform.created', 'platform', platform.id, {}, em);
      return toPlatformResponse(platform, []);
    });
  }

  async update(actor: Actor, code: string, dto: UpdatePlatformDto): Promise<PlatformResponseDto> {
    const updated = await this.tx.run(async (em) => {
      const platform = await this.require(code, em);
      await this.platforms.updatePlatform(platform.id, dto, em);
      await this.record(
        actor,
        'platform.updated',
        'platform',
        platform.id,
        { fields: Object.keys(dto).sort() },
        em,
      );
      const changed = await this.require(code, em);
      return toPlatformResponse(changed, await this.platforms.channelsOf([platform.id], em));
    });
    this.channelsByCodes.invalidate();
    return updated;
  }

  async createChannel(
    actor: Actor,
    code: string,
    dto: CreateChannelDto,
  ): Promise<ChannelResponseDto> {
    return this.tx.run(async (em) => {
      const platform = await this.require(code, em);
      if (await this.platforms.findChannel(platform.id, dto.code, em)) {
        throw new ConflictError('This platform already has a channel with this code.', 'code');
      }
      const channel = await this.platforms.insertChannel(
        {
          platformId: platform.id,
          code: dto.code,
          name: dto.name,
          kind: dto.kind,
          url: dto.url ?? null,
          expectedResponseHours: dto.expectedResponseHours,
          verified: dto.verified ?? false,
          note: dto.note ?? null,
        },
        em,
      );
      await this.record(
        actor,
        'channel.created',
        'channel',
        channel.id,
        { platform: platform.code },
        em,
      );
      return toChannelResponse(channel);
    });
  }

  async updateChannel(
    actor: Actor,
    code: string,
    channelCode: string,
    dto: UpdateChannelDto,
  ): Promise<ChannelResponseDto> {
    const updated = await this.tx.run(async (em) => {
      const platform = await this.require(code, em);
      const channel = await this.platforms.findChannel(platform.id, channelCode, em);
      if (!channel) throw new NotFoundError('channel');
      await this.platforms.updateChannel(channel.id, dto, em);
      await this.record(
        actor,
        'channel.updated',
        'channel',
        channel.id,
        { fields: Object.keys(dto).sort() },
        em,
      );
      return toChannelResponse((await this.platforms.findChannelById(channel.id, em))!);
    });
    this.channelsByCodes.invalidate();
    return updated;
  }

  findChannelById(id: string, em?: EntityManager): Promise<ChannelEntity | null> {
    return this.platforms.findChannelById(id, em);
  }

  /** A platform and one of its channels by codes (null when either is unknown). */
  async findWithChannel(
    platformCode: string,
    channelCode: string,
    em?: EntityManager,
  ): Promise<PlatformWithChannel | null> {
    const found = await this.platforms.findWithChannel(platformCode, channelCode, em);
    return found?.channel ? { platform: found.platform, channel: found.channel } : null;
  }

  /** Who can use each channel of this platform in this country, on a day (default today). */
  async partners(code: string, query: PartnersQueryDto): Promise<PartnersResponseDto> {
    const platform = await this.require(code);
    const date = query.date ?? this.clock.now().toISOString().slice(0, 10);
    const [channels, rows] = await Promise.all([
      this.platforms.channelsOf([platform.id]),
      this.platforms.partners(platform.id, query.country ?? null, date),
    ]);
    return {
      data: channels
        .map((channel) => ({
          channel: { id: channel.id, code: channel.code, name: channel.name, kind: channel.kind },
          organizations: rows
            .filter((r) => r.channelId === channel.id)
            .map((r) => ({
              id: r.organizationId,
              slug: r.slug,
              name: r.name,
              countries: r.countries,
            })),
        }))
        .filter((entry) => entry.organizations.length > 0),
    };
  }

  private record(
    actor: Actor,
    action: 'platform.created' | 'platform.updated' | 'channel.created' | 'channel.updated',
    targetType: string,
    targetId: string,
    details: Record<string, unknown>,
    em: EntityManager,
  ) {
    return this.audit.record(
      {
        action,
        actorUserId: actor.userId,
        organizationId: actor.organizationId,
        targetType,
        targetId,
        details,
      },
      em,
    );
  }
}

export function toChannelResponse(c: ChannelEntity): ChannelResponseDto {
  return {
    id: c.id,
    code: c.code,
    name: c.name,
    kind: c.kind,
    url: c.url,
    expectedResponseHours: c.expectedResponseHours,
    verified: c.verified,
    note: c.note,
  };
}

function toPlatformResponse(p: PlatformEntity, channels: ChannelEntity[]): PlatformResponseDto {
  return {
    id: p.id,
    code: p.code,
    name: p.name,
    parentCompany: p.parentCompany,
    dsaVlop: p.dsaVlop,
    channels: channels.map(toChannelResponse),
  };
}
