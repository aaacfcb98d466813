import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DelayedError, Job, Queue, UnrecoverableError } from 'bullmq';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { JobName, QueueName } from '../queue/queues';
import { registerRepeatable } from '../queue/repeatable';
import { DeadlineJobData } from './deadline-scheduler';
import { DeadlinesService } from './deadlines.service';

/** A job may run this early (clocks of the API and worker hosts differ a little). */
const EARLY_TOLERANCE_MS = 1000;

/** Deadlines, reminders, the sweep and the rollups (APP_ROLE=worker|all). */
@Processor(QueueName.Deadlines, { concurrency: 16 })
export class DeadlinesProcessor extends WorkerHost {
  private readonly logger = new Logger(DeadlinesProcessor.name);

  constructor(
    private readonly deadlines: DeadlinesService,
    private readonly clock: Clock,
  ) {
    super();
  }

  async process(job: Job, token?: string): Promise<unknown> {
    const started = Date.now();
    const result = await this.handle(job, token);
    if (job.name === JobName.DeadlineSweep || job.name === JobName.RollupRefresh) {
      this.logger.log(
        { jobId: job.id, job: job.name, durationMs: Date.now() - started, result },
        'job done',
      );
    }
    return result;
  }

  private async handle(job: Job, token?: string): Promise<unknown> {
    switch (job.name) {
      case JobName.CaseDue:
      case JobName.FollowUpReminder: {
        const { caseId, at } = job.data as DeadlineJobData;
        const time = new Date(at);
        if (typeof caseId !== 'string' || Number.isNaN(time.getTime())) {
          throw new UnrecoverableError(`malformed ${job.name} job`);
        }
        if (time.getTime() - this.clock.now().getTime() > EARLY_TOLERANCE_MS) {
          // Early (another host's clock): back to waiting until the time really comes.
          await job.moveToDelayed(time.getTime(), token);
          throw new DelayedError();
        }
        return job.name === JobName.CaseDue
          ? this.deadlines.due(caseId, time)
          : this.deadlines.remind(caseId, time);
      }
      case JobName.DeadlineSweep:
        return this.deadlines.sweep();
      case JobName.RollupRefresh:
        return { recounted: await this.deadlines.refreshRollups() };
      default:
        throw new UnrecoverableError(`unknown job ${job.name}`);
    }
  }
}

/** Registers the sweep and the rollup refresh at worker start (same scheduler ids everywhere). */
@Injectable()
export class DeadlinesRepeatables implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DeadlinesRepeatables.name);
  private stop?: () => void;

  constructor(
    @InjectQueue(QueueName.Deadlines) private readonly queue: Queue,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.stop = registerRepeatable(
      this.queue,
      [
        { name: JobName.DeadlineSweep, everyMs: this.config.sweepIntervalMs },
        { name: JobName.RollupRefresh, everyMs: this.config.deadlines.rollupIntervalMs },
      ],
      this.logger,
    );
  }

  onApplicationShutdown(): void {
    this.stop?.();
  }
}
