export class OrganizationResponseDto {
  id: string;
  slug: string;
  name: string;
  countries: string[];
  languages: string[];
  constituencies: string[];
  website: string | null;
  timezone: string;
  namedInCampaigns: boolean;
  publicStatistics: boolean;
  createdAt: string;
  updatedAt: string;
}

export class OrganizationPageResponseDto {
  data: OrganizationResponseDto[];
  nextCursor: string | null;
}
