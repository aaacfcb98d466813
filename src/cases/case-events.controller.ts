import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor } from '../common/auth/actor';
import { ApiProblems } from '../common/http/api-problems';
import { ListQueryDto } from '../common/pagination/list-query.dto';
import { UUID_PIPE } from '../common/validation/uuid.pipe';
import { CaseEventsService } from './case-events.service';
import {
  CaseEventPageResponseDto,
  CaseEventResponseDto,
  CreateCaseEventDto,
} from './dto/case-event.dto';

@ApiTags('cases')
@Controller('v1/cases/:id/events')
export class CaseEventsController {
  constructor(private readonly events: CaseEventsService) {}

  /** Appends a step to the timeline; a step the status does not allow is 409 and writes nothing. */
  @Post()
  @ApiProblems(400, 401, 403, 404, 409, 413, 415)
  add(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
    @Body() dto: CreateCaseEventDto,
  ): Promise<CaseEventResponseDto> {
    return this.events.add(actor, id, dto);
  }

  /** The timeline, oldest first. */
  @Get()
  @ApiProblems(400, 401, 404)
  list(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
    @Query() query: ListQueryDto,
  ): Promise<CaseEventPageResponseDto> {
    return this.events.list(actor, id, query);
  }
}
