/**
 * Statistics behind "emerging patterns": is the rate of a (category, country) pair in the recent
 * window significantly above its baseline rate? Pure functions, no I/O.
 *
 * Pattern records carry a month only, so windows are counted in whole months and rates are
 * cases per month. The test is the exact conditional test for two Poisson rates: given the
 * total n = recent + baseline, the recent count is Binomial(n, p0) under equal rates, with p0
 * the recent window's share of the observed time.
 */

/** Average Gregorian month: 365.2425 / 12 days. */
export const DAYS_PER_MONTH = 365.2425 / 12;

/**
 * Whole months for a window given in days (`window=90`, `baseline=365`): rounded to the nearest
 * month (90 -> 3, 365 -> 12, 45 -> 1, 46 -> 2), and at least 1, because a window of zero months
 * has no rate. Rounding to nearest rather than up keeps 365 days at 12 months, not 13.
 */
export function windowMonths(days: number): number {
  if (!Number.isFinite(days) || days <= 0) {
    throw new RangeError(`window must be a positive number of days, got ${days}`);
  }
  return Math.max(1, Math.round(days / DAYS_PER_MONTH));
}

export interface RateRatioInput {
  /** Cases in the recent window. */
  recent: number;
  /** Cases in the baseline window (not overlapping the recent one). */
  baseline: number;
  recentMonths: number;
  baselineMonths: number;
}

/**
 * JSON-safe on purpose: `JSON.stringify(Infinity)` is a silent `null`, so the infinite case is
 * spelled out instead.
 * - `ratio`: (recent / recentMonths) / (baseline / baselineMonths); `null` when baseline is 0.
 * - `infiniteRatio`: true when baseline is 0 and recent is not (a pair seen only recently).
 *   Both 0 gives `ratio: null, infiniteRatio: false`: there is no rate to compare.
 * - `pValue`: one-sided P(X >= recent), X ~ Binomial(recent + baseline, p0). Values below the
 *   smallest normal double (about 2.2e-308) are returned as exactly 0.
 */
export interface RateRatioResult {
  ratio: number | null;
  infiniteRatio: boolean;
  pValue: number;
}

/** The exact conditional (binomial) test that the recent rate exceeds the baseline rate. */
export function rateRatioTest(input: RateRatioInput): RateRatioResult {
  const { recent, baseline, recentMonths, baselineMonths } = input;
  for (const [name, value] of [
    ['recent', recent],
    ['baseline', baseline],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
    }
  }
  for (const [name, value] of [
    ['recentMonths', recentMonths],
    ['baselineMonths', baselineMonths],
  ] as const) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new RangeError(`${name} must be positive, got ${value}`);
    }
  }
  const total = recentMonths + baselineMonths;
  // q is computed from its own months, not as 1 - p, which would lose digits when p is near 1.
  const pValue = binomialUpperTail(
    recent,
    recent + baseline,
    recentMonths / total,
    baselineMonths / total,
  );
  if (baseline === 0) return { ratio: null, infiniteRatio: recent > 0, pValue };
  return {
    ratio: (recent * baselineMonths) / (baseline * recentMonths),
    infiniteRatio: false,
    pValue,
  };
}

export interface EmergingCriteria {
  /** The recent count the result was computed from. */
  recent: number;
  /** Fewest recent cases for an alert: a rare pair doubling from 1 to 2 is noise. */
  minCount: number;
  /** Significance level, e.g. 0.01. */
  alpha: number;
}

/**
 * Emerging: enough recent cases, a rate above the baseline, and a p-value at or below alpha.
 * With many pairs tested at once, alpha is per pair (no multiple-testing correction here).
 */
export function isEmerging(result: RateRatioResult, criteria: EmergingCriteria): boolean {
  const { recent, minCount, alpha } = criteria;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  const above = result.infiniteRatio || (result.ratio !== null && result.ratio > 1);
  return recent >= minCount && recent > 0 && above && result.pValue <= alpha;
}

// ---------------------------------------------------------------------------------------------
// Binomial tail. The log-probability of one value uses Loader's saddle-point form (as R's
// dbinom does): it avoids the cancellation of lgamma(n + 1) - lgamma(k + 1) - ..., which for
// n = 1e6 would leave only about 8 correct digits. The tail is then summed from its largest
// term outwards with the term-to-term ratio, so no factorial is ever formed.

