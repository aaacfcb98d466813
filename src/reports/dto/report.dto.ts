import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, ValidateBy } from 'class-validator';
import { isLang, Lang, LANGUAGES } from '../../i18n/labels';
import { EXPORT_FORMATS } from '../../patterns/dto/trends.dto';
import { REPORT_STATUSES, ReportStatus } from '../report.entity';

export const REPORT_KINDS = ['trends', 'scorecard'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];
/** Kinds other features build through the same jobs (`ReportsService.createFor`). */
export const FEATURE_REPORT_KINDS = ['organization-archive', 'organization-erasure'] as const;
export type ReportFormat = (typeof EXPORT_FORMATS)[number];

/** `POST /v1/reports`: a large export, built in the background. */
export class CreateReportDto {
  @ApiProperty({ enum: REPORT_KINDS })
  @IsIn(REPORT_KINDS, { message: `kind must be one of ${REPORT_KINDS.join(', ')}` })
  kind: ReportKind;

  @ApiProperty({ enum: EXPORT_FORMATS })
  @IsIn(EXPORT_FORMATS, { message: `format must be one of ${EXPORT_FORMATS.join(', ')}` })
  format: ReportFormat;

  /** Labels of a CSV in en, es, pt, fr or id (default: Accept-Language, else English). */
  @ApiPropertyOptional({ enum: LANGUAGES })
  @IsOptional()
  @ValidateBy({
    name: 'isReportLang',
    validator: {
      validate: isLang,
      defaultMessage: () => `lang must be one of ${LANGUAGES.join(', ')}`,
    },
  })
  lang?: Lang;

  /**
   * The question, as the query of the matching GET route: `GET /v1/reports/trends` (from, to,
   * groupBy, filters) or `GET /v1/reports/platform-scorecard` (from, to); format and lang are
   * given above, not here. Default: the route's defaults.
   */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject({ message: 'params must be a JSON object' })
  params?: Record<string, unknown>;
}

export class ReportResponseDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: [...REPORT_KINDS, ...FEATURE_REPORT_KINDS] })
  kind: ReportKind | (typeof FEATURE_REPORT_KINDS)[number];
  @ApiProperty({ enum: EXPORT_FORMATS }) format: ReportFormat;
  @ApiProperty({ enum: REPORT_STATUSES }) status: ReportStatus;
  /** 0 to 100. */
  @ApiProperty() progress: number;
  @ApiProperty() createdAt: string;
  @ApiProperty({ nullable: true, type: String }) finishedAt: string | null;
  /** After this the report is gone (404). */
  @ApiProperty() expiresAt: string;
  /** When done: where to download the file. */
  @ApiPropertyOptional() downloadUrl?: string;
  /** When failed: why, in a fixed wording. */
  @ApiPropertyOptional() error?: string;
}
