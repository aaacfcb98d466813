import { Injectable } from '@nestjs/common';
import { CASE_VISIBILITY, CLOCK_RUNS } from '../cases/case-sql';
import { TransactionRunner } from '../database/transaction';

/** One entry of a feed: a case's deadline or its next follow-up reminder. */
export interface FeedEntry {
  kind: 'due' | 'follow_up';
  caseId: string;
  reference: string;
  platformCode: string;
  channelCode: string;
  /** When the entry happens: the deadline or the reminder. */
  at: Date;
  dueAt: Date;
  version: number;
}

// The cases API's own rule: a feed shows what GET /v1/cases lists to the same user, and only
// cases still waiting for the platform with the clock running.
const entrySelect = (kind: FeedEntry['kind'], at: string) => `SELECT '${kind}' AS kind, c.id,
    c.reference, p.code AS platform_code, ch.code AS channel_code, ${at} AS at, c.due_at, c.version
  FROM cases c
  JOIN platforms p ON p.id = c.platform_id
  JOIN channels ch ON ch.id = c.channel_id`;

/**
 * Both kinds of entries, earliest first, at most `:limit`. Each branch is cut at the limit
 * before the union, so neither reads more than the feed can show.
 */
const FEED_SQL = `(${entrySelect('due', 'c.due_at')}
    WHERE ${CLOCK_RUNS} AND ${CASE_VISIBILITY}
    ORDER BY c.due_at, c.id LIMIT :limit)
  UNION ALL
  (${entrySelect('follow_up', 'c.next_reminder_at')}
    WHERE ${CLOCK_RUNS} AND c.next_reminder_at IS NOT NULL AND ${CASE_VISIBILITY}
    ORDER BY c.next_reminder_at, c.id LIMIT :limit)
  ORDER BY at, id, kind
  LIMIT :limit`;

interface RawEntry {
  kind: FeedEntry['kind'];
  id: string;
  reference: string;
  platform_code: string;
  channel_code: string;
  at: Date;
  due_at: Date;
  version: number;
}

/** The one read of cases by calendar feeds: reference, platform, channel and times only. */
@Injectable()
export class CalendarFeedRepository {
  constructor(private readonly tx: TransactionRunner) {}

  async entries(
    reader: { userId: string; organizationId: string },
    limit: number,
  ): Promise<FeedEntry[]> {
    const [sql, values] = this.tx.manager.connection.driver.escapeQueryWithParameters(FEED_SQL, {
      tlpOrg: reader.organizationId,
      tlpUser: reader.userId,
      limit,
    });
    const rows: RawEntry[] = await this.tx.manager.query(sql, values);
    return rows.map((r) => ({
      kind: r.kind,
      caseId: r.id,
      reference: r.reference,
      platformCode: r.platform_code,
      channelCode: r.channel_code,
      at: r.at,
      dueAt: r.due_at,
      version: r.version,
    }));
  }
}
