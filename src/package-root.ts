/**
 * The package's root directory (where package.json, data/, prisma/ and node_modules/ are), found
 * the same way from the sources (src/…) and from the build (dist/src/…): the nearest directory
 * above this module that holds a package.json. One helper, so that no path depends on how deep
 * the running file sits.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function findPackageRoot(from: string): string {
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(from)}`);
    dir = up;
  }
}

/** The root of this package (the repository in development, the install directory in production). */
export const PACKAGE_ROOT = findPackageRoot(import.meta.url);
