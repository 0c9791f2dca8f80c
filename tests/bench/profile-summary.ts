/**
 * Sums a .cpuprofile's self time by function and by file (node --cpu-prof output):
 *   node --import tsx tests/bench/profile-summary.ts <file.cpuprofile> [top=30]
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

export function summarize(p: Profile): {
  totalMs: number;
  byFunction: [string, number][];
  byFile: [string, number][];
  byPackage: [string, number][];
} {
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  });
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  const byPackage = new Map<string, number>();
  const short = (url: string) => url.replace(/^file:\/\//, '').replace(/^.*?\/node_modules\//, 'node_modules/');
  for (const n of p.nodes) {
    const ms = self.get(n.id) ?? 0;
    if (!ms) continue;
    const file = short(n.callFrame.url) || `(${n.callFrame.functionName || 'native'})`;
    const fn = `${n.callFrame.functionName || '(anonymous)'} ${file}:${n.callFrame.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
    byFile.set(file, (byFile.get(file) ?? 0) + ms);
    const pkg = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? (file.startsWith('/') ? 'project' : file);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + ms);
  }
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  const totalMs = [...self.values()].reduce((a, b) => a + b, 0);
  return { totalMs, byFunction: sorted(byFunction), byFile: sorted(byFile), byPackage: sorted(byPackage) };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: profile-summary.ts <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  const top = Number(process.argv[3] ?? 30);
  const s = summarize(JSON.parse(readFileSync(file, 'utf8')) as Profile);
  const pct = (ms: number) => `${((100 * ms) / s.totalMs).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(7)} ms`;
  process.stdout.write(`total sampled ${s.totalMs.toFixed(0)} ms\n\n== by package\n`);
  for (const [k, v] of s.byPackage.slice(0, top)) process.stdout.write(`${pct(v)}  ${k}\n`);
  process.stdout.write('\n== by file\n');
  for (const [k, v] of s.byFile.slice(0, top)) process.stdout.write(`${pct(v)}  ${k}\n`);
  process.stdout.write('\n== by function\n');
  for (const [k, v] of s.byFunction.slice(0, top)) process.stdout.write(`${pct(v)}  ${k}\n`);
}
