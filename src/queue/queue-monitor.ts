import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { QueueName } from './queues';
import { withTimeout } from './repeatable';

export interface QueueReport {
  name: string;
  counts: Record<'waiting' | 'active' | 'delayed' | 'failed' | 'completed', number>;
  /**
   * How late the most overdue job is, in seconds: the oldest waiting job, or a delayed job
   * whose time has passed without a worker taking it. 0 when nothing is late.
   */
  latenessSeconds: number;
  /** Lateness of the most recent completed jobs (start minus planned time), in milliseconds. */
  recentLatenessMs: { jobs: number; p50: number | null; p99: number | null };
  /** The latest failures: ids and names only (reasons may quote data; they stay in Redis). */
  recentFailures: { id: string; name: string; attempts: number; failedAt: string | null }[];
  backlog: boolean;
}

const RECENT = 100;

/** Queue depths, lateness and failures for admins and for readiness. */
@Injectable()
export class QueueMonitor {
  private readonly queues: Queue[];

  constructor(
    @InjectQueue(QueueName.Contacts) contacts: Queue,
    @InjectQueue(QueueName.Deadlines) deadlines: Queue,
    @InjectQueue(QueueName.Notifications) notifications: Queue,
    @InjectQueue(QueueName.Patterns) patterns: Queue,
    @InjectQueue(QueueName.Reports) reports: Queue,
    @InjectQueue(QueueName.Retention) retention: Queue,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
    this.queues = [contacts, deadlines, notifications, patterns, reports, retention];
  }

  report(): Promise<QueueReport[]> {
    return withTimeout(Promise.all(this.queues.map((q) => this.reportOn(q))), 3000);
  }

  /** Only what readiness needs: is any queue behind by more than QUEUE_LATENESS_ALERT_SECONDS? */
  async backlog(): Promise<boolean> {
    const lateness = await withTimeout(Promise.all(this.queues.map((q) => this.lateness(q))), 1500);
    return lateness.some((s) => s * 1000 > this.config.deadlines.latenessAlertMs);
  }

  private async reportOn(queue: Queue): Promise<QueueReport> {
    const [counts, latenessSeconds, completed, failed] = await Promise.all([
      queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed'),
      this.lateness(queue),
      queue.getJobs(['completed'], 0, RECENT - 1, false),
      queue.getJobs(['failed'], 0, 9, false),
    ]);
    const late = completed
      .filter((j) => j.processedOn)
      .map((j) => j.processedOn! - plannedAt(j))
      .sort((a, b) => a - b);
    const pick = (p: number) =>
      late.length ? late[Math.min(late.length - 1, Math.ceil(p * late.length) - 1)] : null;
    return {
      name: queue.name,
      counts: {
        waiting: counts.waiting ?? 0,
        active: counts.active ?? 0,
        delayed: counts.delayed ?? 0,
        failed: counts.failed ?? 0,
        completed: counts.completed ?? 0,
      },
      latenessSeconds,
      recentLatenessMs: { jobs: late.length, p50: pick(0.5), p99: pick(0.99) },
      recentFailures: failed.map((j) => ({
        id: String(j.id),
        name: j.name,
        attempts: j.attemptsMade,
        failedAt: j.finishedOn ? new Date(j.finishedOn).toISOString() : null,
      })),
      backlog: latenessSeconds * 1000 > this.config.deadlines.latenessAlertMs,
    };
  }

  private async lateness(queue: Queue): Promise<number> {
    const [oldestWaiting] = await queue.getJobs(['wait'], 0, 0, true);
    const [nextDelayed] = await queue.getJobs(['delayed'], 0, 0, true);
    const now = this.clock.now().getTime();
    const late = [oldestWaiting, nextDelayed]
      .filter((j): j is Job => Boolean(j))
      .map((j) => Math.max(0, now - plannedAt(j)));
    return Math.round(Math.max(0, ...late) / 1000);
  }
}

/** When the job was meant to run: added, plus its delay. */
const plannedAt = (job: Job) => job.timestamp + (job.delay ?? 0);
