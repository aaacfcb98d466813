import { IsBoolean, IsOptional } from 'class-validator';

export class EndSessionsDto {
  /** Also revoke every personal API token of the user (default false). */
  @IsOptional()
  @IsBoolean()
  revokeApiTokens?: boolean;
}