const SMALLEST_NORMAL = 2.2250738585072014e-308;
const LOG_2PI = Math.log(2 * Math.PI);
const EPSILON = Number.EPSILON / 2;

/**
 * stirlerr(n) = log(n!) - log(sqrt(2 pi n) (n/e)^n) for n = 0..15 (index 0 is never used).
 * Values checked with mpmath at 40 digits (loggamma(n + 1) - (n + 1/2) log n + n - log sqrt(2 pi)),
 * written as the nearest doubles.
 */
const STIRLERR_SMALL = [
  0, 0.08106146679532726, 0.0413406959554093, 0.02767792568499834, 0.020790672103765093,
  0.016644691189821193, 0.013876128823070748, 0.01189670994589177, 0.010411265261972096,
  0.009255462182712733, 0.00833056343336287, 0.007573675487951841, 0.00694284010720953,
  0.006408994188004207, 0.0059513701127588475, 0.005554733551962801,
];

/** The error of Stirling's formula for log(n!), n a positive integer. */
function stirlerr(n: number): number {
  if (n <= 15) return STIRLERR_SMALL[n];
  const S0 = 1 / 12;
  const S1 = 1 / 360;
  const S2 = 1 / 1260;
  const S3 = 1 / 1680;
  const S4 = 1 / 1188;
  const nn = n * n;
  if (n > 500) return (S0 - S1 / nn) / n;
  if (n > 80) return (S0 - (S1 - S2 / nn) / nn) / n;
  if (n > 35) return (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / n;
  return (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n;
}

/** x log(x / np) + np - x, without cancellation when x is close to np. */
function bd0(x: number, np: number): number {
  if (Math.abs(x - np) < 0.1 * (x + np)) {
    let v = (x - np) / (x + np);
    let s = (x - np) * v;
    let ej = 2 * x * v;
    v *= v;
    for (let j = 1; j < 1000; j++) {
      ej *= v;
      const next = s + ej / (2 * j + 1);
      if (next === s) return next;
      s = next;
    }
    return s;
  }
  return x * Math.log(x / np) + np - x;
}

/** log P(X = x) for X ~ Binomial(n, p), with q = 1 - p given separately; 0 < p < 1. */
export function binomialLogPmf(x: number, n: number, p: number, q: number): number {
  if (x < 0 || x > n) return -Infinity;
  if (n === 0) return 0;
  if (x === 0) return p < 0.1 ? -bd0(n, n * q) - n * p : n * Math.log(q);
  if (x === n) return q < 0.1 ? -bd0(n, n * p) - n * q : n * Math.log(p);
  const lc = stirlerr(n) - stirlerr(x) - stirlerr(n - x) - bd0(x, n * p) - bd0(n - x, n * q);
  const lf = LOG_2PI + Math.log(x) + Math.log1p(-x / n);
  return lc - 0.5 * lf;
}

/** P(X >= k) for X ~ Binomial(n, p), q = 1 - p; 0 < p < 1. */
export function binomialUpperTail(k: number, n: number, p: number, q: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (k > n * p) {
    // Above the mean the terms only fall: sum them relative to the first, in log space.
    let term = 1;
    let sum = 1;
    for (let i = k; i < n; i++) {
      const r = ((n - i) / (i + 1)) * (p / q);
      term *= r;
      sum += term;
      // Ratios keep falling, so the rest is below a geometric series of ratio r.
      if ((term * r) / (1 - r) <= sum * EPSILON) break;
    }
    const logTail = binomialLogPmf(k, n, p, q) + Math.log(sum);
    const tail = Math.exp(logTail);
    return tail < SMALLEST_NORMAL ? 0 : Math.min(1, tail);
  }
  // At or below the mean the tail is large: 1 minus the (falling) lower terms loses nothing.
  const first = Math.exp(binomialLogPmf(k - 1, n, p, q));
  let term = first;
  let lower = first;
  for (let i = k - 1; i > 0; i--) {
    const r = (i / (n - i + 1)) * (q / p);
    term *= r;
    lower += term;
    if ((term * r) / (1 - r) <= lower * EPSILON) break;
  }
  return Math.max(0, 1 - lower);
}
