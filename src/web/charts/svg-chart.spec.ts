import {
  ChartOptions,
  escapeXml,
  monthsBetween,
  niceScale,
  placeLabel,
  svgChart,
  svgGroupedChart,
  textWidth,
} from './svg-chart';

const options = (extra: Partial<ChartOptions> = {}): ChartOptions => ({
  kind: 'bar',
  title: 'Cases by month',
  description: 'Cases of the shared repository per month.',
  suppressedLabel: 'suppressed',
  emptyLabel: 'No data for these filters.',
  id: 'trends',
  ...extra,
});

/** The <text> contents of an SVG, in order. */
const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
/** Heights of the drawn bars (not the hatched placeholders). */
const barHeights = (svg: string) =>
  [...svg.matchAll(/<rect [^>]*height="([\d.]+)" fill="#5b2a86"/g)].map((m) => Number(m[1]));

describe('svgChart', () => {
  it('escapes labels, titles and descriptions (no markup gets through)', () => {
    const svg = svgChart([{ label: '<script>alert("x")</script> & \'y\'', value: 3 }], {
      ...options(),
      title: 'A <b>title</b>',
      description: 'Desc "quoted" & more',
    });
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;');
    expect(svg).toContain('<title id="trends-title">A &lt;b&gt;title&lt;/b&gt;</title>');
    expect(svg).toContain('Desc &quot;quoted&quot; &amp; more');
    expect(escapeXml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });

  it('keeps ids safe and names the image by its title and description', () => {
    const svg = svgChart([{ label: 'a', value: 1 }], options({ id: 'x" onload="y' }));
    expect(svg).toContain('role="img"');
    expect(svg).toContain('aria-labelledby="x__onload__y-title x__onload__y-desc"');
    expect(svg).not.toContain('onload="');
  });

  it('scales bars to a nice maximum, proportionally, and prints every value as text', () => {
    const svg = svgChart(
      [
        { label: '2026-01', value: 10 },
        { label: '2026-02', value: 5 },
        { label: '2026-03', value: 0 },
      ],
      options(),
    );
    const [ten, five, zero] = barHeights(svg);
    expect(ten).toBeGreaterThan(0);
    expect(five).toBeCloseTo(ten / 2, 0);
    expect(zero).toBe(0);
    expect(texts(svg)).toEqual(expect.arrayContaining(['10', '5', '0', '2026-01', '2026-03']));
    expect(svg).toContain('2026-01: 10; 2026-02: 5; 2026-03: 0.');
  });

  it('shows a suppressed cell as "suppressed", never as 0 (bars, line, description)', () => {
    for (const kind of ['bar', 'line'] as const) {
      const svg = svgChart(
        [
          { label: '2026-01', value: 7 },
          { label: '2026-02', value: null, suppressed: true },
          { label: '2026-03', value: 6 },
        ],
        options({ kind, suppressedLabel: 'oculto' }),
      );
      expect(svg).toContain('2026-02: oculto');
      expect(svg).not.toContain('2026-02: 0');
      expect(svg).toContain('<title>2026-02: oculto</title>');
      expect(texts(svg)).toContain('oculto');
      expect(svg).toContain('fill="url(#trends-hatch)"');
      if (kind === 'bar') expect(barHeights(svg)).toHaveLength(2);
      // The line breaks at the suppressed month instead of dropping to 0.
      if (kind === 'line') expect(svg).not.toContain('<polyline');
    }
  });

  it('draws a line through consecutive known values', () => {
    const svg = svgChart(
      [
        { label: 'a', value: 1 },
        { label: 'b', value: 2 },
        { label: 'c', value: 3 },
      ],
      options({ kind: 'line' }),
    );
    expect(svg.match(/<polyline points="([^"]+)"/)?.[1].split(' ')).toHaveLength(3);
    expect(svg.match(/<circle /g)).toHaveLength(3);
  });

  it('says so in words when there is no data', () => {
    const svg = svgChart([], options());
    expect(texts(svg)).toEqual(['No data for these filters.']);
    expect(svg).toContain(
      '<desc id="trends-desc">Cases of the shared repository per month. No data for these filters.</desc>',
    );
    expect(svg).not.toContain('<rect');
  });

  it('draws an all-zero or all-suppressed series on a 0..1 axis without dividing by zero', () => {
    const svg = svgChart([{ label: 'a', value: null, suppressed: true }], options());
    expect(svg).not.toMatch(/NaN|Infinity/);
    expect(svgChart([{ label: 'a', value: 0 }], options())).not.toMatch(/NaN|Infinity/);
  });
});

/** The boxes the labels over the marks cover, read back from the markup. */
function labelBoxes(svg: string) {
  const marks = svg.slice(svg.indexOf('<g class="marks">'), svg.indexOf('<g class="legend"'));
  return [
    ...marks.matchAll(
      /<text x="([\d.]+)" y="([\d.]+)" text-anchor="(middle|start)"(?: transform="[^"]+")? font-size="(\d+)"[^>]*>([^<]*)<\/text>/g,
    ),
  ].map(([, x, y, anchor, size, text]) => {
    const [ax, ay, f, w] = [Number(x), Number(y), Number(size), textWidth(text, Number(size))];
    return anchor === 'middle'
      ? { text, left: ax - w / 2, right: ax + w / 2, top: ay - f, bottom: ay }
      : { text, left: ax - f, right: ax, top: ay - w, bottom: ay };
  });
}

describe('label layout: suppressed and value labels never overlap', () => {
  const cases: [string, number, number, string][] = [
    ['12 months, all suppressed', 12, 1, 'suppressed'],
    ['12 months, a long word', 12, 1, 'tersembunyi'],
    ['36 months', 36, 1, 'oculto'],
    ['8 quarters by 6 platforms', 8, 6, 'masqué'],
    ['12 months by 10 categories', 12, 10, 'suppressed'],
  ];
  it.each(cases)('%s', (_name, groups, series, word) => {
    // Every other point hidden, the others large numbers: the worst neighbours.
    const svg = svgGroupedChart(
      Array.from({ length: groups }, (_, g) => ({
        label: `2026-${String(g + 1).padStart(2, '0')}`,
        points: Array.from({ length: series }, (_, i) =>
          (g + i) % 2 === 0
            ? { label: '', value: null, suppressed: true }
            : { label: '', value: 12345 + g * i },
        ),
      })),
      options({ suppressedLabel: word, series: series > 1 ? Array(series).fill('s') : undefined }),
    );
    const boxes = labelBoxes(svg);
    // Narrow slots (many series) may leave no room for any label: then none is drawn.
    if (series === 1) expect(boxes).toHaveLength(groups);
    for (let a = 0; a < boxes.length; a++) {
      for (let b = a + 1; b < boxes.length; b++) {
        const [p, q] = [boxes[a], boxes[b]];
        const apart =
          p.right <= q.left + 0.01 ||
          q.right <= p.left + 0.01 ||
          p.bottom <= q.top + 0.01 ||
          q.bottom <= p.top + 0.01;
        expect({ p, q, apart }).toEqual({ p, q, apart: true });
      }
    }
    // The word is never lost: every hidden mark keeps its title.
    expect(svg.match(new RegExp(`: ${word}</title>`, 'g'))?.length).toBe(
      Math.ceil((groups * series) / 2),
    );
  });

  it('labels the tallest bar too (its value sits in the margin above the plot)', () => {
    const svg = svgChart(
      [
        { label: 'Facebook', value: 3 },
        { label: 'X', value: 2 },
      ],
      options(),
    );
    expect(texts(svg)).toEqual(expect.arrayContaining(['3', '2']));
  });

  it('lays a label flat when it fits, upright when it does not, and drops it when neither', () => {
    expect(placeLabel('7', 100, 200, 50, 10, 12)?.upright).toBe(false);
    expect(placeLabel('suppressed', 100, 200, 40, 10, 11)?.upright).toBe(true);
    expect(placeLabel('suppressed', 100, 200, 8, 10, 11)).toBeNull();
    expect(placeLabel('suppressed', 100, 30, 40, 10, 11)).toBeNull();
  });

  it('names each bar by its group and series, and draws a legend', () => {
    const svg = svgGroupedChart(
      [
        {
          label: '2026-Q1',
          points: [
            { label: '', value: 6 },
            { label: '', value: null, suppressed: true },
          ],
        },
      ],
      options({ series: ['Facebook', 'TikTok'], note: 'Protected figures.' }),
    );
    expect(svg).toContain('<title>2026-Q1, Facebook: 6</title>');
    expect(svg).toContain('<title>2026-Q1, TikTok: suppressed</title>');
    expect(texts(svg)).toEqual(
      expect.arrayContaining(['Facebook', 'TikTok', 'Protected figures.']),
    );
  });
});

describe('niceScale', () => {
  it.each([
    [0, 1, [0, 1]],
    [1, 1, [0, 1]],
    [3, 3, [0, 1, 2, 3]],
    [7, 8, [0, 2, 4, 6, 8]],
    [10, 10, [0, 5, 10]],
    [47, 60, [0, 20, 40, 60]],
    [1234, 1500, [0, 500, 1000, 1500]],
  ])('max %p -> %p', (max, top, ticks) => {
    expect(niceScale(max)).toEqual({ max: top, ticks });
  });
});

describe('monthsBetween', () => {
  it('lists every month across a year end', () => {
    expect(monthsBetween('2025-11', '2026-02')).toEqual([
      '2025-11',
      '2025-12',
      '2026-01',
      '2026-02',
    ]);
    expect(monthsBetween('2026-03', '2026-02')).toEqual([]);
  });
});
