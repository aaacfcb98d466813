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

export class EmergingRowDto {
  @ApiProperty() category: string;
  @ApiProperty() country: string;
  @ApiProperty() recentCount: number;
  /** Null when between 1 and k-1 (then the test counts it as k: a conservative ratio). */
  @ApiProperty({ nullable: true, type: Number }) baselineCount: number | null;
  @ApiProperty() baselineSuppressed: boolean;
  /** Recent monthly rate over the baseline's; null when the baseline had no case. */
  @ApiProperty({ nullable: true, type: Number }) rateRatio: number | null;
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
