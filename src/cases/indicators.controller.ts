import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor } from '../common/auth/actor';
import { ApiProblems } from '../common/http/api-problems';
import { CasesService } from './cases.service';
import { IndicatorMatchQueryDto, IndicatorMatchResponseDto } from './dto/indicator-match.dto';

@ApiTags('indicators')
@Controller('v1/indicators')
export class IndicatorsController {
  constructor(private readonly cases: CasesService) {}

  /**
   * How many other organisations, and how many of their cases, logged the same indicator
   * (matched by keyed hash after normalisation), and which of those cases you may see.
   */
  @Get('matches')
  @ApiProblems(400, 401)
  matches(
    @CurrentActor() actor: Actor,
    @Query() query: IndicatorMatchQueryDto,
  ): Promise<IndicatorMatchResponseDto> {
    return this.cases.matchIndicator(actor, query);
  }
}
