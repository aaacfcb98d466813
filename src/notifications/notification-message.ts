import { CaseNotification, Notification, PatternNotification } from './notification';
import { campaignFields, emergingFields, InvalidNotificationError } from './notification-contract';

type Campaign = NonNullable<PatternNotification['campaign']>;
type Emerging = NonNullable<PatternNotification['emerging']>;

/**
 * What leaves the service about a case: its id, reference, platform and channel codes, the
 * deadline and a link. Built from the notification's own fields, which hold no case content
 * (no title, summary, items, indicators, contact or names), so nothing else can slip in.
 */
export interface CaseWebhookPayload {
  /** The notification key: the same on every retry, for receivers to deduplicate. */
  id: string;
  type: CaseNotification['type'];
  occurredAt: string;
  case: {
    id: string;
    reference: string;
    platform: string;
    channel: string;
    dueAt: string;
    links: { api: string };
  };
}

/** A campaign the organisation's cases are part of: counts and codes, other organisations by number. */
export interface CampaignWebhookPayload {
  id: string;
  type: 'campaign.detected';
  occurredAt: string;
  campaign: Campaign & { links: { api: string } };
}

/** An emerging pattern in a country the organisation works in: counts and codes only. */
export interface EmergingWebhookPayload {
  id: string;
  type: 'pattern.emerging';
  occurredAt: string;
  emerging: Emerging;
}

export type WebhookPayload = CaseWebhookPayload | CampaignWebhookPayload | EmergingWebhookPayload;

export function caseLink(publicBaseUrl: string, caseId: string): string {
  return `${publicBaseUrl}/v1/cases/${caseId}`;
}

export function campaignLink(publicBaseUrl: string, campaignId: string): string {
  return `${publicBaseUrl}/v1/patterns/campaigns/${campaignId}`;
}

export function emergingLink(publicBaseUrl: string): string {
  return `${publicBaseUrl}/v1/patterns/emerging`;
}

/**
 * The body a webhook receives, built field by field from the contract (never by spreading the
 * notification), so whatever else the object carries stays behind.
 */
export function webhookPayload(n: Notification, publicBaseUrl: string): WebhookPayload {
  switch (n.type) {
    case 'case.overdue':
    case 'case.follow_up_due':
      return {
        id: n.key,
        type: n.type,
        occurredAt: n.occurredAt,
        case: {
          id: n.caseId,
          reference: n.reference,
          platform: n.platformCode,
          channel: n.channelCode,
          dueAt: n.dueAt,
          links: { api: caseLink(publicBaseUrl, n.caseId) },
        },
      };
    case 'campaign.detected': {
      const campaign = campaignFields(n.campaign);
      return {
        id: n.key,
        type: n.type,
        occurredAt: n.occurredAt,
        campaign: { ...campaign, links: { api: campaignLink(publicBaseUrl, campaign.id) } },
      };
    }
    case 'group.pattern_emerging':
    case 'group.channel_incident':
      // Never enqueued for a webhook (NotificationsService): a group has none.
      throw new InvalidNotificationError('a group notice goes by e-mail only');
    case 'pattern.emerging':
      return {
        id: n.key,
        type: n.type,
        occurredAt: n.occurredAt,
        emerging: emergingFields(n.emerging),
      };
    default:
      throw new InvalidNotificationError('unknown notification type');
  }
}

export interface EmailMessage {
  subject: string;
  text: string;
}

const ORGANISATION_FOOTER =
  'You receive this because you are an organisation admin or member in the escalation tracker.';

/** A short plain-text e-mail saying the same as the webhook payload. */
export function emailMessage(n: Notification, publicBaseUrl: string): EmailMessage {
  switch (n.type) {
    case 'case.overdue':
    case 'case.follow_up_due':
      return caseEmail(n, publicBaseUrl);
    case 'campaign.detected':
      return campaignEmail(campaignFields(n.campaign), publicBaseUrl);
    case 'pattern.emerging':
      return emergingEmail(emergingFields(n.emerging), publicBaseUrl, ORGANISATION_FOOTER);
    case 'group.pattern_emerging':
      return emergingEmail(emergingFields(n.emerging), publicBaseUrl, GROUP_FOOTER);
    case 'group.channel_incident':
      return incidentEmail(n.incident, publicBaseUrl);
    default:
      throw new InvalidNotificationError('unknown notification type');
  }
}

