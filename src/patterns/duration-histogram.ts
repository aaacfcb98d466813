/**
 * Response durations are kept as histograms with buckets 10 % wide: bucket 0 holds under a
 * minute, bucket b >= 1 holds [60 * 1.1^(b-1), 60 * 1.1^b) seconds. Histograms of months and
 * channels add up, so a median or p90 over any period reads a few hundred rows, and is within
 * 5 % of the exact value (the bucket's geometric middle is reported).
 */
const BASE_SECONDS = 60;
const RATIO = 1.1;

export function bucketOf(seconds: number): number {
  if (seconds < BASE_SECONDS) return 0;
  return Math.floor(Math.log(seconds / BASE_SECONDS) / Math.log(RATIO)) + 1;
}

/** The same as `bucketOf`, in SQL, for the rollup fold. */
export function bucketSql(secondsExpr: string): string {
  return `CASE WHEN ${secondsExpr} < ${BASE_SECONDS} THEN 0 ELSE floor(ln(${secondsExpr}::float8 / ${BASE_SECONDS}) / ln(${RATIO}))::int + 1 END`;
}

/** The value reported for a bucket: its geometric middle (30 s for the first). */
export function bucketValue(bucket: number): number {
  if (bucket <= 0) return BASE_SECONDS / 2;
  return BASE_SECONDS * RATIO ** (bucket - 0.5);
}

/**
 * The q-quantile (nearest rank) of a histogram given as bucket -> count, or null when empty.
 */
export function quantile(histogram: ReadonlyMap<number, number>, q: number): number | null {
  let total = 0;
  for (const n of histogram.values()) total += n;
  if (total <= 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const bucket of [...histogram.keys()].sort((a, b) => a - b)) {
    seen += histogram.get(bucket) ?? 0;
    if (seen >= rank) return bucketValue(bucket);
  }
  return null;
}
