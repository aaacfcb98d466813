import { IsIn, IsOptional } from 'class-validator';
import { ListQueryDto } from '../../common/pagination/list-query.dto';
import { IsDateOnly, IsMachineCode, IsText } from '../../common/validation/decorators';
import { INCIDENT_KINDS, IncidentKind } from '../channel-incident.entity';

/** Reports that a channel is broken, silent or changed. Never a survivor's or a case's details. */
export class CreateIncidentDto {
  @IsMachineCode(40)
  platformCode: string;

  @IsMachineCode(60)
  channelCode: string;

  /** broken (errors, dead form), silent (no answers), changed (new form, rules or address). */
  @IsIn(INCIDENT_KINDS)
  kind: IncidentKind;

  /** Since when, YYYY-MM-DD (not in the future). */
  @IsDateOnly()
  since: string;

  /** What happens. */
  @IsText(2000)
  description: string;
}

export class ResolveIncidentDto {
  /** The day the channel worked again, YYYY-MM-DD (not before `since`, not in the future). */
  @IsDateOnly()
  resolvedOn: string;

  @IsOptional()
  @IsText(1000)
  note?: string;
}

/** Confirms an incident for your organisation. */
export class ConfirmIncidentDto {
  /** What your organisation sees (optional). */
  @IsOptional()
  @IsText(1000)
  note?: string;
}

export const INCIDENT_STATUSES = ['open', 'resolved'] as const;

export class IncidentQueryDto extends ListQueryDto {
  @IsOptional()
  @IsMachineCode(40)
  platform?: string;

  @IsOptional()
  @IsMachineCode(60)
  channel?: string;

  @IsOptional()
  @IsIn(INCIDENT_STATUSES)
  status?: (typeof INCIDENT_STATUSES)[number];
}

export class IncidentResponseDto {
  id: string;
  platformCode: string;
  channelCode: string;
  channelName: string;
  kind: IncidentKind;
  since: string;
  description: string;
  status: 'open' | 'resolved';
  resolvedOn: string | null;
  resolutionNote: string | null;
  /** The reporting organisation (null when it is gone). */
  organizationSlug: string | null;
  organizationName: string | null;
  /** Organisations that confirmed it (the reporting one not counted). */
  confirmations: number;
  /** Whether your organisation reported or confirmed it. */
  yours: boolean;
  createdAt: string;
}

export class IncidentPageResponseDto {
  data: IncidentResponseDto[];
  nextCursor: string | null;
}
