/**
 * Vitest global setup: the operator scripts (scripts/<name>.ts) compiled once per test run, for
 * the tests that run them as processes (tests/helpers/scripts.ts). Through tsx each start
 * compiled the script and all of src/ it imports again: 1.4–1.8 s of CPU a start against 0.4 s
 * compiled (audit-verify, load ~8), and a run starts them about a hundred times (issue 19 item 7).
 *
 * Compiled with the options of the shipped package's dist/scripts/ (scripts/package.mjs,
 * scripts/build.mjs esbuildOptions), into a directory of this run under node_modules/.cache:
 * the compiled code finds the package root (data/, prisma/, the Prisma clients) as the nearest
 * directory above it with a package.json (src/package-root.ts), so it must live inside the
 * checkout, and node_modules is where every tool already looks away. The build (~1.5 s) is not
 * awaited here: the tests start meanwhile, and the first script run waits for it.
 * Removed at the end of the run; a run that was killed leaves its directory, removed by the
 * next run once its process is gone.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { esbuildOptions } from '../../scripts/build.mjs';
import { PACKAGE_ROOT as ROOT } from '../../src/package-root.ts';

/** The scripts the tests run as processes (tests/helpers/scripts.ts), compiled for the run. */
export const COMPILED_SCRIPTS = [
  'audit-verify',
  'backup',
  'db-migrate',
  'erase',
  'restore',
  'retention',
  'slack-manifest',
] as const;
export type OperatorScript = (typeof COMPILED_SCRIPTS)[number];

/** Written in the run's directory when the build finished, or failed (with the error). */
export const DONE = '.done';
export const FAILED = '.failed';

const CACHE = join(ROOT, 'node_modules', '.cache', 'csirt-test-scripts');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One build per run, whichever project's setup asks first (each project loads this file). */
const KEY = Symbol.for('csirt-poc-bot.tests.operator-scripts');
type Shared = { dir: string; built: Promise<void>; removed: boolean };

function start(): Shared {
  mkdirSync(CACHE, { recursive: true });
  // directories of runs that were killed before their teardown
  for (const name of readdirSync(CACHE)) {
    const pid = Number(/^run-(\d+)-/.exec(name)?.[1]);
    if (pid && pid !== process.pid && !alive(pid)) rmSync(join(CACHE, name), { recursive: true, force: true });
  }
  const dir = join(CACHE, `run-${process.pid}-${Date.now().toString(36)}`);
  const built = (async () => {
    const { build } = await import('esbuild');
    const entries = COMPILED_SCRIPTS.map((s) => `scripts/${s}.ts`);
    await build(esbuildOptions(ROOT, entries, dir));
    writeFileSync(join(dir, DONE), '');
  })().catch((e: unknown) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, FAILED), String((e as Error)?.stack ?? e));
  });
  return { dir, built, removed: false };
}

export default function setup(project: TestProject): () => Promise<void> {
  const g = globalThis as { [KEY]?: Shared };
  g[KEY] ??= start();
  const shared = g[KEY];
  project.provide('operatorScripts', shared.dir);
  return async () => {
    await shared.built;
    if (shared.removed) return;
    shared.removed = true;
    if (existsSync(shared.dir)) rmSync(shared.dir, { recursive: true, force: true });
  };
}
