import { parse } from 'csv-parse/sync';
import { FieldError } from '../common/errors/domain-error';
import { isTimestamp } from '../common/validation/decorators';
import { CASE_OUTCOMES } from './case-status.machine';

/**
 * The CSV side of `POST /v1/cases/import`: reading the file and turning each row into the plain
 * body of a `CreateCaseDto` plus the past platform answers. Pure (no Nest, no database), so the
 * rules are unit-tested on their own. Messages name columns and lines, never cell contents.
 */

/** Rows one request may import. */
export const IMPORT_MAX_ROWS = 10_000;

/** Separator of the values of a list column (`target_groups`, `item_urls`, ...). */
export const LIST_SEPARATOR = ';';

/** One problem of the file: its physical line (the header is line 1), the column if any, why. */
export interface ImportError {
  line: number;
  column: string | null;
  message: string;
}

interface ColumnSpec {
  /** The `CreateCaseDto` field it fills; none for the past answers, which become events. */
  field?: string;
  required?: boolean;
  description: string;
}

/** Every accepted column, in the order the README and OpenAPI document them. */
export const IMPORT_COLUMNS = {
  platform: { field: 'platformCode', required: true, description: 'platform code, e.g. facebook' },
  channel: {
    field: 'channelCode',
    required: true,
    description: 'channel code of that platform, e.g. trusted_partner',
  },
  title: { field: 'title', required: true, description: 'up to 300 characters' },
  summary: { field: 'summary', required: true, description: 'up to 20,000 characters' },
  category: { field: 'categoryCode', required: true, description: 'taxonomy category code' },
  subcategory: { field: 'subcategoryCode', description: 'a subcategory of that category' },
  target_groups: { field: 'targetGroups', description: '`;`-separated target group codes' },
  country: { field: 'country', required: true, description: 'ISO 3166-1 alpha-2, e.g. BO' },
  content_language: { field: 'contentLanguage', description: 'BCP 47 tag, e.g. es' },
  urgency: { field: 'urgency', description: 'low, normal (default), high or critical' },
  tlp: {
    field: 'tlp',
    description: 'AMBER+STRICT (default), AMBER, GREEN or CLEAR; RED is refused',
  },
  share_with_organization_ids: {
    field: 'shareWithOrganizationIds',
    description: '`;`-separated organisation ids (TLP AMBER only, and then at least one)',
  },
  consent_to_share_pattern: {
    field: 'consentToSharePattern',
    description: 'true/false, yes/no or 1/0 (default false)',
  },
  platform_reference: { field: 'platformReference', description: "the platform's ticket number" },
  escalated_at: {
    field: 'escalatedAt',
    description: 'ISO 8601 date and time with a zone; empty: the case is a draft',
  },
  first_response_at: {
    description: 'first platform answer (an acknowledgement unless it equals resolved_at)',
  },
  resolved_at: { description: 'when the platform answered with its decision (needs outcome)' },
  outcome: { description: 'the decision, e.g. content_removed; with closed_at alone: why closed' },
  closed_at: { description: 'when the case was closed' },
  item_urls: { field: 'items', description: '`;`-separated http(s) URLs (stored as kind other)' },
  indicators: {
    field: 'indicators',
    description: '`;`-separated kind:value pairs, e.g. account_handle:@x;hashtag:#y',
  },
} as const satisfies Record<string, ColumnSpec>;

export type ImportColumn = keyof typeof IMPORT_COLUMNS;

const COLUMN_NAMES = Object.keys(IMPORT_COLUMNS) as ImportColumn[];
const REQUIRED_COLUMNS = COLUMN_NAMES.filter(
  (c) => (IMPORT_COLUMNS[c] as ColumnSpec).required === true,
);
const COLUMN_OF_FIELD = new Map<string, ImportColumn>(
  COLUMN_NAMES.flatMap((c) => {
    const field = (IMPORT_COLUMNS[c] as ColumnSpec).field;
    return field ? [[field, c] as const] : [];
  }),
);

/** Errors in the order of the file: by line, then by the documented order of the columns. */
export function byLineAndColumn(a: ImportError, b: ImportError): number {
  const position = (e: ImportError) =>
    e.column === null ? -1 : COLUMN_NAMES.indexOf(e.column as ImportColumn);
  return a.line - b.line || position(a) - position(b);
}

/** A data row as read: its first physical line and its non-empty, trimmed cells. */
export interface CsvRow {
  line: number;
  cells: Partial<Record<ImportColumn, string>>;
}

export interface ParsedCsv {
  rows: CsvRow[];
  errors: ImportError[];
}

const LF = 0x0a;
const CR = 0x0d;

/** Physical line numbers from byte offsets (a quoted newline moves the line on, too). */
class LineCounter {
  private offset = 0;
  private line = 1;

  constructor(private readonly input: Buffer) {}

  /** The line where the next record starts: blank lines before it are skipped. */
  nextStart(): number {
    while (
      this.offset < this.input.length &&
      (this.input[this.offset] === LF || this.input[this.offset] === CR)
    ) {
      if (this.input[this.offset] === LF) this.line += 1;
      this.offset += 1;
    }
    return this.line;
  }

