import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Min } from 'class-validator';
import { CASE_OUTCOMES, CaseOutcome } from '../../../cases/case-status.machine';
import { Lang, LANGUAGES } from '../../../i18n/labels';
import { QUALITY_FIELDS, QualityField } from '../../../patterns/scorecard-measures';

export const FIRST_REPORT_YEAR = 2000;
export const ANNUAL_REPORT_FORMATS = ['json', 'csv'] as const;
export type AnnualReportFormat = (typeof ANNUAL_REPORT_FORMATS)[number];

export class AnnualReportQueryDto {
  /**
   * Calendar year (UTC), 2000 to next year. The upper bound follows the service clock, so it is
   * checked by the service, with the same 400 answer; the document says next year as of the
   * service's start, which is never more than the service accepts.
   */
  @ApiProperty({ maximum: new Date().getUTCFullYear() + 1 })
  @Type(() => Number)
  @IsInt()
  @Min(FIRST_REPORT_YEAR)
  year: number;

  /** `json` (default) or `csv` (a spreadsheet download, labels in `lang`). */
  @IsOptional()
  @IsIn(ANNUAL_REPORT_FORMATS)
  format: AnnualReportFormat = 'json';

  /** Labels of the CSV in en, es, pt, fr or id (default: your language, then Accept-Language). */
  @IsOptional()
  @IsIn(LANGUAGES)
  @ApiProperty({ enum: LANGUAGES, required: false })
  lang?: Lang;
}

/** How the platforms answered a set of escalations. Shares are 0..1, rounded to 3 decimals. */
export class ReportFiguresDto {
  /** Cases escalated in the year (notices submitted). */
  escalations: number;

  /** Of those, cases the platform answered at all (acknowledged, asked, or decided). */
  responded: number;

  /** Of those, cases the platform decided (`platform_responded`; not reopened since). */
  resolved: number;

  /** Share with an outcome where the platform acted (removed, suspended, restored, restricted, partially). */
  @ApiProperty({ nullable: true, type: Number })
  actionedShare: number | null;

  /** Share closed with `no_response`. */
  @ApiProperty({ nullable: true, type: Number })
  noResponseShare: number | null;

  /**
   * Share that went past its deadline unanswered: marked overdue by the deadline worker, or
   * still waiting past `dueAt` now.
   */
  @ApiProperty({ nullable: true, type: Number })
  overdueShare: number | null;

  /** Escalation to first platform response, hours (1 decimal); interpolated median. */
  @ApiProperty({ nullable: true, type: Number })
  medianFirstResponseHours: number | null;

  @ApiProperty({ nullable: true, type: Number })
  p90FirstResponseHours: number | null;

  /** Escalation to the platform's decision, hours (1 decimal); interpolated median. */
  @ApiProperty({ nullable: true, type: Number })
  medianResolutionHours: number | null;

  @ApiProperty({ nullable: true, type: Number })
  p90ResolutionHours: number | null;
}

export class PlatformFiguresDto extends ReportFiguresDto {
  /** Platform code, e.g. `facebook`. */
  platform: string;
  platformName: string;
}

export class ContentTypeFiguresDto extends ReportFiguresDto {
  /** Category code of the TFGBV taxonomy. */
  category: string;

  /** Its EU DSA statement-of-reasons category (`STATEMENT_CATEGORY_*`). */
  @ApiProperty({ nullable: true, type: String })
  dsaCategory: string | null;
}

/** The outcome codes, plus `open` (still waiting for the platform) and `closed` (closed with no outcome). */
export const REPORT_ACTIONS = [...CASE_OUTCOMES, 'open', 'closed'] as const;
export type ReportAction = CaseOutcome | 'open' | 'closed';

export class ActionFiguresDto extends ReportFiguresDto {
  @ApiProperty({ enum: REPORT_ACTIONS })
  outcome: ReportAction;
}

export class MonthFiguresDto extends ReportFiguresDto {
  /** `YYYY-MM` of the escalation (UTC). */
  month: string;
}

export const QUALITY_QUESTIONS = QUALITY_FIELDS.map(([field]) => field);

/**
 * One response-quality question over the year's cases: the answers of each case's latest
 * decision that recorded them (`platform_responded` with `quality`).
 */
export class QualityAnswersDto {
  @ApiProperty({ enum: QUALITY_QUESTIONS })
  question: QualityField;

  yes: number;
  no: number;
  unknown: number;

  /** yes / (yes + no), 3 decimals; null when nobody answered yes or no. */
  @ApiProperty({ nullable: true, type: Number })
  yesShare: number | null;
}

/**
 * The EU DSA statements of reasons (Art. 17) the year's decisions came with: each decided case
 * counted once, by its latest decision that recorded whether one was received.
 */
export class StatementsOfReasonsDto {
  /** Cases the platform decided (at least one `platform_responded`). */
  decisions: number;

  /** Of those, cases with a statement of reasons received. */
  received: number;

  /** Of those, cases recorded as without a statement of reasons. */
  notReceived: number;

  /** Of those, cases where nobody recorded either. */
  notRecorded: number;

  /** received / decisions, 3 decimals; null without decisions. */
  @ApiProperty({ nullable: true, type: Number })
  receivedShare: number | null;
}

export class ReportOrganizationDto {
  slug: string;
  name: string;
}

/**
 * An organisation's transparency report for a calendar year, in the form the EU DSA asks of
 * trusted flaggers (Art. 22(3)): notices by provider, by type of content, by action taken, with
 * response times. It counts the organisation's cases escalated in the year that the caller may
 * see (TLP): a RED case counts only for its creator and the users named on it.
 */
export class AnnualReportResponseDto {
  organization: ReportOrganizationDto;
  year: number;

  /** Start of the year (inclusive), UTC. */
  from: string;

  /** Start of the next year (exclusive), UTC. */
  to: string;

  generatedAt: string;

  totals: ReportFiguresDto;

  @ApiProperty({ type: [PlatformFiguresDto] })
  byPlatform: PlatformFiguresDto[];

  @ApiProperty({ type: [ContentTypeFiguresDto] })
  byContentType: ContentTypeFiguresDto[];

  /** One row per outcome, `open` for cases still waiting, `closed` for closed with no outcome. */
  @ApiProperty({ type: [ActionFiguresDto] })
  byAction: ActionFiguresDto[];

  /** All twelve months, empty ones included. */
  @ApiProperty({ type: [MonthFiguresDto] })
  byMonth: MonthFiguresDto[];

  /** The four response-quality questions, always in the same order. */
  @ApiProperty({ type: [QualityAnswersDto] })
  responseQuality: QualityAnswersDto[];

  statementsOfReasons: StatementsOfReasonsDto;
}
