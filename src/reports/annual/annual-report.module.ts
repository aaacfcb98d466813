import { Module } from '@nestjs/common';
import { AuditModule } from '../../audit/audit.module';
import { AnnualReportController } from './annual-report.controller';
import { AnnualReportRepository } from './annual-report.repository';
import { AnnualReportService } from './annual-report.service';

/** An organisation's yearly transparency report (EU DSA Art. 22(3) form). */
@Module({
  imports: [AuditModule],
  controllers: [AnnualReportController],
  providers: [AnnualReportRepository, AnnualReportService],
  exports: [AnnualReportService],
})
export class AnnualReportModule {}
