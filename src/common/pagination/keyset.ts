import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { decodeCursor } from './cursor';

/**
 * Orders a list by (`column`, id), newest first unless `ASC`, takes `limit + 1` rows (see
 * `toPage`) and continues after the cursor, whose keys are [timestamp, uuid]: the one keyset
 * shape of every list sorted by a time.
 */
export function byTimeAndId<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  column: string,
  page: { cursor?: string; limit: number },
  direction: 'ASC' | 'DESC' = 'DESC',
): SelectQueryBuilder<T> {
  const a = qb.alias;
  qb.orderBy(`${a}.${column}`, direction)
    .addOrderBy(`${a}.id`, direction)
    .limit(page.limit + 1);
  if (page.cursor) {
    const [at, id] = decodeCursor(page.cursor, ['timestamp', 'uuid']);
    qb.andWhere(
      `(${a}.${column}, ${a}.id) ${direction === 'DESC' ? '<' : '>'} (:cursorAt::timestamptz, :cursorId::uuid)`,
      { cursorAt: at, cursorId: id },
    );
  }
  return qb;
}
