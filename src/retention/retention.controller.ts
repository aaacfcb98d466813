import { Body, Controller, Get, HttpCode, Param, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor, Roles } from '../common/auth/actor';
import { ApiProblems } from '../common/http/api-problems';
import { UUID_PIPE } from '../common/validation/uuid.pipe';
import { RetentionResponseDto, UpdateRetentionDto } from './dto/retention.dto';
import { RetentionService } from './retention.service';

@ApiTags('retention')
@Controller('v1/organizations')
export class RetentionController {
  constructor(private readonly retention: RetentionService) {}

  /** The organisation's retention rule (its org_admins and community admins). */
  @Get(':id/retention')
  @Roles('admin', 'org_admin')
  @ApiProblems(400, 401, 403, 404)
  get(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
  ): Promise<RetentionResponseDto> {
    return this.retention.get(actor, id);
  }

  /**
   * Sets how long closed cases keep their content (an org_admin of the organisation). A daily
   * job removes title, summary, items, indicator values and notes of cases closed longer ago;
   * the case keeps its reference, dates, status, platform, channel, category, outcome and
   * timeline steps, so response times and the shared repository keep counting it.
   */
  @Put(':id/retention')
  @HttpCode(200)
  @Roles('org_admin')
  @ApiProblems(400, 401, 403, 404, 413, 415)
  set(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
    @Body() dto: UpdateRetentionDto,
  ): Promise<RetentionResponseDto> {
    return this.retention.set(actor, id, dto);
  }
}
