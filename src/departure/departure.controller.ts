import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor, Roles } from '../common/auth/actor';
import { ApiProblems } from '../common/http/api-problems';
import { UUID_PIPE } from '../common/validation/uuid.pipe';
import { ReportResponseDto } from '../reports/dto/report.dto';
import { DepartureService } from './departure.service';
import { CreateArchiveDto, CreateErasureDto } from './dto/departure.dto';

@ApiTags('organizations')
@Controller('v1/organizations')
export class DepartureController {
  constructor(private readonly departure: DepartureService) {}

  /**
   * An archive of everything the organisation owns (JSON: organisation, retention rule, users,
   * cases with timelines, contacts; CSV: its cases), built as a report: follow it at
   * `GET /v1/reports/:id`, download it when done. The organisation's org_admin only.
   */
  @Post(':id/archive')
  @HttpCode(202)
  @Roles('org_admin')
  @ApiProblems(400, 401, 403, 404, 413, 415, 429)
  archive(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
    @Body() dto: CreateArchiveDto,
  ): Promise<ReportResponseDto> {
    return this.departure.requestArchive(actor, id, dto);
  }

  /**
   * The organisation leaves: everything it owns is erased by a report job (cases as erasures on
   * request, then contacts, or those shared GREEN/CLEAR handed to the coordination if asked,
   * webhooks, users, the organisation). Cannot be undone: download the archive first.
   */
  @Post(':id/erasure')
  @HttpCode(202)
  @Roles('org_admin')
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 429)
  erase(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
    @Body() dto: CreateErasureDto,
  ): Promise<ReportResponseDto> {
    return this.departure.requestErasure(actor, id, dto);
  }
}
