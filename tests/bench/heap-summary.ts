/**
 * Sums .heapprofile files (the sampling heap profiler's, `npm run bench -- --heap-prof`): bytes
 * allocated by package, file and function, through the compiled bot's source maps (the bench runs
 * it compiled: bench-results/build), and per request when the file's name says how many
 * (`…-<n>req-…`). `--ours` adds each allocation to the nearest frame of the project's own code on
 * its stack (who asked a library for it):
 *   node --import tsx tests/bench/heap-summary.ts <file.heapprofile>... [--top=30] [--ours]
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

interface Frame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface HeapNode {
  callFrame: Frame;
  selfSize: number;
  children: HeapNode[];
}

type Rows = [string, number][];

const maps = new Map<string, SourceMap | null>();
function mapOf(url: string): SourceMap | null {
  let m = maps.get(url);
  if (m !== undefined) return m;
  m = null;
  try {
    const file = url.startsWith('file:') ? fileURLToPath(url) : url;
    if (existsSync(`${file}.map`)) m = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
  } catch {
    m = null;
  }
  maps.set(url, m);
  return m;
}

/**
 * A frame's source: the original file and line when the compiled file has a map; a package's
 * file is named from node_modules on (its own map's sources are relative to its dist/).
 */
export function place(f: Frame): { file: string; line: number; pkg: string } {
  const url = f.url.replace(/^file:\/\//, '');
  const m = f.url ? mapOf(f.url) : null;
  const e = m?.findEntry(f.lineNumber, f.columnNumber) as
    | { originalSource?: string; originalLine?: number }
    | undefined;
  const line = (e?.originalLine ?? f.lineNumber) + 1;
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
  if (pkg) {
    const original = e?.originalSource
      ?.replace(/^.*?\/node_modules\/(?:@[^/]+\/)?[^/]+\//, '')
      .replace(/^(\.\.\/)+/, '');
    return {
      file: `node_modules/${pkg}/${original ?? url.slice(url.lastIndexOf(`/node_modules/${pkg}/`) + pkg.length + 15)}`,
      line,
      pkg,
    };
  }
  const original = e?.originalSource?.replace(/^file:\/\//, '').replace(/^.*?\/(src|tests|commands)\//, '$1/');
  if (original)
    return {
      file: original,
      line,
      pkg: /^node_modules\//.test(original)
        ? (/^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(original)?.[1] as string)
        : 'project',
    };
  if (!url) return { file: `(${f.functionName || 'native'})`, line, pkg: '(builtin)' };
  return { file: url, line, pkg: url.startsWith('node:') ? 'node' : url };
}

export function summarize(
  heads: readonly HeapNode[],
  ours = false,
): { total: number; byPackage: Rows; byFile: Rows; byFunction: Rows; byOurs: Rows } {
  const add = (m: Map<string, number>, k: string, b: number) => m.set(k, (m.get(k) ?? 0) + b);
  const byPackage = new Map<string, number>();
  const byFile = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const byOurs = new Map<string, number>();
  let total = 0;
  const walk = (n: HeapNode, nearestOurs: string | null) => {
    const { file, line, pkg } = place(n.callFrame);
    const fn = `${n.callFrame.functionName || '(anonymous)'} ${file}:${line}`;
    const mine = pkg === 'project' ? fn : nearestOurs;
    if (n.selfSize) {
      total += n.selfSize;
      add(byPackage, pkg, n.selfSize);
      add(byFile, file, n.selfSize);
      add(byFunction, fn, n.selfSize);
      if (ours) add(byOurs, mine ?? '(no project frame)', n.selfSize);
    }
    for (const c of n.children) walk(c, mine);
  };
  for (const h of heads) walk(h, null);
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return {
    total,
    byPackage: sorted(byPackage),
    byFile: sorted(byFile),
    byFunction: sorted(byFunction),
    byOurs: sorted(byOurs),
  };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  const args = process.argv.slice(2);
  const files = args.filter((a) => !a.startsWith('--'));
  if (files.length === 0) {
    process.stderr.write('usage: heap-summary.ts <file.heapprofile>... [--top=30] [--ours]\n');
    process.exit(2);
  }
  const top = Number(args.find((a) => a.startsWith('--top='))?.slice(6) ?? 30);
  // requests in all the files, when every name says it
  const counts = files.map((f) => Number(/-(\d+)req-/.exec(f)?.[1] ?? Number.NaN));
  const requests = counts.every((c) => c > 0) ? counts.reduce((a, b) => a + b, 0) : null;
  const s = summarize(
    files.map((f) => (JSON.parse(readFileSync(f, 'utf8')) as { head: HeapNode }).head),
    args.includes('--ours'),
  );
  const fmt = (b: number) =>
    `${((100 * b) / s.total).toFixed(1).padStart(5)}%  ${(b / 1024).toFixed(0).padStart(8)} kB` +
    (requests ? `  ${(b / requests / 1024).toFixed(2).padStart(7)} kB/req` : '');
  const out = (title: string, rows: Rows) => {
    process.stdout.write(`\n== ${title}\n`);
    for (const [k, v] of rows.slice(0, top)) process.stdout.write(`${fmt(v)}  ${k}\n`);
  };
  process.stdout.write(
    `${files.length} profile(s), ${(s.total / 1024 / 1024).toFixed(1)} MB sampled` +
      (requests ? `, ${requests} requests: ${(s.total / requests / 1024).toFixed(1)} kB/request` : '') +
      '\n',
  );
  out('by package', s.byPackage);
  out('by file', s.byFile);
  out('by function', s.byFunction);
  if (args.includes('--ours')) out("by the nearest frame of the project's code", s.byOurs);
}
