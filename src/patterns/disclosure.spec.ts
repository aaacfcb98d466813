import {
  cellKey,
  cellOf,
  complementOf,
  EMPTY_CELL,
  isSafe,
  perturbed,
  protectCount,
  protectShare,
  unsafeBecause,
} from './disclosure';
import { noiseFor } from './ptable';

const K = 5;

/** A cell key whose noise for `count` is `noise` (the ptable has one for every noise ±2). */
function keyWithNoise(count: number, noise: number): number {
  for (let key = 0; key < 4096; key++) if (noiseFor(count, key) === noise) return key;
  throw new Error(`no key gives noise ${noise} for ${count}`);
}

/** A cell of `count` cases whose published value is count + noise, from two organisations. */
const cell = (count: number, noise = 0, largest = Math.ceil(count / 2)) => ({
  count,
  keySum: keyWithNoise(count, noise),
  organizations: 2,
  largest,
});

describe('disclosure', () => {
  it('builds a cell from organisations, skipping those without a case', () => {
    expect(
      cellOf([
        { count: 3, keySum: 100 },
        { count: 0, keySum: 0 },
        { count: 7, keySum: 5000 },
      ]),
    ).toEqual({ count: 10, keySum: 5100, organizations: 2, largest: 7 });
    expect(cellOf([])).toEqual(EMPTY_CELL);
  });

  it('takes the cell key modulo 4096, negative sums included (keys of removed records)', () => {
    expect(cellKey(4096 * 3 + 17)).toBe(17);
    expect(cellKey(-1)).toBe(4095);
    expect(cellKey(0)).toBe(0);
  });

  it('keeps zero at zero and perturbs by the ptable otherwise', () => {
    expect(perturbed({ count: 0, keySum: 1234 })).toBe(0);
    expect(perturbed(cell(20, 2))).toBe(22);
    expect(perturbed(cell(20, -2))).toBe(18);
    expect(perturbed({ count: 20, keySum: keyWithNoise(20, 1) + 4096 * 5 })).toBe(21);
  });

  it('hides a cell of fewer than k cases whatever its noise', () => {
    expect(unsafeBecause(cell(4, 2, 2), K)).toBe('small');
    expect(protectCount(cell(4, 2, 2), K)).toEqual({
      count: null,
      organizations: null,
      suppressed: true,
    });
  });

  it('hides a cell where all organisations but the largest hold fewer than k cases', () => {
    // 50 cases of one organisation: no other organisation at all.
    expect(unsafeBecause({ count: 50, keySum: 0, organizations: 1, largest: 50 }, K)).toBe(
      'dominated',
    );
    // 13 cases, 10 of the largest: the largest would subtract its own and learn 3.
    expect(unsafeBecause({ ...cell(13), largest: 10 }, K)).toBe('dominated');
    // 15 cases, 10 of the largest: the others hold 5 = k.
    expect(unsafeBecause({ ...cell(15), largest: 10 }, K)).toBeNull();
  });

  it('hides a cell that the noise takes under k', () => {
    expect(unsafeBecause(cell(6, -2, 1), K)).toBe('noisy-small');
    expect(isSafe(cell(6, -1, 1), K)).toBe(true);
    expect(protectCount(cell(6, -1, 1), K)).toEqual({
      count: 5,
      organizations: 2,
      suppressed: false,
    });
  });

  describe('shares', () => {
    it('divides perturbed counts and rounds to three places', () => {
      // 12 of 30 published as 13 of 29.
      expect(protectShare(cell(12, 1), cell(18, 0), cell(30, -1), K)).toBe(0.448);
    });

    it('clamps to 0..1 (noise can make a numerator exceed its denominator)', () => {
      expect(protectShare(cell(20, 2), cell(10, 0, 5), cell(20, -2), K)).toBe(1);
    });

    it('is null when the numerator, the complement or the denominator is not a safe cell', () => {
      expect(protectShare(cell(4, 0), cell(26, 0), cell(30, 0), K)).toBeNull();
      // All but 4 answered: 0 % or 100 % shares would give every case's attribute.
      expect(protectShare(cell(26, 0), cell(4, 0), cell(30, 0), K)).toBeNull();
      expect(protectShare(cell(26, 0), { ...cell(10), largest: 8 }, cell(36, 0), K)).toBeNull();
      const six = cell(6, 0, 1);
      expect(protectShare(six, six, { ...cell(12), largest: 10 }, K)).toBeNull();
      expect(protectShare(six, six, cell(12, 0), K)).toBe(0.5);
    });
  });

  it('builds the complement per organisation, so its dominance is its own', () => {
    const complement = complementOf([
      { whole: { count: 10, keySum: 900 }, part: { count: 10, keySum: 900 } },
      { whole: { count: 8, keySum: 700 }, part: { count: 2, keySum: 100 } },
    ]);
    expect(complement).toEqual({ count: 6, keySum: 600, organizations: 1, largest: 6 });
    expect(unsafeBecause(complement, K)).toBe('dominated');
  });
});
