import autocannon from 'autocannon';

/**
 * A tiny benchmark harness. Absolute numbers on a shared machine are noise, so every bench
 * measures pairs side by side in one run (alternating, to spread drift over both) and reports
 * ratios. Speed never fails a run; errors (non-2xx answers, connection errors, crashes) do.
 */

/** One bounded load run against one target. Latencies in milliseconds. */
export interface Sample {
  label: string;
  round: number;
  requests: number;
  seconds: number;
  reqPerSec: number;
  p50: number;
  /** Measured by `load`; benches that build samples by hand may leave it out. */
  p95?: number;
  p99: number;
  non2xx: number;
  errors: number;
}

/** `numerator / denominator` for throughput and latency, each side reduced over its rounds. */
export interface Ratio {
  name: string;
  throughput: number;
  p50: number;
  p99: number;
}

export interface BenchResult {
  name: string;
  samples: Sample[];
  ratios: Ratio[];
  /** Anything that should fail the run (never speed). */
  problems: string[];
}

/** What each `test/bench/*.bench.ts` exports as default. */
export type Bench = () => Promise<BenchResult[]>;

export interface Target {
  label: string;
  url: string;
  /** Sent with every request (e.g. `authorization`). */
  headers?: Record<string, string>;
}

export interface LoadOptions {
  seconds: number;
  connections: number;
}

/** Seconds per measured run: BENCH_SECONDS, default 5. */
export function benchSeconds(): number {
  const raw = process.env.BENCH_SECONDS;
  if (raw === undefined || raw === '') return 5;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600) {
    throw new Error('BENCH_SECONDS must be a number of seconds between 0 and 600');
  }
  return seconds;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

const running = new Set<{ stop: () => void }>();
let stopped = false;

/** Stops load in progress and refuses more (on Ctrl-C, before closing the servers). */
export function stopLoad(): void {
  stopped = true;
  for (const instance of running) instance.stop();
  running.clear();
}

/**
 * Drives `url` for `seconds` with autocannon. Latencies come from autocannon's per-response
 * timings (sub-millisecond), not its whole-millisecond histogram.
 */
export function load(target: Target, options: LoadOptions, round = 0): Promise<Sample> {
  if (stopped) return Promise.reject(new Error('load stopped'));
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    let non2xx = 0;
    const started = process.hrtime.bigint();
    const instance = autocannon(
      {
        url: target.url,
        // Only when given: an explicit `undefined` would replace autocannon's default `{}`.
        ...(target.headers ? { headers: target.headers } : {}),
        connections: options.connections,
        duration: options.seconds,
        timeout: 10,
      },
      (error, result) => {
        // Deferred: autocannon may answer a bad option synchronously, before `instance` exists.
        setImmediate(() => running.delete(instance));
        if (error) return reject(error);
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        latencies.sort((a, b) => a - b);
        resolve({
          label: target.label,
          round,
          requests: latencies.length,
          seconds,
          reqPerSec: latencies.length / seconds,
          p50: percentile(latencies, 50),
          p95: percentile(latencies, 95),
          p99: percentile(latencies, 99),
          non2xx: Math.max(non2xx, result.non2xx),
          errors: result.errors + result.timeouts,
        });
      },
    );
    running.add(instance);
    instance.on('response', (_client, statusCode: number, _bytes: number, ms: number) => {
      latencies.push(ms);
      if (statusCode < 200 || statusCode > 299) non2xx++;
    });
  });
}

/**
 * Runs every target once per round, in the given order each round (a, b, a, b for two rounds),
 * after one short unrecorded warm-up of each. Problems found in warm-ups are reported too.
 */
export async function alternate(
  targets: Target[],
  options: LoadOptions & { rounds: number; warmupSeconds: number },
): Promise<{ samples: Sample[]; problems: string[] }> {
  const problems: string[] = [];
  const samples: Sample[] = [];
  const check = (sample: Sample, what: string) => {
    if (sample.requests === 0) problems.push(`${sample.label}: no response during ${what}`);
    if (sample.non2xx > 0) problems.push(`${sample.label}: ${sample.non2xx} non-2xx in ${what}`);
    if (sample.errors > 0) problems.push(`${sample.label}: ${sample.errors} errors in ${what}`);
  };
  // A slow answer may not come back within a short warm-up: only failures count there.
  for (const target of targets) {
    const warm = await load(target, { ...options, seconds: options.warmupSeconds });
    check({ ...warm, requests: Math.max(warm.requests, 1) }, 'warm-up');
  }
  for (let round = 1; round <= options.rounds; round++) {
    for (const target of targets) {
      const sample = await load(target, options, round);
      check(sample, `round ${round}`);
      samples.push(sample);
    }
  }
  return { samples, problems };
}

const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

export type Summary = 'mean' | 'best';

/**
 * One label's rounds reduced to one figure each: their mean, or the best of them (highest
 * throughput, lowest latencies), which shrugs off a round slowed by a noisy neighbour.
 */
export function summarize(samples: Sample[], label: string, how: Summary = 'mean') {
  const own = samples.filter((s) => s.label === label);
  const reduce = (values: number[], best: (...v: number[]) => number) =>
    how === 'mean' ? mean(values) : best(...values);
  const column = (key: 'reqPerSec' | 'p50' | 'p99') => own.map((s) => s[key]);
  return {
    reqPerSec: reduce(column('reqPerSec'), Math.max),
    p50: reduce(column('p50'), Math.min),
    p99: reduce(column('p99'), Math.min),
  };
}

/** `numerator / denominator` (e.g. app / raw): throughput below 1 and latency above 1 = slower. */
export function ratio(
  samples: Sample[],
  numerator: string,
  denominator: string,
  how: Summary = 'mean',
): Ratio {
  const a = summarize(samples, numerator, how);
  const b = summarize(samples, denominator, how);
  return {
    name: `${numerator}/${denominator} (${how === 'mean' ? 'mean of rounds' : 'best round'})`,
    throughput: a.reqPerSec / b.reqPerSec,
    p50: a.p50 / b.p50,
    p99: a.p99 / b.p99,
  };
}

/**
 * Clean-up steps still to run (servers, scratch databases), most recent first. A bench
 * registers each as soon as it owns the resource; the runner runs them after every bench, even
 * one that threw, and on Ctrl-C.
 */
const pending: { what: string; run: () => Promise<unknown> | unknown }[] = [];

export function onCleanup(what: string, run: () => Promise<unknown> | unknown): void {
  pending.push({ what, run });
}

/** Runs (and forgets) every registered clean-up; answers the ones that failed. */
export async function cleanUp(): Promise<string[]> {
  const failures: string[] = [];
  while (pending.length > 0) {
    const step = pending.pop()!;
    try {
      await step.run();
    } catch (error) {
      failures.push(`clean-up "${step.what}" failed: ${(error as Error).message}`);
    }
  }
  return failures;
}

/** A plain-text table; columns listed in `right` are right-aligned (numbers). */
export function formatTable(headers: string[], rows: string[][], right: number[] = []): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (right.includes(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
