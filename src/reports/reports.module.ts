import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { PatternsModule } from '../patterns/patterns.module';
import { QueueName } from '../queue/queues';
import { UsersModule } from '../users/users.module';
import { ReportEntity } from './report.entity';
import { ReportsController } from './reports.controller';
import { ReportsRepository } from './reports.repository';
import { ReportsService } from './reports.service';

/** Queues builds from the API; the worker's processor (ReportsJobsModule) takes them. */
const REPORTS_QUEUE = BullModule.registerQueue({ name: QueueName.Reports });

/** Report files: the trends export, and large exports built by jobs (`POST /v1/reports`). */
@Module({
  imports: [
    TypeOrmModule.forFeature([ReportEntity]),
    REPORTS_QUEUE,
    PatternsModule,
    UsersModule,
    AuditModule,
  ],
  controllers: [ReportsController],
  providers: [ReportsRepository, ReportsService],
  exports: [ReportsService, REPORTS_QUEUE],
})
export class ReportsModule {}
