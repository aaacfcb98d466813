import { createHmac } from 'node:crypto';
import { Actor } from '../common/auth/actor';
import { FieldError, ForbiddenError } from '../common/errors/domain-error';
import {
  categoryErrors,
  changedFields,
  changesSharing,
  dueAtAfterUrgencyChange,
  hashRequest,
  isOverdue,
  leavesRepository,
  notInFuture,
  ownerErrors,
  requireChangeRight,
  requireWriter,
  sharingAfterUpdate,
  sharingErrors,
  subcategoryAfterUpdate,
  toIndicators,
  toItems,
} from './case-rules';
import { CaseState, initialState } from './case-status.machine';
import { Tlp } from '../common/sharing/tlp';
import type { CaseRow } from './cases.repository';

const at = (iso: string) => new Date(iso);
const NOW = at('2026-03-04T12:00:00.000Z');
const ORG = '00000000-0000-4000-8000-00000000000a';
const OTHER_ORG = '00000000-0000-4000-8000-00000000000b';
const USER = '00000000-0000-4000-8000-000000000001';
const CREATOR = '00000000-0000-4000-8000-000000000002';
const actor = (over: Partial<Actor> = {}): Actor => ({
  userId: USER,
  organizationId: ORG,
  role: 'member',
  via: 'jwt',
  ...over,
});

