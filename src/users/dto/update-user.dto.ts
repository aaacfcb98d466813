import { IsBoolean, IsOptional } from 'class-validator';
import { OmitType, PartialType } from '@nestjs/swagger';
import { CreateUserDto } from './create-user.dto';

export class UpdateUserDto extends PartialType(
  OmitType(CreateUserDto, ['email', 'password'] as const),
) {
  /** false deactivates the account: its sessions and API tokens stop working at once. */
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}
