import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { ChannelAccessEntity } from './channel-access.entity';
import { ChannelEntity } from './channel.entity';
import { PlatformEntity } from './platform.entity';
import { PlatformsController } from './platforms.controller';
import { PlatformsRepository } from './platforms.repository';
import { PlatformsService } from './platforms.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([PlatformEntity, ChannelEntity, ChannelAccessEntity]),
    OrganizationsModule,
    AuditModule,
  ],
  controllers: [PlatformsController],
  providers: [PlatformsRepository, PlatformsService],
  exports: [PlatformsService],
})
export class PlatformsModule {}
