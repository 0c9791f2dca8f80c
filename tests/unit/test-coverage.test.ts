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

const REACHES_DB =
  /\bopenDatabase\(|\bcreateApp\(|\brunBot\(|\brunConsoleApp\b|\bBotProcess\b|\bSlackProcess\b|\bprepareMulti\(/;

test('every test file that reaches a database also runs on PostgreSQL', () => {
  const missing = testFiles(ROOT).filter(
    (f) => REACHES_DB.test(readFileSync(join(ROOT, f), 'utf8')) && !usesDb(ROOT, f),
  );
  assert.deepEqual(missing, []);
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
