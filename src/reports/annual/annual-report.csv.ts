import { CsvCell, toCsv } from '../../common/csv/csv-writer';
import { label, Lang } from '../../i18n/labels';
import { AnnualReportResponseDto, ReportAction, ReportFiguresDto } from './dto/annual-report.dto';

/** The figures of every row, in the order of the JSON answer. */
export const REPORT_FIGURES = [
  'escalations',
  'responded',
  'resolved',
  'actionedShare',
  'noResponseShare',
  'overdueShare',
  'medianFirstResponseHours',
  'p90FirstResponseHours',
  'medianResolutionHours',
  'p90ResolutionHours',
] as const satisfies readonly (keyof ReportFiguresDto)[];

/** The dimension columns, each filled only on the rows of its section. */
const DIMENSIONS = ['platform', 'category', 'dsaCategory', 'outcome', 'month'] as const;
type Dimensions = Partial<Record<(typeof DIMENSIONS)[number], CsvCell>>;

/** The answers counted per quality question, and the label of each. */
const QUALITY_ANSWER_COLUMNS = [
  { field: 'yes', column: 'answerYes' },
  { field: 'no', column: 'answerNo' },
  { field: 'unknown', column: 'answerUnknown' },
] as const;

/** The statements-of-reasons figures and their labels. */
const SOR_COLUMNS = [
  ['decisions', 'decisions'],
  ['received', 'sorReceived'],
  ['notReceived', 'sorNotReceived'],
  ['notRecorded', 'sorNotRecorded'],
  ['receivedShare', 'sorReceivedShare'],
] as const;

/** How an action row is named: an outcome, `open` or `closed` (closed with no outcome). */
export function actionLabel(lang: Lang, action: ReportAction): string {
  if (action === 'open') return label(lang, 'column', 'open');
  if (action === 'closed') return label(lang, 'status', 'closed');
  return label(lang, 'outcome', action);
}

/**
 * The report as one long table, a row per figure: section, the dimension columns (empty where
 * they do not apply), the figure's name and its value; then the response-quality answers (a
 * row per question and answer, and the share of yes) and the statements of reasons. Long rather than wide so that a
 * spreadsheet filter on `section` and the figure gives any table of the report, and every
 * header and name is in `lang`. Numbers stay numbers; a figure without a value is empty.
 */
export function annualReportCsv(report: AnnualReportResponseDto, lang: Lang): string {
  const column = (code: string) => label(lang, 'column', code);
  const header = [column('section'), ...DIMENSIONS.map(column), column('key'), column('value')];
  const rows: CsvCell[][] = [];
  const add = (section: string, dims: Dimensions, figures: ReportFiguresDto) => {
    for (const figure of REPORT_FIGURES) {
      rows.push([
        column(section),
        ...DIMENSIONS.map((d) => dims[d] ?? null),
        column(figure),
        figures[figure],
      ]);
    }
  };
  add('total', {}, report.totals);
  for (const r of report.byPlatform) add('platform', { platform: r.platformName }, r);
  for (const r of report.byContentType) {
    add(
      'category',
      {
        category: label(lang, 'category', r.category),
        dsaCategory: r.dsaCategory && label(lang, 'dsaCategory', r.dsaCategory),
      },
      r,
    );
  }
  for (const r of report.byAction) add('outcome', { outcome: actionLabel(lang, r.outcome) }, r);
  for (const r of report.byMonth) add('month', { month: r.month }, r);
  // Response quality and statements of reasons: a row per figure, named in the key column.
  const blank = DIMENSIONS.map(() => null);
  const other = (section: string, key: string, value: CsvCell) =>
    rows.push([column(section), ...blank, key, value]);
  for (const q of report.responseQuality) {
    for (const answer of QUALITY_ANSWER_COLUMNS) {
      other('responseQuality', `${column(q.question)}: ${column(answer.column)}`, q[answer.field]);
    }
    other('responseQuality', column(`${q.question}Share`), q.yesShare);
  }
  const sor = report.statementsOfReasons;
  for (const [figure, code] of SOR_COLUMNS) other('statementsOfReasons', column(code), sor[figure]);
  return toCsv(header, rows);
}

/** `annual-report-<slug>-2026.csv`: ASCII only, safe in a Content-Disposition header. */
export function annualReportFilename(slug: string, year: number, format: 'csv' | 'json'): string {
  return `annual-report-${slug.replace(/[^0-9a-z-]/g, '')}-${year}.${format}`;
}
