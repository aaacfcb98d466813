import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Job, Queue, UnrecoverableError } from 'bullmq';
import { JobName, QueueName } from '../queue/queues';
import { registerRepeatable } from '../queue/repeatable';
import { RetentionService } from './retention.service';

/** Once a day: enough for a rule counted in months, and cheap (a partial index per question). */
export const RETENTION_SWEEP_EVERY_MS = 24 * 3_600_000;

/** The retention sweep (APP_ROLE=worker|all). */
@Processor(QueueName.Retention)
export class RetentionProcessor extends WorkerHost {
  private readonly logger = new Logger(RetentionProcessor.name);
  private readonly handlers: Record<string, () => Promise<unknown>> = {
    [JobName.RetentionSweep]: () => this.retention.sweep(),
  };

  constructor(private readonly retention: RetentionService) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    const handle = this.handlers[job.name];
    if (!handle) throw new UnrecoverableError(`unknown job ${job.name}`);
    const started = Date.now();
    const result = await handle();
    this.logger.log(
      {
        jobId: job.id,
        job: job.name,
        attempt: job.attemptsMade + 1,
        durationMs: Date.now() - started,
      },
      'job done',
    );
    return result;
  }
}

/** Registers the daily sweep at worker start; every worker may do so (same scheduler id). */
@Injectable()
export class RetentionScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RetentionScheduler.name);
  private stop?: () => void;

  constructor(@InjectQueue(QueueName.Retention) private readonly queue: Queue) {}

  onApplicationBootstrap(): void {
    this.stop = registerRepeatable(
      this.queue,
      [{ name: JobName.RetentionSweep, everyMs: RETENTION_SWEEP_EVERY_MS }],
      this.logger,
    );
  }

  onApplicationShutdown(): void {
    this.stop?.();
  }
}
