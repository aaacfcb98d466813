import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * The layering of ../shared/STYLE.md (b), checked on every import in src/**\/*.ts (specs too).
 *
 * - The shared kernel (KERNEL) imports no feature.
 * - A feature imports the kernel and features of a LOWER layer only: never one of its own
 *   layer, never one above. A lower feature that must tell a higher one something emits a domain
 *   event (src/common/events) or enqueues a job; it never imports it.
 * - The composition root (src/*.ts: app.module, app.factory, core.module, main, cli) may import
 *   anything; nothing imports it.
 * - No cycle between folders, whatever the table says.
 *
 * Layer table (from STYLE.md (b) and what each feature really needs):
 *   0  kernel   common, config, database, queue
 *   1           audit (every feature records to it), health (probes: kernel only)
 *   2           organizations
 *   3           users (organisations; owns the password policy), platforms (organisations)
 *   4           auth (users: login, tokens), contacts (platforms), community (working groups
 *               and meetings: users, organisations), channels (the partner registry,
 *               playbooks, incidents: platforms, users, organisations)
 *   5  cases    (platforms, contacts, users, organisations, audit)
 *   6           i18n (labels, the cases' taxonomy among them), notifications (users)
 *   7           interop (STIX/MISP exports of cases and campaigns), deadlines (the cases'
 *               deadline SQL, notifications)
 *   8           patterns (cases, contacts, notifications, interop; its CSV files),
 *               calendar (cases, contacts, auth, community's meetings)
 *   9           reports (patterns, cases), retention (cases, organisations: the rules and
 *               their daily sweep; an organisation's leaving exports through reports)
 *  10  top      web, departure (an organisation leaving: its archive and erasure, through
 *               reports' jobs, retention, cases, contacts, users)
 */
const KERNEL = ['common', 'config', 'database', 'queue'];
const LAYERS: Record<string, number> = {
  audit: 1,
  health: 1,
  organizations: 2,
  users: 3,
  platforms: 3,
  auth: 4,
  contacts: 4,
  community: 4,
  channels: 4,
  cases: 5,
  i18n: 6,
  notifications: 6,
  interop: 7,
  deadlines: 7,
  patterns: 8,
  calendar: 8,
  reports: 9,
  retention: 9,
  web: 10,
  departure: 10,
};
const ROOT = '(root)';

/**
 * Imports that break the table and are not fixed yet, as "file -> imported file" (paths under
 * src). Keep it short; the goal is none.
 */
const ALLOWED: string[] = [];

const SRC = __dirname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The folder under src a file belongs to (its feature or kernel part), or ROOT. */
function folderOf(file: string): string {
  const parts = relative(SRC, file).split(sep);
  return parts.length === 1 ? ROOT : parts[0];
}

/** Every relative module a file imports or re-exports (static, dynamic and `import type`). */
function importsOf(source: string): string[] {
  const found: string[] = [];
  const pattern =
    /(?:\bimport\s+(?:type\s+)?(?:[\w*{}\s,]+?\s+from\s+)?|\bexport\s+(?:type\s+)?[\w*{}\s,]+?\s+from\s+|\bimport\(\s*|\brequire\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const match of source.matchAll(pattern)) found.push(match[1]);
  return found;
}

interface Edge {
  file: string;
  target: string;
  from: string;
  to: string;
}

function edges(): Edge[] {
  return sourceFiles(SRC).flatMap((path) => {
    const from = folderOf(path);
    return importsOf(readFileSync(path, 'utf8'))
      .map((spec) => resolve(dirname(path), spec))
      .filter((target) => target.startsWith(SRC + sep))
      .map((target) => ({
        file: relative(SRC, path),
        target: relative(SRC, target),
        from,
        to: folderOf(target),
      }))
      .filter((e) => e.from !== e.to);
  });
}

/** Why an import breaks the table, or null when it keeps it. */
function violation({ from, to }: Edge): string | null {
  if (from === ROOT) return null;
  if (to === ROOT) return 'imports the composition root';
  if (KERNEL.includes(from)) return KERNEL.includes(to) ? null : 'the kernel imports a feature';
  if (KERNEL.includes(to)) return null;
  const a = LAYERS[from];
  const b = LAYERS[to];
  if (a === undefined || b === undefined) return `${a === undefined ? from : to} is in no layer`;
  if (b === a) return `imports ${to}, of its own layer ${a}`;
  return b > a ? `imports ${to}, above it (layer ${b} > ${a})` : null;
}

/** Cycles between folders, each as a path of folder names. */
function cycles(graph: Map<string, Set<string>>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return found;
}

describe('architecture: feature dependencies run one way, downward', () => {
  const all = edges();

  it('parses imports (sanity: the check sees the known edges)', () => {
    expect(all.some((e) => e.from === 'cases' && e.to === 'platforms')).toBe(true);
    expect(all.some((e) => e.from === ROOT && e.to === 'web')).toBe(true);
  });

  it('puts every folder under src in the kernel or a layer', () => {
    const folders = new Set(all.flatMap((e) => [e.from, e.to]));
    const unplaced = [...folders].filter(
      (f) => f !== ROOT && !KERNEL.includes(f) && LAYERS[f] === undefined,
    );
    expect(unplaced).toEqual([]);
  });

  it('has no import against the layer table (beyond the listed exceptions)', () => {
    const problems = all
      .map((e) => ({ e, why: violation(e) }))
      .filter(({ e, why }) => why !== null && !ALLOWED.includes(`${e.file} -> ${e.target}`))
      .map(({ e, why }) => `${e.file} -> ${e.target}: ${e.from} ${why}`);
    expect(problems).toEqual([]);
  });

  it('lists only exceptions that still occur', () => {
    const occurring = new Set(all.map((e) => `${e.file} -> ${e.target}`));
    expect(ALLOWED.filter((a) => !occurring.has(a))).toEqual([]);
  });

  it('has no cycle between folders', () => {
    const graph = new Map<string, Set<string>>();
    for (const e of all) graph.set(e.from, (graph.get(e.from) ?? new Set()).add(e.to));
    expect(cycles(graph).map((c) => c.join(' -> '))).toEqual([]);
  });
});
