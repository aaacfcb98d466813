import { Injectable, Logger } from '@nestjs/common';
import { DeadlineCase } from '../cases/case-deadlines.repository';
import { CaseDeadlinesService } from '../cases/case-deadlines.service';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { NotificationsService } from '../notifications/notifications.service';
import { nextReminderAt, overdueKey, PendingTime, reminderKey } from './deadline-rules';
import { DeadlineScheduler } from './deadline-scheduler';
import { ResponseTimesRepository } from './response-times.repository';

const SWEEP_BATCH = 1000;

export interface SweepResult {
  /** Cases marked overdue by the sweep itself (their job was lost or never queued). */
  marked: number;
  /** Deadline jobs put back because Redis did not hold them. */
  deadlines: number;
  /** Reminder jobs put back because Redis did not hold them. */
  reminders: number;
  /** Reminders whose time had passed, sent by the sweep. */
  remindersSent: number;
}

/**
 * The worker side of deadlines: what a due job, a reminder job and the sweep do. PostgreSQL
 * decides (one conditional statement each), so a job that runs twice, or a job racing the
 * sweep, writes one event and sends one notification (same key).
 */
@Injectable()
export class DeadlinesService {
  private readonly logger = new Logger(DeadlinesService.name);

  constructor(
    private readonly deadlines: CaseDeadlinesService,
    private readonly responseTimes: ResponseTimesRepository,
    private readonly scheduler: DeadlineScheduler,
    private readonly notifications: NotificationsService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  private get intervalHours() {
    return this.config.deadlines.followUpIntervalHours;
  }

  /** A case's deadline `dueAt` has come: overdue if the platform still owes the answer. */
  async due(caseId: string, dueAt: Date): Promise<{ overdue: boolean }> {
    const now = this.clock.now();
    const [marked] = await this.deadlines.markOverdue(
      [{ caseId, dueAt, firstReminderAt: nextReminderAt(dueAt, now, this.intervalHours) }],
      now,
    );
    // Marked by an earlier run of this job (which then failed) or by the sweep: announce
    // again; the notification key makes it one delivery.
    const overdue = marked ?? (await this.deadlines.overdueFor(caseId, dueAt));
    if (!overdue) return { overdue: false };
    await this.announceOverdue([overdue], now);
    return { overdue: true };
  }

  /** A follow-up reminder due at `at`: sent if the case still waits, and the next one queued. */
  async remind(caseId: string, at: Date): Promise<{ sent: boolean }> {
    const now = this.clock.now();
    const moved = await this.deadlines.advanceReminder(
      caseId,
      at,
      nextReminderAt(at, now, this.intervalHours),
    );
    const current = moved ?? (await this.deadlines.stillOverdue(caseId));
    // Not moved by this run: a retry of a run that moved it (announce again, deduplicated),
    // or a reminder that no longer stands (the case was answered, closed or paused).
    if (!current || !current.nextReminderAt || current.nextReminderAt.getTime() <= at.getTime()) {
      await this.deadlines.dropReminder(caseId, at);
      return { sent: false };
    }
    await this.notifications.notify({
      ...this.about(current, now),
      type: 'case.follow_up_due',
      key: reminderKey(caseId, at),
      reminder: current.remindersSent,
    });
    this.scheduler.reminders([{ caseId, at: current.nextReminderAt }]);
    return { sent: true };
  }

  /**
   * Re-derives from PostgreSQL what Redis should hold: deadlines that passed unmarked are
   * marked now, future deadlines and reminders missing from Redis are queued again
   * (deterministic ids: two sweeps at once still leave one job). Safe on several workers.
   */
  async sweep(): Promise<SweepResult> {
    const result: SweepResult = { marked: 0, deadlines: 0, reminders: 0, remindersSent: 0 };
    const now = this.clock.now();
    await this.walk(
      (after) => this.deadlines.pendingDeadlines(SWEEP_BATCH, after),
      async (batch) => {
        const passed = batch.filter((d) => d.at <= now);
        const ahead = batch.filter((d) => d.at > now);
        const marked = await this.deadlines.markOverdue(
          passed.map((d) => ({
            caseId: d.caseId,
            dueAt: d.at,
            firstReminderAt: nextReminderAt(d.at, now, this.intervalHours),
          })),
          now,
        );
        await this.announceOverdue(marked, now);
        result.marked += marked.length;
        result.deadlines += await this.scheduler.restore('deadlines', ahead);
      },
    );
    await this.walk(
      (after) => this.deadlines.pendingReminders(SWEEP_BATCH, after),
      async (batch) => {
        for (const r of batch.filter((r) => r.at <= now)) {
          if ((await this.remind(r.caseId, r.at)).sent) result.remindersSent++;
        }
        const ahead = batch.filter((r) => r.at > now);
        result.reminders += await this.scheduler.restore('reminders', ahead);
      },
    );
    await this.scheduler.flush();
    if (result.marked > 0 || result.remindersSent > 0) {
      this.logger.log(result, 'deadline sweep caught up');
    }
    return result;
  }

  /** Recounts the response-time rollups of the cases that changed. */
  refreshRollups(): Promise<number> {
    return this.responseTimes.refresh(this.clock.now());
  }

  private async announceOverdue(cases: DeadlineCase[], now: Date): Promise<void> {
    for (const c of cases) {
      await this.notifications.notify({
        ...this.about(c, now),
        type: 'case.overdue',
        key: overdueKey(c.id, c.dueAt),
      });
    }
    this.scheduler.reminders(
      cases.flatMap((c) => (c.nextReminderAt ? [{ caseId: c.id, at: c.nextReminderAt }] : [])),
    );
  }

  private about(c: DeadlineCase, now: Date) {
    return {
      organizationId: c.organizationId,
      caseId: c.id,
      reference: c.reference,
      platformCode: c.platformCode,
      channelCode: c.channelCode,
      dueAt: c.dueAt.toISOString(),
      occurredAt: now.toISOString(),
      // The sharing rule holds for notifications too: a RED case reaches only its people.
      ...(c.restrictedTo && { restrictedTo: c.restrictedTo }),
      ...(c.ownerId && { ownerUserId: c.ownerId }),
    };
  }

  /** Keyset walk in batches: each batch starts after the last one's (time, case id). */
  private async walk(
    read: (after?: PendingTime) => Promise<PendingTime[]>,
    handle: (batch: PendingTime[]) => Promise<void>,
  ): Promise<void> {
    let after: PendingTime | undefined;
    for (;;) {
      const batch = await read(after);
      if (batch.length > 0) await handle(batch);
      if (batch.length < SWEEP_BATCH) return;
      after = batch[batch.length - 1];
    }
  }
}
