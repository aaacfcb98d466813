import { CountedCell, suppressedCells } from './suppression';

const K = 5;
const cell = (key: string[], count: number, organizations = 3): CountedCell => ({
  key,
  count,
  organizations,
});

/** Every line along every dimension: suppressed cells are 0, or at least 2 holding >= k cases. */
function expectNoLineRecoverable(cells: CountedCell[], hidden: boolean[]) {
  const dims = cells[0].key.length;
  for (let d = 0; d < dims; d++) {
    const lines = new Map<string, number[]>();
    cells.forEach((c, i) => {
      const rest = c.key.filter((_, j) => j !== d).join('|');
      lines.set(rest, [...(lines.get(rest) ?? []), i]);
    });
    for (const line of lines.values()) {
      const h = line.filter((i) => hidden[i]);
      if (h.length === 0) continue;
      const whole = h.length === line.length;
      expect(whole || (h.length >= 2 && h.reduce((s, i) => s + cells[i].count, 0) >= K)).toBe(true);
    }
  }
}

describe('suppression', () => {
  it('hides a cell of 4 cases and keeps a cell of 5 (k = 5), with enough other cells', () => {
    const cells = [cell(['a'], 4), cell(['b'], 5), cell(['c'], 50), cell(['d'], 60)];
    const hidden = suppressedCells(cells, K);
    expect(hidden[0]).toBe(true);
    // 'a' alone could be recovered from the total: the smallest other cell goes too.
    expect(hidden).toEqual([true, true, false, false]);
  });

  it('keeps every cell of 5 or more cases from two organisations or more', () => {
    const cells = [cell(['a'], 5), cell(['b'], 6), cell(['c'], 7)];
    expect(suppressedCells(cells, K)).toEqual([false, false, false]);
  });

  it('hides a cell of 50 cases from one organisation', () => {
    const cells = [cell(['a'], 50, 1), cell(['b'], 10), cell(['c'], 12)];
    const hidden = suppressedCells(cells, K);
    expect(hidden[0]).toBe(true);
    expect(hidden.filter(Boolean).length).toBeGreaterThanOrEqual(2);
  });

  it('adds complementary cells until the hidden ones hold at least k cases', () => {
    // 1 + 1 = 2 < 5: the next smallest (3) is hidden as well, giving 5.
    const cells = [cell(['a'], 1), cell(['b'], 1), cell(['c'], 3), cell(['d'], 40)];
    expect(suppressedCells(cells, K)).toEqual([true, true, true, false]);
  });

  it('protects every line of a two-dimensional table against subtraction', () => {
    // months x countries; the (2026-02, BO) cell is small.
    const months = ['2026-01', '2026-02', '2026-03'];
    const countries = ['AR', 'BO', 'MX'];
    const counts = [
      [20, 8, 30],
      [25, 3, 31],
      [22, 9, 35],
    ];
    const cells = months.flatMap((m, i) => countries.map((c, j) => cell([m, c], counts[i][j])));
    const hidden = suppressedCells(cells, K);
    expect(hidden[4]).toBe(true);
    expectNoLineRecoverable(cells, hidden);
    // Subtraction from the row total (2026-02) and from the column total (BO) both fail.
    const row = cells.map((c, i) => i).filter((i) => cells[i].key[0] === '2026-02');
    const column = cells.map((c, i) => i).filter((i) => cells[i].key[1] === 'BO');
    expect(row.filter((i) => hidden[i]).length).toBeGreaterThanOrEqual(2);
    expect(column.filter((i) => hidden[i]).length).toBeGreaterThanOrEqual(2);
  });

  it('holds on random tables: no line ever leaves a lone or too small hidden remainder', () => {
    let seed = 42;
    const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let t = 0; t < 200; t++) {
      const cells: CountedCell[] = [];
      for (let a = 0; a < 1 + Math.floor(rand() * 5); a++) {
        for (let b = 0; b < 1 + Math.floor(rand() * 5); b++) {
          if (rand() < 0.2) continue; // absent cells (0 cases) are not rows
          cells.push(cell([`a${a}`, `b${b}`], 1 + Math.floor(rand() * 12), rand() < 0.15 ? 1 : 2));
        }
      }
      if (cells.length === 0) continue;
      const hidden = suppressedCells(cells, K);
      cells.forEach((c, i) => {
        if (c.count < K || c.organizations < 2) expect(hidden[i]).toBe(true);
      });
      expectNoLineRecoverable(cells, hidden);
    }
  });

  it('hides nothing more when nothing is small, and handles the empty table', () => {
    expect(suppressedCells([], K)).toEqual([]);
    expect(suppressedCells([cell(['a', 'x'], 9)], K)).toEqual([false]);
  });
});
