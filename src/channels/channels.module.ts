import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { PlatformsModule } from '../platforms/platforms.module';
import { ChannelAccessHistoryEntity } from './channel-access-history.entity';
import {
  ChannelIncidentConfirmationEntity,
  ChannelIncidentEntity,
} from './channel-incident.entity';
import { ChannelPlaybookVersionEntity } from './channel-playbook-version.entity';
import { ChannelIncidentsController } from './channel-incidents.controller';
import { ChannelIncidentsRepository } from './channel-incidents.repository';
import { ChannelIncidentsService } from './channel-incidents.service';
import { ChannelPlaybooksController } from './channel-playbooks.controller';
import { ChannelPlaybooksRepository } from './channel-playbooks.repository';
import { ChannelPlaybooksService } from './channel-playbooks.service';
import { ChannelRegistryController } from './channel-registry.controller';
import { ChannelRegistryRepository } from './channel-registry.repository';
import { ChannelRegistryService } from './channel-registry.service';

/** The trusted-partner registry, channel playbooks and channel incidents (issue 17). */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      ChannelAccessHistoryEntity,
      ChannelPlaybookVersionEntity,
      ChannelIncidentEntity,
      ChannelIncidentConfirmationEntity,
    ]),
    PlatformsModule,
    OrganizationsModule,
    AuditModule,
  ],
  controllers: [ChannelRegistryController, ChannelPlaybooksController, ChannelIncidentsController],
  providers: [
    ChannelRegistryRepository,
    ChannelRegistryService,
    ChannelPlaybooksRepository,
    ChannelPlaybooksService,
    ChannelIncidentsRepository,
    ChannelIncidentsService,
  ],
  exports: [ChannelRegistryService, ChannelPlaybooksService, ChannelIncidentsService],
})
export class ChannelsModule {}
