import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsNewPassword } from '../password-policy';

export class ChangePasswordDto {
  @IsString()
  @MaxLength(256)
  currentPassword: string;

  /** 12 to 256 characters; not a common password, nor the caller's e-mail address or its local part. */
  @IsNewPassword()
  newPassword: string;

  /** Also revoke every personal API token (default false). Access tokens end in any case. */
  @IsOptional()
  @IsBoolean()
  revokeApiTokens?: boolean;
}
