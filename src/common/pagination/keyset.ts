import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { decodeCursor } from './cursor';

/**
 * Orders a list by (`column`, id), newest first unless `ASC`, takes `limit + 1` rows (see
 * `toPage`) and continues after the cursor, whose keys are [timestamp, uuid]: the one keyset
 * shape of every list sorted by a time. Where rows of the same instant must keep the order they
 * were written in (a timeline), `tieBreak: 'seq'` uses a bigint identity column `seq` instead
 * of the random uuid, and the cursor's keys are [timestamp, int].
 */
export function byTimeAndId<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  column: string,
  page: { cursor?: string; limit: number },
  direction: 'ASC' | 'DESC' = 'DESC',
  tieBreak: 'id' | 'seq' = 'id',
): SelectQueryBuilder<T> {
  const a = qb.alias;
  qb.orderBy(`${a}.${column}`, direction)
    .addOrderBy(`${a}.${tieBreak}`, direction)
    .limit(page.limit + 1);
  if (page.cursor) {
    const [at, id] = decodeCursor(page.cursor, ['timestamp', tieBreak === 'id' ? 'uuid' : 'int']);
    const cast = tieBreak === 'id' ? 'uuid' : 'bigint';
    qb.andWhere(
      `(${a}.${column}, ${a}.${tieBreak}) ${direction === 'DESC' ? '<' : '>'} (:cursorAt::timestamptz, :cursorId::${cast})`,
      { cursorAt: at, cursorId: id },
    );
  }
  return qb;
}
