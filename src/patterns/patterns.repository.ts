import { Injectable } from '@nestjs/common';
import { TransactionRunner } from '../database/transaction';
import { TrendPeriod } from './dto/trends.dto';
import { CellCounts } from './disclosure';
import { DIMENSION_COLUMN, Dimension, grainFor } from './pattern-grains';
import { DurationMeasure, SCORECARD_MEASURES, ScorecardMeasure } from './scorecard-measures';

/** Equality filters on pattern dimensions (month is the period). */
export type PatternFilters = Partial<Record<Exclude<Dimension, 'month'>, string>>;

export interface PatternScope {
  /** First and last month, as 'YYYY-MM-01'. */
  from: string;
  to: string;
  filters: PatternFilters;
  /** Only organisations that opted in to public statistics (GET /v1/public/trends). */
  publicOnly?: boolean;
}

export interface TrendCellRow extends CellCounts {
  values: Partial<Record<Dimension, string>>;
}

/** One organisation's scorecard counts for a platform and channel: measure -> count and keys. */
export interface ScorecardOrganizationRow {
  platform: string;
  channel: string;
  channelKind: string;
  counts: Record<ScorecardMeasure, { count: number; keySum: number }>;
}

/** One (platform, channel, measure, bucket) of a duration histogram over a period. */
export interface DurationBucketRow {
  platform: string;
  channel: string;
  measure: DurationMeasure;
  bucket: number;
  count: number;
  keySum: number;
}

/** A (category, country) pair's cells in the recent window and in the baseline before it. */
export interface EmergingCellsRow {
  category: string;
  country: string;
  recent: CellCounts;
  baseline: CellCounts;
}

/**
 * Reads of the shared repository's rollups: per cell, the count, the key sum, the number of
 * organisations and the largest organisation's count (what `disclosure.ts` needs). Protection is
 * the caller's; no row leaves the service without it.
 */
@Injectable()
export class PatternsRepository {
  constructor(private readonly tx: TransactionRunner) {}

  /**
   * Cells of `groupBy` (from the smallest grain that can answer), first per organisation. With
   * `period` quarter or year, a month value stands for its quarter or year (the rollup's months
   * summed, their key sums too: each step is a cell of its own).
   */
  async trendCells(
    scope: PatternScope,
    groupBy: readonly Dimension[],
    period: TrendPeriod = 'month',
  ): Promise<TrendCellRow[]> {
    const { where, params, grain, filtered } = this.scopeSql(scope, groupBy);
    // Grouped by the columns themselves (the month as a date, not its text): cheaper to sort.
    const keys = groupBy.map((d) => DIMENSION_COLUMN[d]);
    const groupKeys =
      keys.length > 0 ? `GROUP BY ${keys.join(', ')} ORDER BY ${keys.join(', ')}` : '';
    const select = groupBy.map((d) => dimensionSelect(d, period));
    /** The column, or for a longer period the first day of its step. */
    const keyOf = (d: Dimension) =>
      d === 'month' && period !== 'month'
        ? `date_trunc('${period}', month)::date`
        : DIMENSION_COLUMN[d];
    // When every dimension of the grain is grouped or fixed by a filter, each (cell,
    // organisation) is one rollup row already: no per-organisation step is needed for the
    // dominance rule (the common questions, e.g. month, category and country). A quarter or a
    // year sums several months of each organisation: never one row.
    const onePerOrganization =
      (period === 'month' || !groupBy.includes('month')) &&
      grain.dimensions.every((d) => groupBy.includes(d) || filtered.includes(d));
    const sql = onePerOrganization
      ? `SELECT ${[
          ...select,
          'sum(cases)::int AS count',
          '(sum(cell_key) % 4096)::int AS "keySum"',
          'count(*)::int AS organizations',
          'max(cases)::int AS largest',
        ].join(', ')}
           FROM pattern_cells
          WHERE ${where}
          ${groupKeys}`
      : `SELECT ${[
          ...select,
          'sum(n)::int AS count',
          '(sum(k) % 4096)::int AS "keySum"',
          'count(*)::int AS organizations',
          'max(n)::int AS largest',
        ].join(', ')}
           FROM (SELECT ${[
             ...groupBy.map((d) => `${keyOf(d)} AS ${DIMENSION_COLUMN[d]}`),
             'sum(cases)::int AS n',
             '(sum(cell_key) % 4096)::int AS k',
           ].join(', ')}
                   FROM pattern_cells
                  WHERE ${where}
                  GROUP BY ${[...groupBy.map(keyOf), 'organization_id'].join(', ')}) per_organization
          ${groupKeys}`;
    const rows: Record<string, unknown>[] = await this.tx.manager.query(sql, params);
    return rows
      .filter((r) => (r.count as number | null) !== null && (r.count as number) > 0)
      .map((r) => ({
        values: Object.fromEntries(groupBy.map((d) => [d, r[d] as string])),
        count: r.count as number,
        keySum: r.keySum as number,
        organizations: r.organizations as number,
        largest: r.largest as number,
      }));
  }

  /** The cell of every case matching the scope (each case once). */
  async total(scope: PatternScope): Promise<CellCounts> {
    const [cell] = await this.trendCells(scope, []);
    return cell ?? { count: 0, keySum: 0, organizations: 0, largest: 0 };
  }

