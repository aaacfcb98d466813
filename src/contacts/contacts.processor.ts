import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Job, Queue, UnrecoverableError } from 'bullmq';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { JobName, QueueName } from '../queue/queues';
import { registerRepeatable } from '../queue/repeatable';
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

/** Registers the repeatable sweep at worker start; every worker may do so (same scheduler id). */
@Injectable()
export class ContactsScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ContactsScheduler.name);
  private stop?: () => void;

  constructor(
    @InjectQueue(QueueName.Contacts) private readonly queue: Queue,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.stop = registerRepeatable(
      this.queue,
      [{ name: JobName.ContactStaleness, everyMs: this.config.sweepIntervalMs }],
      this.logger,
    );
  }

  onApplicationShutdown(): void {
    this.stop?.();
  }
}
