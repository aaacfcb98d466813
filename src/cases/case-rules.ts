import { createHash } from 'node:crypto';
import type { Actor } from '../common/auth/actor';
import { FieldError, ForbiddenError } from '../common/errors/domain-error';
import type { Tlp } from '../common/sharing/tlp';
import type { CaseEntity } from './case.entity';
import {
  AWAITING_PLATFORM,
  CaseState,
  CaseUrgency,
  responseWindowHours,
} from './case-status.machine';
import type { CaseRow, NewIndicator, NewItem } from './cases.repository';
import type { CaseItemDto, IndicatorDto, UpdateCaseDto } from './dto/case.dto';
import { indicatorHash, normalizeIndicator } from './indicator';
import { isSubcategoryOf } from './taxonomy';

/**
 * The rules of a case that need no I/O: who may write, what a body may say beyond its DTO, and
 * what an update derives from the current case. Used by the cases service, the import, the
 * timeline and the web form's checks.
 */

/** Clients' clocks run a little ahead; beyond this a past event dated in the future is refused. */
export const FUTURE_TOLERANCE_MS = 60_000;

/** Viewers read and export; members and admins log and update cases. */
export function requireWriter(actor: Actor): void {
  if (actor.role === 'viewer') throw new ForbiddenError('Viewers cannot change cases.');
}

/**
 * Only members of the owning organisation change a case; a RED case only its creator and the
 * users named on it. Others who may see it (AMBER partners, GREEN readers) get a 403.
 */
export function requireChangeRight(
  actor: Actor,
  c: Pick<CaseRow, 'tlp' | 'createdBy' | 'sharedUserIds' | 'organizationId'>,
): void {
  const allowed =
    c.tlp === 'RED'
      ? c.createdBy === actor.userId || c.sharedUserIds.includes(actor.userId)
      : c.organizationId === actor.organizationId;
  if (!allowed) throw new ForbiddenError('Only the owning organisation can change this case.');
}

/**
 * Who may erase a case on a survivor's request: an org_admin of the owning organisation; a RED
 * case (which that org_admin may not even see) its creator. Others who see it get a 403.
 */
export function requireEraseRight(
  actor: Actor,
  c: Pick<CaseRow, 'tlp' | 'createdBy' | 'organizationId'>,
): void {
  const allowed =
    c.tlp === 'RED'
      ? c.createdBy === actor.userId
      : actor.role === 'org_admin' && c.organizationId === actor.organizationId;
  if (!allowed) {
    throw new ForbiddenError(
      c.tlp === 'RED'
        ? 'Only the creator of a TLP:RED case can erase it.'
        : "Only an org_admin of the case's organisation can erase it.",
    );
  }
}

/** The case as far as its owner is concerned. */
export type OwnedCase = Pick<CaseRow, 'organizationId' | 'tlp' | 'createdBy' | 'sharedUserIds'>;

/**
 * Who may own a case: an active member or org_admin of its organisation (viewers do not follow
 * cases up; an admin of the coordination is not a helpline worker) and, on a RED case, someone
 * who sees it (its creator or a person named on it). `owner` is null when no active user has
 * that id.
 */
export function ownerErrors(
  ownerId: string,
  owner: Pick<Actor, 'organizationId' | 'role'> | null,
  c: OwnedCase,
): FieldError[] {
  if (!owner || owner.organizationId !== c.organizationId) {
    return [
      { field: 'ownerId', message: "ownerId is not an active user of the case's organisation" },
    ];
  }
  if (owner.role !== 'member' && owner.role !== 'org_admin') {
    return [
      { field: 'ownerId', message: 'ownerId must be a member or org_admin of the organisation' },
    ];
  }
  if (c.tlp === 'RED' && ownerId !== c.createdBy && !c.sharedUserIds.includes(ownerId)) {
    return [
      {
        field: 'ownerId',
        message: 'the owner of a RED case must be its creator or a person it is shared with',
      },
    ];
  }
  return [];
}

export function categoryErrors(category: string, subcategory?: string | null): FieldError[] {
  if (subcategory && !isSubcategoryOf(category, subcategory)) {
    return [
      {
        field: 'subcategoryCode',
        message: `subcategoryCode must be a subcategory of ${category} in the taxonomy`,
      },
    ];
  }
  return [];
}

/** AMBER names at least one organisation; only AMBER names organisations, only RED names users. */
export function sharingErrors(
  tlp: Tlp,
  organizationIds: string[],
  userIds: string[],
): FieldError[] {
  const errors: FieldError[] = [];
  if (tlp === 'AMBER' && organizationIds.length === 0) {
    errors.push({
      field: 'shareWithOrganizationIds',
      message: 'TLP AMBER needs at least one organisation in shareWithOrganizationIds',
    });
  }
  if (tlp !== 'AMBER' && organizationIds.length > 0) {
    errors.push({
      field: 'shareWithOrganizationIds',
      message: 'shareWithOrganizationIds is only for TLP AMBER',
    });
  }
  if (tlp !== 'RED' && userIds.length > 0) {
    errors.push({ field: 'shareWithUserIds', message: 'shareWithUserIds is only for TLP RED' });
  }
  return errors;
}

export function notInFuture(
  field: string,
  value: string | null | undefined,
  now: Date,
): FieldError[] {
  if (value && new Date(value).getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
    return [{ field, message: `${field} must not be in the future` }];
  }
  return [];
}

