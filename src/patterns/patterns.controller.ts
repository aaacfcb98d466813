import { Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Actor, CurrentActor, Public } from '../common/auth/actor';
import { NotFoundError } from '../common/errors/domain-error';
import { ApiProblems } from '../common/http/api-problems';
import { ListQueryDto } from '../common/pagination/list-query.dto';
import { UUID_PIPE } from '../common/validation/uuid.pipe';
import { AppConfig } from '../config/app-config';
import { pickLang } from '../i18n/labels';
import { scorecardFile } from '../reports/report-csv';
import { sendFile } from '../reports/report-http';
import { CampaignsService } from './campaigns.service';
import { CampaignPageResponseDto, CampaignResponseDto } from './dto/campaign.dto';
import { EmergingQueryDto, EmergingResponseDto } from './dto/emerging.dto';
import { EmergingService } from './emerging.service';
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
    private readonly campaigns: CampaignsService,
    private readonly emergingPatterns: EmergingService,
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
  @ApiProduces('application/json', 'text/csv')
  @ApiProblems(400, 401)
  async scorecard(
    @CurrentActor() actor: Actor,
    @Query() query: ScorecardQueryDto,
    @Headers('accept-language') acceptLanguage: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ScorecardResponseDto | Buffer> {
    const answer = await this.scorecards.scorecard(actor, query, query.format);
    if (query.format !== 'csv') return answer;
    return sendFile(
      reply,
      scorecardFile(answer, 'csv', pickLang(query.lang, undefined, acceptLanguage)),
    );
  }

  /** (category, country) pairs rising significantly above their baseline. */
  @Get('patterns/emerging')
  @ApiBearerAuth()
  @ApiProblems(400, 401)
  emerging(
    @CurrentActor() actor: Actor,
    @Query() query: EmergingQueryDto,
  ): Promise<EmergingResponseDto> {
    return this.emergingPatterns.emerging(actor, query);
  }

  /**
   * Campaigns your organisation is part of, and others once they hold k cases; with the cases
   * you may see. Other organisations by number (by name only if they opted in).
   */
  @Get('patterns/campaigns')
  @ApiBearerAuth()
  @ApiProblems(400, 401)
  listCampaigns(
    @CurrentActor() actor: Actor,
    @Query() query: ListQueryDto,
  ): Promise<CampaignPageResponseDto> {
    return this.campaigns.list(actor, query);
  }

  @Get('patterns/campaigns/:id')
  @ApiBearerAuth()
  @ApiProblems(400, 401, 404)
  getCampaign(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
  ): Promise<CampaignResponseDto> {
    return this.campaigns.get(actor, id);
  }
}
