#!/usr/bin/env node
// npm test: every test on SQLite and the ones that use a database again on PostgreSQL (the
// vitest projects `sqlite` and `postgresql`, vitest.config.ts), then one closing line:
// "N passed, N failed".
//   npm test -- tests/unit/core          only the files whose path contains these
//   npm test -- --sqlite-only | --pg-only one provider
//   npm test -- --chaos                  the long crash/chaos projects instead (npm run test:chaos)
//   npm test -- -t 'words of a name'     any other argument goes to vitest as it is (--coverage, …)
// The PostgreSQL server: TEST_PG_URL, else Debian's package, else one from the registry
// (scripts/test-pg.mjs), started for the run and stopped after it.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testPgServer } from './test-pg.mjs';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const args = process.argv.slice(2);
const sqliteOnly = args.includes('--sqlite-only');
const pgOnly = args.includes('--pg-only');
const chaos = args.includes('--chaos');
const rest = args
  .filter((a) => !['--sqlite-only', '--pg-only', '--chaos'].includes(a))
  .map((a) => (a.startsWith('./') ? a.slice(2) : a));

const providers = sqliteOnly ? ['sqlite'] : pgOnly ? ['postgresql'] : ['sqlite', 'postgresql'];
const projects = providers.map((p) => (chaos ? `chaos-${p}` : p));

let pg = null;
if (providers.includes('postgresql')) {
  try {
    pg = await testPgServer(root);
    console.log(`PostgreSQL for the tests: ${pg.how}`);
  } catch (e) {
    console.error(`Could not start a PostgreSQL server for the tests: ${e.message}\nUse --sqlite-only to skip it.`);
    process.exit(1);
  }
}

const out = mkdtempSync(join(tmpdir(), 'csirt-vitest-'));
const json = join(out, 'results.json');
const child = spawn(
  process.execPath,
  [
    join(root, 'node_modules', 'vitest', 'vitest.mjs'),
    'run',
    ...projects.flatMap((p) => ['--project', p]),
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${json}`,
    ...rest,
  ],
  {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      TEST_PG_URL: pg?.url ?? '',
      TZ: process.env.TZ ?? 'UTC',
      // test databases and working directories in memory when we can: the same code path (the
      // fsyncs too), without waiting for a disk shared by everyone on the machine
      ...(!process.env.TMPDIR && existsSync('/dev/shm') ? { TMPDIR: '/dev/shm' } : {}),
    },
  },
);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
const code = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? 1)));
await pg?.stop();

let pass = 0;
let fail = 0;
let skipped = 0;
try {
  const r = JSON.parse(readFileSync(json, 'utf8'));
  pass = r.numPassedTests;
  skipped = r.numPendingTests + r.numTodoTests;
  // a file that failed to load has no failed test of its own: count it once
  const brokenFiles = r.testResults.filter(
    (f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed'),
  ).length;
  fail = r.numFailedTests + brokenFiles;
} catch {
  // no results: vitest did not get that far
}
if (code !== 0 && fail === 0) {
  console.log(`vitest exited with code ${code} (unhandled errors or a crash above): counted as one failure`);
  fail = 1;
}
rmSync(out, { recursive: true, force: true });
console.log(`\n${pass} passed, ${fail} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(code !== 0 || fail > 0 || pass === 0 ? 1 : 0);
