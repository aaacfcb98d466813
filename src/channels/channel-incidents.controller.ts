import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor, Roles } from '../common/auth/actor';
import { ApiProblems } from '../common/http/api-problems';
import { UUID_PIPE } from '../common/validation/uuid.pipe';
import { ChannelIncidentsService } from './channel-incidents.service';
import {
  ConfirmIncidentDto,
  CreateIncidentDto,
  IncidentPageResponseDto,
  IncidentQueryDto,
  IncidentResponseDto,
  ResolveIncidentDto,
} from './dto/incident.dto';

/** Channels that are broken, silent or changed: reported, confirmed, resolved. */
@ApiTags('channel-incidents')
@Controller('v1/channel-incidents')
export class ChannelIncidentsController {
  constructor(private readonly incidents: ChannelIncidentsService) {}

  /** Incidents, newest first; `status=open` for the ones still running. */
  @Get()
  @ApiProblems(400, 401)
  list(
    @CurrentActor() actor: Actor,
    @Query() query: IncidentQueryDto,
  ): Promise<IncidentPageResponseDto> {
    return this.incidents.list(actor, query);
  }

  /** Reports an incident (members, org_admins, admins). No case or survivor details. */
  @Post()
  @Roles('admin', 'org_admin', 'member')
  @ApiProblems(400, 401, 403, 413, 415)
  report(
    @CurrentActor() actor: Actor,
    @Body() dto: CreateIncidentDto,
  ): Promise<IncidentResponseDto> {
    return this.incidents.report(actor, dto);
  }

  /** One channel incident with its confirmations. */
  @Get(':id')
  @ApiProblems(400, 401, 404)
  get(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
  ): Promise<IncidentResponseDto> {
    return this.incidents.get(actor, id);
  }

  /** Your organisation sees it too (once per organisation; not the reporting one). */
  @Post(':id/confirmations')
  @Roles('admin', 'org_admin', 'member')
  @ApiProblems(400, 401, 403, 404, 409, 413, 415)
  confirm(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
    @Body() dto: ConfirmIncidentDto,
  ): Promise<IncidentResponseDto> {
    return this.incidents.confirm(actor, id, dto);
  }

  /** The channel works again, since a day (the reporting organisation or an admin). */
  @Post(':id/resolve')
  @HttpCode(200)
  @Roles('admin', 'org_admin', 'member')
  @ApiProblems(400, 401, 403, 404, 409, 413, 415)
  resolve(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
    @Body() dto: ResolveIncidentDto,
  ): Promise<IncidentResponseDto> {
    return this.incidents.resolve(actor, id, dto);
  }
}
