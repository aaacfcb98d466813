import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Bench, BenchResult, benchSeconds, cleanUp, formatTable, stopLoad } from './harness';

/**
 * `npm run bench [-- name...]`: runs every test/bench/*.bench.ts (or those whose file name
 * contains one of the names), prints each side-by-side comparison and its ratios, and exits
 * non-zero only when something failed (errors, non-2xx answers, a crash), never on speed.
 */
async function main(): Promise<number> {
  const filters = process.argv.slice(2);
  const files = readdirSync(__dirname)
    .filter((file) => file.endsWith('.bench.ts'))
    .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
    .sort();
  if (files.length === 0) {
    console.error(`no bench matches ${filters.join(', ') || 'test/bench/*.bench.ts'}`);
    return 1;
  }
  const seconds = benchSeconds();
  console.log(
    `${files.length} bench file(s), ${seconds}s per measured run (BENCH_SECONDS), ` +
      `node ${process.version}. Absolute numbers are machine noise: read the ratios.`,
  );

  const problems: string[] = [];
  for (const file of files) {
    const name = basename(file, '.bench.ts');
    console.log(`\n== ${name}`);
    let results: BenchResult[] = [];
    try {
      const bench = ((await import(join(__dirname, file))) as { default: Bench }).default;
      results = await bench();
    } catch (error) {
      problems.push(`${name}: crashed: ${(error as Error).stack ?? String(error)}`);
    } finally {
      problems.push(...(await cleanUp()).map((p) => `${name}: ${p}`));
    }
    for (const result of results) {
      print(result);
      problems.push(...result.problems.map((p) => `${name} ${result.name}: ${p}`));
    }
  }

  if (problems.length > 0) {
    console.error(`\nFAILED (${problems.length}):\n  - ${problems.join('\n  - ')}`);
    return 1;
  }
  console.log('\nok');
  return 0;
}

const fixed = (value: number, digits: number) =>
  Number.isFinite(value) ? value.toFixed(digits) : '-';

function print(result: BenchResult): void {
  console.log(`\n${result.name}`);
  console.log(
    formatTable(
      ['case', 'round', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors'],
      result.samples.map((s) => [
        s.label,
        String(s.round),
        String(s.requests),
        fixed(s.reqPerSec, 0),
        fixed(s.p50, 2),
        fixed(s.p99, 2),
        String(s.non2xx),
        String(s.errors),
      ]),
      [1, 2, 3, 4, 5, 6, 7],
    ),
  );
  if (result.ratios.length > 0) {
    console.log('');
    console.log(
      formatTable(
        ['ratio', 'throughput', 'p50 latency', 'p99 latency'],
        result.ratios.map((r) => [
          r.name,
          fixed(r.throughput, 2),
          fixed(r.p50, 2),
          fixed(r.p99, 2),
        ]),
        [1, 2, 3],
      ),
    );
    console.log('(throughput below 1 and latency above 1: the first is slower)');
  }
}

// `on`, not `once`: Nest's shutdown hooks (enableShutdownHooks in createHttpApp) close the app on
// SIGINT and then raise SIGINT again, which would otherwise kill us before the clean-up is done.
let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) return;
  interrupted = true;
  console.error('\ninterrupted: cleaning up');
  stopLoad();
  setTimeout(() => {
    console.error(
      'clean-up did not finish in 30s: exiting; check for leftover et_bench_* databases',
    );
    process.exit(130);
  }, 30_000).unref();
  void cleanUp().then((failures) => {
    for (const failure of failures) console.error(failure);
    process.exit(130);
  });
});

main().then(
  (code) => {
    if (interrupted) return;
    process.exitCode = code;
    // Everything should be closed by now; if a handle leaks, say so instead of hanging.
    setTimeout(() => {
      console.error('bench: warning: handles still open 5s after clean-up; exiting anyway');
      process.exit(code);
    }, 5000).unref();
  },
  (error: Error) => {
    console.error(`bench: fatal: ${error.stack ?? error.message}`);
    void cleanUp().finally(() => process.exit(1));
  },
);
