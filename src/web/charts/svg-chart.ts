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

/** The chart as an SVG element (a string of markup, every text escaped). */
export function svgChart(points: readonly ChartPoint[], options: ChartOptions): string {
  const id = safeId(options.id);
  const format = options.format ?? ((v: number) => String(v));
  const shown = (p: ChartPoint) =>
    p.suppressed || p.value === null ? options.suppressedLabel : format(p.value);
  const width = options.width ?? 720;
  const height = options.height ?? 300;
  const described = points.length
    ? `${options.description} ${points.map((p) => `${p.label}: ${shown(p)}`).join('; ')}.`
    : `${options.description} ${options.emptyLabel}`;
  const head =
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" ` +
    `viewBox="0 0 ${width} ${height}" width="100%" preserveAspectRatio="xMidYMid meet" ` +
    `aria-labelledby="${id}-title ${id}-desc">` +
    `<title id="${id}-title">${escapeXml(options.title)}</title>` +
    `<desc id="${id}-desc">${escapeXml(described)}</desc>`;
  if (points.length === 0) {
    return (
      `${head}<text x="${width / 2}" y="${height / 2}" text-anchor="middle" ` +
      `font-size="16" fill="#1a1a1a">${escapeXml(options.emptyLabel)}</text></svg>`
    );
  }

  const margin = { top: 24, right: 16, bottom: 64, left: 48 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const values = points.map((p) => (p.suppressed || p.value === null ? 0 : p.value));
  const scale = niceScale(Math.max(0, ...values));
  const y = (v: number) => round(margin.top + plotH - (v / scale.max) * plotH);
  const band = plotW / points.length;
  const cx = (i: number) => round(margin.left + band * i + band / 2);
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
  // Category labels, slanted when many.
  const slant = points.length > 8;
  points.forEach((p, i) => {
    const ly = base + 16;
    parts.push(
      slant
        ? `<text x="${cx(i)}" y="${ly}" text-anchor="end" transform="rotate(-45 ${cx(i)} ${ly})">${escapeXml(p.label)}</text>`
        : `<text x="${cx(i)}" y="${ly}" text-anchor="middle">${escapeXml(p.label)}</text>`,
    );
  });
  parts.push('</g>');

  const placeholderH = Math.min(plotH, 40);
  const suppressedMark = (i: number) => {
    const w = round(Math.max(4, band * 0.6));
    const x = round(cx(i) - w / 2);
    return (
      `<g class="suppressed"><title>${escapeXml(`${points[i].label}: ${options.suppressedLabel}`)}</title>` +
      `<rect x="${x}" y="${round(base - placeholderH)}" width="${w}" height="${placeholderH}" ` +
      `fill="url(#${id}-hatch)" stroke="#4a4a4a" stroke-width="1" stroke-dasharray="4 2"/>` +
      `<text x="${cx(i)}" y="${round(base - placeholderH - 6)}" text-anchor="middle" font-size="11" ` +
      `fill="#1a1a1a">${escapeXml(options.suppressedLabel)}</text></g>`
    );
  };

  parts.push('<g class="marks">');
  if (options.kind === 'bar') {
    const w = round(Math.max(4, band * 0.6));
    points.forEach((p, i) => {
      if (p.suppressed || p.value === null) {
        parts.push(suppressedMark(i));
        return;
      }
      const top = y(p.value);
      parts.push(
        `<g><title>${escapeXml(`${p.label}: ${format(p.value)}`)}</title>` +
          `<rect x="${round(cx(i) - w / 2)}" y="${top}" width="${w}" height="${round(base - top)}" ` +
          `fill="#5b2a86"/>` +
          `<text x="${cx(i)}" y="${round(top - 6)}" text-anchor="middle" font-size="12" ` +
          `fill="#1a1a1a">${escapeXml(format(p.value))}</text></g>`,
      );
    });
  } else {
    // A line through consecutive known values; a suppressed point breaks it.
    let run: string[] = [];
    const flush = () => {
      if (run.length > 1) {
        parts.push(
          `<polyline points="${run.join(' ')}" fill="none" stroke="#5b2a86" stroke-width="2"/>`,
        );
      }
      run = [];
    };
    points.forEach((p, i) => {
      if (p.suppressed || p.value === null) flush();
      else run.push(`${cx(i)},${y(p.value)}`);
    });
    flush();
    points.forEach((p, i) => {
      if (p.suppressed || p.value === null) {
        parts.push(suppressedMark(i));
        return;
      }
      parts.push(
        `<g><title>${escapeXml(`${p.label}: ${format(p.value)}`)}</title>` +
          `<circle cx="${cx(i)}" cy="${y(p.value)}" r="4" fill="#5b2a86"/>` +
          `<text x="${cx(i)}" y="${round(y(p.value) - 8)}" text-anchor="middle" font-size="12" ` +
          `fill="#1a1a1a">${escapeXml(format(p.value))}</text></g>`,
      );
    });
  }
  parts.push('</g>');
  parts.push(
    `<line x1="${margin.left}" x2="${width - margin.right}" y1="${base}" y2="${base}" ` +
      `stroke="#1a1a1a" stroke-width="1"/>`,
  );
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
