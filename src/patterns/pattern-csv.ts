import { CSV_CONTENT_TYPE, CsvCell, toCsv } from '../common/csv/csv-writer';
import { CSV_NOTES, label, LabelDomain, Lang } from '../i18n/labels';
import { ScorecardResponseDto, ScorecardRowDto } from './dto/scorecard.dto';
import { TrendRowDto, TrendsResponseDto } from './dto/trends.dto';
import { Dimension } from './pattern-grains';

/**
 * The trend and scorecard answers as spreadsheets: headers and codes as labels in `lang`,
 * suppressed cells EMPTY with `suppressed` true (never "<5"), numbers as numbers, and a last
 * row that tells the reader, in `lang`, what the protection did to the figures (perturbed
 * counts, totals that need not add up, why a cell is hidden). The answers come already
 * protected; nothing here adds a figure they do not hold.
 */

/** How each dimension's values are shown (month and platform codes as they are). */
export const DIMENSION_DOMAIN: Record<Dimension, LabelDomain | null> = {
  month: null,
  platform: null,
  channelKind: 'channelKind',
  category: 'category',
  // Subcategory codes are taxonomy codes too (unique across both levels).
  subcategory: 'category',
  dsaCategory: 'dsaCategory',
  country: 'country',
  targetGroup: 'targetGroup',
  outcome: 'outcome',
};

const column = (lang: Lang, code: string) => label(lang, 'column', code);

/**
 * The last row: the note in the first cell (its `{k}` and `{column}` filled in), the other
 * cells empty, as wide as the header.
 */
function noteRow(
  lang: Lang,
  note: (typeof CSV_NOTES)[number],
  k: number,
  width: number,
): CsvCell[] {
  const params: Record<string, string> = { k: String(k), column: column(lang, 'suppressed') };
  const text = label(lang, 'note', note).replace(
    /\{(\w+)\}/g,
    (whole, name: string) => params[name] ?? whole,
  );
  return [text, ...Array<CsvCell>(width - 1).fill(null)];
}

function dimensionValue(lang: Lang, d: Dimension, value: string | null | undefined): CsvCell {
  if (value === null || value === undefined || value === '') return null;
  const domain = DIMENSION_DOMAIN[d];
  return domain ? label(lang, domain, value) : value;
}

/**
 * Trends: the `groupBy` dimensions, then count, organisations and suppressed; a row for the
 * total (labelled in the first dimension column; without dimensions, the total alone), then
 * the note.
 */
export function trendsCsv(answer: TrendsResponseDto, lang: Lang): string {
  const dims = answer.groupBy;
  // The month column is named after the period's step: month, quarter or year.
  const header = [
    ...dims.map((d) => column(lang, d === 'month' ? (answer.period ?? 'month') : d)),
    column(lang, 'count'),
    column(lang, 'organizations'),
    column(lang, 'suppressed'),
  ];
  const figures = (c: {
    count: number | null;
    organizations: number | null;
    suppressed: boolean;
  }) => (c.suppressed ? [null, null, true] : [c.count, c.organizations, false]);
  const rows: CsvCell[][] = [];
  if (dims.length > 0) {
    for (const row of answer.data) {
      rows.push([
        ...dims.map((d) => dimensionValue(lang, d, row[d as keyof TrendRowDto] as string | null)),
        ...figures(row),
      ]);
    }
  }
  const totalLabel =
    dims.length > 0 ? [column(lang, 'total'), ...dims.slice(1).map(() => null)] : [];
  rows.push([...totalLabel, ...figures(answer.total)]);
  rows.push(noteRow(lang, 'trends', answer.k, header.length));
  return toCsv(header, rows);
}

/** The scorecard's figures per platform and channel, in the order of the JSON answer. */
export const SCORECARD_FIGURES = [
  'cases',
  'organizations',
  'suppressed',
  'acknowledgedShare',
  'medianFirstResponseHours',
  'p90FirstResponseHours',
  'medianResolutionHours',
  'p90ResolutionHours',
  'actionedShare',
  'noResponseShare',
  'overdueShare',
  'pausedHours',
  'reasonGivenShare',
  'contextUnderstoodShare',
  'harmRecognisedAsGenderedShare',
  'retraumatisingProofRequestedShare',
] as const satisfies readonly (keyof ScorecardRowDto)[];

/**
 * Scorecard: one row per platform and channel (a suppressed row keeps only its names and
 * `suppressed` true), then one row per platform with its contact departures alone (they are
 * counted per platform, so repeating them on every channel would add them up twice), then the
 * note. Each row carries the platform's code and, beside it, its name (`names`; the code when
 * a platform has none there), so a reader need not know the codes.
 */
export function scorecardCsv(
  answer: ScorecardResponseDto,
  lang: Lang,
  names: ReadonlyMap<string, string> = new Map(),
): string {
  const name = (platform: string) => names.get(platform) ?? platform;
  const header = [
    column(lang, 'platform'),
    column(lang, 'platformName'),
    column(lang, 'channel'),
    column(lang, 'channelKind'),
    ...SCORECARD_FIGURES.map((f) => column(lang, f)),
    column(lang, 'contactDepartures'),
  ];
  const rows: CsvCell[][] = answer.data.map((r) => [
    r.platform,
    name(r.platform),
    r.channel,
    label(lang, 'channelKind', r.channelKind),
    ...SCORECARD_FIGURES.map((f) =>
      f === 'suppressed' ? r.suppressed : r.suppressed ? null : r[f],
    ),
    null,
  ]);
  for (const p of answer.platforms) {
    rows.push([
      p.platform,
      name(p.platform),
      null,
      null,
      ...SCORECARD_FIGURES.map(() => null),
      p.contactDepartures,
    ]);
  }
  rows.push(noteRow(lang, 'scorecard', answer.k, header.length));
  return toCsv(header, rows);
}

/** `trends-2026-01-2026-06.csv`: ASCII only, safe in a Content-Disposition header. */
export function reportFilename(
  kind: 'trends' | 'platform-scorecard',
  period: { from: string; to: string },
  format: 'csv' | 'json',
): string {
  const safe = (s: string) => s.replace(/[^0-9A-Za-z-]/g, '');
  return `${kind}-${safe(period.from)}-${safe(period.to)}.${format}`;
}

/** `attachment; filename="..."` for a name from `reportFilename`. */
export const attachment = (filename: string) =>
  `attachment; filename="${filename.replace(/[^0-9A-Za-z._-]/g, '_')}"`;

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** A report as a file: what `GET /v1/reports/trends` sends and a report job stores. */
export interface ReportFile {
  content: Buffer;
  contentType: string;
  filename: string;
}

export const trendsFile = (answer: TrendsResponseDto, format: 'csv' | 'json', lang: Lang) =>
  reportFile('trends', answer, format, () => trendsCsv(answer, lang));

export const scorecardFile = (
  answer: ScorecardResponseDto,
  format: 'csv' | 'json',
  lang: Lang,
  names?: ReadonlyMap<string, string>,
) => reportFile('platform-scorecard', answer, format, () => scorecardCsv(answer, lang, names));

/** The answer as the file of its format: CSV (built only when asked) or the JSON itself. */
function reportFile(
  kind: 'trends' | 'platform-scorecard',
  answer: { from: string; to: string },
  format: 'csv' | 'json',
  csv: () => string,
): ReportFile {
  return {
    content: Buffer.from(format === 'csv' ? csv() : JSON.stringify(answer), 'utf8'),
    contentType: format === 'csv' ? CSV_CONTENT_TYPE : JSON_CONTENT_TYPE,
    filename: reportFilename(kind, answer, format),
  };
}
