import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Actor, CurrentActor } from '../common/auth/actor';
import { ApiProblems } from '../common/http/api-problems';
import { UUID_PIPE } from '../common/validation/uuid.pipe';
import { pickLang } from '../i18n/labels';
import { TrendsExportQueryDto } from '../patterns/dto/trends.dto';
import { CreateReportDto, ReportResponseDto } from './dto/report.dto';
import { sendFile } from '../patterns/pattern-http';
import { ReportsService } from './reports.service';

@ApiTags('reports')
@ApiBearerAuth()
@Controller('v1/reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  /**
   * The trends of the shared repository as a file: CSV (labels in `lang`, suppressed cells
   * empty with `suppressed` true, a last row for the total) or the JSON answer.
   */
  @Get('trends')
  @ApiProduces('text/csv', 'application/json')
  @ApiProblems(400, 401)
  async trends(
    @CurrentActor() actor: Actor,
    @Query() query: TrendsExportQueryDto,
    @Headers('accept-language') acceptLanguage: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Buffer> {
    const lang = pickLang(query.lang, undefined, acceptLanguage);
    return sendFile(reply, await this.reports.trendsExport(actor, query, lang));
  }

  /**
   * Asks for a large export, built in the background: 202 with its status (`Location`), then
   * poll `GET /v1/reports/:id` until `done` and download it. Only you can read it, until it
   * expires (REPORT_TTL_HOURS).
   */
  @Post()
  @HttpCode(202)
  @ApiProblems(400, 401, 413, 415, 429)
  async create(
    @CurrentActor() actor: Actor,
    @Body() dto: CreateReportDto,
    @Headers('accept-language') acceptLanguage: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ReportResponseDto> {
    const body = await this.reports.create(actor, dto, acceptLanguage);
    void reply.header('location', `/v1/reports/${body.id}`);
    return body;
  }

  /** A report you asked for: status and progress (404 for anyone else's, and once expired). */
  @Get(':id')
  @ApiProblems(400, 401, 404)
  get(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
  ): Promise<ReportResponseDto> {
    return this.reports.get(actor, id);
  }

  /** The file of a report you asked for (409 until it is done). */
  @Get(':id/download')
  @ApiProduces('text/csv', 'application/json')
  @ApiProblems(400, 401, 404, 409)
  async download(
    @CurrentActor() actor: Actor,
    @Param('id', UUID_PIPE) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Buffer> {
    return sendFile(reply, await this.reports.download(actor, id));
  }
}
