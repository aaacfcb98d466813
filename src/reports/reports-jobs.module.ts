import { Module } from '@nestjs/common';
import { ReportsProcessor, ReportsRepeatables } from './reports.processor';
import { ReportsModule } from './reports.module';

/** The reports feature's worker side: builds the files, deletes expired ones. */
@Module({
  imports: [ReportsModule],
  providers: [ReportsProcessor, ReportsRepeatables],
})
export class ReportsJobsModule {}
