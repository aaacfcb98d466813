import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { CasesModule } from '../cases/cases.module';
import { CommunityModule } from '../community/community.module';
import { ChannelsModule } from '../channels/channels.module';
import { ContactsModule } from '../contacts/contacts.module';
import { InteropModule } from '../interop/interop.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { CampaignExportsController } from './campaign-exports.controller';
import { CampaignsRepository } from './campaigns.repository';
import { CampaignsService } from './campaigns.service';
import { EmergingService } from './emerging.service';
import { PatternProjection } from './pattern-projection';
import { PatternRollupsRepository } from './pattern-rollups.repository';
import { PatternsController } from './patterns.controller';
import { PatternsRepository } from './patterns.repository';
import { PatternsService } from './patterns.service';
import { ScorecardService } from './scorecard.service';
import { TaxonomyDsaSync } from './taxonomy-dsa.sync';

/** The shared aggression repository: trends, emerging patterns, campaigns, scorecard data. */
@Module({
  imports: [
    AuditModule,
    CasesModule,
    CommunityModule,
    ChannelsModule,
    ContactsModule,
    InteropModule,
    NotificationsModule,
  ],
  controllers: [PatternsController, CampaignExportsController],
  providers: [
    PatternsRepository,
    PatternsService,
    ScorecardService,
    CampaignsRepository,
    CampaignsService,
    EmergingService,
    PatternRollupsRepository,
    PatternProjection,
    TaxonomyDsaSync,
  ],
  exports: [
    PatternsService,
    ScorecardService,
    CampaignsService,
    EmergingService,
    PatternsRepository,
    PatternRollupsRepository,
    PatternProjection,
  ],
})
export class PatternsModule {}
