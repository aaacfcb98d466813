/**
 * CSV for spreadsheets (RFC 4180): CRLF records, a header row, fields quoted when they hold a
 * comma, quote or line break. UTF-8 with a byte-order mark: Excel reads UTF-8 without it as the
 * local code page (accents break), and LibreOffice and csv parsers skip it.
 *
 * Cells that a spreadsheet would evaluate as a formula (starting with =, +, -, @, tab, CR or
 * NUL) get a leading apostrophe (OWASP ASVS 5, 1.2.10). Numbers are written as numbers, so a
 * negative count is never quoted away; null and undefined are empty cells.
 */
export type CsvCell = string | number | boolean | null | undefined;

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';
export const UTF8_BOM = '\ufeff';

const FORMULA_START = /^[=+\-@\t\r\0]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: readonly CsvCell[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** A whole document: BOM, header, rows. */
export function toCsv(header: readonly string[], rows: Iterable<readonly CsvCell[]>): string {
  let out = UTF8_BOM + csvLine(header);
  for (const row of rows) out += csvLine(row);
  return out;
}
