import { Injectable } from '@nestjs/common';
import { CASE_VISIBILITY, CLOCK_RUNS } from '../../cases/case-sql';
import { TransactionRunner } from '../../database/transaction';
import { ACTIONED_OUTCOMES } from '../../deadlines/response-times.repository';
import { QUALITY_QUESTIONS } from './dto/annual-report.dto';

/** Raw figures of one group; times in seconds. */
export interface FigureRow {
  escalations: number;
  responded: number;
  resolved: number;
  actioned: number;
  noResponse: number;
  overdue: number;
  firstResponseP50: number | null;
  firstResponseP90: number | null;
  resolutionP50: number | null;
  resolutionP90: number | null;
}

export type GroupedRow = FigureRow &
  (
    | { section: 'totals' }
    | { section: 'platform'; platform: string; platformName: string }
    | { section: 'category'; category: string }
    | { section: 'action'; action: string }
    | { section: 'month'; month: string }
  );

/**
 * percentile_cont, not percentile_disc: it interpolates between the two middle values as a
 * spreadsheet's MEDIAN and PERCENTILE.INC do, so an organisation can recompute every figure
 * from its own records. (The shared rollups use percentile_disc; they are not compared.)
 */
const figures = `count(*)::int AS escalations,
  count(c.first_response_at)::int AS responded,
  count(c.resolved_at)::int AS resolved,
  count(*) FILTER (WHERE c.outcome::text = ANY(:actioned))::int AS actioned,
  count(*) FILTER (WHERE c.outcome = 'no_response')::int AS no_response,
  count(*) FILTER (WHERE c.overdue_for IS NOT NULL OR (${CLOCK_RUNS} AND c.due_at < :now))::int AS overdue,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY c.time_to_first_response_seconds) AS fr_p50,
  percentile_cont(0.9) WITHIN GROUP (ORDER BY c.time_to_first_response_seconds) AS fr_p90,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY c.time_to_resolution_seconds) AS res_p50,
  percentile_cont(0.9) WITHIN GROUP (ORDER BY c.time_to_resolution_seconds) AS res_p90`;

/**
 * Every section in one scan of the year's cases. Only the caller's organisation, and of its
 * cases only those the caller may see (the same TLP rule as every read of cases). Nothing but
 * codes, the platform's name and counts leaves the query.
 */
const REPORT_SQL = `SELECT
    GROUPING(p.code, p.name) = 0 AS by_platform,
    GROUPING(c.category_code) = 0 AS by_category,
    GROUPING(action) = 0 AS by_action,
    GROUPING(month) = 0 AS by_month,
    p.code AS platform, p.name AS platform_name, c.category_code AS category, action, month,
    ${figures}
  FROM cases c
  JOIN platforms p ON p.id = c.platform_id
  CROSS JOIN LATERAL (SELECT
      COALESCE(c.outcome::text, CASE WHEN c.status = 'closed' THEN 'closed' ELSE 'open' END) AS action,
      to_char(c.escalated_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month) k
  WHERE c.organization_id = :tlpOrg
    AND c.escalated_at >= :from AND c.escalated_at < :to
    AND ${CASE_VISIBILITY}
  GROUP BY GROUPING SETS ((), (p.code, p.name), (c.category_code), (action), (month))`;

/** Answers of one response-quality question, and what the decisions said of statements of reasons. */
export interface QualityRow {
  answers: Record<string, { yes: number; no: number; unknown: number }>;
  decisions: number;
  sorReceived: number;
  sorNotReceived: number;
}

/**
 * Per case of the year the reader may see: whether the platform decided, the answers of its
 * latest decision that recorded quality answers, and whether its latest decision that said
 * anything of a statement of reasons received one (the order of the timeline: occurredAt,
 * then recording order). Counted in one scan.
 */
