import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { UsersModule } from '../users/users.module';
import { MeetingEntity, MeetingRsvpEntity } from './meeting.entity';
import { MeetingsController } from './meetings.controller';
import { MeetingsRepository } from './meetings.repository';
import { MeetingsService } from './meetings.service';
import { WorkingGroupEntity, WorkingGroupMemberEntity } from './working-group.entity';
import { WorkingGroupsController } from './working-groups.controller';
import { WorkingGroupsRepository } from './working-groups.repository';
import { WorkingGroupsService } from './working-groups.service';

/** Working groups across organisations and community meetings (issue 17, part 2). */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      WorkingGroupEntity,
      WorkingGroupMemberEntity,
      MeetingEntity,
      MeetingRsvpEntity,
    ]),
    AuditModule,
    UsersModule,
  ],
  controllers: [WorkingGroupsController, MeetingsController],
  providers: [WorkingGroupsRepository, WorkingGroupsService, MeetingsRepository, MeetingsService],
  exports: [WorkingGroupsService, MeetingsService],
})
export class CommunityModule {}
