import { Body, Controller, Get, Headers, Param, PipeTransform, Put, Res } from '@nestjs/common';
import { ApiHeader, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Actor, CurrentActor, Roles } from '../common/auth/actor';
import { ValidationFailedError } from '../common/errors/domain-error';
import { ApiProblems } from '../common/http/api-problems';
import { documentPipe } from '../common/http/openapi-constraints';
import { etagOf, parseIfMatch } from '../common/http/if-match';
import { MACHINE_CODE_PIPE } from '../common/validation/machine-code.pipe';
import { ChannelPlaybooksService } from './channel-playbooks.service';
import {
  PlaybookResponseDto,
  PlaybookVersionsResponseDto,
  PutPlaybookDto,
} from './dto/playbook.dto';

/** A version in the path: an integer PostgreSQL can hold (0 to 2^31-1), else a 400 naming it. */
export const VERSION_PIPE: PipeTransform<string, number> = {
  transform(value: string) {
    const version = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
    if (!(version <= 2 ** 31 - 1)) {
      throw new ValidationFailedError([
        { field: 'version', message: 'version must be an integer from 0 to 2147483647' },
      ]);
    }
    return version;
  },
};
documentPipe(VERSION_PIPE, { type: 'integer', minimum: 0, maximum: 2 ** 31 - 1 });

/** How to escalate well through a channel, kept by the community, every version kept. */
@ApiTags('platforms')
@Controller('v1/platforms/:code/channels/:channelCode/playbook')
export class ChannelPlaybooksController {
  constructor(private readonly playbooks: ChannelPlaybooksService) {}

  /** The current playbook (version 0, empty, before the first edit). ETag carries its version. */
  @Get()
  @ApiProblems(400, 401, 404)
  async get(
    @CurrentActor() actor: Actor,
    @Param('code', MACHINE_CODE_PIPE) code: string,
    @Param('channelCode', MACHINE_CODE_PIPE) channelCode: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PlaybookResponseDto> {
    const body = await this.playbooks.current(actor, code, channelCode);
    reply.header('etag', etagOf(body.version));
    return body;
  }

  /**
   * Writes the next version (members, org_admins, admins). Needs If-Match with the version you
   * read ("0" for the first): 428 without it, 412 when someone wrote a version meanwhile.
   */
  @Put()
  @Roles('admin', 'org_admin', 'member')
  @ApiHeader({ name: 'If-Match', required: true, description: 'The ETag you read ("3").' })
  @ApiProblems(400, 401, 403, 404, 412, 413, 415, 428)
  async put(
    @CurrentActor() actor: Actor,
    @Param('code', MACHINE_CODE_PIPE) code: string,
    @Param('channelCode', MACHINE_CODE_PIPE) channelCode: string,
    @Body() dto: PutPlaybookDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PlaybookResponseDto> {
    const body = await this.playbooks.put(actor, code, channelCode, dto, parseIfMatch(ifMatch));
    reply.header('etag', etagOf(body.version));
    return body;
  }

  /** Every version, newest first, with its author and time. */
  @Get('versions')
  @ApiProblems(400, 401, 404)
  versions(
    @CurrentActor() actor: Actor,
    @Param('code', MACHINE_CODE_PIPE) code: string,
    @Param('channelCode', MACHINE_CODE_PIPE) channelCode: string,
  ): Promise<PlaybookVersionsResponseDto> {
    return this.playbooks.versions(actor, code, channelCode);
  }

  /** One version of the channel's playbook, as it was saved. */
  @Get('versions/:version')
  @ApiProblems(400, 401, 404)
  version(
    @CurrentActor() actor: Actor,
    @Param('code', MACHINE_CODE_PIPE) code: string,
    @Param('channelCode', MACHINE_CODE_PIPE) channelCode: string,
    @Param('version', VERSION_PIPE) version: number,
  ): Promise<PlaybookResponseDto> {
    return this.playbooks.version(actor, code, channelCode, version);
  }
}
