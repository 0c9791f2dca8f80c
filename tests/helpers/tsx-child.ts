/**
 * A test's own TypeScript child process (a crash child, a burst of reports, the bot's sources, a
 * snippet run in another time zone): `node --import <tsx> <file>`, with tsx named by its resolved
 * URL so that it loads whatever the child's working directory (a bare `tsx` is looked up from
 * there). Operator scripts are not run this way: tests/helpers/scripts.ts runs them compiled.
 */
import { type ChildProcessByStdio, type SpawnOptions, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { isAbsolute, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT as ROOT } from '../../src/package-root.ts';

const TSX = pathToFileURL(createRequire(join(ROOT, 'package.json')).resolve('tsx')).href;

/** node's arguments that run `file` (absolute, or relative to the repository) through tsx. */
export function tsxArgv(file: string, args: readonly string[] = []): string[] {
  return ['--import', TSX, isAbsolute(file) ? file : join(ROOT, file), ...args];
}

/** node's arguments that run `code` as an ES module through tsx (`-e`). */
export function tsxEvalArgv(code: string): string[] {
  return ['--import', TSX, '--input-type=module', '-e', code];
}

/** Starts `node` on `file` through tsx: stdin ignored, stdout and stderr piped. */
export function tsxChild(
  file: string,
  args: readonly string[] = [],
  opts: Omit<SpawnOptions, 'stdio'> = {},
): ChildProcessByStdio<null, Readable, Readable> {
  return spawn(process.execPath, tsxArgv(file, args), { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
}
