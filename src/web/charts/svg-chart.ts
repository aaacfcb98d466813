/**
 * Small server-side SVG charts of counts (by month, or any ordered labels): pure functions, no
 * script, no inline style (the web CSP forbids both), presentation attributes only.
 *
 * Accessibility: the SVG is `role="img"` named by its own <title> and described by its <desc>
 * (the description states every value in words, so the chart is never the only carrier of a
 * figure); every bar or point has its own <title>; values are printed as text next to the marks,
 * and suppressed cells are drawn as an outlined, hatched placeholder labelled with the word for
 * "suppressed" (never as 0, never by colour alone). The page still shows the data table beneath.
 */

export interface ChartPoint {
  label: string;
  /** null when suppressed (or unknown). */
  value: number | null;
  suppressed?: boolean;
}

export interface ChartOptions {
  kind: 'bar' | 'line';
  /** The chart's accessible name. */
  title: string;
  /** A sentence introducing the figures; the values are appended to it. */
  description: string;
  /** The word shown for a suppressed cell, in the page's language. */
  suppressedLabel: string;
  /** Shown instead of a chart when there is no point at all. */
  emptyLabel: string;
  /** Unique per page: ids of <title>, <desc> and the hatch pattern derive from it. */
  id: string;
  width?: number;
  height?: number;
  /** Formats a value for text (default: the integer as is). */
  format?: (value: number) => string;
  /** Names of the series of a grouped chart (its legend), in the order of each group's points. */
  series?: readonly string[];
  /** A note printed under the chart (a downloaded file carries the protection note). */
  note?: string;
}

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text or attribute content for XML/HTML. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]);
}

/** Ids may only hold [A-Za-z0-9_-]. */
const safeId = (id: string) => id.replace(/[^A-Za-z0-9_-]/g, '_') || 'chart';

/**
 * A "nice" upper bound for the value axis (1, 2 or 5 times a power of ten, at least the
 * maximum) and its evenly spaced ticks from 0. Integer counts only: the step is at least 1.
 */
export function niceScale(max: number, targetTicks = 4): { max: number; ticks: number[] } {
  if (!Number.isFinite(max) || max <= 0) return { max: 1, ticks: [0, 1] };
  const rough = max / targetTicks;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = Math.max(
    1,
    [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? 10 * magnitude,
  );
  const top = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let v = 0; v <= top + step / 2; v += step) ticks.push(Math.round(v));
  return { max: top, ticks };
}

const round = (n: number) => Math.round(n * 10) / 10;

/** A group of bars under one label: one point per series, in the order of `series`. */
export interface ChartGroup {
  label: string;
  points: readonly ChartPoint[];
}

/**
 * Colours of the series, each with a contrast of at least 4.5:1 on white and told apart by
 * hue and lightness (the legend, the bars' titles and the table beneath carry the names too).
 */
export const SERIES_COLOURS = [
  '#5b2a86',
  '#b34700',
  '#00707a',
  '#a4000f',
  '#3b6100',
  '#1f4e9e',
  '#7a4a00',
  '#595959',
] as const;

/**
 * Estimated width of a text in px: about 0.62 em per Latin glyph, more for wide ones and a full
 * em for CJK and other wide scripts. Generous on purpose: a label judged to fit must fit.
 */
export function textWidth(text: string, fontSize: number): number {
  let ems = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    ems += code > 0x2e7f ? 1 : /[MW@%mw]/.test(ch) ? 0.9 : 0.62;
  }
  return ems * fontSize;
}

/** Where a label is drawn and the box it covers (x, y: top left). */
export interface PlacedLabel {
  text: string;
  /** Its anchor point. */
  x: number;
  y: number;
  /** Turned a quarter to read upwards (when it is too wide to lie flat). */
  upright: boolean;
  box: { x: number; y: number; width: number; height: number };
}

