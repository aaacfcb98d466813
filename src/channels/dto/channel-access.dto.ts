import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { ListQueryDto } from '../../common/pagination/list-query.dto';
import {
  IsCountryCode,
  IsCountryCodes,
  IsDateOnly,
  IsMachineCode,
  IsOmittable,
  IsText,
} from '../../common/validation/decorators';
import {
  CHANNEL_ACCESS_STATUSES,
  ChannelAccessStatus,
} from '../../platforms/channel-access.entity';
import { AccessHistoryAction } from '../channel-access-history.entity';

/**
 * Asks for (org_admin, for its own organisation: a claim until approved) or records (admin:
 * approved at once) an organisation's access to a channel.
 */
export class CreateChannelAccessDto {
  @IsUUID()
  organizationId: string;

  @IsUUID()
  channelId: string;

  /** Countries (ISO 3166-1 alpha-2) where the organisation may use the channel. */
  @IsCountryCodes()
  countries: string[];

  /** First day of access, YYYY-MM-DD. */
  @IsDateOnly()
  since: string;

  /** Last day of access, YYYY-MM-DD; open-ended when absent. */
  @IsOptional()
  @IsDateOnly()
  until?: string;

  /**
   * The evidence (required for a claim): how the platform granted the access. Seen only by the
   * organisation and the community admins.
   */
  @IsOptional()
  @IsText(2000)
  evidenceNote?: string;

  /** The day the platform confirmed the access, YYYY-MM-DD. */
  @IsOptional()
  @IsDateOnly()
  confirmedOn?: string;

  /** Who at the platform confirmed it (a team or role rather than a person's name). */
  @IsOptional()
  @IsText(200)
  confirmedBy?: string;
}

/** Corrects an access record; needs If-Match. `until` ends it (null: open-ended again). */
export class UpdateChannelAccessDto {
  @IsOmittable()
  @IsCountryCodes()
  countries?: string[];

  @IsOmittable()
  @IsDateOnly()
  since?: string;

  @IsOptional()
  @IsDateOnly()
  until?: string | null;

  @IsOptional()
  @IsText(2000)
  evidenceNote?: string | null;

  @IsOptional()
  @IsDateOnly()
  confirmedOn?: string | null;

  @IsOptional()
  @IsText(200)
  confirmedBy?: string | null;

  /** Why it changed (kept in the history). */
  @IsOptional()
  @IsText(1000)
  reason?: string;
}

/** Approves a claim (admin). */
export class ApproveChannelAccessDto {
  @IsOptional()
  @IsText(1000)
  reason?: string;
}

/** Refuses a claim or revokes an access: the reason is required. */
export class ChannelAccessReasonDto {
  @IsText(1000)
  reason: string;
}

export class ChannelAccessQueryDto extends ListQueryDto {
  /** Platform code. */
  @IsOptional()
  @IsMachineCode(40)
  platform?: string;

  /** Channel code (of any platform unless `platform` is given). */
  @IsOptional()
  @IsMachineCode(60)
  channel?: string;

  @IsOptional()
  @IsCountryCode()
  country?: string;

  /** Organisation id. */
  @IsOptional()
  @IsUUID()
  organization?: string;

  @IsOptional()
  @IsIn(CHANNEL_ACCESS_STATUSES)
  status?: ChannelAccessStatus;
}

export class ChannelAccessResponseDto {
  id: string;
  organizationId: string;
  organizationSlug: string;
  organizationName: string;
  channelId: string;
  platformCode: string;
  channelCode: string;
  channelName: string;
  countries: string[];
  since: string;
  until: string | null;
  /** claimed: asked, not (yet) approved; only approved access counts as access. */
  status: ChannelAccessStatus;
  /** Null unless you are of the organisation or a community admin. */
  evidenceNote: string | null;
  confirmedOn: string | null;
  /** Null unless you are of the organisation or a community admin. */
  confirmedBy: string | null;
  decidedAt: string | null;
  /** Null unless you are of the organisation or a community admin. */
  decisionReason: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export class ChannelAccessPageResponseDto {
  data: ChannelAccessResponseDto[];
  nextCursor: string | null;
}

export class ChannelAccessHistoryEntryDto {
  version: number;
  action: AccessHistoryAction;
  status: ChannelAccessStatus;
  countries: string[];
  since: string;
  until: string | null;
  /** Null unless you are of the organisation or a community admin. */
  reason: string | null;
  actorUserId: string | null;
  at: string;
}

export class ChannelAccessHistoryResponseDto {
  data: ChannelAccessHistoryEntryDto[];
}

export class RegistryOverviewQueryDto {
  @IsOptional()
  @IsCountryCode()
  country?: string;

  @IsOptional()
  @IsMachineCode(40)
  platform?: string;
}

export class RegistryOverviewCellDto {
  platformCode: string;
  platformName: string;
  country: string;
  /** Organisations with approved access today, by slug. */
  approved: { slug: string; name: string; channelCode: string }[];
  /** Claims waiting for approval (counted, not named as partners). */
  claimed: number;
}

export class RegistryOverviewResponseDto {
  date: string;
  data: RegistryOverviewCellDto[];
}
