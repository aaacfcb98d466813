import { ValidationFailedError } from '../errors/domain-error';

/** Opaque keyset cursors: base64url of the sort-key values of the last row served. */
export function encodeCursor(values: (string | number)[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

/**
 * What each position of a cursor must hold. A cursor comes back from the client, so every value
 * is checked before it reaches SQL: a forged one is a 400, never a cast error from PostgreSQL.
 */
export type CursorKey = 'text' | 'int' | 'uuid' | 'timestamp';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// ISO 8601 as we emit it, or PostgreSQL's own text form of timestamptz (used by sort keys that
// need microseconds), or -infinity for "never".
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(Z|[+-](\d{2})(?::?(\d{2}))?)$/;

function isTimestamp(value: string): boolean {
  if (value === '-infinity') return true;
  const m = TIMESTAMP.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const [offsetHours, offsetMinutes] = [m[9] ?? '0', m[10] ?? '0'].map(Number);
  if (offsetHours > 14 || offsetMinutes >= 60) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return (
    year >= 1 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    hour < 24 &&
    minute < 60 &&
    second < 60
  );
}

function fits(value: unknown, key: CursorKey): boolean {
  switch (key) {
    case 'int':
      return Number.isSafeInteger(value);
    case 'uuid':
      return typeof value === 'string' && UUID.test(value);
    case 'timestamp':
      return typeof value === 'string' && isTimestamp(value);
    case 'text':
      return typeof value === 'string' && value.length <= 200;
  }
}

export function decodeCursor(cursor: string, keys: CursorKey[]): string[] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === keys.length &&
      parsed.every((v, i) => fits(v, keys[i]))
    ) {
      return parsed.map(String);
    }
  } catch {
    // fall through to the refusal below
  }
  throw new ValidationFailedError([{ field: 'cursor', message: 'cursor is not valid' }]);
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** Lists fetch `limit + 1` rows; the extra row only says whether there is a next page. */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  map: (row: R) => T,
  key: (row: R) => (string | number)[],
): Page<T> {
  const hasMore = rows.length > limit;
  const shown = hasMore ? rows.slice(0, limit) : rows;
  return {
    data: shown.map(map),
    nextCursor: hasMore ? encodeCursor(key(shown[shown.length - 1])) : null,
  };
}
