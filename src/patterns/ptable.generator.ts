/**
 * Builds the perturbation table (ptable) of the cell key method (DISCLOSURE.md) by the maximum
 * entropy approach of Destatis' R package `ptable` (Giessing 2016): for each original count i,
 * the noise distribution over d in [-D, D] with i + d >= 0 that has the largest entropy among
 * those with mean 0 and variance V. Pure and deterministic: scripts/generate-ptable.ts writes its
 * result to src/patterns/data/ptable.json and ptable.spec.ts checks that the two agree.
 */
export interface PtableParameters {
  /** D: the largest |noise|. */
  maximumDeviation: number;
  /** V: the variance each row aims at. */
  targetVariance: number;
  /** Cell keys are integers in [0, keyRange); each row's weights sum to it. */
  keyRange: number;
}

export interface PtableWeight {
  noise: number;
  weight: number;
}

export interface PtableRow {
  count: number;
  /** The variance the integer weights give (V, or the largest reachable when V is not). */
  variance: number;
  /** Ascending by noise, weights > 0. */
  weights: PtableWeight[];
}

export interface PtableData extends PtableParameters {
  method: string;
  rows: PtableRow[];
}

export const PTABLE_METHOD =
  'Maximum entropy noise per original count (Destatis ptable, Giessing 2016): |noise| <= maximumDeviation, count + noise >= 0, mean exactly 0, variance targetVariance where reachable, zero stays zero, quantised to integer weights summing to keyRange; the last row applies to every larger count.';

/** How far from the rounded max-entropy weights the quantisation searches, per free noise. */
const SEARCH_RADIUS = 12;

export function buildPtable(params: PtableParameters): PtableData {
  const { maximumDeviation: d, targetVariance: v, keyRange } = params;
  if (!Number.isInteger(d) || d < 1) throw new Error('maximumDeviation must be an integer >= 1');
  if (!Number.isFinite(v) || v <= 0) throw new Error('targetVariance must be > 0');
  if (!Number.isInteger(keyRange) || keyRange < 2) {
    throw new Error('keyRange must be an integer >= 2');
  }
  const rows: PtableRow[] = [];
  for (let count = 1; count <= d + 1; count++) {
    const noises = range(Math.max(-d, -count), d);
    const weights = quantise(noises, maxEntropy(noises, v), v, keyRange);
    const kept = noises
      .map((noise, j) => ({ noise, weight: weights[j] }))
      .filter((w) => w.weight > 0);
    rows.push({ count, variance: moment(kept, 2) / keyRange, weights: kept });
  }
  // From count D on the support is the whole of [-D, D], so every larger count has this row.
  const [atD, last] = [rows[d - 1], rows[d]];
  if (JSON.stringify(atD.weights) !== JSON.stringify(last.weights)) {
    throw new Error(`rows ${d} and ${d + 1} differ although their support is the same`);
  }
  return { method: PTABLE_METHOD, maximumDeviation: d, targetVariance: v, keyRange, rows };
}

/**
 * The max-entropy probabilities over `noises` with mean 0 and variance v: p(d) ∝ exp(a·d + b·d²),
 * with (a, b) minimising the convex dual log Σ exp(a·d + b·d²) - b·v (damped Newton). When v is
 * not below the largest variance reachable (all mass on the two ends), that two-point
 * distribution is the answer.
 */
