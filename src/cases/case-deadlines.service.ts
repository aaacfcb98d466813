import { Injectable } from '@nestjs/common';
import { CaseDeadlinesRepository, DeadlineCase, PendingTime } from './case-deadlines.repository';

/**
 * What cases offer the deadline worker (a feature above cases): marking cases overdue with
 * their `overdue` timeline event, moving and dropping follow-up reminders, and the pending
 * times the sweep walks. Cases own these writes; deadlines decide when they happen.
 */
@Injectable()
export class CaseDeadlinesService {
  constructor(private readonly cases: CaseDeadlinesRepository) {}

  /**
   * Marks the cases overdue whose deadline is still `dueAt`, each with an `overdue` event dated
   * at the deadline and its first reminder; returns the cases marked now.
   */
  markOverdue(
    deadlines: { caseId: string; dueAt: Date; firstReminderAt: Date }[],
    now: Date,
  ): Promise<DeadlineCase[]> {
    return this.cases.markOverdue(deadlines, now);
  }

  overdueFor(caseId: string, dueAt: Date): Promise<DeadlineCase | null> {
    return this.cases.overdueFor(caseId, dueAt);
  }

  stillOverdue(caseId: string): Promise<DeadlineCase | null> {
    return this.cases.stillOverdue(caseId);
  }

  advanceReminder(caseId: string, at: Date, next: Date): Promise<DeadlineCase | null> {
    return this.cases.advanceReminder(caseId, at, next);
  }

  dropReminder(caseId: string, at: Date): Promise<void> {
    return this.cases.dropReminder(caseId, at);
  }

  pendingDeadlines(limit: number, after?: PendingTime): Promise<PendingTime[]> {
    return this.cases.pendingDeadlines(limit, after);
  }

  pendingReminders(limit: number, after?: PendingTime): Promise<PendingTime[]> {
    return this.cases.pendingReminders(limit, after);
  }
}
