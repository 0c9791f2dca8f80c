#!/usr/bin/env node
// npm test: every test, on SQLite and then on a real PostgreSQL server.
// - starts a private PostgreSQL (scripts/pg-test-server.sh) unless TEST_PG_URL is given;
// - runs node's test runner over tests/**/*.test.ts, first with TEST_PROVIDER=sqlite, then with
//   TEST_PROVIDER=postgresql for the tests that use a database (files under tests/ whose
//   source or helpers reach a database: scripts/test-files.mjs), and prints one closing line: "N passed, N failed".
// Options: --sqlite-only, --pg-only, and file or folder filters (npm test -- tests/unit).
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testFiles, usesDb as usesDbIn } from './test-files.mjs';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const args = process.argv.slice(2);
const filters = args.filter((a) => !a.startsWith('--'));
const sqliteOnly = args.includes('--sqlite-only');
const pgOnly = args.includes('--pg-only');

const files = testFiles(root).filter(
  (f) => filters.length === 0 || filters.some((x) => f.startsWith(x.replace(/^\.\//, ''))),
);
const usesDb = (f) => usesDbIn(root, f);

let pgUrl = process.env.TEST_PG_URL;
if (!pgUrl && !sqliteOnly) {
  try {
    pgUrl = execFileSync(join(root, 'scripts', 'pg-test-server.sh'), { encoding: 'utf8' }).trim();
  } catch {
    console.error(
      'Could not start the test PostgreSQL server (apt-get install -y postgresql); use --sqlite-only to skip it.',
    );
    process.exit(1);
  }
}

function run(provider, list) {
  return new Promise((resolve) => {
    if (list.length === 0) return resolve({ pass: 0, fail: 0, code: 0 });
    console.log(`\n=== ${list.length} test files on ${provider} ===`);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...list],
      {
        cwd: root,
        env: { ...process.env, TEST_PROVIDER: provider, TEST_PG_URL: pgUrl ?? '', TZ: process.env.TZ ?? 'UTC' },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      out += d.toString();
    });
    child.on('close', (code) => {
      const num = (k) => Number(new RegExp(`ℹ ${k} (\\d+)`).exec(out)?.[1] ?? 0);
      resolve({ pass: num('pass'), fail: num('fail') + num('cancelled'), code: code ?? 1 });
    });
  });
}

const results = [];
if (!pgOnly) results.push(await run('sqlite', files));
if (!sqliteOnly && pgUrl) results.push(await run('postgresql', files.filter(usesDb)));
const pass = results.reduce((a, r) => a + r.pass, 0);
const fail = results.reduce((a, r) => a + r.fail, 0);
const bad = results.some((r) => r.code !== 0);
console.log(`\n${pass} passed, ${fail} failed`);
process.exit(bad || fail > 0 || pass === 0 ? 1 : 0);