  /** Moves past a record that ends (delimiter included) at byte `end`. */
  moveTo(end: number): void {
    for (; this.offset < end; this.offset += 1) {
      if (this.input[this.offset] === LF) this.line += 1;
    }
  }
}

/** Stops the parser once the file has more rows than one request may import. */
class TooManyRows extends Error {
  constructor(readonly line: number) {
    super('too many rows');
  }
}

const CSV_PROBLEMS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field starting in this row is never closed (a " is missing)',
  CSV_INVALID_CLOSING_QUOTE:
    'a quoted field must end at its closing quote; to put a " inside a field, double it ("")',
  INVALID_OPENING_QUOTE:
    'a " inside a field that does not start with one: quote the whole field and double the " inside it',
};

/**
 * Reads the file: UTF-8 (a BOM is tolerated), a header row, then at most `maxRows` data rows;
 * LF or CRLF line ends; fields quoted with `"` may span lines. Comma-separated, or
 * semicolon-separated when the header row has semicolons and no comma (as spreadsheets in many
 * locales export). Rows whose cells are all empty are skipped. Header names are matched
 * without regard to case or surrounding spaces.
 */
export function parseImportCsv(input: Buffer, maxRows = IMPORT_MAX_ROWS): ParsedCsv {
  const fail = (line: number, message: string, column: string | null = null): ParsedCsv => ({
    rows: [],
    errors: [{ line, column, message }],
  });
  const badLine = firstNonUtf8Line(input);
  if (badLine !== null) {
    return fail(badLine, 'this line is not valid UTF-8: save the file as "CSV UTF-8"');
  }

  const lines = new LineCounter(input);
  const records: { line: number; fields: string[] }[] = [];
  let dataRows = 0;
  let lastEnd = 0;
  try {
    parse(input, {
      bom: true,
      delimiter: delimiterOf(input),
      skip_empty_lines: true,
      relax_column_count: true,
      on_record: (fields: string[], context: { bytes: number }) => {
        const line = lines.nextStart();
        lines.moveTo(context.bytes);
        lastEnd = context.bytes;
        const cells = fields.map((f) => f.trim());
        if (cells.every((c) => c === '')) return null;
        if (records.length > 0 && ++dataRows > maxRows) throw new TooManyRows(line);
        records.push({ line, fields: cells });
        return null;
      },
    });
  } catch (error) {
    if (error instanceof TooManyRows) {
      return fail(
        error.line,
        `the file has more than ${maxRows} data rows; import at most ${maxRows} per request (split the file)`,
      );
    }
    // The row that failed starts after the last one read.
    lines.moveTo(lastEnd);
    const line = lines.nextStart();
    const code = (error as { code?: string }).code ?? '';
    // The parser's own message quotes the data: never passed on.
    return fail(line, CSV_PROBLEMS[code] ?? 'this row is not valid CSV');
  }

  const [header, ...data] = records;
  if (!header) {
    return fail(1, 'the file is empty: it needs a header row and at least one data row');
  }
  const columns = header.fields.map((name) => name.toLowerCase());
  const headerErrors = checkHeader(columns, header.line);
  if (headerErrors.length > 0) return { rows: [], errors: headerErrors };
  if (data.length === 0) {
    return fail(header.line, 'the file has a header row but no data rows');
  }

  const rows: CsvRow[] = [];
  const errors: ImportError[] = [];
  for (const record of data) {
    if (record.fields.length !== columns.length) {
      errors.push({
        line: record.line,
        column: null,
        message: `this row has ${record.fields.length} fields but the header has ${columns.length}`,
      });
      continue;
    }
    const cells: CsvRow['cells'] = {};
    columns.forEach((column, i) => {
      if (record.fields[i] !== '') cells[column as ImportColumn] = record.fields[i];
    });
    rows.push({ line: record.line, cells });
  }
  return { rows, errors };
}

function checkHeader(columns: string[], line: number): ImportError[] {
  const errors: ImportError[] = [];
  const seen = new Set<string>();
  columns.forEach((name, i) => {
    if (name === '') {
      errors.push({ line, column: null, message: `header column ${i + 1} has no name` });
    } else if (!(name in IMPORT_COLUMNS)) {
      errors.push({
        line,
        column: name,
        message: `unknown column "${name}"; the accepted columns are ${COLUMN_NAMES.join(', ')}`,
      });
    } else if (seen.has(name)) {
      errors.push({ line, column: name, message: `column "${name}" appears more than once` });
    }
    seen.add(name);
  });
  for (const name of REQUIRED_COLUMNS) {
    if (!seen.has(name)) {
      errors.push({ line, column: name, message: `required column "${name}" is missing` });
    }
  }
  return errors;
}

/** `;` when the header row uses semicolons and no comma, otherwise `,`. */
function delimiterOf(input: Buffer): string {
  const end = input.indexOf(LF);
  const header = input.subarray(0, end === -1 ? input.length : end).toString('utf8');
  return header.includes(';') && !header.includes(',') ? ';' : ',';
}

