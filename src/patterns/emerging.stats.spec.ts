import {
  binomialUpperTail,
  isEmerging,
  rateRatioTest,
  RateRatioResult,
  windowMonths,
} from './emerging.stats';

/** |actual - expected| <= rel * expected. */
function expectClose(actual: number, expected: number, rel: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected));
}

const test = (recent: number, baseline: number, recentMonths = 3, baselineMonths = 12) =>
  rateRatioTest({ recent, baseline, recentMonths, baselineMonths });

/**
 * An independent oracle for small n: the tail as an exact fraction of BigInts,
 * sum_{i>=k} C(n,i) a^i b^(n-i) / (a+b)^n for whole months a and b, then rounded to a double.
 */
function exactTail(k: number, n: number, a: number, b: number): number {
  let num = 0n;
  let c = 1n; // C(n, i), i from 0 up
  for (let i = 0; i <= n; i++) {
    if (i >= k) num += c * BigInt(a) ** BigInt(i) * BigInt(b) ** BigInt(n - i);
    c = (c * BigInt(n - i)) / BigInt(i + 1);
  }
  const den = BigInt(a + b) ** BigInt(n);
  if (num === 0n) return 0;
  // Scale to a 64-bit quotient, then back by a power of two.
  const shift = den.toString(2).length - num.toString(2).length + 64;
  return Number((num << BigInt(shift)) / den) * 2 ** -shift;
}

describe('windowMonths', () => {
  it('rounds days to the nearest average month, never below one', () => {
    // 30.436875 days a month: 90 / 30.44 = 2.96, 365 / 30.44 = 11.99, 45.6 splits 1 and 2.
    expect(windowMonths(90)).toBe(3);
    expect(windowMonths(365)).toBe(12);
    expect(windowMonths(730)).toBe(24);
    expect(windowMonths(45)).toBe(1);
    expect(windowMonths(46)).toBe(2);
    expect(windowMonths(1)).toBe(1);
    expect(windowMonths(7)).toBe(1);
  });

  it('refuses windows that are not positive', () => {
    expect(() => windowMonths(0)).toThrow(RangeError);
    expect(() => windowMonths(-30)).toThrow(RangeError);
    expect(() => windowMonths(Number.NaN)).toThrow(RangeError);
    expect(() => windowMonths(Infinity)).toThrow(RangeError);
  });
});

