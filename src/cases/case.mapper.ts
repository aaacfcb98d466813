import { isOverdue } from './case-rules';
import type { CaseRow, NewItem } from './cases.repository';
import type {
  CaseItemResponseDto,
  CaseResponseDto,
  CaseSummaryResponseDto,
  IndicatorResponseDto,
} from './dto/case.dto';

/**
 * Rows to response bodies, field by field: a column the DTO does not name (`patternKey`, the
 * reminder bookkeeping, whatever a query adds) never reaches an answer.
 */

const iso = (d: Date | null) => d?.toISOString() ?? null;
const seconds = (from: Date | null, to: Date | null) =>
  from && to ? Math.round((to.getTime() - from.getTime()) / 1000) : null;

export function toCaseSummary(c: CaseRow, now: Date): CaseSummaryResponseDto {
  return {
    id: c.id,
    reference: c.reference,
    organizationId: c.organizationId,
    createdBy: c.createdBy,
    platformCode: c.platformCode,
    channelCode: c.channelCode,
    contactId: c.contactId,
    ownerId: c.ownerId,
    title: c.title,
    summary: c.summary,
    categoryCode: c.categoryCode,
    subcategoryCode: c.subcategoryCode,
    targetGroups: c.targetGroups,
    country: c.country,
    contentLanguage: c.contentLanguage,
    urgency: c.urgency,
    tlp: c.tlp,
    shareWithOrganizationIds: c.sharedOrganizationIds,
    shareWithUserIds: c.sharedUserIds,
    consentToSharePattern: c.consentToSharePattern,
    platformReference: c.platformReference,
    status: c.status,
    outcome: c.outcome,
    escalatedAt: iso(c.escalatedAt),
    dueAt: iso(c.dueAt),
    firstResponseAt: iso(c.firstResponseAt),
    resolvedAt: iso(c.resolvedAt),
    closedAt: iso(c.closedAt),
    paused: c.pausedAt !== null,
    pausedSeconds: c.pausedSeconds,
    overdue: isOverdue(c, now),
    needsContact: c.needsContact,
    contentRemovedAt: iso(c.contentRemovedAt),
    timeToFirstResponseSeconds: seconds(c.escalatedAt, c.firstResponseAt),
    timeToResolutionSeconds: seconds(c.escalatedAt, c.resolvedAt),
    version: c.version,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

export function toItemResponse(i: NewItem): CaseItemResponseDto {
  return {
    url: i.url,
    kind: i.kind,
    contentSha256: i.contentSha256,
    capturedAt: iso(i.capturedAt),
  };
}

/** The kind and the value only (never the hash). */
export function toIndicatorResponse(i: IndicatorResponseDto): IndicatorResponseDto {
  return { kind: i.kind, value: i.value };
}

/** Indicators in the order the API lists them: by kind, then value. */
export function byKindValue(
  a: { kind: string; value: string },
  b: { kind: string; value: string },
): number {
  return a.kind < b.kind
    ? -1
    : a.kind > b.kind
      ? 1
      : a.value < b.value
        ? -1
        : a.value > b.value
          ? 1
          : 0;
}

/** One case with its items and indicators, in the order given. */
export function toCaseResponse(
  c: CaseRow,
  items: NewItem[],
  indicators: IndicatorResponseDto[],
  now: Date,
): CaseResponseDto {
  return {
    ...toCaseSummary(c, now),
    items: items.map(toItemResponse),
    indicators: indicators.map(toIndicatorResponse),
  };
}
