import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor, Roles } from '../common/auth/actor';
import { ApiProblems } from '../common/http/api-problems';
import { MACHINE_CODE_PIPE } from '../common/validation/machine-code.pipe';
import { PartnersQueryDto, PartnersResponseDto } from './dto/channel-access.dto';
import {
  ChannelResponseDto,
  CreateChannelDto,
  CreatePlatformDto,
  PlatformPageResponseDto,
  PlatformQueryDto,
  PlatformResponseDto,
  UpdateChannelDto,
  UpdatePlatformDto,
} from './dto/platform.dto';
import { PlatformsService } from './platforms.service';

@ApiTags('platforms')
@Controller('v1')
export class PlatformsController {
  constructor(private readonly platforms: PlatformsService) {}

  /** Platforms with their channels and expected response times. */
  @Get('platforms')
  @ApiProblems(400, 401)
  list(@Query() query: PlatformQueryDto): Promise<PlatformPageResponseDto> {
    return this.platforms.list(query);
  }

  /** One platform with its channels. */
  @Get('platforms/:code')
  @ApiProblems(400, 401, 404)
  get(@Param('code', MACHINE_CODE_PIPE) code: string): Promise<PlatformResponseDto> {
    return this.platforms.get(code);
  }

  /** Adds a platform (community admin). */
  @Post('platforms')
  @Roles('admin')
  @ApiProblems(400, 401, 403, 409, 413, 415)
  create(
    @CurrentActor() actor: Actor,
    @Body() dto: CreatePlatformDto,
  ): Promise<PlatformResponseDto> {
    return this.platforms.create(actor, dto);
  }

  /** Edits a platform (community admin). */
  @Patch('platforms/:code')
  @Roles('admin')
  @ApiProblems(400, 401, 403, 404, 413, 415)
  update(
    @CurrentActor() actor: Actor,
    @Param('code', MACHINE_CODE_PIPE) code: string,
    @Body() dto: UpdatePlatformDto,
  ): Promise<PlatformResponseDto> {
    return this.platforms.update(actor, code, dto);
  }

  /** Adds a channel to a platform (community admin). */
  @Post('platforms/:code/channels')
  @Roles('admin')
  @ApiProblems(400, 401, 403, 404, 409, 413, 415)
  createChannel(
    @CurrentActor() actor: Actor,
    @Param('code', MACHINE_CODE_PIPE) code: string,
    @Body() dto: CreateChannelDto,
  ): Promise<ChannelResponseDto> {
    return this.platforms.createChannel(actor, code, dto);
  }

  /** Edits a channel of a platform (community admin). */
  @Patch('platforms/:code/channels/:channelCode')
  @Roles('admin')
  @ApiProblems(400, 401, 403, 404, 413, 415)
  updateChannel(
    @CurrentActor() actor: Actor,
    @Param('code', MACHINE_CODE_PIPE) code: string,
    @Param('channelCode', MACHINE_CODE_PIPE) channelCode: string,
    @Body() dto: UpdateChannelDto,
  ): Promise<ChannelResponseDto> {
    return this.platforms.updateChannel(actor, code, channelCode, dto);
  }

  /** Which organisations can use each channel of the platform in a country, today or on `date`. */
  @Get('platforms/:code/partners')
  @ApiProblems(400, 401, 404)
  partners(
    @Param('code', MACHINE_CODE_PIPE) code: string,
    @Query() query: PartnersQueryDto,
  ): Promise<PartnersResponseDto> {
    return this.platforms.partners(code, query);
  }
}
