import { Actor, Role } from '../common/auth/actor';

/**
 * Who may manage whom. Pure rules, used by the users service and unit-tested on their own.
 * Decisions about visibility (404) come first and are made by the caller.
 */

/** Can the actor see users of this organisation at all? */
export function canSeeUsersOf(actor: Actor, organizationId: string): boolean {
  return actor.role === 'admin' || actor.organizationId === organizationId;
}

/** Can the actor create a user with this role in this organisation? */
export function canCreateUser(actor: Actor, organizationId: string, role: Role): boolean {
  if (actor.role === 'admin') return true;
  return actor.role === 'org_admin' && actor.organizationId === organizationId && role !== 'admin';
}

export interface UserChange {
  role?: Role;
  active?: boolean;
  /** Lifting a lock set by failed logins. */
  unlock?: boolean;
  profile: boolean;
}

/**
 * Can the actor apply this change to the target user? Nobody changes their own role,
 * deactivates or unlocks themselves; an org_admin manages only non-admin users of its own organisation;
 * everyone may edit their own profile (name, language, time zone).
 */
export function canUpdateUser(
  actor: Actor,
  target: { id: string; organizationId: string; role: Role },
  change: UserChange,
): boolean {
  const self = actor.userId === target.id;
  const managing = change.role !== undefined || change.active !== undefined || !!change.unlock;
  if (self) return !managing;
  if (actor.role === 'admin') return true;
  if (actor.role !== 'org_admin' || actor.organizationId !== target.organizationId) return false;
  return target.role !== 'admin' && change.role !== 'admin';
}
