import type { FastifyInstance } from 'fastify';
import { Actor } from '../../common/auth/actor';
import { FieldError } from '../../common/errors/domain-error';
import { assertValid } from '../../common/validation/validation.pipe';
import { ScorecardResponseDto } from '../../patterns/dto/scorecard.dto';
import { TrendsQueryDto, TrendsResponseDto } from '../../patterns/dto/trends.dto';
import { PlatformQueryDto } from '../../platforms/dto/platform.dto';
import {
  actionLabel,
  annualReportCsv,
  annualReportFilename,
} from '../../reports/annual/annual-report.csv';
import {
  AnnualReportQueryDto,
  AnnualReportResponseDto,
  ReportFiguresDto,
} from '../../reports/annual/dto/annual-report.dto';
import { CSV_CONTENT_TYPE } from '../../common/csv/csv-writer';
import { svgChart } from '../charts/svg-chart';
import type { WebDeps } from '../web';
import { fieldErrors, PageContext, pageContext, render, signedIn } from '../web-context';
import { errorsOf, hours, percent, queryParams, sendDownload, validOrErrors } from './page-query';

/** Years offered in the form: this one and the nine before. */
const YEARS_OFFERED = 10;

/** A table of the page: a caption, column headers, rows led by a row header. */
export interface FigureTable {
  id: string;
  caption: string;
  headers: string[];
  rows: { head: string; cells: string[] }[];
}

/** The figures each own-organisation table shows, in this order. */
const TABLE_FIGURES = [
  'escalations',
  'responded',
  'resolved',
  'actionedShare',
  'noResponseShare',
  'overdueShare',
  'medianFirstResponseHours',
  'p90FirstResponseHours',
] as const satisfies readonly (keyof ReportFiguresDto)[];

/** The community's shares per platform and channel, from the protected scorecard. */
const COMMUNITY_SHARES = [
  'acknowledgedShare',
  'actionedShare',
  'reasonGivenShare',
  'contextUnderstoodShare',
  'harmRecognisedAsGenderedShare',
] as const;

/** The community's protected figures of a year: by platform, by category, and the scorecard. */
interface CommunitySummary {
  byPlatform: TrendsResponseDto;
  byCategory: TrendsResponseDto;
  scorecard: ScorecardResponseDto;
}

/**
 * The annual report on the web: the organisation's own figures (AnnualReportService, the same
 * answer and audit as GET /v1/reports/annual) as a printable page with charts and as CSV, and a
 * community summary of the same year built only from the shared repository's protected answers
 * (trends and scorecard services: perturbed, suppressed; nothing is recomputed here).
 */
export function registerAnnualReportPages(web: FastifyInstance, { services }: WebDeps): void {
  const { annualReports, patterns, scorecards, platforms, clock } = services;

  const community = async (actor: Actor, year: number): Promise<CommunitySummary> => {
    const period = { from: `${year}-01`, to: `${year}-12` };
    const trends = (groupBy: string) =>
      patterns.trends(actor, assertValid(TrendsQueryDto, { ...period, groupBy }));
    const [byPlatform, byCategory, scorecard] = await Promise.all([
      trends('platform'),
      trends('category'),
      scorecards.scorecard(actor, period),
    ]);
    return { byPlatform, byCategory, scorecard };
  };

  web.get('/reports/annual', async (request, reply) => {
    const { actor } = signedIn(request);
    const page = pageContext(request, 'ui.annual.title');
    const thisYear = clock.now().getUTCFullYear();
    const values = { year: queryParams(request, ['year']).year ?? String(thisYear - 1) };
    const query = validOrErrors(AnnualReportQueryDto, values);
    let errors: FieldError[] = query.errors ?? [];
    let report: AnnualReportResponseDto | null = null;
    let summary: CommunitySummary | null = null;
    if (query.value) {
      try {
        report = (await annualReports.report(actor, query.value)).body;
        summary = await community(actor, query.value.year);
      } catch (error) {
        errors = errorsOf(error);
      }
    }
    const names = new Map(
      (await platforms.list(assertValid(PlatformQueryDto, { limit: 200 }))).data.map((p) => [
        p.code,
        p.name,
      ]),
    );
    return render(
      reply,
      'annual-report',
      {
        ...page,
        values,
        years: Array.from({ length: YEARS_OFFERED }, (_, i) => String(thisYear - i)),
        errors: fieldErrors(page, errors, values),
        report,
        ...(report && ownFigures(page, report)),
        ...(summary && communityFigures(page, summary, (code) => names.get(code) ?? code)),
        csvQuery: new URLSearchParams(values).toString(),
      },
      errors.length ? 400 : 200,
    );
  });

  // GET /v1/reports/annual?format=csv through the session: the same answer, CSV and audit.
  web.get('/reports/annual.csv', async (request, reply) => {
    const { actor } = signedIn(request);
    const lang = request.web.lang;
    const values = queryParams(request, ['year']);
    const query = validOrErrors(AnnualReportQueryDto, { ...values, format: 'csv', lang });
    if (!query.value) return reply.redirect(`/web/reports/annual?${new URLSearchParams(values)}`);
    const { body } = await annualReports.report(actor, query.value);
    return sendDownload(reply, {
      content: Buffer.from(annualReportCsv(body, lang), 'utf8'),
      contentType: CSV_CONTENT_TYPE,
      filename: annualReportFilename(body.organization.slug, body.year, 'csv'),
    });
  });
}

