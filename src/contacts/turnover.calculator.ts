/** Turnover figures from tenures: pure date arithmetic on `YYYY-MM-DD` days (UTC). */

const DAY_MS = 86_400_000;
export const toDay = (date: string): number => Date.parse(`${date}T00:00:00Z`) / DAY_MS;

export interface Coverage {
  countries: string[];
  startedOn: string;
  /** null: still covering. */
  endedOn: string | null;
}

/**
 * The same day a year earlier (the default start of a turnover period). 29 February has none
 * and gives 1 March, a real date that keeps the period's usual length, never `2023-02-29`.
 */
export function yearBefore(date: string): string {
  const [year, month, day] = date.split('-').map(Number);
  return new Date(Date.UTC(year - 1, month - 1, day)).toISOString().slice(0, 10);
}

/** Median of the lengths, in days, of the tenures that ended within [from, to]. */
export function medianTenureDays(
  tenures: { startedOn: string; endedOn: string | null }[],
  from: string,
  to: string,
): number | null {
  const lengths = tenures
    .filter((t) => t.endedOn !== null && t.endedOn >= from && t.endedOn <= to)
    .map((t) => toDay(t.endedOn!) - toDay(t.startedOn))
    .sort((a, b) => a - b);
  if (lengths.length === 0) return null;
  const mid = Math.floor(lengths.length / 2);
  return lengths.length % 2 ? lengths[mid] : (lengths[mid - 1] + lengths[mid]) / 2;
}

/**
 * For each country named by any coverage, the longest run of days within [from, to] on which
 * no coverage of that country was active (0 when always covered).
 */
export function longestGapDays(
  coverage: Coverage[],
  from: string,
  to: string,
): Record<string, number> {
  const first = toDay(from);
  const last = toDay(to);
  const byCountry = new Map<string, [number, number][]>();
  for (const c of coverage) {
    const start = Math.max(toDay(c.startedOn), first);
    const end = Math.min(c.endedOn === null ? last : toDay(c.endedOn), last);
    for (const country of c.countries) {
      const list = byCountry.get(country) ?? [];
      if (start <= end) list.push([start, end]);
      byCountry.set(country, list);
    }
  }
  const gaps: Record<string, number> = {};
  for (const [country, intervals] of [...byCountry.entries()].sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    intervals.sort((a, b) => a[0] - b[0]);
    let cursor = first;
    let longest = 0;
    for (const [start, end] of intervals) {
      if (start > cursor) longest = Math.max(longest, start - cursor);
      cursor = Math.max(cursor, end + 1);
    }
    if (cursor <= last) longest = Math.max(longest, last - cursor + 1);
    gaps[country] = longest;
  }
  return gaps;
}
