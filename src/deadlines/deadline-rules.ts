const HOUR_MS = 3_600_000;

/**
 * Job ids are derived from what the job is about, so adding the same deadline twice (the API,
 * then the sweep after a Redis loss) leaves one job, and a moved deadline gets a new one.
 */
export const dueJobId = (caseId: string, dueAt: Date) => `due-${caseId}-${dueAt.getTime()}`;
export const reminderJobId = (caseId: string, at: Date) => `reminder-${caseId}-${at.getTime()}`;

/** Keys of notifications: one per deadline, one per reminder, whatever runs twice. */
export const overdueKey = (caseId: string, dueAt: Date) => `overdue-${caseId}-${dueAt.getTime()}`;
export const reminderKey = (caseId: string, at: Date) => `follow-up-${caseId}-${at.getTime()}`;

/** A deadline or reminder the queue must hold. */
export type { PendingTime } from '../cases/case-deadlines.repository';

/** Milliseconds from now until `at`; 0 when it has passed. */
export const delayUntil = (at: Date, now: Date) => Math.max(0, at.getTime() - now.getTime());

/**
 * The first follow-up reminder after `from` (a deadline or the last reminder) that is still
 * ahead of `now`: reminders fall every `intervalHours` after the deadline, and ones missed
 * while no worker ran are not sent in a burst afterwards.
 */
export function nextReminderAt(from: Date, now: Date, intervalHours: number): Date {
  const interval = intervalHours * HOUR_MS;
  const passed = Math.max(0, Math.floor((now.getTime() - from.getTime()) / interval));
  return new Date(from.getTime() + (passed + 1) * interval);
}
