import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor, Public } from '../common/auth/actor';
import { ApiProblems } from '../common/http/api-problems';
import { ListQueryDto } from '../common/pagination/list-query.dto';
import { UUID_PIPE } from '../common/validation/uuid.pipe';
import { CalendarFeedService } from './calendar-feed.service';
import { CalendarTokensService } from './calendar-tokens.service';
import {
  CalendarTokenPageResponseDto,
  CreateCalendarTokenDto,
  CreatedCalendarTokenResponseDto,
} from './dto/calendar-token.dto';

@ApiTags('calendar')
@Controller('v1')
export class CalendarController {
  constructor(
    private readonly tokens: CalendarTokensService,
    private readonly feed: CalendarFeedService,
  ) {}

  /** Creates a secret feed URL of the caller's deadlines; the token is in this answer only. Needs a password session. */
  @Post('calendar-tokens')
  @ApiBearerAuth()
  @ApiProblems(400, 401, 403, 409, 413, 415)
  create(
    @CurrentActor() actor: Actor,
    @Body() dto: CreateCalendarTokenDto,
  ): Promise<CreatedCalendarTokenResponseDto> {
    return this.tokens.create(actor, dto);
  }

  /** The caller's active feeds (never their tokens). */
  @Get('calendar-tokens')
  @ApiBearerAuth()
  @ApiProblems(400, 401)
  list(
    @CurrentActor() actor: Actor,
    @Query() query: ListQueryDto,
  ): Promise<CalendarTokenPageResponseDto> {
    return this.tokens.list(actor, query);
  }

  /** Revokes one of the caller's feeds at once: its URL answers 404 from then on. */
  @Delete('calendar-tokens/:id')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiProblems(400, 401, 404)
  async revoke(@CurrentActor() actor: Actor, @Param('id', UUID_PIPE) id: string): Promise<void> {
    await this.tokens.revoke(actor, id);
  }

  /**
   * The iCalendar (RFC 5545) feed: deadlines and follow-ups of the open cases the token's user
   * may see. The token in the path is the credential (calendar clients send no headers).
   */
  @Public()
  @Get('calendar/:token.ics')
  @Header('content-type', 'text/calendar; charset=utf-8')
  @Header('cache-control', 'private, no-store')
  @ApiProduces('text/calendar')
  @ApiProblems(404)
  ics(@Param('token') token: string): Promise<string> {
    return this.feed.render(token);
  }
}
