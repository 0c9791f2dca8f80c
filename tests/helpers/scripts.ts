/**
 * How the tests start an operator script (scripts/<name>.ts) as a process of its own: compiled
 * once per test run (tests/helpers/global-scripts.ts), as the shipped package runs it
 * (`node dist/scripts/<name>.js`, scripts/package.mjs), instead of through tsx, which compiled
 * the script and the part of src/ it imports again at every start (issue 19 item 7). The
 * checkout's own commands, `npm run <name>` = `node --import tsx scripts/<name>.ts`, are run as
 * written in package.json by tests/e2e/npm-scripts.test.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import { PACKAGE_ROOT as ROOT } from '../../src/package-root.ts';
import { DONE, FAILED, type OperatorScript } from './global-scripts.ts';

export type { OperatorScript };

declare module 'vitest' {
  export interface ProvidedContext {
    /** the directory of this run's compiled operator scripts (tests/helpers/global-scripts.ts) */
    operatorScripts: string;
  }
}

let ready: Promise<string | null> | undefined;

/** The run's compiled scripts, once built; null outside `npm test` (then tsx runs the sources). */
function compiledDir(): Promise<string | null> {
  ready ??= (async () => {
    const dir: string | undefined = inject('operatorScripts');
    if (!dir) return null;
    // the build started with the run and takes a second or two; a loaded machine, longer
    const end = Date.now() + 300_000;
    while (!existsSync(join(dir, DONE))) {
      if (existsSync(join(dir, FAILED)))
        throw new Error(`compiling the operator scripts failed:\n${readFileSync(join(dir, FAILED), 'utf8')}`);
      if (Date.now() > end) throw new Error(`the operator scripts were not compiled in time (${dir})`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return dir;
  })();
  return ready;
}

/** node's arguments (after process.execPath) that run scripts/<name> with `args`. */
export async function scriptArgv(name: OperatorScript, args: readonly string[] = []): Promise<string[]> {
  const dir = await compiledDir();
  return dir ? [join(dir, `${name}.js`), ...args] : ['--import', 'tsx', join(ROOT, 'scripts', `${name}.ts`), ...args];
}
