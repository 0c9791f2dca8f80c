/**
 * What a person waits for at the terminal, and what the bot holds when it waits: the console
 * bot answering one `/csirt help` from a pipe, whole process (start, migrations checked, answer,
 * stop), as `npm start` runs it (dist/, built first when stale; its node options and
 * environment) — and the same bot's idle RSS in Slack mode. The floor of the first is `node` starting and ending an empty script; of the
 * second, a bare @slack/bolt App (commands.ts). Runs alternate between the variants, so a change
 * of load hits each alike: compare the ratios of one run.
 *   node --import tsx tests/bench/startup.ts [runs=15] [other package roots to compare…]
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, START_ENV, START_FLAGS, staleReason } from '../../scripts/build.mjs';
import { ROOT } from '../../src/app.ts';
import { percentile, round } from './stats.ts';

export interface StartupResult {
  runs: number;
  /** median and p90 of the whole process, ms */
  helpMs: { p50: number; p90: number };
  floorMs: { p50: number; p90: number };
  /** the same for other package roots given (before/after comparisons) */
  others: { root: string; label: string; p50: number; p90: number }[];
}

/** Wall time of one process fed `input` on stdin; rejects unless it exits 0 and says `expect`. */
function timed(args: string[], env: Record<string, string>, input: string, expect: RegExp | null): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => {
      out += d;
    });
    p.stderr.on('data', (d) => {
      err += d;
    });
    p.on('close', (code) => {
      const ms = performance.now() - t0;
      if (code !== 0 || (expect && !expect.test(out))) reject(new Error(`exit ${code}: ${err.slice(-500)}`));
      else resolve(ms);
    });
    p.stdin.end(input);
  });
}

/** `<root's directory name> <commit>` */
function label(root: string): string {
  let commit = '?';
  try {
    commit = execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {}
  return `${root.split('/').pop()} ${commit}`;
}

const stat = (xs: number[]) => ({ p50: round(percentile(xs, 50), 0), p90: round(percentile(xs, 90), 0) });

export async function benchStartup(opts: {
  runs: number;
  others?: string[];
  log: (l: string) => void;
}): Promise<StartupResult> {
  const roots = [ROOT, ...(opts.others ?? [])];
  for (const root of roots) {
    const why = staleReason(root);
    if (why) {
      opts.log(`startup: building ${root}/dist (${why})`);
      await build(root);
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'csirt-startup-'));
  const env = (i: number) => ({
    ...START_ENV,
    DATABASE_URL: `file:${join(dir, `bot-${i}.db`)}`,
    LOG_LEVEL: 'warn',
    SLACK_BOT_TOKEN: '',
    SLACK_SIGNING_SECRET: '',
    MATTERMOST_URL: '',
    PORT: '0',
    HOST: '127.0.0.1',
  });
  const help = /\/csirt/;
  try {
    // first start of each: creates and migrates its database (not measured: every later start
    // finds it up to date, as a bot does but once after an upgrade)
    for (const [i, root] of roots.entries())
      await timed([...START_FLAGS, join(root, 'dist', 'main.js')], env(i), '', null);
    const times = roots.map(() => [] as number[]);
    const floor: number[] = [];
    for (let r = 0; r < opts.runs; r++) {
      floor.push(await timed(['-e', ''], {}, '', null));
      for (const [i, root] of roots.entries()) {
        times[i]?.push(await timed([...START_FLAGS, join(root, 'dist', 'main.js')], env(i), '/csirt help\n', help));
      }
    }
    const [mine, ...rest] = times;
    return {
      runs: opts.runs,
      helpMs: stat(mine ?? []),
      floorMs: stat(floor),
      others: rest.map((t, i) => ({ root: roots[i + 1] as string, label: label(roots[i + 1] as string), ...stat(t) })),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === import.meta.filename) {
  const [runs, ...others] = process.argv.slice(2);
  const r = await benchStartup({
    runs: Number(runs ?? 15),
    others,
    log: (l) => process.stderr.write(`${l}\n`),
  });
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
}
