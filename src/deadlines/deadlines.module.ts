import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QueueName } from '../queue/queues';
import { DeadlineScheduler } from './deadline-scheduler';

/**
 * Queues deadline jobs: after the commit of a case whose deadline changed (the
 * `case.deadline-changed` event, in the API) and for the deadline worker.
 */
const DEADLINES_QUEUE = BullModule.registerQueue({ name: QueueName.Deadlines });

@Module({
  imports: [DEADLINES_QUEUE],
  providers: [DeadlineScheduler],
  exports: [DeadlineScheduler, DEADLINES_QUEUE],
})
export class DeadlinesModule {}
