import { DataSource } from 'typeorm';
import ptable from '../../src/patterns/data/ptable.json';
import taxonomy from '../../src/cases/data/taxonomy.json';

/*
 * The independent oracle of the shared repository's figures (issue 15): what each published
 * figure must be, computed in plain TypeScript from the raw rows of `cases` and `case_events`
 * (never from pattern_records or the rollups) and from the method as DISCLOSURE.md states it:
 * the ptable read from its JSON, k, the dominance rule, shares from perturbed counts, and
 * percentiles from perturbed histograms. Written from the definitions, not from src/patterns.
 */

/** A consenting, escalated, non-RED case as the repository should count it. */
export interface RawRecord {
  caseId: string;
  organizationId: string;
  /** cases.pattern_key, the record key. */
  key: number;
  /** YYYY-MM (UTC) of the escalation. */
  month: string;
  platform: string;
  channel: string;
  channelKind: string;
  category: string;
  subcategory: string;
  /** null for a case without subcategory (see DSA). */
  dsaCategory: string | null;
  country: string;
  targetGroups: string[];
  outcome: string;
  acknowledged: boolean;
  resolved: boolean;
  overdue: boolean;
  /** Seconds from escalation to the first answer; null when the platform never answered. */
  firstResponseSeconds: number | null;
  resolutionSeconds: number | null;
  pausedSeconds: number;
  quality: Record<string, string>;
}

/**
 * The DSA crosswalk of taxonomy.json for subcategories: `dsa.category` when women or girls were
 * targeted, `dsa.generic` otherwise. (A category without subcategory has a derived generic
 * category the oracle does not model: its dsaCategory is null here.)
 */
const DSA = new Map<string, { gendered: string; generic: string }>();
for (const c of taxonomy.categories) {
  for (const s of c.subcategories as {
    code: string;
    dsa: { category: string; generic?: { category: string } };
  }[]) {
    DSA.set(s.code, {
      gendered: s.dsa.category,
      generic: s.dsa.generic?.category ?? s.dsa.category,
    });
  }
}

/** Every case that belongs in the shared repository, read from the raw tables. */
export async function rawRecords(db: DataSource): Promise<RawRecord[]> {
  const rows: Record<string, unknown>[] = await db.query(
    `SELECT c.id, c.organization_id, c.pattern_key, c.category_code, c.subcategory_code,
            c.country, c.target_groups, c.outcome::text AS outcome, c.overdue_for,
            c.paused_seconds, p.code AS platform, ch.code AS channel, ch.kind::text AS kind,
            to_char(c.escalated_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month,
            extract(epoch FROM c.first_response_at - c.escalated_at)::float8 AS first_response,
            extract(epoch FROM c.resolved_at - c.escalated_at)::float8 AS resolution,
            (SELECT e.quality FROM case_events e
              WHERE e.case_id = c.id AND e.type = 'platform_responded' AND e.quality IS NOT NULL
              ORDER BY e.occurred_at DESC, e.seq DESC LIMIT 1) AS quality
       FROM cases c
       JOIN platforms p ON p.id = c.platform_id
       JOIN channels ch ON ch.id = c.channel_id
      WHERE c.consent_to_share_pattern AND c.escalated_at IS NOT NULL AND c.tlp <> 'RED'`,
  );
  const seconds = (v: unknown) => (v === null ? null : Math.max(0, Math.round(Number(v))));
  return rows.map((r) => {
    const targetGroups = r.target_groups as string[];
    const code = (r.subcategory_code as string | null) ?? (r.category_code as string);
    const dsa = DSA.get(code);
    const gendered = targetGroups.includes('women') || targetGroups.includes('girls');
    return {
      caseId: r.id as string,
      organizationId: r.organization_id as string,
      key: Number(r.pattern_key),
      month: r.month as string,
      platform: r.platform as string,
      channel: r.channel as string,
      channelKind: r.kind as string,
      category: r.category_code as string,
      subcategory: (r.subcategory_code as string | null) ?? '',
      dsaCategory: dsa ? (gendered ? dsa.gendered : dsa.generic) : null,
      country: r.country as string,
      targetGroups,
      outcome: (r.outcome as string | null) ?? '',
      acknowledged: r.first_response !== null,
      resolved: r.resolution !== null,
      overdue: r.overdue_for !== null,
      firstResponseSeconds: seconds(r.first_response),
      resolutionSeconds: seconds(r.resolution),
      pausedSeconds: Number(r.paused_seconds),
      quality: (r.quality as Record<string, string> | null) ?? {},
    };
  });
}

