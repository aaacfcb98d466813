import { IsOptional } from 'class-validator';
import { IsCountryCodes, IsDateOnly, IsText } from '../../common/validation/decorators';
import { IsUUID } from 'class-validator';

export class CreateTenureDto {
  @IsText(200)
  title: string;

  @IsOptional()
  @IsText(200)
  team?: string;

  @IsOptional()
  @IsCountryCodes()
  countries?: string[];

  @IsDateOnly()
  startedOn: string;

  @IsOptional()
  @IsDateOnly()
  endedOn?: string;
}

export class DepartureDto {
  @IsDateOnly()
  leftOn: string;

  @IsText(1000)
  reason: string;

  @IsOptional()
  @IsUUID()
  successorContactId?: string;

  @IsOptional()
  @IsText(4000)
  handoverNotes?: string;
}

export class VerifyContactDto {
  @IsOptional()
  @IsText(1000)
  note?: string;
}

export class TurnoverQueryDto {
  /** First day of the period (default: a year before `to`). */
  @IsOptional()
  @IsDateOnly()
  from?: string;

  /** Last day of the period (default: today). */
  @IsOptional()
  @IsDateOnly()
  to?: string;
}

export class TurnoverResponseDto {
  from: string;
  to: string;
  /** Departures in the period. */
  departures: number;
  /** Median length of the tenures that ended in the period, in days (null without any). */
  medianTenureDays: number | null;
  active: number;
  unverified: number;
  unresponsive: number;
  left: number;
  /** Per country: the longest stretch of the period, in days, with no active contact there. */
  longestGapDays: Record<string, number>;
}

export class ContactEventResponseDto {
  id: string;
  occurredAt: string;
  actorUserId: string | null;
  type: string;
  changes: Record<string, unknown>;
}

export class ContactEventPageResponseDto {
  data: ContactEventResponseDto[];
  nextCursor: string | null;
}