function caseEmail(n: CaseNotification, publicBaseUrl: string): EmailMessage {
  const link = caseLink(publicBaseUrl, n.caseId);
  const what =
    n.type === 'case.overdue'
      ? {
          subject: `overdue: no answer from ${n.platformCode}`,
          line: `${n.platformCode} has not answered case ${n.reference} by its deadline (${n.dueAt}).`,
        }
      : {
          subject: `follow-up due: still no answer from ${n.platformCode}`,
          line: `Case ${n.reference} is still waiting for ${n.platformCode}, past its deadline (${n.dueAt}): time to follow up.`,
        };
  return {
    subject: `[${n.reference}] ${what.subject}`,
    text: [
      what.line,
      `Channel: ${n.channelCode}`,
      '',
      `Open the case: ${link}`,
      '',
      n.restrictedTo
        ? 'You receive this because this TLP:RED case names you (or you logged it).'
        : ORGANISATION_FOOTER,
      '',
    ].join('\n'),
  };
}

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
const listed = (codes: string[]) => (codes.length > 0 ? codes.join(', ') : '-');

/** Other organisations by number; by name only those given in `namedOrganizations`. */
function campaignEmail(c: Campaign, publicBaseUrl: string): EmailMessage {
  const others = plural(c.otherOrganizations, 'other organisation', 'other organisations');
  return {
    subject: `campaign detected: your cases are linked with ${others}`,
    text: [
      `Cases your organisation logged share an indicator with cases of ${others}: a possible coordinated campaign (${plural(c.cases, 'case', 'cases')} in all).`,
      ...(c.namedOrganizations.length > 0
        ? [`Named with their consent: ${c.namedOrganizations.join(', ')}`]
        : []),
      `Platforms: ${listed(c.platforms)}`,
      `Categories: ${listed(c.categories)}`,
      `Countries: ${listed(c.countries)}`,
      `First seen: ${c.firstSeen}`,
      `Last seen: ${c.lastSeen}`,
      '',
      `Open the campaign: ${campaignLink(publicBaseUrl, c.id)}`,
      '',
      ORGANISATION_FOOTER,
      '',
    ].join('\n'),
  };
}

const GROUP_FOOTER =
  'You receive this because you are a member of a working group that follows emerging patterns; leave the group to stop.';

function emergingEmail(e: Emerging, publicBaseUrl: string, footer: string): EmailMessage {
  const baseline =
    e.baselineCount === null
      ? `too few cases to show (${plural(e.baselineMonths, 'month', 'months')})`
      : `${plural(e.baselineCount, 'case', 'cases')} in ${plural(e.baselineMonths, 'month', 'months')}`;
  const ratio = e.rateRatio === null ? 'not shown' : String(Number(e.rateRatio.toFixed(2)));
  const p = e.pValue < 0.001 ? 'p < 0.001' : `p = ${Number(e.pValue.toFixed(3))}`;
  return {
    subject: `emerging pattern: ${e.category} in ${e.country}`,
    text: [
      `Cases of category ${e.category} in ${e.country} are rising in the shared repository.`,
      `Recent: ${plural(e.recentCount, 'case', 'cases')} in the last ${plural(e.windowMonths, 'month', 'months')}.`,
      `Baseline: ${baseline}.`,
      `Rate ratio: ${ratio} (${p})`,
      '',
      `See the emerging patterns: ${emergingLink(publicBaseUrl)}`,
      '',
      footer,
      '',
    ].join('\n'),
  };
}

/** Job data: the notification's fields (ids, codes, times, counts) and whom it is for. No case content. */
export interface WebhookDeliveryJob {
  webhookId: string;
  notification: Notification;
}

export interface EmailDeliveryJob {
  userId: string;
  notification: Notification;
}

/** BullMQ ids: deterministic, so notifying twice with one key enqueues (and delivers) once. */
export const webhookJobId = (key: string, webhookId: string) => `${key}-wh-${webhookId}`;
export const emailJobId = (key: string, userId: string) => `${key}-mail-${userId}`;

/** Keys become job ids: no `:` (BullMQ's separator), not integer-like, bounded. */
export const NOTIFICATION_KEY = /^(?=.*[A-Za-z_.-])[A-Za-z0-9_.-]{1,150}$/;

const INCIDENT_WORDS: Record<string, string> = {
  broken: 'is broken',
  silent: 'has gone silent',
  changed: 'has changed',
};

/** The channel and what is wrong with it; the reporter's description stays in the service. */
function incidentEmail(
  i: NonNullable<Extract<Notification, { type: 'group.channel_incident' }>['incident']>,
  publicBaseUrl: string,
): EmailMessage {
  const what = INCIDENT_WORDS[i.kind] ?? 'has a problem';
  const link = `${publicBaseUrl.replace(/\/$/, '')}/web/channels/${i.platformCode}/${i.channelCode}`;
  return {
    subject: `channel incident: ${i.platformCode} ${i.channelCode} ${what}`,
    text: [
      `A member organisation reports that ${i.platformCode}'s channel ${i.channelCode} ${what}, since ${i.since}.`,
      '',
      `See the channel, confirm or add what you see: ${link}`,
      '',
      INCIDENT_FOOTER,
      '',
    ].join('\n'),
  };
}

const INCIDENT_FOOTER =
  'You receive this because you are a member of a working group that follows channel incidents; leave the group to stop.';
