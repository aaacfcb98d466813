import { IsOptional } from 'class-validator';
import { IsCountryCode, IsDateOnly } from '../../common/validation/decorators';
import { ChannelKind } from '../channel.entity';

export class PartnersQueryDto {
  /** Country where the channel must be usable (all countries when absent). */
  @IsOptional()
  @IsCountryCode()
  country?: string;

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
