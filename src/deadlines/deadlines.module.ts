import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QueueName } from '../queue/queues';
import { DeadlineScheduler } from './deadline-scheduler';

/** Queues deadline jobs; imported by cases (API) and by the deadline worker. */
@Module({
  imports: [BullModule.registerQueue({ name: QueueName.Deadlines })],
  providers: [DeadlineScheduler],
  exports: [DeadlineScheduler],
})
export class DeadlinesModule {}