/** The first line that is not UTF-8, or null. A LF byte never occurs inside a UTF-8 sequence. */
function firstNonUtf8Line(input: Buffer): number | null {
  const strict = new TextDecoder('utf-8', { fatal: true });
  try {
    strict.decode(input);
    return null;
  } catch {
    let start = 0;
    for (let line = 1; ; line += 1) {
      const end = input.indexOf(LF, start);
      try {
        strict.decode(input.subarray(start, end === -1 ? input.length : end));
      } catch {
        return line;
      }
      if (end === -1) return null;
      start = end + 1;
    }
  }
}

/** The past answers of the platform, as given (checked for form only). */
export interface ImportHistory {
  firstResponseAt?: string;
  resolvedAt?: string;
  outcome?: string;
  closedAt?: string;
}

export interface MappedRow {
  line: number;
  /** The plain body of a `CreateCaseDto`, for the same validation as `POST /v1/cases`. */
  body: Record<string, unknown>;
  history: ImportHistory;
  /** Problems found while reading the cells (required, booleans, list entries, dates...). */
  errors: ImportError[];
}

const BOOLEANS: Record<string, boolean> = {
  true: true,
  false: false,
  yes: true,
  no: false,
  '1': true,
  '0': false,
};

const list = (cell: string | undefined): string[] | undefined =>
  cell === undefined
    ? undefined
    : cell
        .split(LIST_SEPARATOR)
        .map((v) => v.trim())
        .filter((v) => v !== '');

const lower = (cell: string | undefined) => cell?.toLowerCase();

/**
 * One row as the body `POST /v1/cases` takes: codes are matched without regard to case, lists
 * are split on `;`, empty cells are left out (so defaults apply). Problems the DTO cannot
 * express in column terms are reported here.
 */
export function mapImportRow(row: CsvRow): MappedRow {
  const { cells, line } = row;
  const errors: ImportError[] = [];
  const error = (column: ImportColumn, message: string) => errors.push({ line, column, message });

  for (const column of REQUIRED_COLUMNS) {
    if (cells[column] === undefined) error(column, `${column} is required`);
  }

  let consent: boolean | undefined;
  const consentCell = lower(cells.consent_to_share_pattern);
  if (consentCell !== undefined) {
    consent = BOOLEANS[consentCell];
    if (consent === undefined) {
      error(
        'consent_to_share_pattern',
        'consent_to_share_pattern must be true, false, yes, no, 1 or 0',
      );
    }
  }

  const indicators = list(cells.indicators)?.map((entry, i) => {
    const colon = entry.indexOf(':');
    const kind = colon > 0 ? entry.slice(0, colon).trim().toLowerCase() : '';
    const value = colon > 0 ? entry.slice(colon + 1).trim() : '';
    if (!kind || !value) {
      error('indicators', `indicators entry ${i + 1} must be kind:value, such as hashtag:#example`);
    }
    return { kind, value };
  });

  const history: ImportHistory = {};
  for (const [column, key] of [
    ['first_response_at', 'firstResponseAt'],
    ['resolved_at', 'resolvedAt'],
    ['closed_at', 'closedAt'],
  ] as const) {
    const cell = cells[column];
    if (cell === undefined) continue;
    if (isTimestamp(cell)) history[key] = cell;
    else {
      error(
        column,
        `${column} must be an ISO 8601 date and time with a zone, such as 2026-03-02T10:00:00Z`,
      );
    }
  }
  const outcome = lower(cells.outcome);
  if (outcome !== undefined) {
    if ((CASE_OUTCOMES as readonly string[]).includes(outcome)) history.outcome = outcome;
    else error('outcome', `outcome must be one of ${CASE_OUTCOMES.join(', ')}`);
  }

  const body: Record<string, unknown> = {
    platformCode: lower(cells.platform),
    channelCode: lower(cells.channel),
    title: cells.title,
    summary: cells.summary,
    categoryCode: lower(cells.category),
    subcategoryCode: lower(cells.subcategory),
    targetGroups: list(lower(cells.target_groups)),
    country: cells.country?.toUpperCase(),
    contentLanguage: cells.content_language,
    urgency: lower(cells.urgency),
    tlp: cells.tlp?.toUpperCase(),
    shareWithOrganizationIds: list(lower(cells.share_with_organization_ids)),
    consentToSharePattern: consent,
    platformReference: cells.platform_reference,
    escalatedAt: cells.escalated_at,
    items: list(cells.item_urls)?.map((url) => ({ url, kind: 'other' })),
    indicators,
  };
  for (const key of Object.keys(body)) if (body[key] === undefined) delete body[key];
  return { line, body, history, errors };
}

/**
 * A validation error of the case body (`escalatedAt`, `items.2.url`...) as an error of the row's
 * column, worded with the column's name (`escalated_at`, `item_urls entry 3: url ...`).
 */
export function toImportError(line: number, error: FieldError): ImportError {
  const [field, index] = error.field.split('.');
  const column = COLUMN_OF_FIELD.get(field) ?? field;
  const message = error.message.split(field).join(column);
  if (index !== undefined && /^\d+$/.test(index)) {
    return { line, column, message: `${column} entry ${Number(index) + 1}: ${message}` };
  }
  return { line, column, message };
}
