import { ValidationFailedError } from '../errors/domain-error';

/** Opaque keyset cursors: base64url of the sort-key values of the last row served. */
export function encodeCursor(values: (string | number)[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): (string | number)[] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === arity &&
      parsed.every((v) => (typeof v === 'string' && v.length <= 200) || typeof v === 'number')
    ) {
      return parsed as (string | number)[];
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
