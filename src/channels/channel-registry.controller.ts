import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiHeader, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Actor, CurrentActor, Roles } from '../common/auth/actor';
import { ApiProblems } from '../common/http/api-problems';
import { etagOf, parseIfMatch } from '../common/http/if-match';
import { UUID_PIPE } from '../common/validation/uuid.pipe';
import { ChannelRegistryService } from './channel-registry.service';
import {
  ApproveChannelAccessDto,
  ChannelAccessHistoryResponseDto,
  ChannelAccessPageResponseDto,
  ChannelAccessQueryDto,
  ChannelAccessReasonDto,
  ChannelAccessResponseDto,
  CreateChannelAccessDto,
  RegistryOverviewQueryDto,
  RegistryOverviewResponseDto,
  UpdateChannelAccessDto,
} from './dto/channel-access.dto';

/** The trusted-partner registry: who may use which channel where, claimed or approved. */
const DECIDED_VERSION =
  'The ETag of the claim you reviewed ("3"): if its organisation changed it since, 412.';

@ApiTags('channel-access')
@Controller('v1/channel-access')
export class ChannelRegistryController {
  constructor(private readonly registry: ChannelRegistryService) {}

  /** Access records with their status (claimed, approved, refused, revoked), newest first. */
  @Get()
  @ApiProblems(400, 401)
  list(
    @CurrentActor() actor: Actor,
    @Query() query: ChannelAccessQueryDto,
  ): Promise<ChannelAccessPageResponseDto> {
    return this.registry.list(actor, query);
  }

  /** Per platform and country: the approved partners today and the claims waiting. */
  @Get('overview')
  @ApiProblems(400, 401)
  overview(@Query() query: RegistryOverviewQueryDto): Promise<RegistryOverviewResponseDto> {
    return this.registry.overview(query);
  }

  /**
   * Records access (admin: approved at once) or asks for it (org_admin, for its own
   * organisation, with evidence: a claim until an admin approves it).
   */
  @Post()
  @Roles('admin', 'org_admin')
  @ApiProblems(400, 401, 403, 413, 415)
  async create(
    @CurrentActor() actor: Actor,
    @Body() dto: CreateChannelAccessDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ChannelAccessResponseDto> {
    const body = await this.registry.request(actor, dto);
    reply.header('etag', etagOf(body.version));
    return body;
  }

  /** One access record (its evidence and reasons to its organisation and admins only). */
  @Get(':id')
  @ApiProblems(400, 401, 404)
  async get(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ChannelAccessResponseDto> {
    const body = await this.registry.get(actor, id);
    reply.header('etag', etagOf(body.version));
    return body;
  }

  /** Every change of the record, oldest first. */
  @Get(':id/history')
  @ApiProblems(400, 401, 404)
  history(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
  ): Promise<ChannelAccessHistoryResponseDto> {
    return this.registry.history(actor, id);
  }

  /**
   * Corrects or ends an access (`until`); needs If-Match. An organisation that widens its
   * approved access makes it a claim again.
   */
  @Patch(':id')
  @Roles('admin', 'org_admin')
  @ApiHeader({ name: 'If-Match', required: true, description: 'The ETag you read ("3").' })
  @ApiProblems(400, 401, 403, 404, 409, 412, 413, 415, 428)
  async update(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
    @Body() dto: UpdateChannelAccessDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ChannelAccessResponseDto> {
    const body = await this.registry.correct(actor, id, dto, parseIfMatch(ifMatch));
    reply.header('etag', etagOf(body.version));
    return body;
  }

  /** The community coordination approves a claim (never an organisation its own). */
  @Post(':id/approve')
  @HttpCode(200)
  @Roles('admin')
  @ApiHeader({ name: 'If-Match', required: false, description: DECIDED_VERSION })
  @ApiProblems(400, 401, 403, 404, 409, 412, 413, 415)
  approve(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
    @Body() dto: ApproveChannelAccessDto,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<ChannelAccessResponseDto> {
    return this.registry.approve(actor, id, dto, parseIfMatch(ifMatch));
  }

  /** The community coordination refuses a claim, with the reason. */
  @Post(':id/refuse')
  @HttpCode(200)
  @Roles('admin')
  @ApiHeader({ name: 'If-Match', required: false, description: DECIDED_VERSION })
  @ApiProblems(400, 401, 403, 404, 409, 412, 413, 415)
  refuse(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
    @Body() dto: ChannelAccessReasonDto,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<ChannelAccessResponseDto> {
    return this.registry.refuse(actor, id, dto, parseIfMatch(ifMatch));
  }

  /** Ends an access for good (admin; org_admin for its own organisation), with the reason. */
  @Post(':id/revoke')
  @HttpCode(200)
  @Roles('admin', 'org_admin')
  @ApiProblems(400, 401, 403, 404, 409, 413, 415)
  revoke(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
    @Body() dto: ChannelAccessReasonDto,
  ): Promise<ChannelAccessResponseDto> {
    return this.registry.revoke(actor, id, dto);
  }
}
