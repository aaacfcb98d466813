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

/** Shares are 0..1; null when suppressed or counted from fewer than k answers. */
export class ScorecardRowDto {
  @ApiProperty() platform: string;
  @ApiProperty() channel: string;
  @ApiProperty() channelKind: string;
  @ApiProperty({ nullable: true, type: Number }) cases: number | null;
  @ApiProperty({ nullable: true, type: Number }) organizations: number | null;
  @ApiProperty() suppressed: boolean;
  @ApiProperty({ nullable: true, type: Number }) acknowledgedShare: number | null;
  @ApiProperty({ nullable: true, type: Number }) medianFirstResponseHours: number | null;
  @ApiProperty({ nullable: true, type: Number }) p90FirstResponseHours: number | null;
  @ApiProperty({ nullable: true, type: Number }) medianResolutionHours: number | null;
  @ApiProperty({ nullable: true, type: Number }) p90ResolutionHours: number | null;
  @ApiProperty({ nullable: true, type: Number }) actionedShare: number | null;
  @ApiProperty({ nullable: true, type: Number }) noResponseShare: number | null;
  @ApiProperty({ nullable: true, type: Number }) overdueShare: number | null;
  /** Mean hours per case the clock stood still while the platform waited for information. */
  @ApiProperty({ nullable: true, type: Number }) pausedHours: number | null;
  @ApiProperty({ nullable: true, type: Number }) reasonGivenShare: number | null;
  @ApiProperty({ nullable: true, type: Number }) contextUnderstoodShare: number | null;
  @ApiProperty({ nullable: true, type: Number }) harmRecognisedAsGenderedShare: number | null;
  @ApiProperty({ nullable: true, type: Number }) retraumatisingProofRequestedShare: number | null;
}

export class ScorecardPlatformDto {
  @ApiProperty() platform: string;
  /** Contacts (that you may see) who left the platform in the period. */
  @ApiProperty() contactDepartures: number;
}

export class ScorecardResponseDto {
  @ApiProperty() from: string;
  @ApiProperty() to: string;
  @ApiProperty() k: number;
  @ApiProperty({ type: [ScorecardRowDto] }) data: ScorecardRowDto[];
  @ApiProperty({ type: [ScorecardPlatformDto] }) platforms: ScorecardPlatformDto[];
}
