import { IsISO8601, IsOptional, IsUUID, Matches } from 'class-validator';
import { ListQueryDto } from '../../common/pagination/list-query.dto';

export class AuditQueryDto extends ListQueryDto {
  /** admin only: one organisation's entries. */
  @IsOptional()
  @IsUUID()
  organizationId?: string;

  @IsOptional()
  @IsUUID()
  actorUserId?: string;

  /** An action such as `auth.login_failed`. */
  @IsOptional()
  @Matches(/^[a-z_]{1,30}\.[a-z_]{1,30}$/, { message: 'action must look like auth.login_failed' })
  action?: string;

  /** Inclusive lower bound, ISO 8601. */
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  /** Exclusive upper bound, ISO 8601. */
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}
