import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Job, Queue, UnrecoverableError } from 'bullmq';
import { AppConfig } from '../config/app-config';
import { JobName, QueueName } from '../queue/queues';
import { registerRepeatable } from '../queue/repeatable';
import { CampaignsService } from './campaigns.service';
import { EmergingService } from './emerging.service';
import { PatternProjection } from './pattern-projection';

const WEEK_MS = 7 * 24 * 3600 * 1000;

/** The shared repository's background work (APP_ROLE=worker|all); one job at a time. */
@Processor(QueueName.Patterns, { concurrency: 1 })
export class PatternsProcessor extends WorkerHost {
  private readonly logger = new Logger(PatternsProcessor.name);

  constructor(
    private readonly projection: PatternProjection,
    private readonly campaigns: CampaignsService,
    private readonly emerging: EmergingService,
  ) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    const started = Date.now();
    let result: unknown;
    switch (job.name) {
      case JobName.PatternFold:
        result = await this.projection.catchUp();
        break;
      case JobName.CampaignScan:
        result = await this.campaigns.scan();
        break;
      case JobName.EmergingAlerts:
        result = await this.emerging.alert();
        break;
      default:
        throw new UnrecoverableError(`unknown job ${job.name}`);
    }
    this.logger.log(
      { jobId: job.id, job: job.name, durationMs: Date.now() - started, result },
      'job done',
    );
    return result;
  }
}

/** The projection and fold (safety net of the poller), the campaign scan and the weekly emerging alerts. */
@Injectable()
export class PatternsRepeatables implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PatternsRepeatables.name);
  private stop?: () => void;

  constructor(
    @InjectQueue(QueueName.Patterns) private readonly queue: Queue,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.stop = registerRepeatable(
      this.queue,
      [
        { name: JobName.PatternFold, everyMs: this.config.deadlines.rollupIntervalMs },
        { name: JobName.CampaignScan, everyMs: this.config.sweepIntervalMs },
        { name: JobName.EmergingAlerts, everyMs: WEEK_MS },
      ],
      this.logger,
    );
  }

  onApplicationShutdown(): void {
    this.stop?.();
  }
}
