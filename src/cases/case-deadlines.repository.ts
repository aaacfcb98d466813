import { Injectable } from '@nestjs/common';
import { TransactionRunner } from '../database/transaction';
import { CLOCK_RUNS } from './case-sql';

/** A deadline or reminder time of a case. */
export interface PendingTime {
  caseId: string;
  at: Date;
}

/** A case whose deadline or reminder is due, with what a notification may say about it. */
export interface DeadlineCase {
  id: string;
  reference: string;
  organizationId: string;
  platformCode: string;
  channelCode: string;
  dueAt: Date;
  nextReminderAt: Date | null;
  /** TLP:RED: only these users may hear of it (creator and named users); null otherwise. */
  restrictedTo: string[] | null;
  /** Who follows it up (null: unassigned). */
  ownerId: string | null;
  /** Follow-up reminders sent for the current deadline (this one included, once moved). */
  remindersSent: number;
}

/** Not yet marked overdue for its current deadline (the predicate of idx_cases_pending_deadline). */
const PENDING_DEADLINE = `${CLOCK_RUNS} AND c.overdue_for IS DISTINCT FROM c.due_at`;
/** Overdue for its current deadline and still owed an answer: reminders apply. */
const STILL_OVERDUE = `${CLOCK_RUNS} AND c.overdue_for = c.due_at`;

const DEADLINE_CASE = `c.id, c.reference, c.organization_id, c.due_at, c.next_reminder_at,
  c.owner_id, c.reminders_sent,
  CASE WHEN c.tlp = 'RED' THEN array_prepend(c.created_by, c.shared_user_ids) END AS restricted_to,
  (SELECT code FROM platforms WHERE id = c.platform_id) AS platform_code,
  (SELECT code FROM channels WHERE id = c.channel_id) AS channel_code`;

type Raw = Record<string, unknown>;
const toDeadlineCase = (r: Raw): DeadlineCase => ({
  id: r.id as string,
  reference: r.reference as string,
  organizationId: r.organization_id as string,
  platformCode: r.platform_code as string,
  channelCode: r.channel_code as string,
  dueAt: r.due_at as Date,
  nextReminderAt: r.next_reminder_at as Date | null,
  restrictedTo: r.restricted_to as string[] | null,
  ownerId: r.owner_id as string | null,
  remindersSent: r.reminders_sent as number,
});

/**
 * The SQL on cases that the deadline worker needs (owned by cases: it writes `cases` and
 * `case_events`). Each write is one conditional statement, so a job run twice is a no-op.
 */
@Injectable()
export class CaseDeadlinesRepository {
  constructor(private readonly tx: TransactionRunner) {}

  /**
   * Marks the cases overdue whose deadline is still `dueAt`, with an `overdue` event dated at
   * the deadline and the first reminder, in one statement. Returns the cases it marked now;
   * a case already marked for that deadline, answered, paused or moved is left alone.
   */
  async markOverdue(
    deadlines: { caseId: string; dueAt: Date; firstReminderAt: Date }[],
    now: Date,
  ): Promise<DeadlineCase[]> {
    if (deadlines.length === 0) return [];
    const rows: Raw[] = await this.tx.manager.query(
      `WITH due AS (
         SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[])
           AS d (case_id, due_at, reminder_at)
       ), marked AS (
         UPDATE cases c
            SET overdue_for = c.due_at, next_reminder_at = d.reminder_at, reminders_sent = 0,
                version = c.version + 1, updated_at = $4
           FROM due d
          WHERE c.id = d.case_id AND c.due_at = d.due_at AND ${PENDING_DEADLINE}
         RETURNING c.*
       ), timeline AS (
         INSERT INTO case_events (case_id, type, occurred_at, recorded_at, status_after, details)
         SELECT id, 'overdue', due_at, $4, status, jsonb_build_object('dueAt', due_at)
           FROM marked
       )
       SELECT ${DEADLINE_CASE} FROM marked c`,
      [
        deadlines.map((d) => d.caseId),
        deadlines.map((d) => d.dueAt),
        deadlines.map((d) => d.firstReminderAt),
        now,
      ],
    );
    return rows.map(toDeadlineCase);
  }

