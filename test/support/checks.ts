import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { call } from './http';

/** A list answer; indexable like any JSON answer, so problem helpers accept it too. */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
  [key: string]: unknown;
}

/**
 * Follows `nextCursor` through every page of a list, asserting 200, pages of exactly `limit`
 * rows until the last (which may be shorter and ends with `nextCursor: null`).
 * Answers every row in the order served and the number of pages.
 */
export async function walkPages<T extends { id: string }>(
  app: NestFastifyApplication,
  url: string,
  options: { token: string; limit: number; query?: Record<string, string> },
): Promise<{ rows: T[]; pages: number }> {
  const rows: T[] = [];
  let cursor: string | null = null;
  for (let pages = 1; pages <= 100; pages += 1) {
    const query: Record<string, string> = {
      ...options.query,
      limit: String(options.limit),
      ...(cursor ? { cursor } : {}),
    };
    const answer = await call<Page<T>>(app, 'GET', url, { token: options.token, query });
    expect({ url, query, status: answer.status }).toEqual({ url, query, status: 200 });
    rows.push(...answer.body.data);
    cursor = answer.body.nextCursor;
    if (cursor === null) {
      expect(answer.body.data.length).toBeLessThanOrEqual(options.limit);
      return { rows, pages };
    }
    expect(answer.body.data).toHaveLength(options.limit);
  }
  throw new Error(`walkPages: ${url} did not end within 100 pages`);
}

/** `count(*)::int AS n` of a query, for checking what a request did (or did not) write. */
export async function countRows(
  db: DataSource,
  sql: string,
  params: unknown[] = [],
): Promise<number> {
  const rows = (await db.query(sql, params)) as { n: number }[];
  return rows[0].n;
}

/** Fails if an answer's text carries a password hash or the names of hash columns. */
export function expectNoPasswordHashes(text: string): void {
  expect(text).not.toMatch(/argon2|passwordHash|password_hash/i);
}

/**
 * Waits until some statement on this database is blocked on a lock (at most 5 s): to make a
 * request race deterministically with a transaction the test holds open.
 */
export async function waitForLockWait(db: DataSource): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    const waiting = await countRows(
      db,
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if (waiting > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('no statement started waiting on a lock');
}
