import { Module } from '@nestjs/common';
import { CaseDeadlinesModule } from '../cases/case-deadlines.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { DeadlinesProcessor, DeadlinesRepeatables } from './deadlines.processor';
import { DeadlinesModule } from './deadlines.module';
import { DeadlinesService } from './deadlines.service';
import { ResponseTimesRepository } from './response-times.repository';

/** The deadlines feature's worker side: due jobs, reminders, the sweep, the rollups. */
@Module({
  imports: [DeadlinesModule, NotificationsModule, CaseDeadlinesModule],
  providers: [ResponseTimesRepository, DeadlinesService, DeadlinesProcessor, DeadlinesRepeatables],
  exports: [DeadlinesService],
})
export class DeadlinesJobsModule {}
