import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Job, Queue, UnrecoverableError } from 'bullmq';
import { JobName, QueueName } from '../queue/queues';
import { registerRepeatable } from '../queue/repeatable';
import { ReportsService } from './reports.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** How often expired reports are deleted (reads refuse them from the moment they expire). */
export const REPORT_CLEANUP_EVERY_MS = 15 * 60_000;

/** The error a failed build leaves in Redis: the real one could quote data. */
class ReportBuildError extends Error {
  constructor() {
    super('report build failed');
    this.name = 'ReportBuildError';
  }
}

/**
 * Report builds and the expiry sweep (APP_ROLE=worker|all). A build error is retried by the
 * queue; on the last attempt the report is marked failed with a fixed message. Logs carry ids,
 * attempts and error names only.
 */
@Processor(QueueName.Reports, { concurrency: 2 })
export class ReportsProcessor extends WorkerHost {
  private readonly logger = new Logger(ReportsProcessor.name);
  private readonly handlers: Record<string, (job: Job) => Promise<unknown>> = {
    [JobName.ReportBuild]: (job) => this.build(job),
    [JobName.ReportCleanup]: () => this.reports.cleanup(),
  };

  constructor(private readonly reports: ReportsService) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    const handle = this.handlers[job.name];
    if (!handle) throw new UnrecoverableError(`unknown job ${job.name}`);
    const started = Date.now();
    const result = await handle(job);
    this.logger.log(
      {
        jobId: job.id,
        job: job.name,
        attempt: job.attemptsMade + 1,
        durationMs: Date.now() - started,
        result,
      },
      'job done',
    );
    return result;
  }

  private async build(job: Job): Promise<{ outcome: string }> {
    const { reportId } = (job.data ?? {}) as { reportId?: unknown };
    if (typeof reportId !== 'string' || !UUID.test(reportId)) {
      throw new UnrecoverableError(`malformed ${job.name} job`);
    }
    try {
      return { outcome: await this.reports.build(reportId) };
    } catch (error) {
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      this.logger.warn(
        {
          jobId: job.id,
          job: job.name,
          attempt: job.attemptsMade + 1,
          of: job.opts.attempts,
          reason: (error as Error).name,
          code: (error as { code?: unknown }).code,
        },
        last ? 'report build failed, no attempt left' : 'report build failed, will retry',
      );
      if (last) await this.reports.failBuild(reportId);
      throw new ReportBuildError();
    }
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, error: Error): void {
    if (!job || job.name === JobName.ReportBuild) return;
    this.logger.warn(
      { jobId: job.id, job: job.name, attempt: job.attemptsMade, reason: error.name },
      'job failed',
    );
  }
}

/** Registers the expiry sweep at worker start; every worker may do so (same scheduler id). */
@Injectable()
export class ReportsRepeatables implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ReportsRepeatables.name);
  private stop?: () => void;

  constructor(@InjectQueue(QueueName.Reports) private readonly queue: Queue) {}

  onApplicationBootstrap(): void {
    this.stop = registerRepeatable(
      this.queue,
      [{ name: JobName.ReportCleanup, everyMs: REPORT_CLEANUP_EVERY_MS }],
      this.logger,
    );
  }

  onApplicationShutdown(): void {
    this.stop?.();
  }
}
