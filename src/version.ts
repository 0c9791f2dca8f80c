/**
 * The running version (issue 22 item 5): package.json's version, and the commit `npm run build`
 * recorded on the second line of dist/.build-stamp (`unknown` when run from the sources).
 * Shown in the start-up log line, `/healthz` and `/metrics` (`csirt_build_info`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGE_ROOT } from './package-root.ts';

export interface BuildInfo {
  version: string;
  commit: string;
  node: string;
}

function read(): BuildInfo {
  const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version?: string };
  const stamp = join(PACKAGE_ROOT, 'dist', '.build-stamp');
  // only the build knows its commit (run from the sources, an old dist/ would say another one)
  const fromDist = fileURLToPath(import.meta.url)
    .split(sep)
    .includes('dist');
  const commit = fromDist && existsSync(stamp) ? (readFileSync(stamp, 'utf8').split('\n')[1] ?? '').trim() : '';
  return {
    version: pkg.version ?? '0.0.0',
    commit: /^[0-9a-f]{7,40}$/.test(commit) ? commit : 'unknown',
    node: process.version,
  };
}

export const BUILD: BuildInfo = read();