/** A figure as the page shows it: shares as percentages, hours with one decimal, '' for none. */
function shown(page: PageContext, figure: keyof ReportFiguresDto, value: number | null): string {
  if (value === null) return '';
  if (figure.endsWith('Share')) return percent(page.lang, value);
  if (figure.endsWith('Hours')) return hours(page.lang, value);
  return new Intl.NumberFormat(page.lang).format(value);
}

/** The organisation's own figures as tables and charts (exact: its own cases). */
function ownFigures(page: PageContext, r: AnnualReportResponseDto) {
  const column = (code: string) => page.label('column', code);
  const count = (n: number) => new Intl.NumberFormat(page.lang).format(n);
  const table = (
    id: string,
    caption: string,
    first: string,
    rows: { head: string; figures: ReportFiguresDto }[],
  ): FigureTable => ({
    id,
    caption,
    headers: [first, ...TABLE_FIGURES.map(column)],
    rows: rows.map((row) => ({
      head: row.head,
      cells: TABLE_FIGURES.map((f) => shown(page, f, row.figures[f])),
    })),
  });
  const year = String(r.year);
  const chart = (id: string, title: string, desc: string, points: [string, number][]) =>
    svgChart(
      points.map(([label, value]) => ({ label, value })),
      {
        kind: 'bar',
        id,
        title,
        description: desc,
        suppressedLabel: page.t('ui.insights.suppressed'),
        emptyLabel: page.t('ui.insights.noData'),
        format: (v) => new Intl.NumberFormat(page.lang).format(v),
      },
    );
  return {
    totals: TABLE_FIGURES.map((f) => ({ label: column(f), value: shown(page, f, r.totals[f]) })),
    monthChart: chart(
      'annual-months',
      page.t('ui.annual.byMonthChart', { year }),
      page.t('ui.annual.byMonthDesc'),
      r.byMonth.map((m) => [m.month, m.escalations]),
    ),
    platformChart: chart(
      'annual-platforms',
      page.t('ui.annual.byPlatformChart', { year }),
      page.t('ui.annual.byPlatformDesc'),
      r.byPlatform.map((p) => [p.platformName, p.escalations]),
    ),
    ownTables: [
      table(
        'annual-by-platform',
        page.t('ui.annual.byPlatformTitle'),
        column('platform'),
        r.byPlatform.map((p) => ({ head: p.platformName, figures: p })),
      ),
      table(
        'annual-by-content',
        page.t('ui.annual.byContentTitle'),
        column('category'),
        r.byContentType.map((c) => ({
          head: c.dsaCategory
            ? `${page.label('category', c.category)} (${page.label('dsaCategory', c.dsaCategory)})`
            : page.label('category', c.category),
          figures: c,
        })),
      ),
      table(
        'annual-by-action',
        page.t('ui.annual.byActionTitle'),
        column('outcome'),
        r.byAction.map((a) => ({ head: actionLabel(page.lang, a.outcome), figures: a })),
      ),
      table(
        'annual-by-month',
        page.t('ui.annual.byMonthTitle'),
        column('month'),
        r.byMonth.map((m) => ({ head: m.month, figures: m })),
      ),
    ],
    qualityTable: {
      id: 'annual-quality',
      caption: page.t('ui.annual.qualityTitle'),
      headers: [
        page.t('ui.annual.question'),
        page.t('ui.insights.yes'),
        page.t('ui.insights.no'),
        page.t('ui.annual.unknown'),
        page.t('ui.annual.yesShare'),
      ],
      rows: r.responseQuality.map((q) => ({
        head: column(q.question),
        cells: [
          count(q.yes),
          count(q.no),
          count(q.unknown),
          q.yesShare === null ? '' : percent(page.lang, q.yesShare),
        ],
      })),
    } satisfies FigureTable,
    statements: (
      [
        ['decisions', r.statementsOfReasons.decisions],
        ['sorReceived', r.statementsOfReasons.received],
        ['sorNotReceived', r.statementsOfReasons.notReceived],
        ['sorNotRecorded', r.statementsOfReasons.notRecorded],
      ] as const
    )
      .map(([code, n]) => ({ label: column(code), value: count(n) }))
      .concat({
        label: column('sorReceivedShare'),
        value:
          r.statementsOfReasons.receivedShare === null
            ? ''
            : percent(page.lang, r.statementsOfReasons.receivedShare),
      }),
  };
}

