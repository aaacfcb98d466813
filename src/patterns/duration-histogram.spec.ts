import { bucketOf, bucketValue, quantile } from './duration-histogram';

describe('duration histogram', () => {
  it('puts a duration in the bucket whose bounds hold it', () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(59)).toBe(0);
    expect(bucketOf(60)).toBe(1);
    expect(bucketOf(65)).toBe(1);
    expect(bucketOf(66.1)).toBe(2);
    for (const s of [61, 3600, 86_400, 30 * 86_400, 400 * 86_400]) {
      const b = bucketOf(s);
      expect(60 * 1.1 ** (b - 1)).toBeLessThanOrEqual(s);
      expect(60 * 1.1 ** b).toBeGreaterThan(s);
    }
  });

  it('reports a value within 5 % of any duration in the bucket', () => {
    for (let s = 60; s < 90 * 86_400; s = Math.ceil(s * 1.37)) {
      expect(Math.abs(bucketValue(bucketOf(s)) - s) / s).toBeLessThan(0.05);
    }
  });

  it('takes the nearest-rank quantile over the buckets', () => {
    // 10 values: 6 around an hour, 4 around a day. Median rank 5 (an hour), p90 rank 9 (a day).
    const h = new Map([
      [bucketOf(3600), 6],
      [bucketOf(86_400), 4],
    ]);
    expect(quantile(h, 0.5)).toBeCloseTo(bucketValue(bucketOf(3600)));
    expect(quantile(h, 0.6)).toBeCloseTo(bucketValue(bucketOf(3600)));
    expect(quantile(h, 0.61)).toBeCloseTo(bucketValue(bucketOf(86_400)));
    expect(quantile(h, 0.9)).toBeCloseTo(bucketValue(bucketOf(86_400)));
    expect(quantile(new Map(), 0.5)).toBeNull();
    expect(quantile(new Map([[3, 0]]), 0.5)).toBeNull();
  });
});
