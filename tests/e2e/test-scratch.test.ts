/**
 * `npm test` leaves nothing behind: every temporary file of a run (test databases, the SQLite
 * template, the bots' working directories) lives under one directory of the run, removed when
 * it ends (scripts/test.mjs). Before, each run left its bots' directories in /dev/shm: ~2,800
 * of them, 196 MB of memory, after a day's work on this machine.
 * Runs a console test file (it starts the real bot several times) through `npm test`'s script
 * with TMPDIR pointed at an empty directory, then looks in it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'vitest';

/** This process's environment without what the outer vitest set for its own worker. */
const outerEnv = () =>
  Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(VITEST|TEST_PROVIDER$|TEST_PG_URL$)/.test(k)));

const root = fileURLToPath(new URL('../..', import.meta.url));

test('a test run removes every temporary file it made, and still reports its results', () => {
  const dir = mkdtempSync(join(tmpdir(), 'csirt-scratch-'));
  try {
    const r = spawnSync(
      process.execPath,
      ['scripts/test.mjs', '--sqlite-only', 'tests/e2e/console-foundation.test.ts'],
      { cwd: root, encoding: 'utf8', env: { ...outerEnv(), TMPDIR: dir }, timeout: 300_000 },
    );
    assert.equal(r.status, 0, `${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
    assert.match(r.stdout, /\b[1-9]\d* passed, 0 failed/);
    assert.deepEqual(readdirSync(dir), [], 'left behind in TMPDIR');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
