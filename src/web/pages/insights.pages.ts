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
  TREND_PERIODS,
  TrendRowDto,
  TrendsExportQueryDto,
  TrendsQueryDto,
  TrendsResponseDto,
} from '../../patterns/dto/trends.dto';
import { Dimension, DIMENSIONS } from '../../patterns/pattern-grains';
import { periodsBetween } from '../../patterns/pattern-period';
import { PlatformQueryDto, PlatformResponseDto } from '../../platforms/dto/platform.dto';
import { attachment, DIMENSION_DOMAIN } from '../../patterns/pattern-csv';
import { ChartGroup, svgGroupedChart } from '../charts/svg-chart';
import type { WebDeps } from '../web';
import { errorPage, fieldErrors, PageContext, pageContext, render, signedIn } from '../web-context';
import { countryOptions } from './directory.pages';
import { errorsOf, hours, percent, queryParams, sendDownload, validOrErrors } from './page-query';

const PAGE_SIZE = 25;
const TREND_FILTERS = ['from', 'to', 'platform', 'category', 'country'] as const;
/** What the trends page counts by: the period (month, quarter or year) and six more. */
const TREND_DIMENSIONS = [
  'month',
  'platform',
  'channelKind',
  'category',
  'country',
  'targetGroup',
  'outcome',
] as const satisfies readonly Dimension[];
type TrendDimension = (typeof TREND_DIMENSIONS)[number];
/** At most this many series in the chart (the colours stay distinct); the table shows all. */
const MAX_SERIES = 8;
const SVG_CONTENT_TYPE = 'image/svg+xml; charset=utf-8';
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

  /**
   * The trends question of the page (filters, one or two dimensions, the period's step) asked
   * of the service, and the answer laid out for the table and the chart; the page and the SVG
   * download share it.
   */
  async function trendsView(request: FastifyRequest, note = false) {
    const { actor } = signedIn(request);
    const page = pageContext(request, 'ui.insights.trends.title');
    const filters = queryParams(request, [...TREND_FILTERS, 'chart', 'period', 'by', 'then']);
    const kind: 'bar' | 'line' = filters.chart === 'line' ? 'line' : 'bar';
    const by = pick(TREND_DIMENSIONS, filters.by) ?? 'month';
    const then = pick(TREND_DIMENSIONS, filters.then);
    const groupBy = then && then !== by ? [by, then] : [by];
    const asked = pickKeys(filters, TREND_FILTERS);
    const question = { ...asked, groupBy: groupBy.join(','), period: filters.period ?? 'month' };
    const query = validOrErrors(TrendsQueryDto, question);
    let errors: FieldError[] = query.errors ?? [];
    let answer: TrendsResponseDto | null = null;
    if (query.value) {
      try {
        answer = await patterns.trends(actor, query.value);
      } catch (error) {
        errors = errorsOf(error);
      }
    }
    const names = new Map((await platformList()).map((p) => [p.code, p.name]));
    const valueLabel = (d: TrendDimension, v: string | null | undefined): string => {
      if (v === null || v === undefined || v === '') return '–';
      // Platforms by name; the others as the CSV labels them.
      if (d === 'platform') return names.get(v) ?? v;
      const domain = DIMENSION_DOMAIN[d];
      return domain ? page.label(domain, v) : v;
    };
    const layout = answer ? trendLayout(answer, groupBy, valueLabel) : null;
    const dimensionName = (d: Dimension) =>
      page.label('column', d === 'month' ? (answer?.period ?? 'month') : d);
    const title = answer
      ? page.t(then ? 'ui.insights.trends.chartTitleTwo' : 'ui.insights.trends.chartTitleOne', {
          by: dimensionName(by),
          then: then ? dimensionName(then) : '',
          from: answer.from,
          to: answer.to,
        })
      : '';
    const chart =
      answer && layout
        ? svgGroupedChart(layout.groups, {
            kind,
            id: 'trends-chart',
            title,
            description: page.t('ui.insights.trends.chartDescAny', { k: String(answer.k) }),
            suppressedLabel: page.t('ui.insights.suppressed'),
            emptyLabel: page.t('ui.insights.noData'),
            format: (v) => new Intl.NumberFormat(page.lang).format(v),
            series: layout.series.length ? layout.series : undefined,
            note: note ? page.t('ui.insights.suppressionNote', { k: String(answer.k) }) : undefined,
          })
        : null;
    return {
      page,
      filters,
      asked,
      kind,
      by,
      then,
      question,
      errors,
      answer,
      layout,
      title,
      chart,
      dimensionName,
    };
  }

  web.get('/trends', async (request, reply) => {
    const v = await trendsView(request);
    const { page, filters, answer, errors } = v;
    return render(
      reply,
      'trends',
      {
        ...page,
        // The period the answer covers fills empty month fields (the API's default period).
        filters: answer
          ? { ...filters, from: filters.from || answer.from, to: filters.to || answer.to }
          : filters,
        kind: v.kind,
        by: v.by,
        then: v.then ?? '',
        period: answer?.period ?? filters.period ?? 'month',
        dimensions: TREND_DIMENSIONS,
        periods: TREND_PERIODS,
        dimensionName: v.dimensionName,
        errors: fieldErrors(page, errors, filters),
        ...(await filterChoices(page)),
        answer,
        layout: v.layout,
        chartTitle: v.title,
        chart: v.chart,
        csvQuery: new URLSearchParams(v.question).toString(),
        svgQuery: new URLSearchParams(filters).toString(),
      },
      errors.length ? 400 : 200,
    );
  });

  // The trends chart as a file of its own, with the protection note printed under it.
  web.get('/trends.svg', async (request, reply) => {
    const v = await trendsView(request, true);
    if (!v.chart || !v.answer) return errorPage(request, reply, 400);
    return sendDownload(reply, {
      content: Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${v.chart}`, 'utf8'),
      contentType: SVG_CONTENT_TYPE,
      filename: `trends-${v.answer.from}-${v.answer.to}.svg`,
    });
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
    const values = queryParams(request, [...TREND_FILTERS, 'groupBy', 'period']);
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

/** `value` when it is one of `allowed`. */
function pick<T extends string>(allowed: readonly T[], value: string | undefined): T | undefined {
  return (allowed as readonly string[]).includes(value ?? '') ? (value as T) : undefined;
}

function pickKeys(values: Record<string, string>, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([k]) => keys.includes(k)));
}

type CellFigures = Pick<TrendRowDto, 'count' | 'organizations' | 'suppressed'>;
const NO_CASE: CellFigures = { count: 0, organizations: 0, suppressed: false };

/**
 * The answer as the page shows it: the rows of the table (every step of the period when the
 * first dimension is time, a step without a row had no case), and the chart's groups (values of
 * the first dimension) and series (values of the second, at most MAX_SERIES).
 */
function trendLayout(
  answer: TrendsResponseDto,
  groupBy: TrendDimension[],
  label: (d: TrendDimension, v: string | null | undefined) => string,
) {
  const [by, then] = groupBy;
  const valueOf = (r: TrendRowDto, d: Dimension) => (r[d as keyof TrendRowDto] as string) ?? '';
  const distinct = (d: Dimension) => [...new Set(answer.data.map((r) => valueOf(r, d)))];
  const firsts =
    by === 'month' ? periodsBetween(answer.from, answer.to, answer.period) : distinct(by);
  const seconds = then ? distinct(then) : [];
  const cells = new Map(
    answer.data.map((r) => [`${valueOf(r, by)}\u0000${then ? valueOf(r, then) : ''}`, r]),
  );
  const cell = (a: string, b: string): CellFigures => cells.get(`${a}\u0000${b}`) ?? NO_CASE;
  const rows = then
    ? answer.data.map((r) => ({
        labels: [label(by, valueOf(r, by)), label(then, valueOf(r, then))],
        ...r,
      }))
    : firsts.map((a) => ({ labels: [label(by, a)], ...cell(a, '') }));
  const series = seconds.slice(0, MAX_SERIES);
  const groups: ChartGroup[] = firsts.map((a) => ({
    label: label(by, a),
    points: (then ? series : ['']).map((b) => {
      const c = cell(a, b);
      return { label: label(by, a), value: c.count, suppressed: c.suppressed };
    }),
  }));
  return {
    rows,
    groups,
    series: then ? series.map((b) => label(then, b)) : [],
    seriesCut: seconds.length > MAX_SERIES ? { shown: MAX_SERIES, of: seconds.length } : null,
  };
}
