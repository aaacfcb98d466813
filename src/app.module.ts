import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { CalendarModule } from './calendar/calendar.module';
import { CasesModule } from './cases/cases.module';
import { CommunityModule } from './community/community.module';
import { ChannelsModule } from './channels/channels.module';
import { ContactsJobsModule } from './contacts/contacts-jobs.module';
import { ContactsModule } from './contacts/contacts.module';
import { Clock } from './common/clock';
import { ProblemDetailsFilter } from './common/errors/problem-details.filter';
import { AppValidationPipe } from './common/validation/validation.pipe';
import { AppConfig } from './config/app-config';
import { CoreModule } from './core.module';
import { DepartureModule } from './departure/departure.module';
import { DeadlinesJobsModule } from './deadlines/deadlines-jobs.module';
import { DeadlinesModule } from './deadlines/deadlines.module';
import { InteropModule } from './interop/interop.module';
import { HealthModule } from './health/health.module';
import { NotificationsJobsModule } from './notifications/notifications-jobs.module';
import { NotificationsModule } from './notifications/notifications.module';
import { OrganizationsModule } from './organizations/organizations.module';
import { PatternsJobsModule } from './patterns/patterns-jobs.module';
import { PatternsModule } from './patterns/patterns.module';
import { PlatformsModule } from './platforms/platforms.module';
import { AnnualReportModule } from './reports/annual/annual-report.module';
import { ReportsJobsModule } from './reports/reports-jobs.module';
import { ReportsModule } from './reports/reports.module';
import { RetentionJobsModule } from './retention/retention-jobs.module';
import { RetentionModule } from './retention/retention.module';
import { UsersModule } from './users/users.module';
import { WebModule } from './web/web.module';

/** Feature modules serving HTTP. */
const API_MODULES: Type[] = [
  HealthModule,
  AuditModule,
  OrganizationsModule,
  UsersModule,
  AuthModule,
  CommunityModule,
  PlatformsModule,
  ChannelsModule,
  ContactsModule,
  CasesModule,
  InteropModule,
  // Queues the deadline jobs of the cases the API logs and moves (case.deadline-changed).
  DeadlinesModule,
  NotificationsModule,
  CalendarModule,
  AnnualReportModule,
  PatternsModule,
  ReportsModule,
  RetentionModule,
  DepartureModule,
  WebModule,
];

/** Feature modules owning BullMQ processors and repeatable sweeps, loaded for APP_ROLE=worker|all. */
const WORKER_MODULES: Type[] = [
  ContactsJobsModule,
  DeadlinesJobsModule,
  NotificationsJobsModule,
  PatternsJobsModule,
  ReportsJobsModule,
  // Registers the builders of an organisation's archive and erasure with the reports' jobs.
  DepartureModule,
  RetentionJobsModule,
];

@Module({})
export class AppModule {
  static forRole(config: AppConfig, clock?: Clock): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config, clock),
        // The worker also needs the users module for the first-admin bootstrap.
        ...(config.runsApi ? API_MODULES : [UsersModule]),
        ...(config.runsWorkers ? WORKER_MODULES : []),
      ],
      providers: config.runsApi
        ? [
            { provide: APP_FILTER, useClass: ProblemDetailsFilter },
            { provide: APP_PIPE, useClass: AppValidationPipe },
          ]
        : [],
    };
  }
}
