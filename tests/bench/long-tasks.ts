/**
 * The long tasks of a .cpuprofile (node --cpu-prof, e.g. `npm run bench -- --profile`): the
 * stretches of consecutive samples that are not "(idle)", i.e. the main thread busy without a
 * return to the event loop's poll — while one runs, no request is read. For each stretch over
 * `--over` ms (10 by default): how many, how long, and what they spent their time in (each
 * sample counted once for each of our files and packages on its stack, "(garbage collector)"
 * and "(program)" apart), so that the stretches that delay the acknowledgements can be named.
 *   node --import tsx tests/bench/long-tasks.ts <file.cpuprofile> [--over=10] [--from=ms] [--to=ms] [--top=15]
 * --from/--to: the window, in ms from the profile's start (the timeline printed first helps pick it).
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
export interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

export interface Stretch {
  /** start, ms from the profile's start */
  at: number;
  ms: number;
  /** ms per cause (a sample counts once for each cause on its stack) */
  causes: Map<string, number>;
}

const short = (url: string) => url.replace(/^file:\/\//, '').replace(/^.*?\/node_modules\//, 'node_modules/');

/** The source maps of the compiled bundles (esbuild's, beside each .js), by URL. */
const maps = new Map<string, SourceMap | null>();
function mapOf(url: string): SourceMap | null {
  if (!maps.has(url)) {
    let m: SourceMap | null = null;
    try {
      const file = url.startsWith('file:') ? fileURLToPath(url) : url;
      if (file.endsWith('.js') && existsSync(`${file}.map`))
        m = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
    } catch {
      m = null;
    }
    maps.set(url, m);
  }
  return maps.get(url) ?? null;
}

/** The frame's source file (through the bundle's source map when there is one). */
function sourceOf(f: Node['callFrame'] & { columnNumber?: number }): string {
  const m = f.url ? mapOf(f.url) : null;
  const e = m?.findEntry(f.lineNumber, f.columnNumber ?? 0) as { originalSource?: string } | undefined;
  return e?.originalSource ?? f.url;
}

/** What a frame is counted as: our file, a package, or V8's own states. */
function causeOf(n: Node): string | null {
  const f = n.callFrame;
  if (f.functionName === '(root)') return null;
  if (f.functionName.startsWith('(') && !f.url) return f.functionName;
  const u = short(sourceOf(f));
  if (!u) return null;
  const pkg = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u);
  if (pkg) return pkg[1] as string;
  const ours = /(?:^|\/)((?:src|commands|tests)\/.*)$/.exec(u);
  if (ours) return `${ours[1]}${f.functionName ? ` ${f.functionName}` : ''}`;
  if (u.startsWith('node:')) return null;
  return null;
}

/** The busy stretches of a profile (consecutive non-idle samples), with their causes. */
export function stretches(p: Profile, from = 0, to = Number.POSITIVE_INFINITY): Stretch[] {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stackCauses = new Map<number, string[]>();
  const causesOf = (id: number): string[] => {
    let c = stackCauses.get(id);
    if (c) return c;
    const set = new Set<string>();
    for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
      const n = byId.get(x);
      const k = n ? causeOf(n) : null;
      if (k) set.add(k);
    }
    c = [...set];
    stackCauses.set(id, c);
    return c;
  };
  const out: Stretch[] = [];
  let t = 0;
  let cur: Stretch | null = null;
  p.samples.forEach((id, i) => {
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    t += dt;
    if (t < from || t > to) return;
    const idle = byId.get(id)?.callFrame.functionName === '(idle)';
    if (idle) {
      if (cur) out.push(cur);
      cur = null;
      return;
    }
    cur ??= { at: t, ms: 0, causes: new Map() };
    // a sample's delta is the time since the one before it: this sample's share of the stretch
    const next = (p.timeDeltas[i + 1] ?? 0) / 1000;
    cur.ms += next;
    for (const k of causesOf(id)) cur.causes.set(k, (cur.causes.get(k) ?? 0) + next);
  });
  if (cur) out.push(cur);
  return out;
}

function main(): void {
  const args = process.argv.slice(2);
  const opt = (name: string, d: number) =>
    Number(args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? d);
  const files = args.filter((a) => !a.startsWith('--'));
  const over = opt('over', 10);
  const top = opt('top', 15);
  for (const file of files) {
    const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
    const all = stretches(p);
    const end = all.reduce((m, s) => Math.max(m, s.at + s.ms), 0);
    // the timeline: busy share per second, to choose --from/--to
    const perSec: number[] = [];
    for (const s of all) {
      const k = Math.floor(s.at / 1000);
      perSec[k] = (perSec[k] ?? 0) + s.ms;
    }
    console.log(
      `${file}: ${Math.round(end)} ms; busy ms per second: ${[...perSec].map((v) => Math.round(v ?? 0)).join(' ')}`,
    );
    const w = stretches(p, opt('from', 0), opt('to', Number.POSITIVE_INFINITY));
    const busy = w.reduce((a, s) => a + s.ms, 0);
    const long = w.filter((s) => s.ms > over);
    const longMs = long.reduce((a, s) => a + s.ms, 0);
    const lens = long.map((s) => s.ms).sort((a, b) => a - b);
    const q = (x: number) =>
      lens.length ? Math.round(lens[Math.min(lens.length - 1, Math.floor(x * lens.length))] ?? 0) : 0;
    console.log(
      `window: ${w.length} stretches, ${Math.round(busy)} ms busy; over ${over} ms: ${long.length} (${Math.round(longMs)} ms; length p50 ${q(0.5)}, p90 ${q(0.9)}, max ${Math.round(lens.at(-1) ?? 0)} ms)`,
    );
    const causes = new Map<string, { ms: number; n: number }>();
    for (const s of long)
      for (const [k, ms] of s.causes) {
        const c = causes.get(k) ?? { ms: 0, n: 0 };
        c.ms += ms;
        c.n += 1;
        causes.set(k, c);
      }
    console.log(`in the long stretches (ms, share of their time, stretches it appears in):`);
    for (const [k, c] of [...causes].sort((a, b) => b[1].ms - a[1].ms).slice(0, top))
      console.log(
        `  ${Math.round(c.ms).toString().padStart(6)} ${((100 * c.ms) / Math.max(1, longMs)).toFixed(0).padStart(3)} % ${String(c.n).padStart(4)}  ${k}`,
      );
  }
}

if (process.argv[1]?.endsWith('long-tasks.ts')) main();
