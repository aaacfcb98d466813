import {
  Body,
  Controller,
  Delete,
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
import { Actor, CurrentActor } from '../common/auth/actor';
import { ValidationFailedError } from '../common/errors/domain-error';
import { ApiProblems } from '../common/http/api-problems';
import { etagOf, parseIfMatch } from '../common/http/if-match';
import { UUID_PIPE } from '../common/validation/uuid.pipe';
import { CasesService } from './cases.service';
import {
  CaseCountQueryDto,
  CaseCountResponseDto,
  CasePageResponseDto,
  CaseQueryDto,
  CaseResponseDto,
  CreateCaseDto,
  UpdateCaseDto,
} from './dto/case.dto';

/** Printable ASCII, as clients generate them (UUIDs, ULIDs, random strings). */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

@ApiTags('cases')
@Controller('v1/cases')
export class CasesController {
  constructor(private readonly cases: CasesService) {}

  /** Cases you may see, newest first, with filters and full-text search (`q`). */
  @Get()
  @ApiProblems(400, 401)
  list(@CurrentActor() actor: Actor, @Query() query: CaseQueryDto): Promise<CasePageResponseDto> {
    return this.cases.list(actor, query);
  }

  /** How many cases you may see match the filters. */
  @Get('count')
  @ApiProblems(400, 401)
  count(
    @CurrentActor() actor: Actor,
    @Query() query: CaseCountQueryDto,
  ): Promise<CaseCountResponseDto> {
    return this.cases.count(actor, query);
  }

  /**
   * Logs an escalation (without `escalatedAt`, a draft). With `Idempotency-Key`, a retry returns
   * the case the first request created (header `Idempotent-Replayed: true`), never a second one.
   */
  @Post()
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  // 503: the database is unreachable, or cases logged at once waited too long for it.
  @ApiProblems(400, 401, 403, 413, 415, 422, 503)
  async create(
    @CurrentActor() actor: Actor,
    @Body() dto: CreateCaseDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CaseResponseDto> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new ValidationFailedError([
        {
          field: 'Idempotency-Key',
          message: 'Idempotency-Key must be 1-200 printable ASCII characters',
        },
      ]);
    }
    const { body, replayed } = await this.cases.create(actor, dto, idempotencyKey);
    if (replayed) reply.header('idempotent-replayed', 'true');
    reply.header('etag', etagOf(body.version));
    reply.header('location', `/v1/cases/${body.id}`);
    return body;
  }

  /** One case (404 when it does not exist or you may not see it). ETag carries its version. */
  @Get(':id')
  @ApiProblems(400, 401, 404)
  async get(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CaseResponseDto> {
    const body = await this.cases.get(actor, id);
    reply.header('etag', etagOf(body.version));
    return body;
  }

  /**
   * Changes a case; needs `If-Match` (428 without it, 412 when no tag matches the current
   * version). RFC 9110: strong comparison (a weak tag never matches), `*` for any version.
   */
  @Patch(':id')
  @HttpCode(200)
  @ApiHeader({
    name: 'If-Match',
    required: true,
    description:
      'The ETag you read ("3"), several ("3", "4"), or * for any current version. Weak tags ' +
      '(W/"3") never match (RFC 9110, 13.1.1): 412.',
  })
  @ApiProblems(400, 401, 403, 404, 412, 413, 415, 428)
  async update(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
    @Body() dto: UpdateCaseDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CaseResponseDto> {
    const body = await this.cases.update(actor, id, dto, parseIfMatch(ifMatch));
    reply.header('etag', etagOf(body.version));
    return body;
  }

  /**
   * Erases the case on a survivor's request: its content, timeline, items, indicators and pattern
   * record go at once. An org_admin of the owning organisation may (for TLP:RED, the creator).
   * Afterwards the case answers 410 Gone to those who could see it and 404 to everyone else;
   * the audit trail keeps who erased which reference when.
   */
  @Delete(':id')
  @HttpCode(204)
  @ApiProblems(400, 401, 403, 404, 410)
  async erase(@CurrentActor() actor: Actor, @Param('id', UUID_PIPE) id: string): Promise<void> {
    await this.cases.erase(actor, id);
  }
}
