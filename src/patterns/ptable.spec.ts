import shipped from './data/ptable.json';
import {
  KEY_RANGE,
  maxNoiseProbability,
  noiseFor,
  PTABLE,
  Ptable,
  zeroNoiseProbability,
} from './ptable';
import { buildPtable, maxEntropy } from './ptable.generator';

const KEYS = Array.from({ length: 4096 }, (_, k) => k);
const noisesOver = (count: number) => KEYS.map((k) => noiseFor(count, k));

describe('the shipped ptable', () => {
  it('has the documented parameters and is what the generator builds from them', () => {
    expect(KEY_RANGE).toBe(4096);
    expect([PTABLE.maximumDeviation, PTABLE.targetVariance, PTABLE.keyRange]).toEqual([2, 1, 4096]);
    expect(PTABLE.rows.map((r) => r.count)).toEqual([1, 2, 3]);
    expect(buildPtable({ maximumDeviation: 2, targetVariance: 1, keyRange: 4096 })).toEqual(
      shipped,
    );
  });

  it('has the same row for count D and D + 1 (both have the whole of [-D, D])', () => {
    expect(PTABLE.rows[1].weights).toEqual(PTABLE.rows[2].weights);
  });

  it.each(Array.from({ length: 60 }, (_, i) => i + 1))(
    'count %i: mean exactly 0, the recorded variance, |noise| <= 2, never negative',
    (count) => {
      const noises = noisesOver(count);
      const row = PTABLE.rows[Math.min(count, 3) - 1];
      expect(noises.reduce((s, n) => s + n, 0)).toBe(0);
      const variance = noises.reduce((s, n) => s + n * n, 0) / 4096;
      expect(variance).toBe(row.variance);
      if (count >= 2) {
        expect(variance).toBeGreaterThanOrEqual(0.9);
        expect(variance).toBeLessThanOrEqual(1.1);
      }
      expect(Math.max(...noises.map(Math.abs))).toBeLessThanOrEqual(2);
      expect(Math.min(...noises.map((n) => count + n))).toBeGreaterThanOrEqual(0);
      // Each noise holds one interval of keys, as wide as its weight, in ascending order.
      expect(noises).toEqual([...noises].sort((a, b) => a - b));
      expect(tally(noises)).toEqual(row.weights);
      expect(noisesOver(count)).toEqual(noises);
    },
  );

  it('keeps zero at zero for every key, and negative counts too', () => {
    expect(noisesOver(0).filter((n) => n !== 0)).toEqual([]);
    expect(noiseFor(-3, 17)).toBe(0);
    expect(zeroNoiseProbability(0)).toBe(1);
  });

  it('refuses a cell key outside [0, 4096) or not an integer, and a fractional count', () => {
    for (const key of [-1, 4096, 1.5, Number.NaN]) {
      expect(() => noiseFor(5, key)).toThrow('cell key must be an integer in [0, 4096)');
      expect(() => noiseFor(0, key)).toThrow('cell key must be an integer in [0, 4096)');
    }
    expect(() => noiseFor(2.5, 0)).toThrow('count must be an integer, got 2.5');
    expect(noiseFor(5, 0)).toBe(-2);
    expect(noiseFor(5, 4095)).toBe(2);
  });

  it('gives the noise probabilities the attack tests bound themselves with', () => {
    const zeroShare = (count: number) => noisesOver(count).filter((n) => n === 0).length / 4096;
    for (const count of [1, 2, 3, 40]) expect(zeroNoiseProbability(count)).toBe(zeroShare(count));
    const largestShare = Math.max(
      ...[1, 2, 3].flatMap((count) => tally(noisesOver(count)).map((w) => w.weight / 4096)),
    );
    expect(maxNoiseProbability()).toBe(largestShare);
    expect(maxNoiseProbability()).toBeLessThan(0.5);
  });
});

