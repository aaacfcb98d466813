import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/auth/actor';
import { NotFoundError } from '../common/errors/domain-error';
import { IfMatch } from '../common/http/if-match';
import { TransactionRunner } from '../database/transaction';
import { PlatformsService, PlatformWithChannel } from '../platforms/platforms.service';
import { ChannelPlaybooksRepository, PlaybookRow } from './channel-playbooks.repository';
import { requireVersion } from './channels.errors';
import {
  PlaybookResponseDto,
  PlaybookVersionsResponseDto,
  PutPlaybookDto,
} from './dto/playbook.dto';

const FIELDS = [
  'evidence',
  'language',
  'subjectLine',
  'formFields',
  'pitfalls',
  'eligibility',
  'howToApply',
  'changeNote',
] as const;

/**
 * A playbook per channel, kept by the community: any member (not a viewer) writes the next
 * version; every version stays, with its author and time. Two edits of the same version
 * cannot both win: If-Match names the version read, and the second gets 412.
 */
@Injectable()
export class ChannelPlaybooksService {
  constructor(
    private readonly playbooks: ChannelPlaybooksRepository,
    private readonly platforms: PlatformsService,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
  ) {}

  async current(
    actor: Actor,
    platformCode: string,
    channelCode: string,
  ): Promise<PlaybookResponseDto> {
    const found = await this.requireChannel(platformCode, channelCode);
    const [row] = await this.playbooks.current(actor.organizationId, [found.channel.id]);
    return toPlaybook(found, row ?? null);
  }

  /** The current playbooks of these channels, by channel id (the case form shows them). */
  async currentOf(actor: Actor, channelIds: string[]): Promise<Map<string, PlaybookRow>> {
    const rows = await this.playbooks.current(actor.organizationId, channelIds);
    return new Map(rows.map((r) => [r.channelId, r]));
  }

  async versions(
    actor: Actor,
    platformCode: string,
    channelCode: string,
  ): Promise<PlaybookVersionsResponseDto> {
    const found = await this.requireChannel(platformCode, channelCode);
    const rows = await this.playbooks.versions(actor.organizationId, found.channel.id);
    return {
      data: rows.map((r) => ({
        version: r.version,
        changeNote: r.changeNote,
        authorId: r.authorId,
        authorName: r.authorName,
        authorOrganizationSlug: r.authorOrganizationSlug,
        createdAt: r.createdAt.toISOString(),
      })),
    };
  }

  async version(
    actor: Actor,
    platformCode: string,
    channelCode: string,
    version: number,
  ): Promise<PlaybookResponseDto> {
    const found = await this.requireChannel(platformCode, channelCode);
    const row = await this.playbooks.version(actor.organizationId, found.channel.id, version);
    if (!row) throw new NotFoundError('playbook version');
    return toPlaybook(found, row);
  }

  async put(
    actor: Actor,
    platformCode: string,
    channelCode: string,
    dto: PutPlaybookDto,
    ifMatch: IfMatch | undefined,
  ): Promise<PlaybookResponseDto> {
    const found = await this.requireChannel(platformCode, channelCode);
    await this.tx.run(async (em) => {
      const latest = await this.playbooks.lockLatest(found.channel.id, em);
      requireVersion('playbook', ifMatch, latest);
      const version = latest + 1;
      await this.playbooks.insert(
        {
          channelId: found.channel.id,
          version,
          ...Object.fromEntries(FIELDS.map((f) => [f, dto[f] ?? null])),
          authorId: actor.userId,
          authorOrganizationId: actor.organizationId,
        },
        em,
      );
      await this.audit.record(
        {
          action: 'channel_playbook.edited',
          actorUserId: actor.userId,
          organizationId: actor.organizationId,
          targetType: 'channel',
          targetId: found.channel.id,
          details: { version },
        },
        em,
      );
    });
    return this.current(actor, platformCode, channelCode);
  }

  private async requireChannel(platformCode: string, channelCode: string) {
    const found = await this.platforms.findWithChannel(platformCode, channelCode);
    if (!found) throw new NotFoundError('channel');
    return found;
  }
}

export function toPlaybook(
  found: PlatformWithChannel,
  row: PlaybookRow | null,
): PlaybookResponseDto {
  return {
    platformCode: found.platform.code,
    channelCode: found.channel.code,
    version: row?.version ?? 0,
    evidence: row?.evidence ?? null,
    language: row?.language ?? null,
    subjectLine: row?.subjectLine ?? null,
    formFields: row?.formFields ?? null,
    pitfalls: row?.pitfalls ?? null,
    eligibility: row?.eligibility ?? null,
    howToApply: row?.howToApply ?? null,
    changeNote: row?.changeNote ?? null,
    authorId: row?.authorId ?? null,
    authorName: row?.authorName ?? null,
    authorOrganizationSlug: row?.authorOrganizationSlug ?? null,
    createdAt: row ? row.createdAt.toISOString() : null,
  };
}
