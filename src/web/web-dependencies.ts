import { Injectable } from '@nestjs/common';
import { ApiTokensService } from '../auth/api-tokens.service';
import { AuthService } from '../auth/auth.service';
import { WriteRateLimit } from '../auth/write-rate-limit';
import { CalendarTokensService } from '../calendar/calendar-tokens.service';
import { CaseEventsService } from '../cases/case-events.service';
import { CasesService } from '../cases/cases.service';
import { ChannelIncidentsService } from '../channels/channel-incidents.service';
import { ChannelPlaybooksService } from '../channels/channel-playbooks.service';
import { ChannelRegistryService } from '../channels/channel-registry.service';
import { Clock } from '../common/clock';
import { MeetingsService } from '../community/meetings.service';
import { WorkingGroupsService } from '../community/working-groups.service';
import { AppConfig } from '../config/app-config';
import { ContactsService } from '../contacts/contacts.service';
import { CaseExportService } from '../interop/case-export.service';
import { OrganizationsService } from '../organizations/organizations.service';
import { CampaignsService } from '../patterns/campaigns.service';
import { EmergingService } from '../patterns/emerging.service';
import { PatternsService } from '../patterns/patterns.service';
import { ScorecardService } from '../patterns/scorecard.service';
import { PlatformsService } from '../platforms/platforms.service';
import { AnnualReportService } from '../reports/annual/annual-report.service';
import { ReportsService } from '../reports/reports.service';
import { RetentionService } from '../retention/retention.service';
import { UsersService } from '../users/users.service';
import { WebSessionsService } from './web-sessions.service';

/**
 * Everything the web pages use, declared through Nest's injection: WebModule imports the
 * feature modules that export these, so a page cannot reach a service its module did not ask
 * for. `registerWeb` receives this object; the pages never look services up in the container.
 */
@Injectable()
export class WebDependencies {
  constructor(
    readonly config: AppConfig,
    readonly clock: Clock,
    readonly sessions: WebSessionsService,
    readonly writeLimit: WriteRateLimit,
    readonly auth: AuthService,
    readonly apiTokens: ApiTokensService,
    readonly users: UsersService,
    readonly organizations: OrganizationsService,
    readonly meetings: MeetingsService,
    readonly workingGroups: WorkingGroupsService,
    readonly platforms: PlatformsService,
    readonly registry: ChannelRegistryService,
    readonly playbooks: ChannelPlaybooksService,
    readonly incidents: ChannelIncidentsService,
    readonly contacts: ContactsService,
    readonly cases: CasesService,
    readonly caseEvents: CaseEventsService,
    readonly caseExports: CaseExportService,
    readonly calendarTokens: CalendarTokensService,
    readonly patterns: PatternsService,
    readonly scorecards: ScorecardService,
    readonly campaigns: CampaignsService,
    readonly emerging: EmergingService,
    readonly reports: ReportsService,
    readonly annualReports: AnnualReportService,
    readonly retention: RetentionService,
  ) {}
}