/** The ptable's noise for a cell of `count` records with keys summing to `keySum`. */
export function oracleNoise(count: number, keySum: number): number {
  if (count === 0) return 0;
  const row = ptable.rows[Math.min(count, ptable.rows.length) - 1];
  const key = ((keySum % ptable.keyRange) + ptable.keyRange) % ptable.keyRange;
  let upTo = 0;
  for (const w of row.weights) {
    upTo += w.weight;
    if (key < upTo) return w.noise;
  }
  throw new Error('ptable weights do not cover the key range');
}

/** The probability that the noise of a cell of `count` (>= 1) records is `noise`. */
export function noiseProbability(count: number, noise: number): number {
  const row = ptable.rows[Math.min(count, ptable.rows.length) - 1];
  return (row.weights.find((w) => w.noise === noise)?.weight ?? 0) / ptable.keyRange;
}

export interface OracleCell {
  count: number;
  keySum: number;
  /** Cases per organisation. */
  byOrganization: Map<string, number>;
}

export function cellOfRecords(records: readonly { organizationId: string; key: number }[]) {
  const cell: OracleCell = { count: 0, keySum: 0, byOrganization: new Map() };
  for (const r of records) {
    cell.count++;
    cell.keySum += r.key;
    cell.byOrganization.set(r.organizationId, (cell.byOrganization.get(r.organizationId) ?? 0) + 1);
  }
  return cell;
}

export const noisy = (cell: OracleCell) => cell.count + oracleNoise(cell.count, cell.keySum);

/** DISCLOSURE.md: k cases, k after the noise, and k cases outside the largest organisation. */
export function oracleSafe(cell: OracleCell, k: number): boolean {
  const largest = Math.max(0, ...cell.byOrganization.values());
  return cell.count >= k && cell.count - largest >= k && noisy(cell) >= k;
}

/** A published count as the API must show it. */
export function oracleCount(cell: OracleCell, k: number) {
  return oracleSafe(cell, k)
    ? { count: noisy(cell), organizations: cell.byOrganization.size, suppressed: false }
    : { count: null, organizations: null, suppressed: true };
}

/** A share of `part` among `whole` records (part ⊆ whole). */
export function oracleShare<R extends { organizationId: string; key: number }>(
  whole: readonly R[],
  inPart: (r: R) => boolean,
  k: number,
): number | null {
  const part = whole.filter(inPart);
  const rest = whole.filter((r) => !inPart(r));
  const [n, c, d] = [cellOfRecords(part), cellOfRecords(rest), cellOfRecords(whole)];
  if (!oracleSafe(n, k) || !oracleSafe(c, k) || !oracleSafe(d, k)) return null;
  return Math.round(Math.min(1, Math.max(0, noisy(n) / noisy(d))) * 1000) / 1000;
}

/** DESIGN/README: durations in buckets 10 % wide from one minute; a bucket's value its middle. */
export function bucketOfSeconds(seconds: number): number {
  return seconds < 60 ? 0 : Math.floor(Math.log(seconds / 60) / Math.log(1.1)) + 1;
}
const bucketMiddle = (b: number) => (b === 0 ? 30 : 60 * 1.1 ** (b - 0.5));

