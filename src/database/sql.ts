import { createHash } from 'node:crypto';
import { EntityManager } from 'typeorm';

/** Adds `value` to the parameters of the statement being built and returns its placeholder (`$n`). */
export type SqlParam = (value: unknown) => string;

/**
 * A piece of SQL owned by one feature, to be placed in another feature's statement (e.g. a
 * data-modifying CTE): it binds its values through that statement's parameter list, so both
 * writes stay one statement and one round trip while the SQL of each table keeps one owner.
 */
export type SqlFragment = (p: SqlParam) => string;

/** Statement names by text: a text is prepared under one name on every pooled connection. */
const preparedNames = new Map<string, string>();

/**
 * Runs `text` as a named prepared statement: each pooled connection parses and plans it once
 * instead of on every call. For a hot statement whose text does not vary with its values (the
 * case insert: parsing and planning it cost PostgreSQL about as much as running it). pg takes a
 * query config where TypeORM expects the text, and TypeORM hands it on untouched (its logging is
 * off, see data-source.ts), so the statement keeps the manager's connection, transaction and
 * errors. Behind a pooler in transaction mode, prepared statements need its support (PgBouncer
 * 1.21+).
 */
export function preparedQuery<T>(em: EntityManager, text: string, values: unknown[]): Promise<T> {
  let name = preparedNames.get(text);
  if (name === undefined) {
    name = `et_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    preparedNames.set(text, name);
  }
  return em.query({ name, text } as unknown as string, values);
}
