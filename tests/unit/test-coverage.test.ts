/**
 * npm test runs every database-backed test on SQLite and again on PostgreSQL: a test file
 * that reaches a database (an app, a database handle, real bot processes) must be selected
 * for the PostgreSQL run, and the helpers that start bots must give them a database of the
 * provider under test (not always a SQLite file).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'vitest';
import { CHAOS_FILES, testFiles, usesDb } from '../../scripts/test-files.mjs';
import { ROOT } from '../../src/app.ts';
import { assertOnPgPass } from '../helpers/pg-pass.ts';

const REACHES_DB =
  /\bopenDatabase\(|\bcreateApp\(|\brunBot\(|\brunConsoleApp\b|\bBotProcess\b|\bSlackProcess\b|\bprepareMulti\(/;

test('every test file that reaches a database also runs on PostgreSQL', () => {
  const missing = testFiles(ROOT).filter(
    (f) => REACHES_DB.test(readFileSync(join(ROOT, f), 'utf8')) && !usesDb(ROOT, f),
  );
  assert.deepEqual(missing, []);
});

test('a database made for a file the PostgreSQL pass leaves out fails at once (tests/helpers/pg-pass.ts)', () => {
  // testDb and freshDbUrl ask this first; a file selected for the pass may make one
  assertOnPgPass(join(ROOT, 'tests/unit/db/tx-timeout.test.ts'));
  assertOnPgPass(join(ROOT, 'tests/e2e/delivery-admin.test.ts'));
  // a file selected by none of its imports may not (a db unit file moved to a helper USES_DB did not know)
  assert.throws(
    () => assertOnPgPass(join(ROOT, 'tests/unit/logger.test.ts')),
    /tests\/unit\/logger\.test\.ts makes a database .* does not select it for the PostgreSQL pass/,
  );
  // nor this file, which makes none: the setup file tells the guard which file runs now
  assert.throws(() => assertOnPgPass(), /tests\/unit\/test-coverage\.test\.ts makes a database/);
});

test('the helpers that start real bots give them a database of the provider under test', () => {
  for (const helper of ['console.ts', 'console-app.ts', 'bot-process.ts', 'slack-process.ts']) {
    const src = readFileSync(join(ROOT, 'tests', 'helpers', helper), 'utf8');
    assert.doesNotMatch(src, /DATABASE_URL: freshSqliteUrl\(\)/, `${helper} defaults to a SQLite file`);
  }
});

test('every chaos file exists: a renamed one would silently leave both runs', () => {
  const all = new Set(testFiles(ROOT));
  assert.deepEqual(
    CHAOS_FILES.filter((f) => !all.has(f)),
    [],
  );
});
