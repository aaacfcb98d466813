/**
 * Disclosure control for everything the shared repository publishes (DISCLOSURE.md): the one
 * place a count, a share or a percentile of other organisations' cases becomes a figure.
 *
 * The cell key method: every record has a secret key (0-4095); a cell's key is the sum of its
 * records' keys modulo the key range, and the ptable (`data/ptable.json`) maps (count, cell key)
 * to a small noise. The same records always get the same noise, whatever question made the
 * cell; two questions that differ by one case differ by two unrelated noises.
 *
 * A count is shown only when the cell is safe:
 * - at least k cases, and at least k after the noise;
 * - the cases of all organisations but the largest are at least k (the dominance rule; it also
 *   hides a cell of one organisation), so the largest contributor cannot subtract its own cases
 *   and learn another's.
 * A share needs its numerator, its denominator and its complement safe; a percentile needs the
 * cell of the values behind it safe. Both are computed from perturbed counts only.
 */
import { KEY_RANGE, noiseFor } from './ptable';

/** A cell as the rollups give it, before protection. Never leaves the service. */
export interface CellCounts {
  /** Cases in the cell. */
  count: number;
  /** Sum of the records' keys (the cell key is this modulo the key range). */
  keySum: number;
  /** Distinct organisations with a case in the cell. */
  organizations: number;
  /** Cases of the organisation with the most cases in the cell. */
  largest: number;
}

export const EMPTY_CELL: CellCounts = { count: 0, keySum: 0, organizations: 0, largest: 0 };

/** A cell from each organisation's count and key sum. */
export function cellOf(perOrganization: Iterable<{ count: number; keySum: number }>): CellCounts {
  const cell = { ...EMPTY_CELL };
  for (const o of perOrganization) {
    if (o.count <= 0) continue;
    cell.count += o.count;
    cell.keySum += o.keySum;
    cell.organizations++;
    cell.largest = Math.max(cell.largest, o.count);
  }
  return cell;
}

export function cellKey(keySum: number): number {
  return ((keySum % KEY_RANGE) + KEY_RANGE) % KEY_RANGE;
}

/** The published value of a count before any suppression: zero stays zero. */
export function perturbed(cell: Pick<CellCounts, 'count' | 'keySum'>): number {
  return cell.count + noiseFor(cell.count, cellKey(cell.keySum));
}

/** Why a cell is hidden, or null when it may be shown. */
export function unsafeBecause(
  cell: CellCounts,
  k: number,
): 'small' | 'noisy-small' | 'dominated' | null {
  if (cell.count < k) return 'small';
  if (cell.count - cell.largest < k) return 'dominated';
  if (perturbed(cell) < k) return 'noisy-small';
  return null;
}

export function isSafe(cell: CellCounts, k: number): boolean {
  return unsafeBecause(cell, k) === null;
}

export interface ProtectedCount {
  count: number | null;
  organizations: number | null;
  suppressed: boolean;
}

/** A count as published: perturbed when safe, hidden (null) otherwise. */
export function protectCount(cell: CellCounts, k: number): ProtectedCount {
  if (!isSafe(cell, k)) return { count: null, organizations: null, suppressed: true };
  return { count: perturbed(cell), organizations: cell.organizations, suppressed: false };
}

/**
 * numerator / denominator from perturbed counts, clamped to 0..1; null unless the numerator,
 * the denominator and the complement (denominator minus numerator) are all safe: a share of 0,
 * of 1, or near them would tell the attribute of every case behind it.
 */
export function protectShare(
  numerator: CellCounts,
  complement: CellCounts,
  denominator: CellCounts,
  k: number,
): number | null {
  if (!isSafe(denominator, k) || !isSafe(numerator, k) || !isSafe(complement, k)) return null;
  const share = perturbed(numerator) / perturbed(denominator);
  return Math.round(Math.min(1, Math.max(0, share)) * 1000) / 1000;
}

type OrganizationCount = { count: number; keySum: number };

/**
 * The cases of the whole but not of the part, as a cell, from each organisation's counts of
 * both (the part's records are a subset of the whole's).
 */
export function complementOf(
  perOrganization: Iterable<{ whole: OrganizationCount; part: OrganizationCount }>,
): CellCounts {
  return cellOf(
    [...perOrganization].map(({ whole, part }) => ({
      count: whole.count - part.count,
      keySum: whole.keySum - part.keySum,
    })),
  );
}
