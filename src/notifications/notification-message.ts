import { CaseNotification } from './notification';

/**
 * What leaves the service about a case: its id, reference, platform and channel codes, the
 * deadline and a link. Built from the notification's own fields, which hold no case content
 * (no title, summary, items, indicators, contact or names), so nothing else can slip in.
 */
export interface WebhookPayload {
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

export function caseLink(publicBaseUrl: string, caseId: string): string {
  return `${publicBaseUrl}/v1/cases/${caseId}`;
}

export function webhookPayload(n: CaseNotification, publicBaseUrl: string): WebhookPayload {
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
}

export interface EmailMessage {
  subject: string;
  text: string;
}

/** A short plain-text e-mail saying the same as the webhook payload. */
export function emailMessage(n: CaseNotification, publicBaseUrl: string): EmailMessage {
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
        : 'You receive this because you are an organisation admin or member in the escalation tracker.',
      '',
    ].join('\n'),
  };
}

/** Job data: the notification's fields (ids, codes, times) and whom it is for. No case content. */
export interface WebhookDeliveryJob {
  webhookId: string;
  notification: CaseNotification;
}

export interface EmailDeliveryJob {
  userId: string;
  notification: CaseNotification;
}

/** BullMQ ids: deterministic, so notifying twice with one key enqueues (and delivers) once. */
export const webhookJobId = (key: string, webhookId: string) => `${key}-wh-${webhookId}`;
export const emailJobId = (key: string, userId: string) => `${key}-mail-${userId}`;

/** Keys become job ids: no `:` (BullMQ's separator), not integer-like, bounded. */
export const NOTIFICATION_KEY = /^(?=.*[A-Za-z_.-])[A-Za-z0-9_.-]{1,150}$/;
