import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Actor, CurrentActor } from '../../common/auth/actor';
import { CSV_CONTENT_TYPE } from '../../common/csv/csv-writer';
import { ApiProblems } from '../../common/http/api-problems';
import { annualReportCsv, annualReportFilename } from './annual-report.csv';
import { AnnualReportService } from './annual-report.service';
import { AnnualReportQueryDto, AnnualReportResponseDto } from './dto/annual-report.dto';

@ApiTags('reports')
@ApiBearerAuth()
@Controller('v1/reports')
export class AnnualReportController {
  constructor(private readonly reports: AnnualReportService) {}

  /**
   * Your organisation's transparency report for a calendar year (UTC), in the form the EU DSA
   * asks of trusted flaggers (Art. 22(3)): totals, by platform, by type of content (with its DSA
   * category), by action taken, by month, with response times. Counts only the cases you may
   * see. `format=csv` gives one table with a row per figure, labels in `lang`. Any role may
   * read it; every request is audited (`report.exported`).
   */
  @Get('annual')
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: AnnualReportResponseDto })
  @ApiProblems(400, 401)
  async annual(
    @CurrentActor() actor: Actor,
    @Query() query: AnnualReportQueryDto,
    @Headers('accept-language') acceptLanguage: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AnnualReportResponseDto | string> {
    const { body, lang } = await this.reports.report(actor, query, acceptLanguage);
    // About survivors' cases, even counted: never kept by a shared cache.
    void reply.header('cache-control', 'private, no-store');
    if (query.format === 'json') return body;
    const filename = annualReportFilename(body.organization.slug, body.year, 'csv');
    void reply
      .header('content-type', CSV_CONTENT_TYPE)
      .header('content-disposition', `attachment; filename="${filename}"`)
      .header('content-language', lang)
      .header('x-content-type-options', 'nosniff');
    return annualReportCsv(body, lang);
  }
}
