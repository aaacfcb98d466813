import { Equals, IsBoolean } from 'class-validator';
import { IsOmittable } from '../../common/validation/decorators';
import { OmitType } from '@nestjs/swagger';
import { PatchType } from '../../common/validation/patch-type';
import { CreateUserDto } from './create-user.dto';

export class UpdateUserDto extends PatchType(
  OmitType(CreateUserDto, ['email', 'password'] as const),
) {
  /** false deactivates the account: its sessions and API tokens stop working at once. */
  @IsOmittable()
  @IsBoolean()
  active?: boolean;

  /** false unlocks an account locked by repeated failed logins (true is refused: locks come from failures only). */
  @IsOmittable()
  @Equals(false, { message: 'locked can only be set to false (to unlock the account)' })
  locked?: false;
}
