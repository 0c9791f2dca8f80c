/**
 * Sums .cpuprofile files (node --cpu-prof output, or inprocess-profile.ts's): self time by
 * package, file and function, and with --inclusive the time spent in a function and everything
 * it called (a function counted once per sample however deep it recurses):
 *   node --import tsx tests/bench/profile-summary.ts <file.cpuprofile>... [--top=30] [--inclusive[=regex]]
 * The regex keeps the inclusive rows whose "function file" matches (e.g. 'src/|@prisma').
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

type Rows = [string, number][];

const short = (url: string) => url.replace(/^file:\/\//, '').replace(/^.*?\/node_modules\//, 'node_modules/');
const fileOf = (n: Node) => short(n.callFrame.url) || `(${n.callFrame.functionName || 'native'})`;
const fnOf = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${fileOf(n)}:${n.callFrame.lineNumber + 1}`;

/** Self time of every node (ms). */
function selfTimes(p: Profile): Map<number, number> {
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  });
  return self;
}

export function summarize(profiles: Profile | readonly Profile[]): {
  totalMs: number;
  byFunction: Rows;
  byFile: Rows;
  byPackage: Rows;
  /** time in each function and its callees */
  inclusive: Rows;
} {
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  const byPackage = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, ms: number) => m.set(k, (m.get(k) ?? 0) + ms);
  let totalMs = 0;
  for (const p of (Array.isArray(profiles) ? profiles : [profiles]) as readonly Profile[]) {
    const self = selfTimes(p);
    const byId = new Map<number, Node>(p.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    for (const n of p.nodes) {
      const ms = self.get(n.id) ?? 0;
      if (!ms) continue;
      totalMs += ms;
      const file = fileOf(n);
      add(byFunction, fnOf(n), ms);
      add(byFile, file, ms);
      const pkg = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? (file.startsWith('/') ? 'project' : file);
      add(byPackage, pkg, ms);
      // the node and its ancestors, each function once
      const seen = new Set<string>();
      for (let cur: Node | undefined = n; cur; cur = byId.get(parent.get(cur.id) ?? -1)) {
        const k = fnOf(cur);
        if (seen.has(k)) continue;
        seen.add(k);
        add(inclusive, k, ms);
      }
    }
  }
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return {
    totalMs,
    byFunction: sorted(byFunction),
    byFile: sorted(byFile),
    byPackage: sorted(byPackage),
    inclusive: sorted(inclusive),
  };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  const args = process.argv.slice(2);
  const files = args.filter((a) => !a.startsWith('--') && !/^\d+$/.test(a));
  if (files.length === 0) {
    process.stderr.write('usage: profile-summary.ts <file.cpuprofile>... [--top=30] [--inclusive[=regex]]\n');
    process.exit(2);
  }
  const top = Number(args.find((a) => a.startsWith('--top='))?.slice(6) ?? args.find((a) => /^\d+$/.test(a)) ?? 30);
  const inc = args.find((a) => a === '--inclusive' || a.startsWith('--inclusive='));
  const keep = new RegExp(inc?.split('=').slice(1).join('=') || '.');
  const s = summarize(files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as Profile));
  const pct = (ms: number) => `${((100 * ms) / s.totalMs).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(7)} ms`;
  const out = (title: string, rows: Rows) => {
    process.stdout.write(`\n== ${title}\n`);
    for (const [k, v] of rows.slice(0, top)) process.stdout.write(`${pct(v)}  ${k}\n`);
  };
  process.stdout.write(`${files.length} profile(s), total sampled ${s.totalMs.toFixed(0)} ms\n`);
  out('by package', s.byPackage);
  out('by file', s.byFile);
  out('by function', s.byFunction);
  if (inc)
    out(
      'inclusive (a function and what it called)',
      s.inclusive.filter(([k]) => keep.test(k)),
    );
}
