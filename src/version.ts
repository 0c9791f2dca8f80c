/**
 * The running version (issue 22 item 5): package.json's version, and the commit when the build
 * or the deployment says it (BUILD_COMMIT, or dist/build-info.json written by `npm run build`).
 * Shown in the start-up log line, `/healthz` and `/metrics` (`csirt_build_info`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from './package-root.ts';

export interface BuildInfo {
  version: string;
  commit: string;
  node: string;
}

function read(): BuildInfo {
  const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version?: string };
  let commit = process.env.BUILD_COMMIT ?? '';
  const built = join(PACKAGE_ROOT, 'dist', 'build-info.json');
  if (!commit && existsSync(built)) {
    try {
      commit = String((JSON.parse(readFileSync(built, 'utf8')) as { commit?: string }).commit ?? '');
    } catch {
      // an unreadable build-info file leaves the commit unknown
    }
  }
  return {
    version: pkg.version ?? '0.0.0',
    commit: /^[0-9a-f]{7,40}$/.test(commit) ? commit : 'unknown',
    node: process.version,
  };
}

export const BUILD: BuildInfo = read();
