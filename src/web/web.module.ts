import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module';
import { CalendarModule } from '../calendar/calendar.module';
import { CasesModule } from '../cases/cases.module';
import { CommunityModule } from '../community/community.module';
import { ChannelsModule } from '../channels/channels.module';
import { ContactsModule } from '../contacts/contacts.module';
import { InteropModule } from '../interop/interop.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { PatternsModule } from '../patterns/patterns.module';
import { PlatformsModule } from '../platforms/platforms.module';
import { AnnualReportModule } from '../reports/annual/annual-report.module';
import { ReportsModule } from '../reports/reports.module';
import { RetentionModule } from '../retention/retention.module';
import { UsersModule } from '../users/users.module';
import { WebDependencies } from './web-dependencies';
import { WebSessionEntity } from './web-session.entity';
import { WebSessionsRepository } from './web-sessions.repository';
import { WebSessionsService } from './web-sessions.service';

/**
 * The server-rendered web interface. Its pages are Fastify routes registered by `registerWeb`
 * (src/web/web.ts), outside Nest's controllers, so that the API's guards, problem+json filter
 * and OpenAPI document stay the API's; the pages call the same services with the same Actor.
 * What they call is declared here: the imported features' exports, gathered by
 * `WebDependencies`, which app.factory.ts hands to `registerWeb`.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([WebSessionEntity]),
    AuthModule,
    UsersModule,
    OrganizationsModule,
    CommunityModule,
    PlatformsModule,
    ChannelsModule,
    ContactsModule,
    CasesModule,
    InteropModule,
    CalendarModule,
    PatternsModule,
    ReportsModule,
    AnnualReportModule,
    RetentionModule,
  ],
  providers: [WebSessionsService, WebSessionsRepository, WebDependencies],
  exports: [WebSessionsService, WebDependencies],
})
export class WebModule {}
