import { DataSource } from 'typeorm';

/** Rows a refusal may legitimately write, left out of the comparison (say why where used). */
export interface FingerprintExclusions {
  /** audit_entries whose action matches one of these LIKE patterns. */
  auditActions?: string[];
  /** Columns left out, per table (e.g. failed-login counters on users). */
  columns?: Record<string, RegExp>;
  /** Whole tables left out. */
  tables?: RegExp;
}

/** Per table: its row count and an md5 of its rows (every column, as text, in a stable order). */
export type Fingerprint = Record<string, { rows: number; md5: string }>;

/** Tables that are not data: the migrations' own bookkeeping. */
const NOT_DATA = new Set(['migrations', 'typeorm_metadata']);

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * Fingerprints every table of the public schema in one statement, so a test can tell whether a
 * request wrote anything at all (not only to the tables it was expected to touch).
 */
export class DbFingerprint {
  private constructor(
    private readonly db: DataSource,
    private readonly columns: Map<string, string[]>,
  ) {}

  static async of(db: DataSource): Promise<DbFingerprint> {
    const rows = (await db.query(
      `SELECT c.table_name, c.column_name
         FROM information_schema.columns c
         JOIN information_schema.tables t
           ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
        ORDER BY c.table_name, c.ordinal_position`,
    )) as { table_name: string; column_name: string }[];
    const columns = new Map<string, string[]>();
    for (const { table_name: table, column_name: column } of rows) {
      if (NOT_DATA.has(table)) continue;
      columns.set(table, [...(columns.get(table) ?? []), column]);
    }
    return new DbFingerprint(db, columns);
  }

  get tables(): string[] {
    return [...this.columns.keys()];
  }

  async take(exclude: FingerprintExclusions = {}): Promise<Fingerprint> {
    const parts: string[] = [];
    for (const [table, all] of this.columns) {
      if (exclude.tables?.test(table)) continue;
      const skip = exclude.columns?.[table];
      const kept = all.filter((c) => !skip?.test(c));
      const row = `ROW(${kept.map((c) => `x.${ident(c)}`).join(', ')})::text`;
      const where =
        table === 'audit_entries' && exclude.auditActions?.length
          ? `WHERE NOT (x.action::text LIKE ANY (ARRAY[${exclude.auditActions.map(literal).join(', ')}]))`
          : '';
      parts.push(
        `SELECT ${literal(table)} AS t, count(*)::int AS n,
                md5(coalesce(string_agg(${row}, E'\\n' ORDER BY ${row}), '')) AS h
           FROM ${ident(table)} x ${where}`,
      );
    }
    const rows = (await this.db.query(parts.join('\nUNION ALL\n'))) as {
      t: string;
      n: number;
      h: string;
    }[];
    return Object.fromEntries(rows.map((r) => [r.t, { rows: r.n, md5: r.h }]));
  }
}

/** The tables whose fingerprint differs, with their row counts before and after. */
export function changedTables(before: Fingerprint, after: Fingerprint): string[] {
  return Object.keys({ ...before, ...after })
    .filter((t) => before[t]?.md5 !== after[t]?.md5 || before[t]?.rows !== after[t]?.rows)
    .map((t) => `${t} (${before[t]?.rows ?? '-'} -> ${after[t]?.rows ?? '-'} rows)`);
}
