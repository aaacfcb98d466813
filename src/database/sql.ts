/** Adds `value` to the parameters of the statement being built and returns its placeholder (`$n`). */
export type SqlParam = (value: unknown) => string;

/**
 * A piece of SQL owned by one feature, to be placed in another feature's statement (e.g. a
 * data-modifying CTE): it binds its values through that statement's parameter list, so both
 * writes stay one statement and one round trip while the SQL of each table keeps one owner.
 */
export type SqlFragment = (p: SqlParam) => string;
