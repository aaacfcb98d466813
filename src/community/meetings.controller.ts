import { Body, Controller, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor, Roles } from '../common/auth/actor';
import { ApiProblems } from '../common/http/api-problems';
import { UUID_PIPE } from '../common/validation/uuid.pipe';
import {
  AnswerMeetingDto,
  CreateMeetingDto,
  MeetingPageResponseDto,
  MeetingQueryDto,
  MeetingResponseDto,
  UpdateMeetingDto,
} from './dto/meeting.dto';
import { MeetingsService } from './meetings.service';

@ApiTags('meetings')
@Controller('v1/meetings')
export class MeetingsController {
  constructor(private readonly meetings: MeetingsService) {}

  /** The meetings the caller is invited to (admins: all), soonest first. */
  @Get()
  @ApiProblems(400, 401)
  list(
    @CurrentActor() actor: Actor,
    @Query() query: MeetingQueryDto,
  ): Promise<MeetingPageResponseDto> {
    return this.meetings.list(actor, query);
  }

  /** Schedules a meeting for the whole community or one working group (community admin only). */
  @Post()
  @Roles('admin')
  @ApiProblems(400, 401, 403, 413, 415)
  create(@CurrentActor() actor: Actor, @Body() dto: CreateMeetingDto): Promise<MeetingResponseDto> {
    return this.meetings.create(actor, dto);
  }

  /** One meeting you are invited to, with whether and how you answered. */
  @Get(':id')
  @ApiProblems(400, 401, 404)
  get(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
  ): Promise<MeetingResponseDto> {
    return this.meetings.get(actor, id);
  }

  /** Moves or edits a meeting (community admin only); calendars follow (SEQUENCE + 1). */
  @Patch(':id')
  @Roles('admin')
  @ApiProblems(400, 401, 403, 404, 409, 413, 415)
  update(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
    @Body() dto: UpdateMeetingDto,
  ): Promise<MeetingResponseDto> {
    return this.meetings.update(actor, id, dto);
  }

  /** Cancels a meeting (community admin only); calendars show it cancelled. */
  @Post(':id/cancel')
  @HttpCode(200)
  @Roles('admin')
  @ApiProblems(400, 401, 403, 404, 409)
  cancel(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
  ): Promise<MeetingResponseDto> {
    return this.meetings.cancel(actor, id);
  }

  /** The caller's answer (yes, no, maybe) to a meeting they are invited to. */
  @Put(':id/answer')
  @ApiProblems(400, 401, 404, 409, 413, 415)
  answer(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
    @Body() dto: AnswerMeetingDto,
  ): Promise<MeetingResponseDto> {
    return this.meetings.answer(actor, id, dto);
  }
}
