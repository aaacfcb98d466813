import { isUUID } from 'class-validator';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import taxonomy from '../../cases/data/taxonomy.json';
import { CaseQueryDto, CaseSummaryResponseDto } from '../../cases/dto/case.dto';
import { FieldError } from '../../common/errors/domain-error';
import { ListQueryDto } from '../../common/pagination/list-query.dto';
import { assertValid } from '../../common/validation/validation.pipe';
import { buildCaseBundle, STIX_MEDIA_TYPE } from '../../interop/stix';
import { EmergingQueryDto, EmergingResponseDto } from '../../patterns/dto/emerging.dto';
import { ScorecardQueryDto, ScorecardResponseDto } from '../../patterns/dto/scorecard.dto';
import {
  TrendsExportQueryDto,
  TrendsQueryDto,
  TrendsResponseDto,
} from '../../patterns/dto/trends.dto';
import { DIMENSIONS } from '../../patterns/pattern-grains';
import { PlatformQueryDto, PlatformResponseDto } from '../../platforms/dto/platform.dto';
import { attachment } from '../../patterns/pattern-csv';
import { monthsBetween, svgChart } from '../charts/svg-chart';
import type { WebDeps } from '../web';
import { errorPage, fieldErrors, PageContext, pageContext, render, signedIn } from '../web-context';
import { countryOptions } from './directory.pages';
import { errorsOf, hours, percent, queryParams, sendDownload, validOrErrors } from './page-query';

const PAGE_SIZE = 25;
const TREND_FILTERS = ['from', 'to', 'platform', 'category', 'country'] as const;
/** Dimensions offered for the CSV download (month first: the usual question). */
const CSV_GROUPS = DIMENSIONS.filter((d) => d !== 'dsaCategory');
const EMERGING_WINDOWS = [90, 180, 365] as const;

/**
 * Trends with a chart, the platform scorecard, campaigns, emerging patterns, and the downloads
 * (trend and scorecard CSV, a case's STIX bundle): the same services, suppression, visibility
 * and audit as the API routes they mirror.
 */
