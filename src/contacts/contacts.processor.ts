import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Job, Queue, UnrecoverableError } from 'bullmq';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { JobName, QueueName } from '../queue/queues';
import { ContactsRepository } from './contacts.repository';

/** Background work on contacts (APP_ROLE=worker|all). */
@Processor(QueueName.Contacts)
export class ContactsProcessor extends WorkerHost {
  private readonly logger = new Logger(ContactsProcessor.name);
  private readonly handlers: Record<string, () => Promise<unknown>> = {
    [JobName.ContactStaleness]: () => this.markStale(),
  };

  constructor(
    private readonly contacts: ContactsRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
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

  /** Idempotent and safe on several workers: one UPDATE decides which contacts change. */
  async markStale(): Promise<{ marked: number }> {
    const cutoff = new Date(this.clock.now().getTime() - this.config.contactStaleDays * 86_400_000);
    return { marked: await this.contacts.markStale(cutoff) };
  }
}

/**
 * Registers the repeatable sweep at worker start; every worker may do so (same scheduler id).
 * It never holds up start-up: while Redis is unreachable it retries in the background.
 */
@Injectable()
export class ContactsScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ContactsScheduler.name);
  private retry?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    @InjectQueue(QueueName.Contacts) private readonly queue: Queue,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.register(1000);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.retry);
  }

  private async register(backoffMs: number): Promise<void> {
    try {
      await withTimeout(
        this.queue.upsertJobScheduler(
          JobName.ContactStaleness,
          { every: this.config.sweepIntervalMs },
          { name: JobName.ContactStaleness, data: {} },
        ),
        5000,
      );
    } catch (error) {
      if (this.stopped) return;
      this.logger.warn(
        `could not register the staleness sweep (${(error as Error).message}); retrying`,
      );
      this.retry = setTimeout(() => void this.register(Math.min(backoffMs * 2, 60_000)), backoffMs);
    }
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('redis did not answer in time')), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