/**
 * A label above a mark, centred on `cx`, its foot at `bottom`, inside the slot of `slot` px
 * that belongs to that mark alone and below `top`: flat when it fits across, else upright when
 * the slot is as wide as a line and there is room above, else not drawn (the mark's own title,
 * the description and the table still carry it). Every box lies within its own slot, and the
 * slots of a chart never overlap, so no two labels can.
 */
export function placeLabel(
  text: string,
  cx: number,
  bottom: number,
  slot: number,
  top: number,
  fontSize: number,
): PlacedLabel | null {
  const width = textWidth(text, fontSize);
  if (width <= slot - 2 && bottom - fontSize >= top) {
    return {
      text,
      x: cx,
      y: bottom,
      upright: false,
      box: { x: cx - width / 2, y: bottom - fontSize, width, height: fontSize },
    };
  }
  if (fontSize <= slot - 2 && bottom - width >= top) {
    return {
      text,
      x: round(cx + fontSize / 2 - 2),
      y: bottom,
      upright: true,
      box: { x: cx - fontSize / 2, y: bottom - width, width: fontSize, height: width },
    };
  }
  return null;
}

function labelMarkup(label: PlacedLabel | null, fontSize: number): string {
  if (!label) return '';
  const at = `x="${label.x}" y="${label.y}"`;
  return label.upright
    ? `<text ${at} text-anchor="start" transform="rotate(-90 ${label.x} ${label.y})" ` +
        `font-size="${fontSize}" fill="#1a1a1a">${escapeXml(label.text)}</text>`
    : `<text ${at} text-anchor="middle" font-size="${fontSize}" fill="#1a1a1a">` +
        `${escapeXml(label.text)}</text>`;
}

/** Words of `text` in lines of at most `chars` characters. */
function wrap(text: string, chars: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > chars) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** The chart as an SVG element (a string of markup, every text escaped). */
export function svgChart(points: readonly ChartPoint[], options: ChartOptions): string {
  return svgGroupedChart(
    points.map((p) => ({ label: p.label, points: [p] })),
    options,
  );
}

/**
 * Bars (or lines) of several series per label, e.g. platforms per quarter: a group per label,
 * a bar per series within it, a legend naming the series (`options.series`). One series draws
 * the plain chart.
 */
