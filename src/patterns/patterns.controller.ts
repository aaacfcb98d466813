import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor, Public } from '../common/auth/actor';
import { NotFoundError } from '../common/errors/domain-error';
import { ApiProblems } from '../common/http/api-problems';
import { AppConfig } from '../config/app-config';
import { ScorecardQueryDto, ScorecardResponseDto } from './dto/scorecard.dto';
import { TrendsQueryDto, TrendsResponseDto } from './dto/trends.dto';
import { ScorecardService } from './scorecard.service';
import { PatternsService } from './patterns.service';

@ApiTags('patterns')
@Controller('v1')
export class PatternsController {
  constructor(
    private readonly patterns: PatternsService,
    private readonly scorecards: ScorecardService,
    private readonly config: AppConfig,
  ) {}

  /**
   * Cases of the shared repository (consenting cases only) per cell of `groupBy`, with the
   * number of organisations they come from. Cells from fewer than `k` cases or from one
   * organisation, and cells that would let them be recovered, are suppressed.
   */
  @Get('patterns/trends')
  @ApiBearerAuth()
  @ApiProblems(400, 401)
  trends(@CurrentActor() actor: Actor, @Query() query: TrendsQueryDto): Promise<TrendsResponseDto> {
    return this.patterns.trends(actor, query);
  }

  /**
   * The same, unauthenticated, counted only from organisations that opted in to public
   * statistics. 404 unless PUBLIC_TRENDS=true.
   */
  @Public()
  @Get('public/trends')
  @ApiProblems(400, 404)
  publicTrends(@Query() query: TrendsQueryDto): Promise<TrendsResponseDto> {
    if (!this.config.patterns.publicTrends) throw new NotFoundError('route');
    return this.patterns.trends(null, query);
  }

  /**
   * Per platform and channel: how the platforms answered the shared repository's cases in the
   * period (JSON; `format=csv` for a spreadsheet), suppressed like the trends.
   */
  @Get('reports/platform-scorecard')
  @ApiBearerAuth()
  @ApiProblems(400, 401)
  scorecard(
    @CurrentActor() actor: Actor,
    @Query() query: ScorecardQueryDto,
  ): Promise<ScorecardResponseDto> {
    return this.scorecards.scorecard(actor, query);
  }
}
