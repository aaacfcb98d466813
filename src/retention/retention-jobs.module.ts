import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QueueName } from '../queue/queues';
import { RetentionModule } from './retention.module';
import { RetentionProcessor, RetentionScheduler } from './retention.processor';

/** The retention feature's worker side: the daily sweep. */
@Module({
  imports: [RetentionModule, BullModule.registerQueue({ name: QueueName.Retention })],
  providers: [RetentionProcessor, RetentionScheduler],
})
export class RetentionJobsModule {}