export function svgGroupedChart(groups: readonly ChartGroup[], options: ChartOptions): string {
  const id = safeId(options.id);
  const format = options.format ?? ((v: number) => String(v));
  const hidden = (p: ChartPoint) => p.suppressed || p.value === null;
  const shown = (p: ChartPoint) => (hidden(p) ? options.suppressedLabel : format(p.value!));
  const series = options.series ?? [];
  const named = series.length > 0;
  const nameOf = (g: ChartGroup, i: number) => (named ? `${g.label}, ${series[i]}` : g.label);
  const width = options.width ?? 720;
  const points = groups.flatMap((g) => g.points);
  const described = points.length
    ? `${options.description} ${groups
        .flatMap((g) => g.points.map((p, i) => `${nameOf(g, i)}: ${shown(p)}`))
        .join('; ')}.`
    : `${options.description} ${options.emptyLabel}`;

  // Legend and note under the plot: their height adds to the chart's.
  const legendItems = series.map((name) => 16 + textWidth(name, 12) + 16);
  const legendRows: number[][] = [];
  let rowWidth = Infinity;
  legendItems.forEach((w, i) => {
    if (rowWidth + w > width - 32) {
      legendRows.push([]);
      rowWidth = 0;
    }
    legendRows[legendRows.length - 1].push(i);
    rowWidth += w;
  });
  const noteLines = options.note ? wrap(options.note, Math.floor((width - 32) / (11 * 0.62))) : [];
  const legendH = legendRows.length ? legendRows.length * 20 + 8 : 0;
  const noteH = noteLines.length ? noteLines.length * 14 + 8 : 0;
  const plotHeight = options.height ?? 300;
  const height = plotHeight + legendH + noteH;

  const head =
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" ` +
    `viewBox="0 0 ${width} ${height}" width="100%" preserveAspectRatio="xMidYMid meet" ` +
    `aria-labelledby="${id}-title ${id}-desc">` +
    `<title id="${id}-title">${escapeXml(options.title)}</title>` +
    `<desc id="${id}-desc">${escapeXml(described)}</desc>`;
  const note = noteLines
    .map(
      (line, i) =>
        `<text x="16" y="${plotHeight + legendH + 14 * (i + 1)}" font-size="11" ` +
        `fill="#1a1a1a">${escapeXml(line)}</text>`,
    )
    .join('');
  if (points.length === 0) {
    return (
      `${head}<text x="${width / 2}" y="${plotHeight / 2}" text-anchor="middle" ` +
      `font-size="16" fill="#1a1a1a">${escapeXml(options.emptyLabel)}</text>${note}</svg>`
    );
  }

  const margin = { top: 24, right: 16, bottom: 64, left: 48 };
  const plotW = width - margin.left - margin.right;
  const plotH = plotHeight - margin.top - margin.bottom;
  const n = Math.max(1, ...groups.map((g) => g.points.length));
  const values = points.map((p) => (hidden(p) ? 0 : p.value!));
  const scale = niceScale(Math.max(0, ...values));
  const y = (v: number) => round(margin.top + plotH - (v / scale.max) * plotH);
  const band = plotW / groups.length;
  const gx = (g: number) => margin.left + band * g + band / 2;
  // One series: a bar 60 % of its band, its labels free to use the whole band. Several: the
  // group takes 80 % of the band, each bar its own slot of it.
  const slot = n === 1 ? band : (band * 0.8) / n;
  const barW = round(Math.max(2, n === 1 ? band * 0.6 : slot * 0.85));
  const cx = (g: number, i: number) =>
    round(n === 1 ? gx(g) : gx(g) - (band * 0.8) / 2 + slot * (i + 0.5));
  const colour = (i: number) => SERIES_COLOURS[i % SERIES_COLOURS.length];
  const base = y(0);
  const parts: string[] = [head];

  parts.push(
    `<defs><pattern id="${id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" ` +
      `patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#4a4a4a" ` +
      `stroke-width="2"/></pattern></defs>`,
  );
  // Value axis: grid lines and tick labels.
  parts.push('<g class="axis" font-size="12" fill="#1a1a1a">');
  for (const t of scale.ticks) {
    parts.push(
      `<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(t)}" y2="${y(t)}" ` +
        `stroke="#c8c8c8" stroke-width="1"/>` +
        `<text x="${margin.left - 6}" y="${y(t) + 4}" text-anchor="end">${escapeXml(format(t))}</text>`,
    );
  }
  // Group labels: flat when every one fits its band, else slanted; when even slanted lines
  // would touch (bands under 18 px), only every k-th label.
  const flat = groups.every((g) => textWidth(g.label, 12) <= band - 4);
  const every = flat ? 1 : Math.ceil(18 / band);
  groups.forEach((g, i) => {
    if (i % every !== 0) return;
    const x = round(gx(i));
    const ly = base + 16;
    parts.push(
      flat
        ? `<text x="${x}" y="${ly}" text-anchor="middle">${escapeXml(g.label)}</text>`
        : `<text x="${x}" y="${ly}" text-anchor="end" transform="rotate(-45 ${x} ${ly})">${escapeXml(g.label)}</text>`,
    );
  });
  parts.push('</g>');

  const placeholderH = Math.min(plotH, 40);
  const suppressedMark = (g: number, i: number) => {
    const x = cx(g, i);
    return (
      `<g class="suppressed"><title>${escapeXml(`${nameOf(groups[g], i)}: ${options.suppressedLabel}`)}</title>` +
      `<rect x="${round(x - barW / 2)}" y="${round(base - placeholderH)}" width="${barW}" height="${placeholderH}" ` +
      `fill="url(#${id}-hatch)" stroke="${n === 1 ? '#4a4a4a' : colour(i)}" stroke-width="1" stroke-dasharray="4 2"/>` +
      labelMarkup(
        placeLabel(options.suppressedLabel, x, round(base - placeholderH - 6), slot, 0, 11),
        11,
      ) +
      `</g>`
    );
  };
  const valueLabel = (x: number, top: number, p: ChartPoint) =>
    labelMarkup(placeLabel(format(p.value!), x, round(top), slot, 0, 12), 12);

  parts.push('<g class="marks">');
  if (options.kind === 'bar') {
    groups.forEach((g, gi) =>
      g.points.forEach((p, i) => {
        if (hidden(p)) {
          parts.push(suppressedMark(gi, i));
          return;
        }
        const top = y(p.value!);
        const x = cx(gi, i);
        parts.push(
          `<g><title>${escapeXml(`${nameOf(g, i)}: ${format(p.value!)}`)}</title>` +
            `<rect x="${round(x - barW / 2)}" y="${top}" width="${barW}" height="${round(base - top)}" ` +
            `fill="${colour(i)}"/>` +
            valueLabel(x, top - 6, p) +
            `</g>`,
        );
      }),
    );
  } else {
    // A line per series through consecutive known values; a suppressed point breaks it.
    for (let i = 0; i < n; i++) {
      let run: string[] = [];
      const flush = () => {
        if (run.length > 1) {
          parts.push(
            `<polyline points="${run.join(' ')}" fill="none" stroke="${colour(i)}" stroke-width="2"/>`,
          );
        }
        run = [];
      };
      groups.forEach((g, gi) => {
        const p = g.points[i];
        if (!p || hidden(p)) flush();
        else run.push(`${cx(gi, i)},${y(p.value!)}`);
      });
      flush();
    }
    groups.forEach((g, gi) =>
      g.points.forEach((p, i) => {
        if (hidden(p)) {
          parts.push(suppressedMark(gi, i));
          return;
        }
        const x = cx(gi, i);
        parts.push(
          `<g><title>${escapeXml(`${nameOf(g, i)}: ${format(p.value!)}`)}</title>` +
            `<circle cx="${x}" cy="${y(p.value!)}" r="4" fill="${colour(i)}"/>` +
            valueLabel(x, y(p.value!) - 8, p) +
            `</g>`,
        );
      }),
    );
  }
  parts.push('</g>');
  parts.push(
    `<line x1="${margin.left}" x2="${width - margin.right}" y1="${base}" y2="${base}" ` +
      `stroke="#1a1a1a" stroke-width="1"/>`,
  );
  // The legend: a swatch and the name of each series, in rows.
  if (legendRows.length) {
    parts.push('<g class="legend" font-size="12" fill="#1a1a1a">');
    legendRows.forEach((row, r) => {
      let x = 16;
      const ly = plotHeight + r * 20 + 14;
      for (const i of row) {
        parts.push(
          `<rect x="${round(x)}" y="${ly - 10}" width="12" height="12" fill="${colour(i)}"/>` +
            `<text x="${round(x + 16)}" y="${ly}">${escapeXml(series[i])}</text>`,
        );
        x += legendItems[i];
      }
    });
    parts.push('</g>');
  }
  parts.push(note);
  parts.push('</svg>');
  return parts.join('');
}

/** Every month from `from` to `to` (YYYY-MM), inclusive. */
export function monthsBetween(from: string, to: string): string[] {
  const index = (ym: string) => Number(ym.slice(0, 4)) * 12 + Number(ym.slice(5, 7)) - 1;
  const out: string[] = [];
  for (let i = index(from); i <= index(to) && out.length < 1200; i++) {
    out.push(`${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`);
  }
  return out;
}
