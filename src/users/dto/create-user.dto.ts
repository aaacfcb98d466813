import { IsIn } from 'class-validator';
import { IsNewPassword } from '../password-policy';
import { Role, ROLES } from '../../common/auth/actor';
import {
  IsLanguageTag,
  IsLowercaseEmail,
  IsOmittable,
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

  /** 12 to 256 characters; not a common password, nor the e-mail address or its local part. */
  @IsNewPassword({ emailField: 'email' })
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
