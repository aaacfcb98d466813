import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsOptional, Max, Min } from 'class-validator';

export class EmergingQueryDto {
  /** The recent window in days (whole months are counted: 90 days is 3 months). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(28)
  @Max(366)
  window: number = 90;

  /** The baseline before it, in days (365: the 12 months before the window). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(28)
  @Max(1830)
  baseline: number = 365;

  /** Significance level of the one-sided test. */
  @IsOptional()
  @Type(() => Number)
  @IsNumber()
  @IsIn([0.1, 0.05, 0.01, 0.001])
  alpha: number = 0.01;

  /** Fewest recent cases for a pair to be listed (never below K_ANONYMITY). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  minCount: number = 5;
}

/**
 * A pair listed only when its recent cases are a cell the trends would show; not listed when
 * its baseline has k cases or more but fewer than k outside its largest organisation.
 */
export class EmergingRowDto {
  @ApiProperty() category: string;
  @ApiProperty() country: string;
  /** Recent cases, perturbed by at most 2. */
  @ApiProperty() recentCount: number;
  /**
   * Baseline cases, perturbed by at most 2; null when under k, before or after perturbation
   * (then the test counts it as k).
   */
  @ApiProperty({ nullable: true, type: Number }) baselineCount: number | null;
  @ApiProperty() baselineSuppressed: boolean;
  /**
   * Recent monthly rate over the baseline's, from the perturbed counts; null when the baseline
   * had no case.
   */
  @ApiProperty({ nullable: true, type: Number }) rateRatio: number | null;
  /** Of the test on the perturbed counts. */
  @ApiProperty() pValue: number;
}

export class EmergingResponseDto {
  @ApiProperty({ example: '2026-08' }) windowFrom: string;
  @ApiProperty({ example: '2026-10' }) windowTo: string;
  @ApiProperty() windowMonths: number;
  @ApiProperty() baselineMonths: number;
  @ApiProperty() alpha: number;
  @ApiProperty() minCount: number;
  @ApiProperty() k: number;
  @ApiProperty({ type: [EmergingRowDto] }) data: EmergingRowDto[];
}
