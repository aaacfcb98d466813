/** What the deadline jobs tell an organisation about one of its cases. Never case content. */
export interface CaseNotification {
  type: 'case.overdue' | 'case.follow_up_due';
  /** Deterministic per occurrence (e.g. `overdue-<caseId>-<dueAtMs>`): notifying twice with the same key delivers once. */
  key: string;
  organizationId: string;
  caseId: string;
  /** ESC-2026-000123 */
  reference: string;
  platformCode: string;
  channelCode: string;
  /** ISO 8601 */
  dueAt: string;
  /** ISO 8601 */
  occurredAt: string;
  /**
   * TLP:RED cases: the only users who may hear of the case (its creator and the users named on
   * it). No webhook gets it (an organisation's endpoint is not a person the case names), and
   * e-mail goes to these users only. Absent: the owning organisation as a whole.
   */
  restrictedTo?: string[];
  /** The user who follows the case up, if it has an owner. */
  ownerUserId?: string;
  /** `case.follow_up_due`: which reminder of this deadline it is (1 for the first). */
  reminder?: number;
}

/**
 * What the shared repository's jobs tell an organisation: a campaign its cases are part of, or
 * an emerging pattern in a country it works in. Aggregates only: counts and codes, never another
 * organisation's cases; other organisations by number, by name only those that opted in.
 */
export interface PatternNotification {
  type: 'campaign.detected' | 'pattern.emerging';
  /** Deterministic (`campaign-<id>-<orgId>`, `emerging-<week>-<category>-<country>-<orgId>`). */
  key: string;
  organizationId: string;
  /** ISO 8601 */
  occurredAt: string;
  campaign?: {
    id: string;
    cases: number;
    /** Organisations involved besides the recipient. */
    otherOrganizations: number;
    /** Names of the other organisations that opted in to be named. */
    namedOrganizations: string[];
    platforms: string[];
    categories: string[];
    countries: string[];
    firstSeen: string;
    lastSeen: string;
  };
  emerging?: {
    category: string;
    country: string;
    recentCount: number;
    /** Null when the baseline was too small to show (k-anonymity). */
    baselineCount: number | null;
    rateRatio: number | null;
    pValue: number;
    windowMonths: number;
    baselineMonths: number;
  };
  restrictedTo?: never;
}

/**
 * A notice addressed to a working group rather than an organisation: e-mail to the group's active
 * members (of any organisation), never to a webhook (webhooks belong to organisations): the
 * weekly emerging-pattern notice, with the same protected counts as `pattern.emerging`, and a
 * channel incident reported (the channel and what is wrong with it; never its description).
 */
export type GroupNotification = GroupPatternNotification | GroupIncidentNotification;

export interface GroupPatternNotification {
  type: 'group.pattern_emerging';
  /** Deterministic (`emerging-<week>-<category>-<country>-group-<groupId>`). */
  key: string;
  workingGroupId: string;
  /** ISO 8601 */
  occurredAt: string;
  emerging: NonNullable<PatternNotification['emerging']>;
  restrictedTo?: never;
}

export interface GroupIncidentNotification {
  type: 'group.channel_incident';
  /** Deterministic (`incident-<incidentId>-group-<groupId>`). */
  key: string;
  workingGroupId: string;
  /** ISO 8601 */
  occurredAt: string;
  incident: {
    id: string;
    platformCode: string;
    channelCode: string;
    kind: string;
    /** YYYY-MM-DD: since when, as reported. */
    since: string;
  };
  restrictedTo?: never;
}

export type Notification = CaseNotification | PatternNotification | GroupNotification;
