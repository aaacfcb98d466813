import { Injectable } from '@nestjs/common';
import { TransactionRunner } from '../database/transaction';
import { DIMENSION_COLUMN, Dimension, grainFor } from './pattern-grains';

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

export interface TrendCellRow {
  values: Partial<Record<Dimension, string>>;
  count: number;
  organizations: number;
}

export const QUALITY_FIELDS = [
  ['reasonGiven', 'reason_given'],
  ['contextUnderstood', 'context_understood'],
  ['harmRecognisedAsGendered', 'harm_recognised_as_gendered'],
  ['retraumatisingProofRequested', 'retraumatising_proof_requested'],
] as const;
export type QualityField = (typeof QUALITY_FIELDS)[number][0];

export type ScorecardCellRow = {
  platform: string;
  channel: string;
  channelKind: string;
  cases: number;
  organizations: number;
  acknowledged: number;
  resolved: number;
  actioned: number;
  noResponse: number;
  overdue: number;
  pausedSeconds: number;
} & Record<`${QualityField}Yes` | `${QualityField}Answered`, number>;

/**
 * Reads of the shared repository's rollups. Everything here is counts per cell with the number
 * of distinct organisations; suppression is the caller's (PatternsService), which never returns
 * a row without it.
 */
@Injectable()
export class PatternsRepository {
  constructor(private readonly tx: TransactionRunner) {}

  /** Counts per cell of `groupBy` (from the smallest grain that can answer). */
  async trendCells(scope: PatternScope, groupBy: readonly Dimension[]): Promise<TrendCellRow[]> {
    const { where, params } = this.scopeSql(scope, groupBy);
    const columns = groupBy.map((d) => dimensionSelect(d));
    // Grouped by the columns themselves (the month as a date, not its text): cheaper to sort.
    const keys = groupBy.map((d) => `pattern_cells.${DIMENSION_COLUMN[d]}`).join(', ');
    const rows: Record<string, unknown>[] = await this.tx.manager.query(
      `SELECT ${[...columns, 'sum(cases)::int AS count', 'count(DISTINCT organization_id)::int AS organizations'].join(', ')}
         FROM pattern_cells
        WHERE ${where}
        ${groupBy.length > 0 ? `GROUP BY ${keys} ORDER BY ${keys}` : ''}`,
      params,
    );
    return rows
      .filter((r) => (r.count as number | null) !== null && (r.count as number) > 0)
      .map((r) => ({
        values: Object.fromEntries(groupBy.map((d) => [d, r[d] as string])),
        count: r.count as number,
        organizations: r.organizations as number,
      }));
  }

  /** Cases (each once) and organisations matching the scope. */
  async total(scope: PatternScope): Promise<{ count: number; organizations: number }> {
    const [cell] = await this.trendCells(scope, []);
    return cell ?? { count: 0, organizations: 0 };
  }

  /**
   * Cases per (category, country) in the baseline [baselineFrom, windowFrom) and the window
   * [windowFrom, windowTo], with the organisations of the window (grain month/category/country).
   */
  emergingCounts(
    baselineFrom: string,
    windowFrom: string,
    windowTo: string,
  ): Promise<
    {
      category: string;
      country: string;
      recent: number;
      recentOrganizations: number;
      baseline: number;
    }[]
  > {
    return this.tx.manager.query(
      `SELECT category, country,
              COALESCE(sum(cases) FILTER (WHERE month >= $3::date), 0)::int AS recent,
              count(DISTINCT organization_id) FILTER (WHERE month >= $3::date)::int
                AS "recentOrganizations",
              COALESCE(sum(cases) FILTER (WHERE month < $3::date), 0)::int AS baseline
         FROM pattern_cells
        WHERE grain = $1 AND month BETWEEN $2::date AND $4::date
        GROUP BY category, country`,
      [grainFor(['category', 'country']).id, baselineFrom, windowFrom, windowTo],
    );
  }

  /** Scorecard sums per platform and channel over a period (months as 'YYYY-MM-01'). */
  scorecardCells(from: string, to: string): Promise<ScorecardCellRow[]> {
    return this.tx.manager.query(
      `SELECT platform, channel, max(channel_kind) AS "channelKind",
              sum(cases)::int AS cases, count(DISTINCT organization_id)::int AS organizations,
              sum(acknowledged)::int AS acknowledged, sum(resolved)::int AS resolved,
              sum(actioned)::int AS actioned, sum(no_response)::int AS "noResponse",
              sum(overdue)::int AS overdue, sum(paused_seconds)::float8 AS "pausedSeconds",
              ${QUALITY_FIELDS.map(
                ([field, column]) =>
                  `sum(${column}_yes)::int AS "${field}Yes", sum(${column}_answered)::int AS "${field}Answered"`,
              ).join(',\n              ')}
         FROM pattern_scorecard_cells
        WHERE month BETWEEN $1::date AND $2::date
        GROUP BY platform, channel
        ORDER BY platform, channel`,
      [from, to],
    );
  }

  /** Duration histograms per platform, channel and measure over a period. */
  durationBuckets(
    from: string,
    to: string,
  ): Promise<
    { platform: string; channel: string; measure: string; bucket: number; cases: number }[]
  > {
    return this.tx.manager.query(
      `SELECT platform, channel, measure, bucket, sum(cases)::int AS cases
         FROM pattern_duration_buckets
        WHERE month BETWEEN $1::date AND $2::date
        GROUP BY 1, 2, 3, 4`,
      [from, to],
    );
  }

  private scopeSql(scope: PatternScope, groupBy: readonly Dimension[]) {
    const filtered = Object.entries(scope.filters).filter(([, v]) => v !== undefined) as [
      Exclude<Dimension, 'month'>,
      string,
    ][];
    const grain = grainFor([...groupBy, ...filtered.map(([d]) => d)]);
    const params: unknown[] = [grain.id, scope.from, scope.to];
    const where = ['grain = $1', 'month BETWEEN $2::date AND $3::date'];
    for (const [d, v] of filtered) {
      params.push(v);
      where.push(`${DIMENSION_COLUMN[d]} = $${params.length}`);
    }
    if (scope.publicOnly) {
      where.push('organization_id IN (SELECT id FROM organizations WHERE public_statistics)');
    }
    return { where: where.join(' AND '), params };
  }
}

function dimensionSelect(d: Dimension): string {
  return d === 'month'
    ? `to_char(pattern_cells.month, 'YYYY-MM') AS "month"`
    : `${DIMENSION_COLUMN[d]} AS "${d}"`;
}