/** Perturbed histogram of (seconds, record) pairs: bucket -> perturbed count. */
export function oracleHistogram(values: readonly { seconds: number; key: number }[]) {
  const buckets = new Map<number, { count: number; keySum: number }>();
  for (const v of values) {
    const b = bucketOfSeconds(v.seconds);
    const cell = buckets.get(b) ?? { count: 0, keySum: 0 };
    cell.count++;
    cell.keySum += v.key;
    buckets.set(b, cell);
  }
  return new Map(
    [...buckets].map(([b, c]) => [b, c.count + oracleNoise(c.count, c.keySum)] as const),
  );
}

/** Nearest-rank quantile of a perturbed histogram, in hours to one decimal. */
export function oracleQuantileHours(histogram: Map<number, number>, q: number): number | null {
  const total = [...histogram.values()].reduce((s, n) => s + n, 0);
  if (total <= 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const b of [...histogram.keys()].sort((x, y) => x - y)) {
    seen += histogram.get(b)!;
    if (seen >= rank) return Math.round((bucketMiddle(b) / 3600) * 10) / 10;
  }
  return null;
}

/** Mean hours per case from a perturbed histogram of paused time and a perturbed case count. */
export function oracleMeanHours(histogram: Map<number, number>, cases: number): number {
  let seconds = 0;
  for (const [b, n] of histogram) seconds += n * bucketMiddle(b);
  return Math.round((seconds / cases / 3600) * 10) / 10;
}

export type OracleTrendRow = Record<string, string | number | boolean | null> & {
  count: number | null;
  organizations: number | null;
  suppressed: boolean;
};

const OPTIONAL = new Set(['subcategory', 'dsaCategory', 'targetGroup', 'outcome']);

/**
 * What GET /v1/patterns/trends must answer (rows sorted by their JSON, to compare as sets):
 * records of the period and filters, a record once per target group when grouped or filtered by
 * them, every cell and the total protected on their own.
 */
export function oracleTrends(
  records: readonly RawRecord[],
  query: { from: string; to: string; groupBy: string[]; filters?: Record<string, string> },
  k: number,
) {
  const byTargetGroup =
    query.groupBy.includes('targetGroup') || query.filters?.targetGroup !== undefined;
  const valueOf = (r: RawRecord, d: string, tg: string) =>
    d === 'targetGroup' ? tg : String((r as unknown as Record<string, unknown>)[d] ?? '');
  const inScope = records.filter((r) => r.month >= query.from && r.month <= query.to);
  const cells = new Map<string, { values: Record<string, string>; records: RawRecord[] }>();
  const total: RawRecord[] = [];
  for (const r of inScope) {
    const groups = byTargetGroup ? (r.targetGroups.length ? r.targetGroups : ['']) : [''];
    let counted = false;
    for (const tg of groups) {
      const filters = Object.entries(query.filters ?? {});
      if (!filters.every(([d, v]) => valueOf(r, d, tg) === v)) continue;
      if (!counted) total.push(r);
      counted = true;
      const values = Object.fromEntries(query.groupBy.map((d) => [d, valueOf(r, d, tg)]));
      const key = JSON.stringify(values);
      const cell = cells.get(key) ?? { values, records: [] };
      cell.records.push(r);
      cells.set(key, cell);
    }
  }
  const data: OracleTrendRow[] = [...cells.values()].map((c) => ({
    ...Object.fromEntries(
      Object.entries(c.values).map(([d, v]) => [d, OPTIONAL.has(d) && v === '' ? null : v]),
    ),
    ...oracleCount(cellOfRecords(c.records), k),
  }));
  const totalCell = cellOfRecords(total);
  return {
    data: sortRows(data),
    total:
      totalCell.count === 0
        ? { count: 0, organizations: 0, suppressed: false }
        : oracleCount(totalCell, k),
  };
}