/** Items as stored; capture times in the future are reported into `errors`. */
export function toItems(items: CaseItemDto[], now: Date, errors: FieldError[]): NewItem[] {
  return items.map((item, i) => {
    errors.push(...notInFuture(`items.${i}.capturedAt`, item.capturedAt, now));
    return {
      url: item.url,
      kind: item.kind,
      contentSha256: item.contentSha256 ?? null,
      capturedAt: item.capturedAt ? new Date(item.capturedAt) : null,
    };
  });
}

/** Normalised and hashed, one per distinct indicator; invalid values are reported into `errors`. */
export function toIndicators(
  indicators: IndicatorDto[],
  hashKey: string,
  errors: FieldError[],
): NewIndicator[] {
  const seen = new Map<string, NewIndicator>();
  indicators.forEach((indicator, i) => {
    const normalized = normalizeIndicator(indicator.kind, indicator.value);
    if ('error' in normalized) {
      errors.push({ field: `indicators.${i}.value`, message: `value ${normalized.error}` });
      return;
    }
    const valueHash = indicatorHash(hashKey, indicator.kind, normalized.value);
    seen.set(valueHash, { kind: indicator.kind, value: normalized.value, valueHash });
  });
  return [...seen.values()];
}

/** Awaiting the platform, not paused, and past its due time. */
export function isOverdue(c: CaseState, now: Date): boolean {
  return (
    AWAITING_PLATFORM.includes(c.status) &&
    c.pausedAt === null &&
    c.dueAt !== null &&
    c.dueAt.getTime() < now.getTime()
  );
}

/**
 * Who a case is shared with after an update: lists that no longer apply to the new level go,
 * unless the request sets them.
 */
export function sharingAfterUpdate(
  current: Pick<CaseRow, 'tlp' | 'sharedOrganizationIds' | 'sharedUserIds'>,
  dto: Pick<UpdateCaseDto, 'tlp' | 'shareWithOrganizationIds' | 'shareWithUserIds'>,
): { tlp: Tlp; sharedOrganizationIds: string[]; sharedUserIds: string[] } {
  const tlp = dto.tlp ?? current.tlp;
  return {
    tlp,
    sharedOrganizationIds:
      dto.shareWithOrganizationIds ?? (tlp === 'AMBER' ? current.sharedOrganizationIds : []),
    sharedUserIds: dto.shareWithUserIds ?? (tlp === 'RED' ? current.sharedUserIds : []),
  };
}

/**
 * Whether a change takes the case out of the shared repository: consent withdrawn, or moved to
 * TLP:RED (whose cases never enter it). Such a change must remove it before it commits.
 */
export function leavesRepository(
  before: Pick<CaseRow, 'consentToSharePattern' | 'tlp'>,
  after: Pick<CaseRow, 'consentToSharePattern' | 'tlp'>,
): boolean {
  const shared = (c: typeof before) => c.consentToSharePattern && c.tlp !== 'RED';
  return shared(before) && !shared(after);
}

/** Whether an update touches who sees the case (only the owning organisation may). */
export function changesSharing(
  dto: Pick<UpdateCaseDto, 'tlp' | 'shareWithOrganizationIds' | 'shareWithUserIds'>,
): boolean {
  return (
    dto.tlp !== undefined ||
    dto.shareWithOrganizationIds !== undefined ||
    dto.shareWithUserIds !== undefined
  );
}

/** The subcategory after an update: a new category without one clears the old subcategory. */
export function subcategoryAfterUpdate(
  currentSubcategory: string | null,
  dto: Pick<UpdateCaseDto, 'categoryCode' | 'subcategoryCode'>,
): string | null {
  if (dto.subcategoryCode !== undefined) return dto.subcategoryCode;
  return dto.categoryCode !== undefined ? null : currentSubcategory;
}

/**
 * The due time after an urgency change: a running clock keeps its start, only the window changes
 * (critical caps it at 24 h). Undefined when no clock runs.
 */
export function dueAtAfterUrgencyChange(
  current: Pick<CaseRow, 'dueAt' | 'status' | 'expectedResponseHours' | 'urgency'>,
  urgency: CaseUrgency,
): Date | undefined {
  if (!current.dueAt || !AWAITING_PLATFORM.includes(current.status)) return undefined;
  const shift =
    responseWindowHours(current.expectedResponseHours, urgency) -
    responseWindowHours(current.expectedResponseHours, current.urgency);
  return new Date(current.dueAt.getTime() + shift * 3_600_000);
}

/** The fields a PATCH really changed (for the audit entry: names only, never values). */
export function changedFields(
  current: CaseRow,
  changes: Partial<CaseEntity>,
  dto: Pick<UpdateCaseDto, 'items' | 'indicators'>,
): string[] {
  const fields = Object.entries(changes)
    .filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(current[k as keyof CaseRow]))
    .map(([k]) => k);
  if (dto.items) fields.push('items');
  if (dto.indicators) fields.push('indicators');
  return fields.sort();
}

/** A canonical digest of the request, to tell a retry from a different body under one key. */
export function hashRequest(dto: object): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  return createHash('sha256')
    .update(JSON.stringify(canonical(dto)))
    .digest('hex');
}
