import { applyDecorators } from '@nestjs/common';
import { ApiProperty, OmitType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsObject,
  IsOptional,
  IsUUID,
  Matches,
  ValidateNested,
} from 'class-validator';
import { ListQueryDto } from '../../common/pagination/list-query.dto';
import { Tlp, TLP_LEVELS } from '../../common/sharing/tlp';
import {
  IsCountryCode,
  IsHttpUrl,
  IsLanguageTag,
  IsMachineCode,
  IsOmittable,
  IsText,
  IsTimestamp,
} from '../../common/validation/decorators';
import { PatchType } from '../../common/validation/patch-type';
import { CASE_ITEM_KINDS, CaseItemKind } from '../case-item.entity';
import {
  CASE_OUTCOMES,
  CASE_STATUSES,
  CASE_URGENCIES,
  CaseOutcome,
  CaseStatus,
  CaseUrgency,
} from '../case-status.machine';
import { INDICATOR_KINDS, IndicatorKind } from '../indicator';
import { CATEGORY_CODES, TARGET_GROUPS, TargetGroup } from '../taxonomy';

export const MAX_ITEMS = 100;
/** The list's `owner` filter: `me`, `none` or a user id. */
export const OWNER_FILTER =
  /^(me|none|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;
export const MAX_INDICATORS = 200;
export const MAX_SHARED = 50;

const lowercase = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.toLowerCase() : value;

export class CaseItemDto {
  /** The post, profile or message, as an http(s) URL. */
  @IsHttpUrl()
  url: string;

  @IsIn(CASE_ITEM_KINDS)
  kind: CaseItemKind;

  /** SHA-256 of the evidence captured (hex). */
  @IsOptional()
  @Transform(lowercase)
  @Matches(/^[0-9a-f]{64}$/, { message: '$property must be 64 hexadecimal characters' })
  contentSha256?: string | null;

  @IsOptional()
  @IsTimestamp()
  capturedAt?: string | null;
}

export class IndicatorDto {
  @IsIn(INDICATOR_KINDS)
  kind: IndicatorKind;

  /** Normalised before storing (case, `@`, `#`, canonical URL, E.164 phone). */
  @IsText(2048)
  value: string;
}

const IsIdList = () =>
  applyDecorators(
    IsArray(),
    ArrayMaxSize(MAX_SHARED),
    ArrayUnique(),
    IsUUID('all', { each: true }),
  );

export class CreateCaseDto {
  /** e.g. `facebook`. */
  @IsMachineCode(40)
  platformCode: string;

  /** A channel of that platform, e.g. `trusted_partner`. */
  @IsMachineCode(60)
  channelCode: string;

  /** The platform contact it went through, if any (a contact you can see, of that platform). */
  @IsOptional()
  @IsUUID('all')
  contactId?: string | null;

  /**
   * Who in your organisation follows the case up: an active member or org_admin (on a RED case,
   * its creator or someone named on it). When logging, the default is you; null: unassigned.
   */
  @IsOptional()
  @IsUUID('all')
  ownerId?: string | null;

  @IsText(300)
  title: string;

  /** What happened, for the people working the case (never leaves TLP). */
  @IsText(20000)
  summary: string;

  @IsIn(CATEGORY_CODES, { message: 'categoryCode must be a category code of the taxonomy' })
  categoryCode: string;

  /** A subcategory of that category. */
  @IsOptional()
  @IsMachineCode(60)
  subcategoryCode?: string | null;

  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(TARGET_GROUPS.length)
  @ArrayUnique()
  @IsIn(TARGET_GROUPS, { each: true })
  @ApiProperty({ enum: TARGET_GROUPS, isArray: true, required: false })
  targetGroups?: TargetGroup[];

  /** ISO 3166-1 alpha-2. */
  @IsCountryCode()
  country: string;

  /** BCP 47 tag of the content's language. */
  @IsOptional()
  @IsLanguageTag()
  contentLanguage?: string | null;

  @IsOmittable()
  @IsIn(CASE_URGENCIES)
  urgency?: CaseUrgency;

  /** Who may see the case (default AMBER+STRICT: your organisation). */
  @IsOmittable()
  @IsIn(TLP_LEVELS)
  tlp?: Tlp;

  /** TLP AMBER: the other organisations that may see the case (at least one). */
  @IsOmittable()
  @IsIdList()
  shareWithOrganizationIds?: string[];

  /** TLP RED: the users, besides you, who may see the case. */
  @IsOmittable()
  @IsIdList()
  shareWithUserIds?: string[];

  /** Let the anonymised pattern of this case enter the shared repository (default false). */
  @IsOmittable()
  @IsBoolean()
  consentToSharePattern?: boolean;

  /** The platform's own ticket number. */
  @IsOptional()
  @IsText(200)
  platformReference?: string | null;

  /** When it was escalated; absent, the case is a draft. Not in the future. */
  @IsOptional()
  @IsTimestamp()
  escalatedAt?: string | null;

  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(MAX_ITEMS)
  // ValidateNested alone would walk into an inner array ([[...]]) and pass it.
  @IsObject({ each: true, message: 'each value in $property must be an object' })
  @ValidateNested({ each: true })
  @Type(() => CaseItemDto)
  items?: CaseItemDto[];

  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(MAX_INDICATORS)
  @IsObject({ each: true, message: 'each value in $property must be an object' })
  @ValidateNested({ each: true })
  @Type(() => IndicatorDto)
  indicators?: IndicatorDto[];
}

/**
 * Changes a case. Platform, channel and escalation are not edited here: the escalation target
 * is fixed, and the timeline (`POST /v1/cases/:id/events`) moves the status. `items` and
 * `indicators`, when given, replace the lists.
 */
export class UpdateCaseDto extends PatchType(
  OmitType(CreateCaseDto, ['platformCode', 'channelCode', 'escalatedAt'] as const),
) {}

const toBoolean = ({ value }: { value: unknown }) =>
  value === 'true' ? true : value === 'false' ? false : value;

export class CaseQueryDto extends ListQueryDto {
  @IsOptional()
  @IsIn(CASE_STATUSES)
  status?: CaseStatus;

  /** Platform code. */
  @IsOptional()
  @IsMachineCode(40)
  platform?: string;

  /** Channel code (of any platform, or of `platform`). */
  @IsOptional()
  @IsMachineCode(60)
  channel?: string;

  @IsOptional()
  @IsIn(CATEGORY_CODES, { message: 'category must be a category code of the taxonomy' })
  category?: string;

  @IsOptional()
  @IsCountryCode()
  country?: string;

  @IsOptional()
  @IsIn(CASE_URGENCIES)
  urgency?: CaseUrgency;

  /** Waiting for the platform past `dueAt` (a paused clock is not overdue). */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  overdue?: boolean;

  /** Open cases whose platform contact has left. */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  needsContact?: boolean;

  /** Whose cases: `me`, `none` (unassigned) or a user's id. */
  @IsOptional()
  @Matches(OWNER_FILTER, { message: 'owner must be me, none or a user id' })
  @ApiProperty({ required: false, pattern: OWNER_FILTER.source })
  owner?: string;

  /** escalatedAt on or after. */
  @IsOptional()
  @IsTimestamp()
  from?: string;

  /** escalatedAt before. */
  @IsOptional()
  @IsTimestamp()
  to?: string;

  /** Words in the title, summary or reference (any language: no stemming). */
  @IsOptional()
  @IsText(200)
  q?: string;
}

export class CaseCountQueryDto extends OmitType(CaseQueryDto, ['limit', 'cursor'] as const) {}

export class CaseItemResponseDto {
  url: string;
  kind: CaseItemKind;
  contentSha256: string | null;
  capturedAt: string | null;
}

export class IndicatorResponseDto {
  kind: IndicatorKind;
  value: string;
}

/** A case as lists show it: everything but its items and indicators. */
export class CaseSummaryResponseDto {
  id: string;
  /** `ESC-<year>-<6 digits>`. */
  reference: string;
  organizationId: string;
  createdBy: string;
  platformCode: string;
  channelCode: string;
  contactId: string | null;
  /** Who follows it up (null: unassigned). */
  ownerId: string | null;
  title: string;
  summary: string;
  categoryCode: string;
  subcategoryCode: string | null;
  targetGroups: string[];
  country: string;
  contentLanguage: string | null;
  urgency: CaseUrgency;
  @ApiProperty({ enum: TLP_LEVELS })
  tlp: Tlp;
  shareWithOrganizationIds: string[];
  shareWithUserIds: string[];
  consentToSharePattern: boolean;
  platformReference: string | null;
  @ApiProperty({ enum: CASE_STATUSES })
  status: CaseStatus;
  @ApiProperty({ enum: CASE_OUTCOMES, nullable: true })
  outcome: CaseOutcome | null;
  escalatedAt: string | null;
  dueAt: string | null;
  firstResponseAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  /** The deadline clock is stopped while the platform waits for information. */
  paused: boolean;
  /** Time the clock was stopped in total, shown apart from the response times. */
  pausedSeconds: number;
  /** Waiting for the platform past `dueAt`. */
  overdue: boolean;
  needsContact: boolean;
  /**
   * When the organisation's retention rule removed the content (title, summary, items, indicator
   * values, notes); null while it is there. The dates, status and codes stay.
   */
  contentRemovedAt: string | null;
  timeToFirstResponseSeconds: number | null;
  /** escalatedAt to resolvedAt, wall-clock (stopped time included; see pausedSeconds). */
  timeToResolutionSeconds: number | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export class CaseResponseDto extends CaseSummaryResponseDto {
  items: CaseItemResponseDto[];
  indicators: IndicatorResponseDto[];
}

export class CasePageResponseDto {
  data: CaseSummaryResponseDto[];
  nextCursor: string | null;
}

export class CaseCountResponseDto {
  count: number;
}
