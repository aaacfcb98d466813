import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QueueName } from '../queue/queues';
import { PatternProjectionPoller } from './pattern-projection.poller';
import { PatternsProcessor, PatternsRepeatables } from './patterns.processor';
import { PatternsModule } from './patterns.module';

/** The patterns feature's worker side: rollups that follow changes, campaigns, alerts. */
@Module({
  imports: [PatternsModule, BullModule.registerQueue({ name: QueueName.Patterns })],
  providers: [PatternProjectionPoller, PatternsProcessor, PatternsRepeatables],
})
export class PatternsJobsModule {}