  /**
   * Per (category, country): the cell of the window [windowFrom, windowTo] and the cell of the
   * baseline [baselineFrom, windowFrom) (grain month/category/country).
   */
  async emergingCells(
    baselineFrom: string,
    windowFrom: string,
    windowTo: string,
  ): Promise<EmergingCellsRow[]> {
    const rows: Record<string, number | string>[] = await this.tx.manager.query(
      `SELECT category, country,
              sum(rn)::int AS rn, (sum(rk) % 4096)::int AS rk, count(*) FILTER (WHERE rn > 0)::int AS ro,
              COALESCE(max(rn), 0)::int AS rl,
              sum(bn)::int AS bn, (sum(bk) % 4096)::int AS bk, count(*) FILTER (WHERE bn > 0)::int AS bo,
              COALESCE(max(bn), 0)::int AS bl
         FROM (SELECT category, country, organization_id,
                      COALESCE(sum(cases) FILTER (WHERE month >= $3::date), 0)::int AS rn,
                      COALESCE(sum(cell_key) FILTER (WHERE month >= $3::date) % 4096, 0)::int AS rk,
                      COALESCE(sum(cases) FILTER (WHERE month < $3::date), 0)::int AS bn,
                      COALESCE(sum(cell_key) FILTER (WHERE month < $3::date) % 4096, 0)::int AS bk
                 FROM pattern_cells
                WHERE grain = $1 AND month BETWEEN $2::date AND $4::date
                GROUP BY category, country, organization_id) per_organization
        GROUP BY category, country`,
      [grainFor(['category', 'country']).id, baselineFrom, windowFrom, windowTo],
    );
    return rows.map((r) => ({
      category: r.category as string,
      country: r.country as string,
      recent: {
        count: r.rn as number,
        keySum: r.rk as number,
        organizations: r.ro as number,
        largest: r.rl as number,
      },
      baseline: {
        count: r.bn as number,
        keySum: r.bk as number,
        organizations: r.bo as number,
        largest: r.bl as number,
      },
    }));
  }

  /** Each organisation's scorecard counts per platform and channel over a period. */
  async scorecardCounts(from: string, to: string): Promise<ScorecardOrganizationRow[]> {
    const measures = Object.keys(SCORECARD_MEASURES);
    const rows: Record<string, unknown>[] = await this.tx.manager.query(
      `SELECT platform, channel, max(channel_kind) AS "channelKind",
              ${measures
                .map((m) => `sum(${m})::int AS "n_${m}", (sum(${m}_key) % 4096)::int AS "k_${m}"`)
                .join(',\n              ')}
         FROM pattern_scorecard_counts
        WHERE month BETWEEN $1::date AND $2::date
        GROUP BY platform, channel, organization_id
        ORDER BY platform, channel`,
      [from, to],
    );
    return rows.map((r) => ({
      platform: r.platform as string,
      channel: r.channel as string,
      channelKind: r.channelKind as string,
      counts: Object.fromEntries(
        measures.map((m) => [m, { count: r[`n_${m}`] as number, keySum: r[`k_${m}`] as number }]),
      ),
    }));
  }

  /** Duration histograms per platform, channel and measure over a period. */
  durationBuckets(from: string, to: string): Promise<DurationBucketRow[]> {
    return this.tx.manager.query(
      `SELECT platform, channel, measure, bucket, sum(cases)::int AS count,
              (sum(cell_key) % 4096)::int AS "keySum"
         FROM pattern_duration_buckets
        WHERE month BETWEEN $1::date AND $2::date
        GROUP BY 1, 2, 3, 4`,
      [from, to],
    );
  }

  /** Platform code -> name, for the codes given (reference data, not pattern records). */
  async platformNames(codes: readonly string[]): Promise<Map<string, string>> {
    if (codes.length === 0) return new Map();
    const rows: { code: string; name: string }[] = await this.tx.manager.query(
      `SELECT code, name FROM platforms WHERE code = ANY($1::text[])`,
      [codes],
    );
    return new Map(rows.map((r) => [r.code, r.name]));
  }

  private scopeSql(scope: PatternScope, groupBy: readonly Dimension[]) {
    const filters = Object.entries(scope.filters).filter(([, v]) => v !== undefined) as [
      Exclude<Dimension, 'month'>,
      string,
    ][];
    const filtered: Dimension[] = filters.map(([d]) => d);
    const grain = grainFor([...groupBy, ...filtered]);
    const params: unknown[] = [grain.id, scope.from, scope.to];
    const where = ['grain = $1', 'month BETWEEN $2::date AND $3::date'];
    for (const [d, v] of filters) {
      params.push(v);
      where.push(`${DIMENSION_COLUMN[d]} = $${params.length}`);
    }
    if (scope.publicOnly) {
      where.push('organization_id IN (SELECT id FROM organizations WHERE public_statistics)');
    }
    return { where: where.join(' AND '), params, grain, filtered };
  }
}

/** How a step of each period is written: 2026-03, 2026-Q1, 2026. */
const PERIOD_FORMAT: Record<TrendPeriod, string> = {
  month: 'YYYY-MM',
  quarter: 'YYYY-"Q"Q',
  year: 'YYYY',
};

function dimensionSelect(d: Dimension, period: TrendPeriod): string {
  return d === 'month'
    ? `to_char(month, '${PERIOD_FORMAT[period]}') AS "month"`
    : `${DIMENSION_COLUMN[d]} AS "${d}"`;
}