export function registerInsightsPages(web: FastifyInstance, { services }: WebDeps): void {
  const { patterns, scorecards, campaigns, reports, cases, caseExports, platforms } = services;
  const emergingPatterns = services.emerging;

  const platformList = async (): Promise<PlatformResponseDto[]> =>
    (await platforms.list(assertValid(PlatformQueryDto, { limit: 200 }))).data;

  const filterChoices = async (page: PageContext) => ({
    platforms: await platformList(),
    categories: taxonomy.categories.map((c) => c.code),
    countries: countryOptions(page),
  });

  web.get('/trends', async (request, reply) => {
    const { actor } = signedIn(request);
    const page = pageContext(request, 'ui.insights.trends.title');
    const filters = queryParams(request, [...TREND_FILTERS, 'chart']);
    const kind = filters.chart === 'line' ? 'line' : 'bar';
    const { chart: _chart, ...asked } = filters;
    const query = validOrErrors(TrendsQueryDto, { ...asked, groupBy: 'month' });
    let errors: FieldError[] = query.errors ?? [];
    let answer: TrendsResponseDto | null = null;
    if (query.value) {
      try {
        answer = await patterns.trends(actor, query.value);
      } catch (error) {
        errors = errorsOf(error);
      }
    }
    // Months with no row had no case: the axis shows every month of the period.
    const rows = answer
      ? monthsBetween(answer.from, answer.to).map(
          (month) =>
            answer.data.find((r) => r.month === month) ?? {
              month,
              count: 0,
              organizations: 0,
              suppressed: false,
            },
        )
      : [];
    const chart = answer
      ? svgChart(
          rows.map((r) => ({ label: r.month!, value: r.count, suppressed: r.suppressed })),
          {
            kind,
            id: 'trends-chart',
            title: page.t('ui.insights.trends.chartTitle', { from: answer.from, to: answer.to }),
            description: page.t('ui.insights.trends.chartDesc', { k: String(answer.k) }),
            suppressedLabel: page.t('ui.insights.suppressed'),
            emptyLabel: page.t('ui.insights.noData'),
            format: (v) => new Intl.NumberFormat(page.lang).format(v),
          },
        )
      : null;
    return render(
      reply,
      'trends',
      {
        ...page,
        // The period the answer covers fills empty month fields (the API's default period).
        filters: answer
          ? { ...filters, from: filters.from || answer.from, to: filters.to || answer.to }
          : filters,
        kind,
        errors: fieldErrors(page, errors, filters),
        ...(await filterChoices(page)),
        answer,
        rows,
        chart,
        csvQuery: new URLSearchParams({ ...asked, groupBy: 'month' }).toString(),
      },
      errors.length ? 400 : 200,
    );
  });

  web.get('/scorecard', async (request, reply) => {
    const { actor } = signedIn(request);
    const page = pageContext(request, 'ui.insights.scorecard.title');
    const filters = queryParams(request, ['from', 'to']);
    const query = validOrErrors(ScorecardQueryDto, filters);
    let errors: FieldError[] = query.errors ?? [];
    let answer: ScorecardResponseDto | null = null;
    if (query.value) {
      try {
        answer = await scorecards.scorecard(actor, query.value);
      } catch (error) {
        errors = errorsOf(error);
      }
    }
    const known = await platformList();
    const platformName = (code: string) => known.find((p) => p.code === code)?.name ?? code;
    const channelName = (platform: string, code: string) =>
      known.find((p) => p.code === platform)?.channels.find((c) => c.code === code)?.name ?? code;
    return render(
      reply,
      'scorecard',
      {
        ...page,
        filters,
        errors: fieldErrors(page, errors, filters),
        answer,
        platformName,
        channelName,
        percent: (v: number | null) => (v === null ? '' : percent(page.lang, v)),
        hours: (v: number | null) => (v === null ? '' : hours(page.lang, v)),
        csvQuery: new URLSearchParams(filters).toString(),
      },
      errors.length ? 400 : 200,
    );
  });

  web.get('/campaigns', async (request, reply) => {
    const { actor } = signedIn(request);
    const page = pageContext(request, 'ui.insights.campaigns.title');
    const cursor = queryParams(request, ['cursor']).cursor;
    const query = validOrErrors(ListQueryDto, { limit: PAGE_SIZE, cursor });
    if (!query.value) return errorPage(request, reply, 400);
    const found = await campaigns.list(actor, query.value);
    return render(reply, 'campaigns', {
      ...page,
      campaigns: found.data,
      nextQuery: found.nextCursor
        ? new URLSearchParams({ cursor: found.nextCursor }).toString()
        : null,
      first: !!cursor,
    });
  });

  web.get<{ Params: { id: string } }>('/campaigns/:id', async (request, reply) => {
    const { actor } = signedIn(request);
    if (!isUUID(request.params.id)) return errorPage(request, reply, 404);
    const campaign = await campaigns.get(actor, request.params.id);
    const page = pageContext(request, 'ui.insights.campaign.title');
    return render(reply, 'campaign', { ...page, campaign });
  });

  web.get('/emerging', async (request, reply) => {
    const { actor } = signedIn(request);
    const page = pageContext(request, 'ui.insights.emerging.title');
    const filters = queryParams(request, ['window']);
    const query = validOrErrors(EmergingQueryDto, filters);
    let answer: EmergingResponseDto | null = null;
    if (query.value) answer = await emergingPatterns.emerging(actor, query.value);
    return render(
      reply,
      'emerging',
      {
        ...page,
        filters,
        windows: EMERGING_WINDOWS,
        errors: fieldErrors(page, query.errors ?? [], filters),
        answer,
        ratio: (v: number | null) =>
          v === null
            ? ''
            : new Intl.NumberFormat(page.lang, { maximumFractionDigits: 1 }).format(v),
      },
      query.errors ? 400 : 200,
    );
  });

  /** The downloads page: the forms for the CSV files and the STIX bundles of recent cases. */
  async function downloadsPage(
    request: FastifyRequest,
    reply: FastifyReply,
    errors: FieldError[] = [],
    values: Record<string, string> = {},
  ) {
    const { actor } = signedIn(request);
    const page = pageContext(request, 'ui.reports.title');
    // TLP:RED cases are never exported (CaseExportService): no link to offer.
    const recent: CaseSummaryResponseDto[] = (
      await cases.list(actor, assertValid(CaseQueryDto, { limit: 20 }))
    ).data.filter((c) => c.tlp !== 'RED');
    return render(
      reply,
      'reports',
      {
        ...page,
        values,
        errors: fieldErrors(page, errors, values),
        ...(await filterChoices(page)),
        groups: CSV_GROUPS,
        cases: recent,
      },
      errors.length ? 400 : 200,
    );
  }

  web.get('/reports', (request, reply) => downloadsPage(request, reply));

  // GET /v1/reports/trends?format=csv, through the session: same builder, same audit.
  web.get('/reports/trends.csv', async (request, reply) => {
    const { actor } = signedIn(request);
    const values = queryParams(request, [...TREND_FILTERS, 'groupBy']);
    const lang = request.web.lang;
    const query = validOrErrors(TrendsExportQueryDto, { ...values, format: 'csv', lang });
    if (!query.value) return downloadsPage(request, reply, query.errors, values);
    try {
      return sendDownload(reply, await reports.trendsExport(actor, query.value, lang));
    } catch (error) {
      return downloadsPage(request, reply, errorsOf(error), values);
    }
  });

  // GET /v1/reports/platform-scorecard?format=csv, through the session.
  web.get('/reports/scorecard.csv', async (request, reply) => {
    const { actor } = signedIn(request);
    const values = queryParams(request, ['from', 'to']);
    const prefixed = Object.fromEntries(
      Object.entries(values).map(([k, v]) => [`scorecard${k[0].toUpperCase()}${k.slice(1)}`, v]),
    );
    const lang = request.web.lang;
    const query = validOrErrors(ScorecardQueryDto, { ...values, format: 'csv', lang });
    const rename = (errors: FieldError[]) =>
      errors.map((e) => ({
        ...e,
        field: `scorecard${e.field[0].toUpperCase()}${e.field.slice(1)}`,
      }));
    if (!query.value) return downloadsPage(request, reply, rename(query.errors), prefixed);
    try {
      return sendDownload(reply, await scorecards.file(actor, query.value, 'csv', lang));
    } catch (error) {
      return downloadsPage(request, reply, rename(errorsOf(error)), prefixed);
    }
  });

  // GET /v1/cases/:id/stix through the session: the same TLP rule (404) and audit entry.
  web.get<{ Params: { id: string } }>('/cases/:id/stix', async (request, reply) => {
    const { actor } = signedIn(request);
    const id = request.params.id;
    if (!isUUID(id)) return errorPage(request, reply, 404);
    const input = await caseExports.exportInput(actor, id);
    const body = Buffer.from(JSON.stringify(buildCaseBundle(input)));
    await cases.record(actor, 'case.exported', id, undefined, { format: 'stix' });
    return reply
      .code(200)
      .header('content-type', STIX_MEDIA_TYPE)
      .header('content-disposition', attachment(`${input.reference}.stix.json`))
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff')
      .send(body);
  });
}
