import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  Matches,
  ValidateBy,
} from 'class-validator';
import { CASE_OUTCOMES } from '../../cases/case-status.machine';
import { CATEGORY_CODES, TARGET_GROUPS } from '../../cases/taxonomy';
import { IsCountryCode, IsMachineCode } from '../../common/validation/decorators';
import { isLang, Lang, LANGUAGES } from '../../i18n/labels';
import { CHANNEL_KINDS } from '../../platforms/channel.entity';
import { DIMENSIONS, Dimension } from '../pattern-grains';

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
export const TREND_PERIODS = ['month', 'quarter', 'year'] as const;
export type TrendPeriod = (typeof TREND_PERIODS)[number];
export const MAX_PERIOD_MONTHS = 120;

/** `a,b` as a list; an empty value is the empty list (the total only). */
const toList = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? (value === '' ? [] : value.split(',').map((v) => v.trim())) : value;

export const IsMonth = () => Matches(MONTH, { message: '$property must be a month as YYYY-MM' });

/** The period and filters every aggregate question shares. */
export class PatternFilterDto {
  /** First month (YYYY-MM, UTC) counted; default: eleven months before `to`. */
  @IsOptional()
  @IsMonth()
  from?: string;

  /** Last month counted (YYYY-MM); default: the current month. */
  @IsOptional()
  @IsMonth()
  to?: string;

  /** Platform code. */
  @IsOptional()
  @IsMachineCode(60)
  platform?: string;

  @IsOptional()
  @IsIn(CHANNEL_KINDS)
  channelKind?: string;

  @IsOptional()
  @IsIn(CATEGORY_CODES, { message: 'category must be a category code of the taxonomy' })
  category?: string;

  @IsOptional()
  @IsMachineCode(60)
  subcategory?: string;

  /** EU DSA statement-of-reasons category, e.g. STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN. */
  @IsOptional()
  @Matches(/^STATEMENT_CATEGORY_[A-Z_]{1,60}$/, {
    message: 'dsaCategory must be a STATEMENT_CATEGORY_* code',
  })
  dsaCategory?: string;

  @IsOptional()
  @IsCountryCode()
  country?: string;

  /** One target group (a case names several, so a list would count a case more than once). */
  @IsOptional()
  @IsIn(TARGET_GROUPS)
  targetGroup?: string;

  @IsOptional()
  @IsIn(CASE_OUTCOMES)
  outcome?: string;
}

export class TrendsQueryDto extends PatternFilterDto {
  /** Comma-separated dimensions to count by (default `month`); empty for the total only. */
  @ApiPropertyOptional({ type: String, example: 'month,category,country' })
  @IsOptional()
  @Transform(toList)
  @IsArray()
  @ArrayMaxSize(DIMENSIONS.length)
  @ArrayUnique({ message: 'groupBy must not repeat a dimension' })
  @IsIn(DIMENSIONS, {
    each: true,
    message: `groupBy must list dimensions among ${DIMENSIONS.join(', ')}`,
  })
  groupBy: Dimension[] = ['month'];

  /**
   * How long a step of the `month` dimension is: `month` (default, `YYYY-MM`), `quarter`
   * (`YYYY-Qn`) or `year` (`YYYY`). With quarter or year the period is widened to whole
   * quarters or years (the answer's `from` and `to` say which), and each step is a cell of its
   * own, protected like any other.
   */
  @ApiPropertyOptional({ enum: TREND_PERIODS, default: 'month' })
  @IsOptional()
  @IsIn(TREND_PERIODS)
  period: TrendPeriod = 'month';
}

export const EXPORT_FORMATS = ['json', 'csv'] as const;

/** `/v1/reports/trends`: the same question, as a file. */
export class TrendsExportQueryDto extends TrendsQueryDto {
  @IsOptional()
  @IsIn(EXPORT_FORMATS)
  format: (typeof EXPORT_FORMATS)[number] = 'csv';

  /** Labels in en, es, pt, fr or id (default: the user's language, else Accept-Language). */
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

export class TrendRowDto {
  /** The step of the period: `YYYY-MM`, or `YYYY-Qn` with period=quarter, `YYYY` with year. */
  @ApiPropertyOptional({ example: '2026-03' })
  month?: string;
  @ApiPropertyOptional() platform?: string;
  @ApiPropertyOptional() channelKind?: string;
  @ApiPropertyOptional() category?: string;
  @ApiPropertyOptional({ nullable: true, type: String }) subcategory?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) dsaCategory?: string | null;
  @ApiPropertyOptional() country?: string;
  @ApiPropertyOptional({ nullable: true, type: String }) targetGroup?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) outcome?: string | null;
  /**
   * Cases in the cell, perturbed by at most 2 (the same cases always get the same change);
   * null when suppressed.
   */
  @ApiProperty({ nullable: true, type: Number }) count: number | null;
  /** Distinct organisations the cases come from (not perturbed); null when suppressed. */
  @ApiProperty({ nullable: true, type: Number }) organizations: number | null;
  /**
   * The cell is hidden: fewer than `k` cases, fewer than `k` after perturbation, or all
   * organisations but the largest hold fewer than `k` of its cases.
   */
  @ApiProperty() suppressed: boolean;
}

/** The total, a cell of its own with its own perturbation: the rows need not add up to it. */
export class TrendTotalDto {
  /** All matching cases, perturbed by at most 2; null when suppressed. */
  @ApiProperty({ nullable: true, type: Number }) count: number | null;
  /** Distinct organisations (not perturbed); null when suppressed. */
  @ApiProperty({ nullable: true, type: Number }) organizations: number | null;
  /** Hidden by the same rules as a cell. */
  @ApiProperty() suppressed: boolean;
}

export class TrendsResponseDto {
  @ApiProperty({ example: '2026-01' }) from: string;
  @ApiProperty({ example: '2026-12' }) to: string;
  @ApiProperty({ enum: DIMENSIONS, isArray: true }) groupBy: Dimension[];
  /** The length of a step of the `month` dimension (see the query's `period`). */
  @ApiProperty({ enum: TREND_PERIODS }) period: TrendPeriod;
  /**
   * The threshold (K_ANONYMITY): a cell is suppressed when counted from fewer than k cases,
   * when below k after perturbation, or when all organisations but the largest hold fewer than
   * k of its cases.
   */
  @ApiProperty() k: number;
  @ApiProperty({ type: [TrendRowDto] }) data: TrendRowDto[];
  /**
   * All cases matching the filters (a case counts once even when grouped by target group),
   * perturbed on its own: the rows need not add up to it.
   */
  @ApiProperty({ type: TrendTotalDto }) total: TrendTotalDto;
}
