import { Role } from '../../common/auth/actor';

export class UserResponseDto {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  organizationId: string;
  language: string;
  timezone: string;
  active: boolean;
  lastLoginAt: string | null;
  /** Logins are refused until then (repeated failed logins); a past time: the lock has expired. */
  lockedUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

export class UserPageResponseDto {
  data: UserResponseDto[];
  nextCursor: string | null;
}