describe('noiseFor on a table that is not valid', () => {
  // '-1:2048 1:2048' is a row with weight 2048 on noise -1 and 2048 on noise +1.
  const table = (count: number, weights: string): Ptable => ({
    ...PTABLE,
    rows: [
      {
        count,
        variance: 1,
        weights: weights.split(' ').map((w) => {
          const [noise, weight] = w.split(':').map(Number);
          return { noise, weight };
        }),
      },
    ],
  });

  it.each([
    ['weights not summing to keyRange', 1, '0:4095', 'count 1: weights sum to 4095, not 4096'],
    ['noise beyond D', 1, '-1:2048 3:2048', 'count 1: noise 3'],
    ['a negative outcome', 1, '-2:1024 0:2048 2:1024', 'count 1: noise -2 makes it negative'],
    ['noises out of order', 1, '1:2048 -1:2048', 'count 1: noises not ascending'],
    ['a zero weight', 1, '-1:2048 0:0 1:2048', 'count 1: weight 0'],
    ['a missing count', 2, '0:4096', 'row 0 is for count 2, expected 1'],
  ])('refuses %s', (_, count, weights, message) => {
    expect(() => noiseFor(1, 0, table(count, weights))).toThrow(`invalid ptable: ${message}`);
  });

  it('accepts a valid one', () => {
    expect(noiseFor(1, 2047, table(1, '-1:2048 1:2048'))).toBe(-1);
    expect(noiseFor(9, 2048, table(1, '-1:2048 1:2048'))).toBe(1);
  });
});

describe('buildPtable', () => {
  it('solves for the max-entropy form p(d) ∝ exp(a·d + b·d²) with mean 0 and variance V', () => {
    const noises = [-1, 0, 1, 2];
    const p = maxEntropy(noises, 1);
    expect(p.reduce((s, q) => s + q, 0)).toBeCloseTo(1, 12);
    expect(p.reduce((s, q, j) => s + q * noises[j], 0)).toBeCloseTo(0, 12);
    expect(p.reduce((s, q, j) => s + q * noises[j] ** 2, 0)).toBeCloseTo(1, 12);
    // log p is quadratic in d: its second differences are all 2b.
    const log = p.map(Math.log);
    const second = [1, 2].map((j) => log[j + 1] - 2 * log[j] + log[j - 1]);
    expect(second[0]).toBeCloseTo(second[1], 10);
    // On [-2, 2], p(±1) / p(0) = x and p(±2) / p(0) = x^4 with 6x^4 = 1.
    const symmetric = maxEntropy([-2, -1, 0, 1, 2], 1);
    expect(symmetric[1] / symmetric[2]).toBeCloseTo(6 ** -0.25, 12);
    expect(symmetric[0] / symmetric[2]).toBeCloseTo(1 / 6, 12);
  });

  it('records the largest variance reachable when V is not, and keeps the mean exactly 0', () => {
    const table = buildPtable({ maximumDeviation: 2, targetVariance: 3, keyRange: 4096 });
    // Count 1 can only go down by 1: at most 2/3 at -1 and 1/3 at +2, variance 2 (8190/4096 in
    // integer weights, since 4096 is not a multiple of 3).
    expect(table.rows[0]).toEqual({
      count: 1,
      variance: 8190 / 4096,
      weights: [
        { noise: -1, weight: 2730 },
        { noise: 0, weight: 1 },
        { noise: 2, weight: 1365 },
      ],
    });
    expect(table.rows.slice(1).map((r) => r.variance)).toEqual([3, 3]);
    for (const r of table.rows) {
      expect(r.weights.reduce((s, w) => s + w.weight * w.noise, 0)).toBe(0);
      expect(r.weights.reduce((s, w) => s + w.weight, 0)).toBe(4096);
    }
  });

  it('refuses parameters it cannot build a table from', () => {
    expect(() => buildPtable({ maximumDeviation: 0, targetVariance: 1, keyRange: 4096 })).toThrow(
      'maximumDeviation must be an integer >= 1',
    );
    expect(() => buildPtable({ maximumDeviation: 2, targetVariance: 0, keyRange: 4096 })).toThrow(
      'targetVariance must be > 0',
    );
  });
});

/** The key count of each noise, ascending, as a row's weights are written. */
function tally(noises: readonly number[]): { noise: number; weight: number }[] {
  const counts = new Map<number, number>();
  for (const n of noises) counts.set(n, (counts.get(n) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => a - b).map(([noise, weight]) => ({ noise, weight }));
}
