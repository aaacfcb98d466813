import {
  CaseNotification,
  GroupNotification,
  Notification,
  PatternNotification,
} from './notification';

type Campaign = NonNullable<PatternNotification['campaign']>;
type Emerging = NonNullable<PatternNotification['emerging']>;

/** A notification that is not what the contract says; the message names the field, never its value. */
export class InvalidNotificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidNotificationError';
  }
}

/** Addressed to a working group's members (e-mail only), not to an organisation. */
export function isGroupNotification(n: Notification): n is GroupNotification {
  return n.type === 'group.pattern_emerging' || n.type === 'group.channel_incident';
}

export function isCaseNotification(n: Notification): n is CaseNotification {
  return n.type === 'case.overdue' || n.type === 'case.follow_up_due';
}

/**
 * The notification as the contract has it, copied field by field: whatever else the caller's
 * object carries (a title, case ids, a whole row) is left behind, and arrays are copies. Pattern
 * notifications are checked as well (strings, numbers, arrays of strings), so no object can ride
 * along inside a field; they never have `restrictedTo` (they go to the organisation as a whole).
 */
export function contractOf(n: Notification): Notification {
  switch (n.type) {
    case 'case.overdue':
    case 'case.follow_up_due':
      return caseContract(n);
    case 'campaign.detected':
    case 'pattern.emerging':
      return patternContract(n);
    case 'group.pattern_emerging':
    case 'group.channel_incident':
      return groupContract(n);
    default:
      throw new InvalidNotificationError(`unknown notification type`);
  }
}

function caseContract(n: CaseNotification): CaseNotification {
  return {
    type: n.type,
    key: n.key,
    organizationId: n.organizationId,
    caseId: n.caseId,
    reference: n.reference,
    platformCode: n.platformCode,
    channelCode: n.channelCode,
    dueAt: n.dueAt,
    occurredAt: n.occurredAt,
    ...(n.restrictedTo && { restrictedTo: [...new Set(n.restrictedTo)] }),
    ...(typeof n.ownerUserId === 'string' && { ownerUserId: n.ownerUserId }),
    ...(Number.isSafeInteger(n.reminder) && { reminder: n.reminder }),
  };
}

function patternContract(n: PatternNotification): PatternNotification {
  if ((n as { restrictedTo?: unknown }).restrictedTo !== undefined) {
    throw new InvalidNotificationError(
      `${n.type} goes to the organisation as a whole: restrictedTo is not allowed`,
    );
  }
  const head = {
    key: str(n.key, 'key'),
    organizationId: str(n.organizationId, 'organizationId'),
    occurredAt: str(n.occurredAt, 'occurredAt'),
  };
  if (n.type === 'campaign.detected') {
    return { type: n.type, ...head, campaign: campaignFields(n.campaign) };
  }
  return { type: n.type, ...head, emerging: emergingFields(n.emerging) };
}

function groupContract(n: GroupNotification): GroupNotification {
  if ((n as { restrictedTo?: unknown }).restrictedTo !== undefined) {
    throw new InvalidNotificationError(`${n.type} goes to the group: restrictedTo is not allowed`);
  }
  const head = {
    key: str(n.key, 'key'),
    workingGroupId: str(n.workingGroupId, 'workingGroupId'),
    occurredAt: str(n.occurredAt, 'occurredAt'),
  };
  if (n.type === 'group.pattern_emerging') {
    return { type: n.type, ...head, emerging: emergingFields(n.emerging) };
  }
  const i = isObject(n.incident) ? n.incident : ({} as Record<string, unknown>);
  return {
    type: n.type,
    ...head,
    incident: {
      id: str(i.id, 'incident.id'),
      platformCode: str(i.platformCode, 'incident.platformCode'),
      channelCode: str(i.channelCode, 'incident.channelCode'),
      kind: str(i.kind, 'incident.kind'),
      since: str(i.since, 'incident.since'),
    },
  };
}

/** A campaign alert's aggregates, field by field (shared by the job data and the payload). */
export function campaignFields(c: Campaign | undefined): Campaign {
  if (!isObject(c)) throw new InvalidNotificationError('campaign.detected needs its campaign');
  return {
    id: str(c.id, 'campaign.id'),
    cases: num(c.cases, 'campaign.cases'),
    otherOrganizations: num(c.otherOrganizations, 'campaign.otherOrganizations'),
    namedOrganizations: strs(c.namedOrganizations, 'campaign.namedOrganizations'),
    platforms: strs(c.platforms, 'campaign.platforms'),
    categories: strs(c.categories, 'campaign.categories'),
    countries: strs(c.countries, 'campaign.countries'),
    firstSeen: str(c.firstSeen, 'campaign.firstSeen'),
    lastSeen: str(c.lastSeen, 'campaign.lastSeen'),
  };
}

/** An emerging-pattern alert's aggregates, field by field. */
export function emergingFields(e: Emerging | undefined): Emerging {
  if (!isObject(e)) throw new InvalidNotificationError('pattern.emerging needs its emerging');
  return {
    category: str(e.category, 'emerging.category'),
    country: str(e.country, 'emerging.country'),
    recentCount: num(e.recentCount, 'emerging.recentCount'),
    baselineCount: numOrNull(e.baselineCount, 'emerging.baselineCount'),
    rateRatio: numOrNull(e.rateRatio, 'emerging.rateRatio'),
    pValue: num(e.pValue, 'emerging.pValue'),
    windowMonths: num(e.windowMonths, 'emerging.windowMonths'),
    baselineMonths: num(e.baselineMonths, 'emerging.baselineMonths'),
  };
}

function isObject(v: unknown): v is object {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown, field: string): string {
  if (typeof v !== 'string') throw new InvalidNotificationError(`${field} must be a string`);
  return v;
}

function num(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new InvalidNotificationError(`${field} must be a finite number`);
  }
  return v;
}

function numOrNull(v: unknown, field: string): number | null {
  return v === null ? null : num(v, field);
}

function strs(v: unknown, field: string): string[] {
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) {
    throw new InvalidNotificationError(`${field} must be an array of strings`);
  }
  return [...(v as string[])];
}