  /** The case if it is overdue for exactly this deadline and still waiting (a retried job). */
  async overdueFor(caseId: string, dueAt: Date): Promise<DeadlineCase | null> {
    const rows: Raw[] = await this.tx.manager.query(
      `SELECT ${DEADLINE_CASE} FROM cases c WHERE c.id = $1 AND c.due_at = $2 AND ${STILL_OVERDUE}`,
      [caseId, dueAt],
    );
    return rows[0] ? toDeadlineCase(rows[0]) : null;
  }

  /** The case if it is still overdue for its current deadline and waiting. */
  async stillOverdue(caseId: string): Promise<DeadlineCase | null> {
    const rows: Raw[] = await this.tx.manager.query(
      `SELECT ${DEADLINE_CASE} FROM cases c WHERE c.id = $1 AND ${STILL_OVERDUE}`,
      [caseId],
    );
    return rows[0] ? toDeadlineCase(rows[0]) : null;
  }

  /**
   * Moves the reminder due `at` on to `next`, if the case still waits for its answer and the
   * reminder was not moved already. Returns the case when this call moved it.
   */
  async advanceReminder(caseId: string, at: Date, next: Date): Promise<DeadlineCase | null> {
    const rows: Raw[] = await this.tx.manager.query(
      `WITH moved AS (
         UPDATE cases c SET next_reminder_at = $3, reminders_sent = c.reminders_sent + 1
          WHERE c.id = $1 AND c.next_reminder_at = $2 AND ${STILL_OVERDUE}
         RETURNING c.*
       )
       SELECT ${DEADLINE_CASE} FROM moved c`,
      [caseId, at, next],
    );
    return rows[0] ? toDeadlineCase(rows[0]) : null;
  }

  /** Drops a reminder whose case no longer waits (answered, closed, paused, deadline moved). */
  async dropReminder(caseId: string, at: Date): Promise<void> {
    await this.tx.manager.query(
      `UPDATE cases c SET next_reminder_at = NULL
        WHERE c.id = $1 AND c.next_reminder_at = $2 AND NOT (${STILL_OVERDUE})`,
      [caseId, at],
    );
  }

  /**
   * Deadlines not yet marked, soonest first, after the keyset position `after` (the sweep
   * walks idx_cases_pending_deadline in batches).
   */
  async pendingDeadlines(limit: number, after?: PendingTime): Promise<PendingTime[]> {
    const rows: { id: string; due_at: Date }[] = await this.tx.manager.query(
      `SELECT c.id, c.due_at FROM cases c
        WHERE ${PENDING_DEADLINE}
          ${after ? 'AND (c.due_at, c.id) > ($2, $3)' : ''}
        ORDER BY c.due_at, c.id LIMIT $1`,
      after ? [limit, after.at, after.caseId] : [limit],
    );
    return rows.map((r) => ({ caseId: r.id, at: r.due_at }));
  }

  /** Reminders of cases still overdue, soonest first, after `after`. */
  async pendingReminders(limit: number, after?: PendingTime): Promise<PendingTime[]> {
    const rows: { id: string; next_reminder_at: Date }[] = await this.tx.manager.query(
      `SELECT c.id, c.next_reminder_at FROM cases c
        WHERE c.next_reminder_at IS NOT NULL AND ${STILL_OVERDUE}
          ${after ? 'AND (c.next_reminder_at, c.id) > ($2, $3)' : ''}
        ORDER BY c.next_reminder_at, c.id LIMIT $1`,
      after ? [limit, after.at, after.caseId] : [limit],
    );
    return rows.map((r) => ({ caseId: r.id, at: r.next_reminder_at }));
  }
}
