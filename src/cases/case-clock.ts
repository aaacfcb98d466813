import { AWAITING_PLATFORM, CaseStatus } from './case-status.machine';

/** What a case must be for its deadline (and its reminders) to still matter. */
export interface DeadlineState {
  status: CaseStatus;
  dueAt: Date | null;
  pausedAt: Date | null;
}

/** The platform still owes an answer and the clock runs. */
export const clockRuns = (c: DeadlineState): boolean =>
  AWAITING_PLATFORM.includes(c.status) && c.pausedAt === null && c.dueAt !== null;

/**
 * After a timeline step: does the case need a (new) deadline job, and do its pending follow-up
 * reminders still stand? Reminders belong to one deadline: a response, closing, a stopped clock
 * or a moved deadline ends them.
 */
export function deadlineAfterStep(
  before: DeadlineState,
  after: DeadlineState,
): { schedule: boolean; keepReminders: boolean } {
  const moved = before.dueAt?.getTime() !== after.dueAt?.getTime();
  const runs = clockRuns(after);
  return {
    schedule: runs && (moved || !clockRuns(before)),
    keepReminders: runs && !moved,
  };
}
