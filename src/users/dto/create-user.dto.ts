import { IsIn } from 'class-validator';
import { Role, ROLES } from '../../common/auth/actor';
import {
  IsLanguageTag,
  IsLowercaseEmail,
  IsOmittable,
  IsNewPassword,
  IsText,
  IsTimeZone,
} from '../../common/validation/decorators';

export class CreateUserDto {
  /** Stored in lower case; unique across the community. */
  @IsLowercaseEmail()
  email: string;

  @IsText(200)
  displayName: string;

  @IsIn(ROLES)
  role: Role;

  /** 12 to 256 characters. */
  @IsNewPassword()
  password: string;

  /** Interface language (BCP 47), default `en`. */
  @IsOmittable()
  @IsLanguageTag()
  language?: string;

  /** IANA time zone for dates shown to this user, default UTC. */
  @IsOmittable()
  @IsTimeZone()
  timezone?: string;
}
