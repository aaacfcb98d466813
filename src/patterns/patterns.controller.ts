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
import { sendFile } from './pattern-http';
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
   * number of organisations they come from. Every count is perturbed by at most 2 (mean zero;
   * the same cases always get the same change, so asking again gives the same answer). A cell
   * is suppressed (`count` null) when counted from fewer than `k` cases, when it would show
   * fewer than `k` after the change, or when all organisations but the largest hold fewer than
   * `k` of its cases (which hides any cell of one organisation). The total is perturbed on its
   * own: the rows need not add up to it.
   */
  @Get('patterns/trends')
  @ApiBearerAuth()
  @ApiProblems(400, 401)
  trends(@CurrentActor() actor: Actor, @Query() query: TrendsQueryDto): Promise<TrendsResponseDto> {
    return this.patterns.trends(actor, query);
  }

  /**
   * The same, unauthenticated, counted only from organisations that opted in to public
   * statistics, with the same protection (perturbed counts, suppressed cells, a total that
   * need not be the sum of the rows). 404 unless PUBLIC_TRENDS=true.
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
   * period (JSON; `format=csv` for a spreadsheet, whose last row is a note on the protection).
   * `cases` is perturbed by at most 2 and a row suppressed like a trend cell. Shares are
   * computed from perturbed counts, null unless the cases with and without the attribute are
   * both enough and spread over organisations; medians, p90s and paused hours null unless
   * enough answered (resp. resolved, paused) cases from enough organisations stand behind them.
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
    if (query.format !== 'csv') return this.scorecards.scorecard(actor, query, query.format);
    return sendFile(
      reply,
      await this.scorecards.file(
        actor,
        query,
        'csv',
        pickLang(query.lang, undefined, acceptLanguage),
      ),
    );
  }

  /**
   * (category, country) pairs rising significantly above their baseline. Both counts are
   * perturbed by at most 2 and the test runs on the perturbed counts. A pair is listed only when
   * its recent cases are a cell the trends would show; a baseline under `k` (before or after
   * the change) is suppressed (null) and tested as `k`; a pair whose baseline has `k` cases or
   * more but fewer than `k` outside its largest organisation is not listed.
   */
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
   * Campaigns your organisation is part of, in full; others once their cases are a cell the
   * trends would show, as a protected aggregate: `cases` perturbed by at most 2, only the
   * platforms, categories and countries that are such cells themselves, months instead of days.
   * With the cases you may see; other organisations by number (by name only if they opted in).
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

  /** One campaign, protected as in the list; 404 when you may not see it. */
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