const QUALITY_SQL = `SELECT
    count(*) FILTER (WHERE d.decided)::int AS decisions,
    count(*) FILTER (WHERE s.received)::int AS sor_received,
    count(*) FILTER (WHERE NOT s.received)::int AS sor_not_received,
    ${QUALITY_QUESTIONS.flatMap((question) =>
      ['yes', 'no', 'unknown'].map(
        (answer) =>
          `count(*) FILTER (WHERE q.quality->>'${question}' = '${answer}')::int AS "${question}_${answer}"`,
      ),
    ).join(',\n    ')}
  FROM cases c
  LEFT JOIN LATERAL (
    SELECT true AS decided FROM case_events e
     WHERE e.case_id = c.id AND e.type = 'platform_responded' LIMIT 1) d ON true
  LEFT JOIN LATERAL (
    SELECT e.quality FROM case_events e
     WHERE e.case_id = c.id AND e.type = 'platform_responded' AND e.quality IS NOT NULL
     ORDER BY e.occurred_at DESC, e.seq DESC LIMIT 1) q ON true
  LEFT JOIN LATERAL (
    SELECT (e.statement_of_reasons->>'received')::boolean AS received FROM case_events e
     WHERE e.case_id = c.id AND e.type = 'platform_responded'
       AND e.statement_of_reasons IS NOT NULL
     ORDER BY e.occurred_at DESC, e.seq DESC LIMIT 1) s ON true
  WHERE c.organization_id = :tlpOrg
    AND c.escalated_at >= :from AND c.escalated_at < :to
    AND ${CASE_VISIBILITY}`;

interface RawRow {
  by_platform: boolean;
  by_category: boolean;
  by_action: boolean;
  by_month: boolean;
  platform: string | null;
  platform_name: string | null;
  category: string | null;
  action: string | null;
  month: string | null;
  escalations: number;
  responded: number;
  resolved: number;
  actioned: number;
  no_response: number;
  overdue: number;
  fr_p50: number | null;
  fr_p90: number | null;
  res_p50: number | null;
  res_p90: number | null;
}

export interface ReportReader {
  userId: string;
  organizationId: string;
}

/** The one read behind the annual report. */
@Injectable()
export class AnnualReportRepository {
  constructor(private readonly tx: TransactionRunner) {}

  /** The organisation's slug and name, and the reader's language (for CSV labels). */
  async heading(
    reader: ReportReader,
  ): Promise<{ slug: string; name: string; language: string | null }> {
    const rows: { slug: string; name: string; language: string | null }[] =
      await this.tx.manager.query(
        `SELECT o.slug, o.name, (SELECT u.language FROM users u WHERE u.id = $2) AS language
           FROM organizations o WHERE o.id = $1`,
        [reader.organizationId, reader.userId],
      );
    if (rows.length === 0) throw new Error('the caller has no organisation');
    return rows[0];
  }

  /** Response-quality answers and statements of reasons of the cases of [from, to) the reader may see. */
  async quality(reader: ReportReader, from: Date, to: Date): Promise<QualityRow> {
    const [sql, values] = this.tx.manager.connection.driver.escapeQueryWithParameters(QUALITY_SQL, {
      tlpOrg: reader.organizationId,
      tlpUser: reader.userId,
      from,
      to,
    });
    const [row]: Record<string, number>[] = await this.tx.manager.query(sql, values);
    return {
      answers: Object.fromEntries(
        QUALITY_QUESTIONS.map((q) => [
          q,
          { yes: row[`${q}_yes`], no: row[`${q}_no`], unknown: row[`${q}_unknown`] },
        ]),
      ),
      decisions: row.decisions,
      sorReceived: row.sor_received,
      sorNotReceived: row.sor_not_received,
    };
  }

  /** Figures of the cases escalated in [from, to) that the reader may see, by section. */
  async figures(reader: ReportReader, from: Date, to: Date, now: Date): Promise<GroupedRow[]> {
    const [sql, values] = this.tx.manager.connection.driver.escapeQueryWithParameters(REPORT_SQL, {
      tlpOrg: reader.organizationId,
      tlpUser: reader.userId,
      from,
      to,
      now,
      actioned: ACTIONED_OUTCOMES,
    });
    const rows: RawRow[] = await this.tx.manager.query(sql, values);
    return rows.map((r) => {
      const figures: FigureRow = {
        escalations: r.escalations,
        responded: r.responded,
        resolved: r.resolved,
        actioned: r.actioned,
        noResponse: r.no_response,
        overdue: r.overdue,
        firstResponseP50: r.fr_p50,
        firstResponseP90: r.fr_p90,
        resolutionP50: r.res_p50,
        resolutionP90: r.res_p90,
      };
      if (r.by_platform) {
        return {
          section: 'platform',
          platform: r.platform!,
          platformName: r.platform_name!,
          ...figures,
        };
      }
      if (r.by_category) return { section: 'category', category: r.category!, ...figures };
      if (r.by_action) return { section: 'action', action: r.action!, ...figures };
      if (r.by_month) return { section: 'month', month: r.month!, ...figures };
      return { section: 'totals', ...figures };
    });
  }
}
