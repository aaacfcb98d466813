import { IsOptional, IsUUID } from 'class-validator';
import { IsCountryCode, IsCountryCodes, IsDateOnly } from '../../common/validation/decorators';
import { ChannelKind } from '../channel.entity';

export class CreateChannelAccessDto {
  @IsUUID()
  organizationId: string;

  @IsUUID()
  channelId: string;

  /** Countries (ISO 3166-1 alpha-2) where the organisation may use the channel. */
  @IsCountryCodes()
  countries: string[];

  /** First day of access, YYYY-MM-DD. */
  @IsDateOnly()
  since: string;

  /** Last day of access, YYYY-MM-DD; open-ended when absent. */
  @IsOptional()
  @IsDateOnly()
  until?: string;
}

export class ChannelAccessResponseDto {
  id: string;
  organizationId: string;
  channelId: string;
  countries: string[];
  since: string;
  until: string | null;
  createdAt: string;
}

export class PartnersQueryDto {
  /** Country where the channel must be usable. */
  @IsCountryCode()
  country: string;

  /** Day to answer for, YYYY-MM-DD (default: today, UTC). */
  @IsOptional()
  @IsDateOnly()
  date?: string;
}

export class PartnerChannelDto {
  channel: { id: string; code: string; name: string; kind: ChannelKind };
  organizations: { id: string; slug: string; name: string; countries: string[] }[];
}

export class PartnersResponseDto {
  data: PartnerChannelDto[];
}
