/**
 * The test projects (npm test runs sqlite + postgresql; npm run test:chaos and test:deep the others):
 * - sqlite: every test file (tests/**\/*.test.ts), TEST_PROVIDER=sqlite, but for
 * - sqlite-unit: the unit tests that use no database (tests/unit, tests/fakes, tests/architecture),
 *   run without a fresh module graph per file (isolate: false; issue 19 item 7: importing src/
 *   anew for each small file cost more than its tests). They are side-effect free: no module
 *   mocks, fake timers restored after each test;
 * - postgresql: the files that use a database (scripts/test-files.mjs), TEST_PROVIDER=postgresql
 *   on the server at TEST_PG_URL (scripts/test.mjs finds or starts one);
 * - sqlite and postgresql run without isolation too (issue 19 item 7: importing src/ anew cost
 *   864 s of a 2,476 s run): each file builds its own apps and databases and closes them; a
 *   file's leftovers (databases made for later) are dropped by the setup file
 *   tests/helpers/file-hooks.ts, which runs before every file, isolated or not. Session 10 kept
 *   postgresql isolated after one pg-only run without isolation was 27 % slower; alternating
 *   runs of the same ten pg files (session 11, load 12-17) gave the opposite, 0.65-0.70x the
 *   wall time without isolation, and session 10's slow file (sharing-model, 27 -> 120 s) took
 *   98-106 s without isolation and 111-130 s with it there: the load beside it, not the worker;
 * - chaos-sqlite, chaos-postgresql: the long crash and chaos tests (CHAOS_FILES), run apart;
 * - deep-sqlite, deep-postgresql: the model-based and property tests again at full depth
 *   (DEEP_FILES with DEEP_ENV; npm run test:deep).
 * node's runner had no timeout: the defaults here are generous, the long tests set their own.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { CHAOS_FILES, DEEP_ENV, DEEP_FILES, testFiles, usesDb } from './scripts/test-files.mjs';

const root = fileURLToPath(new URL('.', import.meta.url));
const all = testFiles(root);
const everyday = all.filter((f) => !CHAOS_FILES.includes(f));
const chaos = all.filter((f) => CHAOS_FILES.includes(f));
const deep = all.filter((f) => DEEP_FILES.includes(f));
const onPg = (files: string[]) => files.filter((f) => usesDb(root, f));
const pureUnit = everyday.filter((f) => /^tests\/(unit|fakes|architecture)\//.test(f) && !usesDb(root, f));

const project = (
  name: string,
  provider: 'sqlite' | 'postgresql',
  include: string[],
  env = {},
  more: { isolate?: boolean } = {},
) => ({
  extends: true as const,
  test: {
    name,
    include: include.length ? include : ['no-test-files'],
    env: { ...env, TEST_PROVIDER: provider },
    // per test file, isolated or not: drops the databases a file left for later
    setupFiles: ['tests/helpers/file-hooks.ts'],
    ...more,
  },
});

export default defineConfig({
  test: {
    root,
    pool: 'forks',
    // dist/ built when stale: the bot processes the tests start run it (tests/helpers/bot-entry.ts);
    // the operator scripts compiled for the run: the tests that start them (tests/helpers/scripts.ts)
    globalSetup: ['tests/helpers/global-build.ts', 'tests/helpers/global-scripts.ts'],
    maxWorkers: 2,
    // node's runner had no timeout; these only catch a hang (the machine may be shared and slow)
    testTimeout: 600_000,
    hookTimeout: 600_000,
    teardownTimeout: 60_000,
    passWithNoTests: true,
    projects: [
      project(
        'sqlite',
        'sqlite',
        everyday.filter((f) => !pureUnit.includes(f)),
        {},
        { isolate: false },
      ),
      project('sqlite-unit', 'sqlite', pureUnit, {}, { isolate: false }),
      project('postgresql', 'postgresql', onPg(everyday), {}, { isolate: false }),
      project('chaos-sqlite', 'sqlite', chaos),
      project('chaos-postgresql', 'postgresql', onPg(chaos)),
      project('deep-sqlite', 'sqlite', deep, DEEP_ENV),
      project('deep-postgresql', 'postgresql', onPg(deep), DEEP_ENV),
    ],
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts', 'commands/**/*.ts'],
      exclude: ['src/db/generated/**'],
      reporter: ['text-summary'],
    },
  },
});