describe('case rules', () => {
  describe('requireWriter', () => {
    it('refuses viewers with a 403 and lets members and admins through', () => {
      expect(() => requireWriter(actor({ role: 'viewer' }))).toThrow(ForbiddenError);
      expect(() => requireWriter(actor({ role: 'viewer' }))).toThrow(
        'Viewers cannot change cases.',
      );
      expect(() => requireWriter(actor({ role: 'member' }))).not.toThrow();
      expect(() => requireWriter(actor({ role: 'org_admin' }))).not.toThrow();
    });
  });

  describe('requireChangeRight', () => {
    const owned = {
      tlp: 'AMBER+STRICT' as const,
      createdBy: CREATOR,
      sharedUserIds: [],
      organizationId: ORG,
    };
    it('lets the owning organisation change a non-RED case, no one else', () => {
      expect(() => requireChangeRight(actor(), owned)).not.toThrow();
      for (const tlp of ['GREEN', 'AMBER', 'CLEAR'] as const) {
        expect(() =>
          requireChangeRight(actor(), { ...owned, tlp, organizationId: OTHER_ORG }),
        ).toThrow('Only the owning organisation can change this case.');
      }
    });
    it('on RED: only the creator and the users named, even within the organisation', () => {
      const red = { ...owned, tlp: 'RED' as const };
      expect(() => requireChangeRight(actor(), red)).toThrow(ForbiddenError);
      expect(() => requireChangeRight(actor({ userId: CREATOR }), red)).not.toThrow();
      expect(() => requireChangeRight(actor(), { ...red, sharedUserIds: [USER] })).not.toThrow();
      expect(() =>
        requireChangeRight(actor({ organizationId: OTHER_ORG }), {
          ...red,
          sharedUserIds: [USER],
        }),
      ).not.toThrow();
    });
  });

  describe('ownerErrors', () => {
    const owned = {
      tlp: 'AMBER+STRICT' as const,
      createdBy: CREATOR,
      sharedUserIds: [],
      organizationId: ORG,
    };
    const fields = (errors: FieldError[]) => errors.map((e) => e.field);
    it('accepts an active member or org_admin of the case organisation', () => {
      for (const role of ['member', 'org_admin'] as const) {
        expect(ownerErrors(USER, { organizationId: ORG, role }, owned)).toEqual([]);
      }
    });
    it('refuses no such active user, another organisation, a viewer or an admin', () => {
      expect(fields(ownerErrors(USER, null, owned))).toEqual(['ownerId']);
      expect(
        ownerErrors(USER, { organizationId: OTHER_ORG, role: 'member' }, owned)[0].message,
      ).toBe("ownerId is not an active user of the case's organisation");
      for (const role of ['viewer', 'admin'] as const) {
        expect(ownerErrors(USER, { organizationId: ORG, role }, owned)[0].message).toBe(
          'ownerId must be a member or org_admin of the organisation',
        );
      }
    });
    it('on RED: only the creator or a person it is shared with', () => {
      const red = { ...owned, tlp: 'RED' as const };
      const member = { organizationId: ORG, role: 'member' as const };
      expect(fields(ownerErrors(USER, member, red))).toEqual(['ownerId']);
      expect(ownerErrors(CREATOR, member, red)).toEqual([]);
      expect(ownerErrors(USER, member, { ...red, sharedUserIds: [USER] })).toEqual([]);
    });
  });

  describe('categoryErrors', () => {
    it('accepts no subcategory or one of the category', () => {
      expect(categoryErrors('harassment')).toEqual([]);
      expect(categoryErrors('harassment', null)).toEqual([]);
      expect(categoryErrors('harassment', '')).toEqual([]);
      expect(categoryErrors('harassment', 'abusive_messages')).toEqual([]);
    });
    it("refuses another category's subcategory on subcategoryCode", () => {
      expect(categoryErrors('harassment', 'ncii_shared')).toEqual([
        {
          field: 'subcategoryCode',
          message: 'subcategoryCode must be a subcategory of harassment in the taxonomy',
        },
      ]);
      expect(categoryErrors('threats', 'no_such_code')).toEqual([
        {
          field: 'subcategoryCode',
          message: 'subcategoryCode must be a subcategory of threats in the taxonomy',
        },
      ]);
    });
  });

  describe('sharingErrors', () => {
    const needsOrg: FieldError = {
      field: 'shareWithOrganizationIds',
      message: 'TLP AMBER needs at least one organisation in shareWithOrganizationIds',
    };
    const orgsOnlyAmber: FieldError = {
      field: 'shareWithOrganizationIds',
      message: 'shareWithOrganizationIds is only for TLP AMBER',
    };
    const usersOnlyRed: FieldError = {
      field: 'shareWithUserIds',
      message: 'shareWithUserIds is only for TLP RED',
    };
    it.each([
      ['AMBER', [ORG], [], []],
      ['AMBER', [], [], [needsOrg]],
      ['AMBER', [ORG], [USER], [usersOnlyRed]],
      ['AMBER', [], [USER], [needsOrg, usersOnlyRed]],
      ['RED', [], [USER], []],
      ['RED', [], [], []],
      ['RED', [ORG], [USER], [orgsOnlyAmber]],
      ['GREEN', [], [], []],
      ['GREEN', [ORG], [USER], [orgsOnlyAmber, usersOnlyRed]],
      ['AMBER+STRICT', [ORG], [], [orgsOnlyAmber]],
      ['CLEAR', [], [USER], [usersOnlyRed]],
    ] as const)('%s orgs=%j users=%j', (tlp, orgs, users, expected) => {
      expect(sharingErrors(tlp, [...orgs], [...users])).toEqual(expected);
    });
  });

  describe('notInFuture', () => {
    it('allows a minute of clock skew, refuses beyond it', () => {
      expect(notInFuture('escalatedAt', undefined, NOW)).toEqual([]);
      expect(notInFuture('escalatedAt', null, NOW)).toEqual([]);
      expect(notInFuture('escalatedAt', '2026-03-04T11:00:00Z', NOW)).toEqual([]);
      expect(notInFuture('escalatedAt', '2026-03-04T12:01:00.000Z', NOW)).toEqual([]);
      expect(notInFuture('escalatedAt', '2026-03-04T12:01:00.001Z', NOW)).toEqual([
        { field: 'escalatedAt', message: 'escalatedAt must not be in the future' },
      ]);
    });
  });

  describe('toItems', () => {
    it('maps items as stored and reports future capture times by row', () => {
      const errors: FieldError[] = [];
      const items = toItems(
        [
          { url: 'https://example.org/a', kind: 'post' },
          {
            url: 'https://example.org/b',
            kind: 'image',
            contentSha256: 'ab'.repeat(32),
            capturedAt: '2026-03-04T11:00:00.000Z',
          },
          { url: 'https://example.org/c', kind: 'other', capturedAt: '2026-03-05T00:00:00.000Z' },
        ],
        NOW,
        errors,
      );
      expect(items).toEqual([
        { url: 'https://example.org/a', kind: 'post', contentSha256: null, capturedAt: null },
        {
          url: 'https://example.org/b',
          kind: 'image',
          contentSha256: 'ab'.repeat(32),
          capturedAt: at('2026-03-04T11:00:00.000Z'),
        },
        {
          url: 'https://example.org/c',
          kind: 'other',
          contentSha256: null,
          capturedAt: at('2026-03-05T00:00:00.000Z'),
        },
      ]);
      expect(errors).toEqual([
        { field: 'items.2.capturedAt', message: 'items.2.capturedAt must not be in the future' },
      ]);
    });
  });

  describe('toIndicators', () => {
    const KEY = 'test-key';
    const hmac = (kind: string, value: string) =>
      createHmac('sha256', KEY).update(`${kind}\u0000${value}`).digest('hex');
    it('normalises, hashes with the key, keeps one per distinct value and reports bad rows', () => {
      const errors: FieldError[] = [];
      const indicators = toIndicators(
        [
          { kind: 'hashtag', value: '#Fuera' },
          { kind: 'hashtag', value: ' fuera ' },
          { kind: 'phone', value: 'not a phone' },
          { kind: 'domain', value: 'WWW.Example.ORG' },
        ],
        KEY,
        errors,
      );
      expect(indicators).toEqual([
        { kind: 'hashtag', value: 'fuera', valueHash: hmac('hashtag', 'fuera') },
        { kind: 'domain', value: 'example.org', valueHash: hmac('domain', 'example.org') },
      ]);
      expect(errors).toHaveLength(1);
      expect(errors[0].field).toBe('indicators.2.value');
      expect(errors[0].message).toMatch(/^value must be/);
    });
  });

  describe('isOverdue', () => {
    const escalated: CaseState = {
      ...initialState(),
      status: 'escalated',
      escalatedAt: at('2026-03-01T00:00:00Z'),
      dueAt: at('2026-03-04T11:59:59.999Z'),
    };
    it('is overdue only awaiting the platform, running, and past due', () => {
      expect(isOverdue(escalated, NOW)).toBe(true);
      expect(isOverdue({ ...escalated, status: 'acknowledged' }, NOW)).toBe(true);
      expect(isOverdue({ ...escalated, dueAt: NOW }, NOW)).toBe(false);
      expect(isOverdue({ ...escalated, dueAt: null }, NOW)).toBe(false);
      expect(isOverdue({ ...escalated, pausedAt: at('2026-03-02T00:00:00Z') }, NOW)).toBe(false);
      expect(isOverdue({ ...escalated, status: 'resolved' }, NOW)).toBe(false);
      expect(isOverdue({ ...escalated, status: 'draft' }, NOW)).toBe(false);
    });
  });

  describe('update derivations', () => {
    const current = {
      tlp: 'AMBER' as const,
      sharedOrganizationIds: [OTHER_ORG],
      sharedUserIds: [],
    };
    it('changesSharing: any of the level or the two lists', () => {
      expect(changesSharing({})).toBe(false);
      expect(changesSharing({ tlp: 'RED' })).toBe(true);
      expect(changesSharing({ shareWithOrganizationIds: [] })).toBe(true);
      expect(changesSharing({ shareWithUserIds: [] })).toBe(true);
    });
    it('sharingAfterUpdate keeps the lists of the same level and drops the others', () => {
      expect(sharingAfterUpdate(current, {})).toEqual({
        tlp: 'AMBER',
        sharedOrganizationIds: [OTHER_ORG],
        sharedUserIds: [],
      });
      expect(sharingAfterUpdate(current, { tlp: 'GREEN' })).toEqual({
        tlp: 'GREEN',
        sharedOrganizationIds: [],
        sharedUserIds: [],
      });
      expect(sharingAfterUpdate(current, { tlp: 'RED', shareWithUserIds: [USER] })).toEqual({
        tlp: 'RED',
        sharedOrganizationIds: [],
        sharedUserIds: [USER],
      });
      expect(
        sharingAfterUpdate({ tlp: 'RED', sharedOrganizationIds: [], sharedUserIds: [USER] }, {}),
      ).toEqual({ tlp: 'RED', sharedOrganizationIds: [], sharedUserIds: [USER] });
      // A list set by the request is kept as sent, for sharingErrors to judge.
      expect(
        sharingAfterUpdate(current, { tlp: 'GREEN', shareWithOrganizationIds: [ORG] }),
      ).toEqual({
        tlp: 'GREEN',
        sharedOrganizationIds: [ORG],
        sharedUserIds: [],
      });
    });
    it('subcategoryAfterUpdate: a new category without a subcategory clears it', () => {
      expect(subcategoryAfterUpdate('abusive_messages', {})).toBe('abusive_messages');
      expect(subcategoryAfterUpdate('abusive_messages', { categoryCode: 'threats' })).toBeNull();
      expect(
        subcategoryAfterUpdate('abusive_messages', {
          categoryCode: 'threats',
          subcategoryCode: 'death_physical_threat',
        }),
      ).toBe('death_physical_threat');
      expect(subcategoryAfterUpdate('abusive_messages', { subcategoryCode: null })).toBeNull();
    });
    it('dueAtAfterUrgencyChange shifts a running clock by the change of window', () => {
      const running = {
        dueAt: at('2026-03-06T00:00:00.000Z'),
        status: 'escalated' as const,
        expectedResponseHours: 72,
        urgency: 'normal' as const,
      };
      // critical caps the window at 24 h: 48 h earlier.
      expect(dueAtAfterUrgencyChange(running, 'critical')).toEqual(at('2026-03-04T00:00:00.000Z'));
      expect(dueAtAfterUrgencyChange({ ...running, urgency: 'critical' }, 'normal')).toEqual(
        at('2026-03-08T00:00:00.000Z'),
      );
      expect(
        dueAtAfterUrgencyChange({ ...running, expectedResponseHours: 12 }, 'critical'),
      ).toEqual(running.dueAt);
      expect(dueAtAfterUrgencyChange({ ...running, dueAt: null }, 'critical')).toBeUndefined();
      expect(
        dueAtAfterUrgencyChange({ ...running, status: 'resolved' }, 'critical'),
      ).toBeUndefined();
    });
    it('changedFields names what really changed, with items and indicators, sorted', () => {
      const row = {
        title: 'A',
        tlp: 'GREEN',
        sharedUserIds: [],
        targetGroups: ['women'],
      } as unknown as CaseRow;
      expect(
        changedFields(
          row,
          { title: 'A', tlp: 'RED', sharedUserIds: [], targetGroups: ['women'] },
          {},
        ),
      ).toEqual(['tlp']);
      expect(
        changedFields(row, { title: 'B', targetGroups: ['lgbtiq'] }, { items: [], indicators: [] }),
      ).toEqual(['indicators', 'items', 'targetGroups', 'title']);
      expect(changedFields(row, {}, {})).toEqual([]);
    });
  });

  describe('leavesRepository', () => {
    const c = (consentToSharePattern: boolean, tlp: Tlp) => ({ consentToSharePattern, tlp });

    it('is true when consent is withdrawn or a shared case moves to RED', () => {
      expect(leavesRepository(c(true, 'AMBER'), c(false, 'AMBER'))).toBe(true);
      expect(leavesRepository(c(true, 'GREEN'), c(true, 'RED'))).toBe(true);
      expect(leavesRepository(c(true, 'CLEAR'), c(false, 'RED'))).toBe(true);
    });

    it('is false for a case that was not in the repository or stays in it', () => {
      expect(leavesRepository(c(false, 'AMBER'), c(false, 'RED'))).toBe(false);
      expect(leavesRepository(c(true, 'RED'), c(false, 'RED'))).toBe(false);
      expect(leavesRepository(c(true, 'RED'), c(true, 'AMBER'))).toBe(false);
      expect(leavesRepository(c(true, 'AMBER'), c(true, 'AMBER+STRICT'))).toBe(false);
      expect(leavesRepository(c(false, 'AMBER'), c(true, 'AMBER'))).toBe(false);
    });
  });

  describe('hashRequest', () => {
    it('is the SHA-256 of the canonical JSON: key order does not matter, values do', () => {
      expect(hashRequest({ b: 1, a: [{ d: 2, c: 3 }] })).toBe(
        hashRequest({ a: [{ c: 3, d: 2 }], b: 1 }),
      );
      expect(hashRequest({ a: 1 })).toBe(
        '015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862',
      );
      expect(hashRequest({ a: 1 })).not.toBe(hashRequest({ a: 2 }));
      expect(hashRequest({ a: [1, 2] })).not.toBe(hashRequest({ a: [2, 1] }));
    });
  });
});