export function maxEntropy(noises: readonly number[], v: number): number[] {
  const lo = noises[0];
  const hi = noises[noises.length - 1];
  if (v >= -lo * hi) return noises.map((n) => (n === lo ? hi : n === hi ? -lo : 0) / (hi - lo));
  const dual = (a: number, b: number) =>
    Math.log(noises.reduce((s, n) => s + Math.exp(a * n + b * n * n), 0)) - b * v;
  let [a, b] = [0, 0];
  for (let iteration = 0; iteration < 200; iteration++) {
    const p = probabilities(noises, a, b);
    const m = [1, 2, 3, 4].map((k) => noises.reduce((s, n, j) => s + p[j] * n ** k, 0));
    const [g1, g2] = [m[0], m[1] - v];
    if (Math.abs(g1) < 1e-13 && Math.abs(g2) < 1e-13) return p;
    // The Hessian is the covariance matrix of (d, d²), positive definite on 3+ points.
    const h11 = m[1] - m[0] * m[0];
    const h12 = m[2] - m[0] * m[1];
    const h22 = m[3] - m[1] * m[1];
    const det = h11 * h22 - h12 * h12;
    const da = -(h22 * g1 - h12 * g2) / det;
    const db = -(h11 * g2 - h12 * g1) / det;
    // Backtrack until the dual decreases enough (Armijo), so large steps cannot diverge.
    const f = dual(a, b);
    let t = 1;
    while (t > 1e-12 && dual(a + t * da, b + t * db) > f + 1e-4 * t * (g1 * da + g2 * db)) t /= 2;
    [a, b] = [a + t * da, b + t * db];
  }
  throw new Error(`no max-entropy solution for noises ${noises.join(',')} and variance ${v}`);
}

/**
 * Integer weights summing to keyRange with Σ w·d = 0 exactly: among those near keyRange·p, the
 * ones whose variance is closest to v, and of these the nearest to keyRange·p (least squares).
 * Noise 0 and +1 (always in the support) absorb the sum and the mean; the others are searched.
 * On a symmetric support the max-entropy p is symmetric, and so are the weights: every odd
 * moment stays 0, not only the mean (for D = 2, V = 1 the nearest asymmetric weights, which
 * are slightly closer to p, differ from these by at most 3 in 4096).
 */
function quantise(noises: number[], p: number[], v: number, keyRange: number): number[] {
  const target = p.map((q) => q * keyRange);
  const zero = noises.indexOf(0);
  const one = noises.indexOf(1);
  const free = noises.map((_, j) => j).filter((j) => j !== zero && j !== one);
  const mirror =
    noises[0] === -noises[noises.length - 1] ? noises.map((n) => noises.indexOf(-n)) : [];
  const w = target.map(Math.round);
  let best: number[] | undefined;
  let bestVarianceGap = Infinity;
  let bestDistance = Infinity;
  const search = (f: number) => {
    if (f < free.length) {
      const j = free[f];
      const centre = Math.round(target[j]);
      for (let x = Math.max(0, centre - SEARCH_RADIUS); x <= centre + SEARCH_RADIUS; x++) {
        w[j] = x;
        search(f + 1);
      }
      return;
    }
    w[one] = -free.reduce((s, j) => s + w[j] * noises[j], 0);
    w[zero] = keyRange - free.reduce((s, j) => s + w[j], 0) - w[one];
    if (w[one] < 0 || w[zero] < 0 || mirror.some((m, j) => w[m] !== w[j])) return;
    const varianceGap = Math.abs(noises.reduce((s, n, j) => s + w[j] * n * n, 0) - v * keyRange);
    const distance = w.reduce((s, x, j) => s + (x - target[j]) ** 2, 0);
    if (
      varianceGap < bestVarianceGap ||
      (varianceGap === bestVarianceGap && distance < bestDistance)
    ) {
      [best, bestVarianceGap, bestDistance] = [[...w], varianceGap, distance];
    }
  };
  search(0);
  if (!best) throw new Error(`no integer weights for noises ${noises.join(',')}`);
  return best;
}

function probabilities(noises: readonly number[], a: number, b: number): number[] {
  const e = noises.map((n) => Math.exp(a * n + b * n * n));
  const total = e.reduce((s, x) => s + x, 0);
  return e.map((x) => x / total);
}

function moment(weights: readonly PtableWeight[], k: number): number {
  return weights.reduce((s, w) => s + w.weight * w.noise ** k, 0);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, j) => from + j);
}
