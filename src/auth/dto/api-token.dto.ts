import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsText } from '../../common/validation/decorators';

export class CreateApiTokenDto {
  /** What the token is for, e.g. "monthly export script". */
  @IsText(100)
  name: string;

  /** Days until the token stops working, 1 to 365; without it the token lasts until revoked. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(365)
  expiresInDays?: number;
}

export class CreatedApiTokenResponseDto {
  id: string;
  name: string;
  /** The secret, shown only in this answer. */
  token: string;
  expiresAt: string | null;
}

export class ApiTokenResponseDto {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
}

export class ApiTokenPageResponseDto {
  data: ApiTokenResponseDto[];
  nextCursor: string | null;
}
