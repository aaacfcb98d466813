import type { DefaultJobOptions } from 'bullmq';

/**
 * Every queue and job name in one place (kebab-case; never `:` in names or job ids).
 * Feature modules register their queues with `BullModule.registerQueue({ name })` and own one
 * `@Processor(QueueName.X)` each; job data carries ids, never case content.
 */
export const QueueName = {
  Contacts: 'contacts',
  /** Case deadlines, follow-up reminders, the deadline sweep and response-time rollups. */
  Deadlines: 'deadlines',
  /** Webhook and e-mail deliveries, each retried on its own. */
  Notifications: 'notifications',
  /** The shared repository: rollup folds, campaign detection, emerging-pattern alerts. */
  Patterns: 'patterns',
  /** Large exports built in the background (`POST /v1/reports`) and their expiry. */
  Reports: 'reports',
  /** Each organisation's retention rule, applied daily to its closed cases. */
  Retention: 'retention',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export const JobName = {
  /** Repeatable: marks contacts not verified for CONTACT_STALE_DAYS as unverified. */
  ContactStaleness: 'contact-staleness',
  /** Delayed to a case's dueAt: marks it overdue if the platform still owes an answer. */
  CaseDue: 'case-due',
  /** Delayed to a case's nextReminderAt: reminds the organisation to follow up. */
  FollowUpReminder: 'follow-up-reminder',
  /** Repeatable: re-derives overdue marks and missing deadline jobs from PostgreSQL. */
  DeadlineSweep: 'deadline-sweep',
  /** Repeatable: recounts the response-time rollups of the cases that changed. */
  RollupRefresh: 'rollup-refresh',
  /** One notification POSTed to one webhook, signed; retried for about a day. */
  WebhookDelivery: 'webhook-delivery',
  /** One notification e-mailed to one user; retried for about a day. */
  EmailDelivery: 'email-delivery',
  /** Repeatable: folds the pattern-record change log into the rollups (the listener's safety net). */
  PatternFold: 'pattern-fold',
  /** Repeatable: links cases of several organisations sharing an indicator into campaigns. */
  CampaignScan: 'campaign-scan',
  /** Repeatable, weekly: emerging (category, country) patterns as alerts to organisations there. */
  EmergingAlerts: 'emerging-alerts',
  /** Builds one report file (`POST /v1/reports`), as the user who asked for it. */
  ReportBuild: 'report-build',
  /** Repeatable: deletes expired reports and re-queues builds Redis lost. */
  ReportCleanup: 'report-cleanup',
  /** Repeatable, daily: removes the content of closed cases past their organisation's rule. */
  RetentionSweep: 'retention-sweep',
} as const;
export type JobName = (typeof JobName)[keyof typeof JobName];

/** Retry, backoff and retention for every job unless a queue says otherwise. */
export const DEFAULT_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 14 * 24 * 3600, count: 5000 },
};
