import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { CommunityModule } from '../community/community.module';
import { CalendarFeedRepository } from './calendar-feed.repository';
import { CalendarFeedService } from './calendar-feed.service';
import { CalendarTokenEntity } from './calendar-token.entity';
import { CalendarTokensRepository } from './calendar-tokens.repository';
import { CalendarTokensService } from './calendar-tokens.service';
import { CalendarController } from './calendar.controller';

/** Secret-token iCalendar feeds of deadlines and follow-ups (issue 5). */
@Module({
  imports: [TypeOrmModule.forFeature([CalendarTokenEntity]), AuditModule, CommunityModule],
  controllers: [CalendarController],
  providers: [
    CalendarTokensRepository,
    CalendarTokensService,
    CalendarFeedRepository,
    CalendarFeedService,
  ],
  exports: [CalendarTokensService],
})
export class CalendarModule {}
