import { ApiProperty } from '@nestjs/swagger';
import { ORGANIZATION_SERVICES, OrganizationService } from '../organization-services';

export class OrganizationResponseDto {
  id: string;
  slug: string;
  name: string;
  countries: string[];
  languages: string[];
  constituencies: string[];
  website: string | null;
  timezone: string;
  @ApiProperty({ enum: ORGANIZATION_SERVICES, isArray: true })
  services: OrganizationService[];
  introduction: string | null;
  contactEmail: string | null;
  signal: string | null;
  socialAccounts: string[];
  /** YYYY-MM-DD */
  joinedOn: string;
  namedInCampaigns: boolean;
  publicStatistics: boolean;
  createdAt: string;
  updatedAt: string;
}

export class OrganizationPageResponseDto {
  data: OrganizationResponseDto[];
  nextCursor: string | null;
}
