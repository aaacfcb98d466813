import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { PlatformsModule } from '../platforms/platforms.module';
import { ChannelAccessHistoryEntity } from './channel-access-history.entity';
import { ChannelRegistryController } from './channel-registry.controller';
import { ChannelRegistryRepository } from './channel-registry.repository';
import { ChannelRegistryService } from './channel-registry.service';

/** The trusted-partner registry, channel playbooks and channel incidents (issue 17). */
@Module({
  imports: [
    TypeOrmModule.forFeature([ChannelAccessHistoryEntity]),
    PlatformsModule,
    OrganizationsModule,
    AuditModule,
  ],
  controllers: [ChannelRegistryController],
  providers: [ChannelRegistryRepository, ChannelRegistryService],
  exports: [ChannelRegistryService],
})
export class ChannelsModule {}
