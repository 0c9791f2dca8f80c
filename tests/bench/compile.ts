/**
 * A bench child compiled as `npm start` runs the bot (scripts/build.mjs's esbuild options, no
 * TypeScript loader in the process: tsx alone costs ~40 MB of RSS), once per run. Parent side
 * only: a child must not import this (nor build.mjs, which builds when it is the main module).
 */
import { basename, join } from 'node:path';
import { esbuildOptions } from '../../scripts/build.mjs';
import { ROOT } from '../../src/app.ts';

const compiled = new Map<string, Promise<string>>();

/** The compiled file of `entry` (a .ts file under tests/bench). */
export function compiledEntry(entry: string): Promise<string> {
  let p = compiled.get(entry);
  if (!p) {
    const name = basename(entry, '.ts');
    const out = join(ROOT, 'bench-results', 'build', name);
    p = import('esbuild')
      .then(({ build }) => build({ ...esbuildOptions(ROOT, [entry], out), logLevel: 'error' }))
      .then(() => join(out, `${name}.js`));
    compiled.set(entry, p);
  }
  return p;
}