/** The community's protected answers as tables and a chart; a hidden cell says so. */
function communityFigures(
  page: PageContext,
  s: CommunitySummary,
  platformName: (code: string) => string,
) {
  const column = (code: string) => page.label('column', code);
  const hidden = page.t('ui.insights.suppressed');
  const cell = (c: { count: number | null; suppressed: boolean }) =>
    c.suppressed || c.count === null ? hidden : new Intl.NumberFormat(page.lang).format(c.count);
  const trendTable = (
    id: string,
    caption: string,
    dimension: 'platform' | 'category',
    answer: TrendsResponseDto,
    name: (code: string) => string,
  ): FigureTable => ({
    id,
    caption,
    headers: [column(dimension), column('cases'), column('organizations')],
    rows: answer.data.map((row) => ({
      head: name(row[dimension] as string),
      cells: [cell(row), row.suppressed ? '' : String(row.organizations)],
    })),
  });
  const year = s.byCategory.from.slice(0, 4);
  return {
    k: String(s.byCategory.k),
    communityTotal: cell(s.byCategory.total),
    communityTables: [
      trendTable(
        'community-by-platform',
        page.t('ui.annual.communityByPlatform'),
        'platform',
        s.byPlatform,
        platformName,
      ),
      trendTable(
        'community-by-category',
        page.t('ui.annual.communityByCategory'),
        'category',
        s.byCategory,
        (code) => page.label('category', code),
      ),
      {
        id: 'community-quality',
        caption: page.t('ui.annual.communityQuality'),
        headers: [column('platform'), column('cases'), ...COMMUNITY_SHARES.map(column)],
        rows: s.scorecard.data.map((row) => ({
          head: `${platformName(row.platform)} (${page.label('channelKind', row.channelKind)})`,
          cells: row.suppressed
            ? [hidden, ...COMMUNITY_SHARES.map(() => '')]
            : [
                String(row.cases),
                ...COMMUNITY_SHARES.map((f) => (row[f] === null ? '' : percent(page.lang, row[f]))),
              ],
        })),
      } satisfies FigureTable,
    ],
    communityChart: svgChart(
      s.byCategory.data.map((row) => ({
        label: page.label('category', row.category as string),
        value: row.count,
        suppressed: row.suppressed,
      })),
      {
        kind: 'bar',
        id: 'community-categories',
        title: page.t('ui.annual.communityChart', { year }),
        description: page.t('ui.annual.communityChartDesc'),
        suppressedLabel: hidden,
        emptyLabel: page.t('ui.insights.noData'),
        format: (v) => new Intl.NumberFormat(page.lang).format(v),
      },
    ),
  };
}
