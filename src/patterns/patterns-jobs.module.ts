import { Module } from '@nestjs/common';
import { PatternChangesListener } from './pattern-changes.listener';
import { PatternsModule } from './patterns.module';

/** The patterns feature's worker side: rollups that follow changes, campaigns, alerts. */
@Module({
  imports: [PatternsModule],
  providers: [PatternChangesListener],
})
export class PatternsJobsModule {}