export function sortRows<T>(rows: T[]): T[] {
  return [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

/** DESIGN.md: outcomes where the platform acted on the content or the account. */
const ACTIONED = [
  'content_removed',
  'account_suspended',
  'account_restored',
  'content_restricted',
  'partially_actioned',
];

const QUESTIONS = [
  'reasonGiven',
  'contextUnderstood',
  'harmRecognisedAsGendered',
  'retraumatisingProofRequested',
];

/**
 * What GET /v1/reports/platform-scorecard must answer in `data`, per platform and channel.
 * `incidents`: the channel incidents overlapping the period, by `platform/channel` (none when
 * the suite reports none); they are not case data and pass unprotected.
 */
export function oracleScorecard(
  records: readonly RawRecord[],
  period: { from: string; to: string },
  k: number,
  incidents: ReadonlyMap<string, { open: number; overlapping: number }> = new Map(),
) {
  const channels = new Map<string, RawRecord[]>();
  for (const r of records) {
    if (r.month < period.from || r.month > period.to) continue;
    const key = `${r.platform}\u0000${r.channel}`;
    channels.set(key, [...(channels.get(key) ?? []), r]);
  }
  return [...channels.values()]
    .map((all) => {
      const { platform, channel, channelKind } = all[0];
      const cell = cellOfRecords(all);
      const names = { platform, channel, channelKind };
      const incidentsOf = incidents.get(`${platform}/${channel}`) ?? { open: 0, overlapping: 0 };
      if (!oracleSafe(cell, k)) {
        return {
          ...names,
          incidents: incidentsOf,
          cases: null,
          organizations: null,
          suppressed: true,
          ...Object.fromEntries(
            [
              'acknowledgedShare',
              'medianFirstResponseHours',
              'p90FirstResponseHours',
              'medianResolutionHours',
              'p90ResolutionHours',
              'actionedShare',
              'noResponseShare',
              'overdueShare',
              'pausedHours',
              ...QUESTIONS.map((q) => `${q}Share`),
            ].map((f) => [f, null]),
          ),
        };
      }
      const cases = noisy(cell);
      const durations = (pick: (r: RawRecord) => number | null, q: number) => {
        const having = all.filter((r) => pick(r) !== null);
        if (!oracleSafe(cellOfRecords(having), k)) return null;
        return oracleQuantileHours(
          oracleHistogram(having.map((r) => ({ seconds: pick(r)!, key: r.key }))),
          q,
        );
      };
      const paused = all.filter((r) => r.pausedSeconds > 0);
      return {
        ...names,
        incidents: incidentsOf,
        cases,
        organizations: cell.byOrganization.size,
        suppressed: false,
        acknowledgedShare: oracleShare(all, (r) => r.acknowledged, k),
        medianFirstResponseHours: durations((r) => r.firstResponseSeconds, 0.5),
        p90FirstResponseHours: durations((r) => r.firstResponseSeconds, 0.9),
        medianResolutionHours: durations((r) => r.resolutionSeconds, 0.5),
        p90ResolutionHours: durations((r) => r.resolutionSeconds, 0.9),
        actionedShare: oracleShare(all, (r) => ACTIONED.includes(r.outcome), k),
        noResponseShare: oracleShare(all, (r) => r.outcome === 'no_response', k),
        overdueShare: oracleShare(all, (r) => r.overdue, k),
        pausedHours: oracleSafe(cellOfRecords(paused), k)
          ? oracleMeanHours(
              oracleHistogram(paused.map((r) => ({ seconds: r.pausedSeconds, key: r.key }))),
              cases,
            )
          : null,
        ...Object.fromEntries(
          QUESTIONS.map((q) => [
            `${q}Share`,
            oracleShare(
              all.filter((r) => r.quality[q] === 'yes' || r.quality[q] === 'no'),
              (r) => r.quality[q] === 'yes',
              k,
            ),
          ]),
        ),
      };
    })
    .sort((x, y) =>
      x.platform === y.platform
        ? x.channel < y.channel
          ? -1
          : 1
        : x.platform < y.platform
          ? -1
          : 1,
    );
}
