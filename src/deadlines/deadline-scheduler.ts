import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { JobsOptions, Queue } from 'bullmq';
import Redis from 'ioredis';
import { Clock } from '../common/clock';
import { EventMap } from '../common/events/event-map';
import { OnEvent } from '../common/events/on-event.decorator';
import { JobName, QueueName } from '../queue/queues';
import { REDIS } from '../queue/redis.module';
import { withTimeout } from '../queue/repeatable';
import { delayUntil, dueJobId, PendingTime, reminderJobId } from './deadline-rules';

/** What a deadline or reminder job carries: ids and times, never case content. */
export interface DeadlineJobData {
  caseId: string;
  /** ISO 8601: the deadline (case-due) or the reminder time (follow-up-reminder). */
  at: string;
}

/** Deadline jobs outlive their run long enough for a repeated add to be recognised. */
const KEEP = { removeOnComplete: { age: 7 * 24 * 3600 } } satisfies JobsOptions;
/** Redis may be away: the request that asked does not wait longer than this for it. */
const ADD_TIMEOUT_MS = 5000;

/**
 * Puts deadline and reminder jobs on the `deadlines` queue, for the API (a case escalated,
 * reopened, resumed: the `case.deadline-changed` event) and the workers (reminders, the sweep). Adds from one tick are sent in one
 * `addBulk`. Never throws into a request: PostgreSQL holds every deadline, and the sweep puts
 * back what Redis did not take.
 */
@Injectable()
export class DeadlineScheduler implements OnApplicationShutdown {
  private readonly logger = new Logger(DeadlineScheduler.name);
  private pending: { name: string; data: DeadlineJobData; opts: JobsOptions }[] = [];
  private replaced: string[] = [];
  private flushing?: Promise<void>;

  constructor(
    @InjectQueue(QueueName.Deadlines) private readonly queue: Queue,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly clock: Clock,
  ) {}

  /** A case's deadline started or moved (committed): its job is queued, the old one's goes. */
  @OnEvent('case.deadline-changed', 'after-commit')
  onDeadlineChanged({ deadlines }: EventMap['case.deadline-changed']): void {
    this.deadlines(deadlines.map((d) => ({ caseId: d.caseId, at: d.dueAt, replaces: d.replaces })));
  }

  /** Jobs at each case's deadline; `replaces` names a deadline it moved from (that job goes). */
  deadlines(deadlines: (PendingTime & { replaces?: Date | null })[]): void {
    const now = this.clock.now();
    for (const d of deadlines) {
      if (d.replaces && d.replaces.getTime() !== d.at.getTime()) {
        this.replaced.push(dueJobId(d.caseId, d.replaces));
      }
      this.enqueue(JobName.CaseDue, d, dueJobId(d.caseId, d.at), now);
    }
  }

  reminders(reminders: PendingTime[]): void {
    const now = this.clock.now();
    for (const r of reminders) {
      this.enqueue(JobName.FollowUpReminder, r, reminderJobId(r.caseId, r.at), now);
    }
  }

  /**
   * For the sweep: queues only the deadlines and reminders whose job Redis does not hold (one
   * pipelined EXISTS per batch), so a sweep over many pending cases costs reads, not rewrites.
   * Returns how many it put back.
   */
  async restore(kind: 'deadlines' | 'reminders', times: PendingTime[]): Promise<number> {
    if (times.length === 0) return 0;
    const idOf = kind === 'deadlines' ? dueJobId : reminderJobId;
    const pipeline = this.redis.pipeline();
    for (const t of times) pipeline.exists(this.queue.toKey(idOf(t.caseId, t.at)));
    const held = (await withTimeout(pipeline.exec(), ADD_TIMEOUT_MS)) ?? [];
    const missing = times.filter((_, i) => held[i]?.[1] !== 1);
    if (kind === 'deadlines') this.deadlines(missing);
    else this.reminders(missing);
    return missing.length;
  }

  /** Sends what is waiting now; resolves when Redis took it or gave up. */
  flush(): Promise<void> {
    this.flushing ??= this.send().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  private enqueue(name: string, t: PendingTime, jobId: string, now: Date): void {
    const wasEmpty = this.pending.length === 0;
    this.pending.push({
      name,
      data: { caseId: t.caseId, at: t.at.toISOString() },
      opts: { ...KEEP, jobId, delay: delayUntil(t.at, now) },
    });
    if (wasEmpty) setImmediate(() => void this.flush());
  }

  private async send(): Promise<void> {
    while (this.pending.length > 0 || this.replaced.length > 0) {
      const jobs = this.pending.splice(0, 1000);
      const gone = this.replaced.splice(0);
      try {
        await withTimeout(
          Promise.all([
            jobs.length > 0 ? this.queue.addBulk(jobs) : undefined,
            ...gone.map((id) => this.queue.remove(id)),
          ]),
          ADD_TIMEOUT_MS,
        );
      } catch (error) {
        // The sweep re-derives these from PostgreSQL; a stale replaced job finds nothing to do.
        this.logger.warn(
          `could not queue ${jobs.length} deadline jobs (${(error as Error).message}); the sweep will`,
        );
      }
    }
  }
}
