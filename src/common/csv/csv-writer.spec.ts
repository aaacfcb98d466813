import { parse } from 'csv-parse/sync';
import { csvCell, toCsv, UTF8_BOM } from './csv-writer';

describe('csv writer', () => {
  it('quotes commas, quotes and line breaks, and parses back to the same values', () => {
    const rows = [
      ['a,b', 'say "hi"', 'two\nlines', 'São Paulo — Ñandú', 'plain'],
      ['', 'x\r\ny', '""', ',', 'ok'],
    ];
    const text = toCsv(['c1', 'c2', 'c3', 'c4', 'c5'], rows);
    expect(text.startsWith(UTF8_BOM)).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
    const parsed = parse(text, { bom: true }) as string[][];
    expect(parsed).toEqual([['c1', 'c2', 'c3', 'c4', 'c5'], ...rows]);
  });

  it('defuses cells a spreadsheet would run as formulas', () => {
    for (const hostile of ['=1+1', '+SUM(A1)', '-2+3', '@cmd', '\tx', '\rx', '\0x']) {
      expect(csvCell(hostile).replace(/^"/, '').startsWith("'")).toBe(true);
    }
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('a=b')).toBe('a=b');
  });

  it('writes numbers as numbers (a negative one is not a formula), empties for null', () => {
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(0.25)).toBe('0.25');
    expect(csvCell(Number.NaN)).toBe('');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(true)).toBe('true');
  });
});
