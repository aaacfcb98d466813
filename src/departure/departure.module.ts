import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { CasesModule } from '../cases/cases.module';
import { ContactsModule } from '../contacts/contacts.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { ReportsModule } from '../reports/reports.module';
import { RetentionModule } from '../retention/retention.module';
import { UsersModule } from '../users/users.module';
import { DepartureController } from './departure.controller';
import { DepartureService } from './departure.service';
import { OrganizationErasureRepository } from './organization-erasure.repository';

/** An organisation leaving: its archive, then its erasure, both as report jobs with progress. */
@Module({
  imports: [
    ReportsModule,
    OrganizationsModule,
    RetentionModule,
    UsersModule,
    CasesModule,
    ContactsModule,
    AuditModule,
  ],
  controllers: [DepartureController],
  providers: [DepartureService, OrganizationErasureRepository],
  exports: [DepartureService],
})
export class DepartureModule {}