describe('rateRatioTest', () => {
  it('small n: 3 recent vs 1 baseline over 3 vs 12 months', () => {
    // By hand: n = 4, p0 = 3/15 = 1/5. P(X >= 3) = C(4,3)(1/5)^3(4/5) + (1/5)^4
    //   = 16/625 + 1/625 = 17/625 = 0.0272. Ratio = (3/3) / (1/12) = 12.
    const result = test(3, 1);
    expect(result.ratio).toBe(12);
    expect(result.infiniteRatio).toBe(false);
    expectClose(result.pValue, 17 / 625, 1e-14);
  });

  it('moderate n: 10 vs 10 over 3 vs 12 months', () => {
    // python3: from fractions import Fraction as F; from math import comb
    //   sum(comb(20,i) * F(1,5)**i * F(4,5)**(20-i) for i in range(10, 21))
    //   == F(247462024753, 95367431640625) ~= 0.00259482740067401728
    // Ratio = (10/3) / (10/12) = 4.
    const result = test(10, 10);
    expect(result.ratio).toBe(4);
    expectClose(result.pValue, 247462024753 / 95367431640625, 1e-13);
  });

  it('baseline 0: the ratio is infinite, spelled as null plus a flag', () => {
    // n = 4, all recent: P(X >= 4) = (1/5)^4 = 1/625. n = 5, p0 = 3/12: (1/4)^5 = 1/1024.
    const result = test(4, 0);
    expect(result).toEqual({ ratio: null, infiniteRatio: true, pValue: expect.any(Number) });
    expectClose(result.pValue, 1 / 625, 1e-14);
    expect(test(5, 0, 3, 9).pValue).toBe(1 / 1024);
    // JSON keeps the meaning (JSON.stringify(Infinity) would be a bare null).
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('recent 0: p = 1 and ratio 0; both 0: no ratio, not infinite', () => {
    expect(test(0, 5)).toEqual({ ratio: 0, infiniteRatio: false, pValue: 1 });
    expect(test(0, 0)).toEqual({ ratio: null, infiniteRatio: false, pValue: 1 });
  });

  it('huge n: tiny p-values keep their digits, and underflow is an explicit 0', () => {
    // n = 100000, p0 = 1/5. Exact with python3 integers (c = C(n,i) from i = n down):
    //   num = sum(C(n,i) << 2*(n-i) for i >= k); Fraction(num, 5**n), printed with mpmath:
    //   k = 22000: 2.6752096348821838115e-55
    //   k = 24700: 8.511695166909129496e-287
    //   k = 26000: 9.6196020596248786134e-460 (below the smallest normal double)
    //   k = 20100: 0.21566493961797988064
    expectClose(test(22000, 78000).pValue, 2.6752096348821838e-55, 1e-10);
    expectClose(test(24700, 75300).pValue, 8.51169516690913e-287, 1e-10);
    expect(test(26000, 74000).pValue).toBe(0);
    expectClose(test(20100, 79900).pValue, 0.2156649396179799, 1e-12);
  });

  it('n = 1e6 stays accurate and fast', () => {
    // mpmath at 50 digits: first term from loggamma, then the term ratio until 1e-60:
    //   k = 210000: 1.4138783933690705437e-136; k = 201000: 0.0062546388214117025401
    const started = Date.now();
    expectClose(test(210000, 790000).pValue, 1.4138783933690706e-136, 1e-10);
    expectClose(test(201000, 799000).pValue, 0.006254638821411702, 1e-10);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('agrees with exact BigInt arithmetic on a grid of small cases', () => {
    for (const [a, b] of [
      [3, 12],
      [1, 11],
      [6, 6],
      [12, 1],
    ]) {
      for (let n = 0; n <= 40; n += 3) {
        for (let k = 0; k <= n; k++) {
          expectClose(test(k, n - k, a, b).pValue, exactTail(k, n, a, b), 1e-12);
        }
      }
    }
  });

  it('swapping the windows gives the complement: P(X >= a) + P(Y >= b + 1) = 1', () => {
    // X ~ Bin(n, p), Y = n - X ~ Bin(n, 1 - p): P(X >= a) = P(Y <= b) = 1 - P(Y >= b + 1).
    for (const [a, b] of [
      [7, 9],
      [3, 30],
      [40, 2],
      [150, 400],
    ]) {
      const forward = test(a, b, 3, 12).pValue;
      const swapped = test(b + 1, a - 1, 12, 3).pValue;
      expect(forward + swapped).toBeCloseTo(1, 12);
    }
  });

  it('is monotone: more recent cases lower p, more baseline cases raise it', () => {
    let previous = 1;
    for (let recent = 0; recent <= 60; recent++) {
      const p = test(recent, 20).pValue;
      expect(p).toBeLessThanOrEqual(previous);
      previous = p;
    }
    previous = 0;
    for (let baseline = 0; baseline <= 200; baseline += 5) {
      const p = test(15, baseline).pValue;
      expect(p).toBeGreaterThanOrEqual(previous);
      previous = p;
    }
  });

  it('equal rates give p near one half, and the ratio is 1', () => {
    // 30 vs 120 over 3 vs 12 months: the expected split exactly.
    const result = test(30, 120);
    expect(result.ratio).toBe(1);
    expect(result.pValue).toBeGreaterThan(0.4);
    expect(result.pValue).toBeLessThan(0.6);
  });

  it('refuses counts and windows that make no sense', () => {
    expect(() => test(-1, 3)).toThrow(RangeError);
    expect(() => test(1.5, 3)).toThrow(RangeError);
    expect(() => test(1, 3, 0, 12)).toThrow(RangeError);
    expect(() => test(1, 3, 3, Number.NaN)).toThrow(RangeError);
  });

  it('the tail of a single value is its probability', () => {
    // P(X >= 1) for n = 1 is p; P(X >= n) = p^n.
    expect(binomialUpperTail(1, 1, 0.25, 0.75)).toBe(0.25);
    expectClose(binomialUpperTail(10, 10, 0.5, 0.5), 2 ** -10, 1e-15);
    expect(binomialUpperTail(11, 10, 0.5, 0.5)).toBe(0);
  });
});

describe('isEmerging', () => {
  const significant: RateRatioResult = { ratio: 4, infiniteRatio: false, pValue: 0.0026 };

  it('needs the minimum count, a rate above baseline and p at or below alpha', () => {
    expect(isEmerging(significant, { recent: 10, minCount: 5, alpha: 0.01 })).toBe(true);
    expect(isEmerging(significant, { recent: 10, minCount: 11, alpha: 0.01 })).toBe(false);
    expect(isEmerging(significant, { recent: 10, minCount: 5, alpha: 0.001 })).toBe(false);
    expect(
      isEmerging({ ...significant, pValue: 0.01 }, { recent: 10, minCount: 5, alpha: 0.01 }),
    ).toBe(true);
  });

  it('counts an infinite ratio as above baseline, and never a rate at or below it', () => {
    const onlyRecent = test(8, 0);
    expect(isEmerging(onlyRecent, { recent: 8, minCount: 5, alpha: 0.01 })).toBe(true);
    expect(
      isEmerging(
        { ratio: 1, infiniteRatio: false, pValue: 0 },
        { recent: 9, minCount: 1, alpha: 0.5 },
      ),
    ).toBe(false);
    expect(isEmerging(test(0, 0), { recent: 0, minCount: 0, alpha: 0.5 })).toBe(false);
  });

  it('works end to end on the computed examples', () => {
    expect(isEmerging(test(10, 10), { recent: 10, minCount: 5, alpha: 0.01 })).toBe(true);
    expect(isEmerging(test(3, 1), { recent: 3, minCount: 5, alpha: 0.05 })).toBe(false);
    expect(isEmerging(test(20100, 79900), { recent: 20100, minCount: 5, alpha: 0.05 })).toBe(false);
  });

  it('refuses an alpha outside (0, 1)', () => {
    expect(() => isEmerging(significant, { recent: 10, minCount: 5, alpha: 0 })).toThrow(
      RangeError,
    );
    expect(() => isEmerging(significant, { recent: 10, minCount: 5, alpha: 1 })).toThrow(
      RangeError,
    );
  });
});
