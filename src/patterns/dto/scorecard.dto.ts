import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsOptional, ValidateBy } from 'class-validator';
import { isLang, Lang, LANGUAGES } from '../../i18n/labels';
import { IsMonth } from './trends.dto';

export class ScorecardQueryDto {
  /** First month (YYYY-MM); default: eleven months before `to`. */
  @IsOptional()
  @IsMonth()
  from?: string;

  /** Last month (YYYY-MM); default: the current month. */
  @IsOptional()
  @IsMonth()
  to?: string;

  @IsOptional()
  @IsIn(['json', 'csv'])
  format: 'json' | 'csv' = 'json';

  /** Labels of the CSV in en, es, pt, fr or id (default: the user's language). */
  @IsOptional()
  @ValidateBy({
    name: 'isReportLang',
    validator: {
      validate: isLang,
      defaultMessage: () => `lang must be one of ${LANGUAGES.join(', ')}`,
    },
  })
  lang?: Lang;
}

/**
 * Channel incidents (broken, silent, changed) that overlapped the period: not case data, so
 * never suppressed or perturbed; a reader weighs the row's figures with it.
 */
export class ScorecardIncidentsDto {
  /** Incidents still open. */
  @ApiProperty() open: number;
  /** Incidents that overlapped the period, open or resolved. */
  @ApiProperty() overlapping: number;
}

/**
 * A platform and channel, protected: `cases` perturbed by at most 2 and the row suppressed
 * (every figure null) like a trend cell. A "safe" set of cases below: at least k, at least k
 * after perturbation, and at least k outside the largest organisation.
 */
export class ScorecardRowDto {
  @ApiProperty() platform: string;
  @ApiProperty() channel: string;
  @ApiProperty() channelKind: string;
  /** Cases, perturbed by at most 2; null when suppressed. */
  @ApiProperty({ nullable: true, type: Number }) cases: number | null;
  /** Distinct organisations (not perturbed); null when suppressed. */
  @ApiProperty({ nullable: true, type: Number }) organizations: number | null;
  /** The row is hidden, by the rules of a trend cell. */
  @ApiProperty() suppressed: boolean;
  /** 0..1 from perturbed counts; null unless acknowledged and unacknowledged cases are safe. */
  @ApiProperty({ nullable: true, type: Number }) acknowledgedShare: number | null;
  /** From perturbed histogram counts; null unless the acknowledged cases are safe. */
  @ApiProperty({ nullable: true, type: Number }) medianFirstResponseHours: number | null;
  /** From perturbed histogram counts; null unless the acknowledged cases are safe. */
  @ApiProperty({ nullable: true, type: Number }) p90FirstResponseHours: number | null;
  /** From perturbed histogram counts; null unless the resolved cases are safe. */
  @ApiProperty({ nullable: true, type: Number }) medianResolutionHours: number | null;
  /** From perturbed histogram counts; null unless the resolved cases are safe. */
  @ApiProperty({ nullable: true, type: Number }) p90ResolutionHours: number | null;
  /** 0..1 from perturbed counts; null unless actioned and other cases are both safe. */
  @ApiProperty({ nullable: true, type: Number }) actionedShare: number | null;
  /** 0..1 from perturbed counts; null unless no-response and other cases are both safe. */
  @ApiProperty({ nullable: true, type: Number }) noResponseShare: number | null;
  /** 0..1 from perturbed counts; null unless overdue and other cases are both safe. */
  @ApiProperty({ nullable: true, type: Number }) overdueShare: number | null;
  /**
   * Mean hours per case the clock stood still while the platform waited for information, from
   * perturbed counts; null unless the paused cases are safe.
   */
  @ApiProperty({ nullable: true, type: Number }) pausedHours: number | null;
  /** 0..1 of the answered, from perturbed counts; null unless yes and no answers are safe. */
  @ApiProperty({ nullable: true, type: Number }) reasonGivenShare: number | null;
  /** 0..1 of the answered, from perturbed counts; null unless yes and no answers are safe. */
  @ApiProperty({ nullable: true, type: Number }) contextUnderstoodShare: number | null;
  /** 0..1 of the answered, from perturbed counts; null unless yes and no answers are safe. */
  @ApiProperty({ nullable: true, type: Number }) harmRecognisedAsGenderedShare: number | null;
  /** 0..1 of the answered, from perturbed counts; null unless yes and no answers are safe. */
  @ApiProperty({ nullable: true, type: Number }) retraumatisingProofRequestedShare: number | null;
  /** Incidents reported on the channel that overlapped the period (see channel incidents). */
  @ApiProperty({ type: ScorecardIncidentsDto }) incidents: ScorecardIncidentsDto;
}

export class ScorecardPlatformDto {
  @ApiProperty() platform: string;
  /** Contacts (that you may see) who left the platform in the period. */
  @ApiProperty() contactDepartures: number;
}

export class ScorecardResponseDto {
  @ApiProperty() from: string;
  @ApiProperty() to: string;
  /** The threshold (K_ANONYMITY) of the protection rules. */
  @ApiProperty() k: number;
  @ApiProperty({ type: [ScorecardRowDto] }) data: ScorecardRowDto[];
  @ApiProperty({ type: [ScorecardPlatformDto] }) platforms: ScorecardPlatformDto[];
}
