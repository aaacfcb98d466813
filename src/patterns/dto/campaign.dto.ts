import { ApiProperty } from '@nestjs/swagger';

export class CampaignCaseDto {
  @ApiProperty() id: string;
  @ApiProperty({ example: 'ESC-2026-000123' }) reference: string;
}

/**
 * Cases of two or more organisations linked by a shared indicator. Counts include cases you may
 * not see; `visibleCases` are those you may. Other organisations appear by number only, and by
 * name when they opted in to be named.
 *
 * A campaign your organisation is not part of is an aggregate of the shared repository, protected
 * like the trends: `cases` is perturbed by a small random amount (at most 2), `platforms`,
 * `categories` and `countries` list only values holding enough cases from enough organisations,
 * and `firstSeen`/`lastSeen` are months (YYYY-MM) instead of days.
 */
export class CampaignResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() cases: number;
  @ApiProperty() organizations: number;
  /** Your organisation has cases in it. */
  @ApiProperty() involved: boolean;
  @ApiProperty({ type: [String] }) namedOrganizations: string[];
  @ApiProperty({ type: [String] }) platforms: string[];
  @ApiProperty({ type: [String] }) categories: string[];
  @ApiProperty({ type: [String] }) countries: string[];
  /** A day (YYYY-MM-DD) when your organisation is part of the campaign, else a month (YYYY-MM). */
  @ApiProperty({ example: '2026-03-02' }) firstSeen: string;
  /** A day (YYYY-MM-DD) when your organisation is part of the campaign, else a month (YYYY-MM). */
  @ApiProperty({ example: '2026-03-20' }) lastSeen: string;
  @ApiProperty({ type: [CampaignCaseDto] }) visibleCases: CampaignCaseDto[];
}

export class CampaignPageResponseDto {
  @ApiProperty({ type: [CampaignResponseDto] }) data: CampaignResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
