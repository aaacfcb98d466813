import { IsBoolean, IsOptional, IsUUID } from 'class-validator';
import { IsOmittable, IsText } from '../../common/validation/decorators';

export class CreateWorkingGroupDto {
  /** Unique, e.g. "Advocacy with social media platforms". */
  @IsText(200)
  name: string;

  @IsOptional()
  @IsText(2000)
  description?: string | null;

  /** Its members get the weekly emerging-pattern notices by e-mail (default false). */
  @IsOmittable()
  @IsBoolean()
  patternAlerts?: boolean;

  /** Its members hear by e-mail of each channel incident reported (default false). */
  @IsOmittable()
  @IsBoolean()
  incidentAlerts?: boolean;
}

export class AddWorkingGroupMemberDto {
  /** The user to add (of any organisation; an active account). */
  @IsUUID('all', { message: 'userId must be a UUID' })
  userId: string;
}

export class WorkingGroupResponseDto {
  id: string;
  name: string;
  description: string | null;
  patternAlerts: boolean;
  incidentAlerts: boolean;
  /** Whether the caller belongs to it. */
  member: boolean;
  createdAt: string;
}

export class WorkingGroupPageResponseDto {
  data: WorkingGroupResponseDto[];
  nextCursor: string | null;
}

export class WorkingGroupMemberResponseDto {
  userId: string;
  displayName: string;
  organizationId: string;
  organizationName: string;
  addedAt: string;
}

export class WorkingGroupMembersResponseDto {
  data: WorkingGroupMemberResponseDto[];
}
