/**
 * The PostgreSQL pass of `npm test` runs the files scripts/test-files.mjs selects by what they
 * import (`USES_DB`). That is fragile: session 15's refactor moved seven db unit files to a new
 * helper and two of them silently left the pass (42 tests instead of 48), each still green on
 * SQLite. So every helper that makes a database of the provider under test (`testDb`,
 * `freshDbUrl`: apps, database handles, bot processes all get theirs there) asks first: a file
 * that makes one on the SQLite pass without being selected for PostgreSQL fails at once, in any
 * run, focused or full.
 */
import { relative } from 'node:path';
import { usesDb } from '../../scripts/test-files.mjs';
import { PACKAGE_ROOT as ROOT } from '../../src/package-root.ts';

/** The test file this worker runs now (absolute): set by tests/helpers/file-hooks.ts before each file. */
const CURRENT = Symbol.for('csirt.tests.currentFile');
type WithFile = { [CURRENT]?: string };

export function setCurrentTestFile(path: string | undefined): void {
  (globalThis as WithFile)[CURRENT] = path;
}

const selected = new Map<string, boolean>();

/**
 * Throws when `file` (by default the file running now) is not selected for the PostgreSQL pass.
 * Only on the SQLite pass (on PostgreSQL the file is selected, or would not run), and only in a
 * test worker (bot processes and the bench have no current file).
 */
export function assertOnPgPass(file = (globalThis as WithFile)[CURRENT]): void {
  if (!file || (process.env.TEST_PROVIDER ?? 'sqlite') !== 'sqlite') return;
  const rel = relative(ROOT, file);
  const on = selected.get(rel) ?? usesDb(ROOT, rel);
  selected.set(rel, on);
  if (!on)
    throw new Error(
      `${rel} makes a database of the provider under test, but scripts/test-files.mjs does not select it ` +
        'for the PostgreSQL pass (USES_DB matches none of its imports, or NOT_ON_PG names it): it would run on ' +
        'SQLite only. Import the helper by a name USES_DB knows, or add the helper to USES_DB',
    );
}
