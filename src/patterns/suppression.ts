/**
 * Disclosure control for community aggregates (DESIGN.md "Sharing"; DOMAIN.md 5.1).
 *
 * Primary: a cell counted from fewer than k cases, or from a single organisation, is suppressed.
 * Complementary: the same question with one dimension fewer gives each line's total (a line: the
 * cells that differ in one dimension only), so a lone suppressed cell in a line could be
 * recovered by subtraction. In every line holding a suppressed cell, the smallest other cells
 * are suppressed too until at least two are and together they hold at least k cases (or the
 * whole line is). Repeated over every dimension until nothing changes.
 *
 * Not covered: differences between questions over different periods or filters (e.g. Jan-Mar
 * minus Jan-Feb); the period is whole months and each answer is protected on its own.
 */
export interface CountedCell {
  /** The cell's value in each grouped dimension, in a fixed order. */
  key: readonly string[];
  count: number;
  organizations: number;
}

export function isPrimarySuppressed(cell: { count: number; organizations: number }, k: number) {
  return cell.count < k || cell.organizations < 2;
}

/** Which cells to suppress (true) for a table of `cells` grouped by `key.length` dimensions. */
export function suppressedCells(cells: readonly CountedCell[], k: number): boolean[] {
  const hidden = cells.map((c) => isPrimarySuppressed(c, k));
  const dimensions = cells.length > 0 ? cells[0].key.length : 0;
  if (dimensions === 0 || !hidden.includes(true)) return hidden;
  // Smallest first, ties by key, so the same data always hides the same cells.
  const keys = cells.map((c) => c.key.join('\u0000'));
  const order = cells
    .map((_, i) => i)
    .sort(
      (a, b) =>
        cells[a].count - cells[b].count || (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : 0),
    );
  // The lines never change, only what is hidden in them: group them once.
  const lines = Array.from({ length: dimensions }, (_, d) => linesAlong(cells, order, d)).flat();
  let changed = true;
  while (changed) {
    changed = false;
    for (const line of lines) {
      if (protectLine(line, cells, hidden, k)) changed = true;
    }
  }
  return hidden;
}

/** Cell indexes grouped by every dimension but `d`, each line in `order` (smallest first). */
function linesAlong(cells: readonly CountedCell[], order: number[], d: number): number[][] {
  const lines = new Map<string, number[]>();
  for (const i of order) {
    const rest = cells[i].key.filter((_, j) => j !== d).join('\u0000');
    const line = lines.get(rest);
    if (line) line.push(i);
    else lines.set(rest, [i]);
  }
  return [...lines.values()];
}

/** Hides more cells of the line if needed; tells whether it did. */
function protectLine(line: number[], cells: readonly CountedCell[], hidden: boolean[], k: number) {
  let count = 0;
  let sum = 0;
  for (const i of line) {
    if (hidden[i]) {
      count++;
      sum += cells[i].count;
    }
  }
  if (count === 0) return false;
  let changed = false;
  for (const i of line) {
    if (count >= 2 && sum >= k) break;
    if (hidden[i]) continue;
    hidden[i] = true;
    count++;
    sum += cells[i].count;
    changed = true;
  }
  return changed;
}
