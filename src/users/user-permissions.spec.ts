import { Actor } from '../common/auth/actor';
import { canCreateUser, canSeeUsersOf, canUpdateUser } from './user-permissions';

const ORG_A = 'a0000000-0000-4000-8000-000000000001';
const ORG_B = 'b0000000-0000-4000-8000-000000000002';
const actor = (role: Actor['role'], organizationId = ORG_A, userId = 'u-actor'): Actor => ({
  userId,
  organizationId,
  role,
  via: 'jwt',
});
const target = (role: Actor['role'], organizationId = ORG_A) => ({
  id: 'u-target',
  organizationId,
  role,
});

describe('user permissions', () => {
  it('lets admins see every organisation and others only their own', () => {
    expect(canSeeUsersOf(actor('admin'), ORG_B)).toBe(true);
    expect(canSeeUsersOf(actor('viewer'), ORG_A)).toBe(true);
    expect(canSeeUsersOf(actor('org_admin'), ORG_B)).toBe(false);
  });

  it('lets org_admins create non-admin users in their own organisation only', () => {
    expect(canCreateUser(actor('org_admin'), ORG_A, 'member')).toBe(true);
    expect(canCreateUser(actor('org_admin'), ORG_A, 'org_admin')).toBe(true);
    expect(canCreateUser(actor('org_admin'), ORG_A, 'admin')).toBe(false);
    expect(canCreateUser(actor('org_admin'), ORG_B, 'member')).toBe(false);
    expect(canCreateUser(actor('member'), ORG_A, 'viewer')).toBe(false);
    expect(canCreateUser(actor('admin'), ORG_B, 'admin')).toBe(true);
  });

  it('never lets anyone change their own role or deactivate themselves', () => {
    for (const role of ['admin', 'org_admin', 'member', 'viewer'] as const) {
      const self = actor(role, ORG_A, 'u-target');
      expect(canUpdateUser(self, target(role), { role: 'viewer', profile: false })).toBe(false);
      expect(canUpdateUser(self, target(role), { active: false, profile: false })).toBe(false);
      expect(canUpdateUser(self, target(role), { profile: true })).toBe(true);
    }
  });

  it('keeps org_admins away from admins, other organisations and the admin role', () => {
    expect(
      canUpdateUser(actor('org_admin'), target('member'), { role: 'viewer', profile: false }),
    ).toBe(true);
    expect(
      canUpdateUser(actor('org_admin'), target('member'), { role: 'admin', profile: false }),
    ).toBe(false);
    expect(canUpdateUser(actor('org_admin'), target('admin'), { profile: true })).toBe(false);
    expect(canUpdateUser(actor('org_admin'), target('member', ORG_B), { profile: true })).toBe(
      false,
    );
    expect(canUpdateUser(actor('member'), target('viewer'), { profile: true })).toBe(false);
    expect(
      canUpdateUser(actor('admin'), target('org_admin', ORG_B), { role: 'admin', profile: false }),
    ).toBe(true);
  });

  it('lets those who manage a user lift a lock, never the user themself', () => {
    const unlock = { unlock: true, profile: false };
    expect(canUpdateUser(actor('member', ORG_A, 'u-target'), target('member'), unlock)).toBe(false);
    expect(canUpdateUser(actor('org_admin'), target('member'), unlock)).toBe(true);
    expect(canUpdateUser(actor('org_admin'), target('admin'), unlock)).toBe(false);
    expect(canUpdateUser(actor('org_admin'), target('member', ORG_B), unlock)).toBe(false);
    expect(canUpdateUser(actor('member'), target('viewer'), unlock)).toBe(false);
    expect(canUpdateUser(actor('admin'), target('admin', ORG_B), unlock)).toBe(true);
  });
});
