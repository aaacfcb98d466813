import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsInt, Max, Min, ValidateIf } from 'class-validator';

export const MAX_RETENTION_MONTHS = 240;

/** An organisation's retention rule, set whole (PUT). */
export class UpdateRetentionDto {
  /**
   * Months after a case is closed before its content (title, summary, items, indicator values,
   * notes of its timeline) is removed; null: never (nothing is removed).
   */
  @ApiProperty({ type: Number, nullable: true, minimum: 1, maximum: MAX_RETENTION_MONTHS })
  @ValidateIf((_object, value) => value !== null)
  @IsInt({ message: 'closedCaseMonths must be a whole number of months or null' })
  @Min(1)
  @Max(MAX_RETENTION_MONTHS)
  closedCaseMonths: number | null;

  /**
   * Whether the indicators' keyed hashes stay when their values go: they keep feeding campaign
   * matching and indicator counts, but nobody can read the handle or URL back.
   */
  @IsBoolean()
  keepIndicatorHashes: boolean;
}

export class RetentionResponseDto {
  organizationId: string;
  @ApiProperty({ type: Number, nullable: true })
  closedCaseMonths: number | null;
  keepIndicatorHashes: boolean;
  /** Null: the organisation never set a rule (nothing is removed). */
  @ApiProperty({ type: String, nullable: true })
  updatedAt: string | null;
}
