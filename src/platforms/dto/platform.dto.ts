import { OmitType } from '@nestjs/swagger';
import { PatchType } from '../../common/validation/patch-type';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, Max, Min, ValidateIf } from 'class-validator';
import {
  IsHttpOrMailtoUrl,
  IsMachineCode,
  IsOmittable,
  IsText,
} from '../../common/validation/decorators';
import { ListQueryDto } from '../../common/pagination/list-query.dto';
import { ChannelKind, CHANNEL_KINDS } from '../channel.entity';

export class CreatePlatformDto {
  /** Stable machine code, e.g. `facebook` (lowercase letters, digits, underscores). */
  @IsMachineCode(40)
  code: string;

  @IsText(100)
  name: string;

  @IsOptional()
  @IsText(100)
  parentCompany?: string | null;

  /** EU DSA Very Large Online Platform designation. */
  @IsOptional()
  @IsBoolean()
  dsaVlop?: boolean | null;
}

export class UpdatePlatformDto extends PatchType(OmitType(CreatePlatformDto, ['code'] as const)) {}

export class CreateChannelDto {
  @IsMachineCode(60)
  code: string;

  @IsText(200)
  name: string;

  @IsIn(CHANNEL_KINDS)
  kind: ChannelKind;

  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsHttpOrMailtoUrl(500)
  url?: string | null;

  /** Response time the platform is held to, in hours (1 to 8760). */
  @IsInt()
  @Min(1)
  @Max(8760)
  expectedResponseHours: number;

  @IsOmittable()
  @IsBoolean()
  verified?: boolean;

  @IsOptional()
  @IsText(1000)
  note?: string | null;
}

export class UpdateChannelDto extends PatchType(OmitType(CreateChannelDto, ['code'] as const)) {}

export class PlatformQueryDto extends ListQueryDto {}

export class ChannelResponseDto {
  id: string;
  code: string;
  name: string;
  kind: ChannelKind;
  url: string | null;
  expectedResponseHours: number;
  verified: boolean;
  note: string | null;
}

export class PlatformResponseDto {
  id: string;
  code: string;
  name: string;
  parentCompany: string | null;
  dsaVlop: boolean | null;
  @Type(() => ChannelResponseDto)
  channels: ChannelResponseDto[];
}

export class PlatformPageResponseDto {
  data: PlatformResponseDto[];
  nextCursor: string | null;
}
