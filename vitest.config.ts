/**
 * The test projects (npm test runs sqlite + postgresql; npm run test:chaos runs the chaos ones):
 * - sqlite: every test file (tests/**\/*.test.ts), TEST_PROVIDER=sqlite;
 * - postgresql: the files that use a database (scripts/test-files.mjs), TEST_PROVIDER=postgresql
 *   on the server at TEST_PG_URL (scripts/test.mjs finds or starts one);
 * - chaos-sqlite, chaos-postgresql: the long crash and chaos tests (CHAOS_FILES), run apart.
 * node's runner had no timeout: the defaults here are generous, the long tests set their own.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { CHAOS_FILES, testFiles, usesDb } from './scripts/test-files.mjs';

const root = fileURLToPath(new URL('.', import.meta.url));
const all = testFiles(root);
const everyday = all.filter((f) => !CHAOS_FILES.includes(f));
const chaos = all.filter((f) => CHAOS_FILES.includes(f));
const onPg = (files: string[]) => files.filter((f) => usesDb(root, f));

const project = (name: string, provider: 'sqlite' | 'postgresql', include: string[]) => ({
  extends: true as const,
  test: { name, include: include.length ? include : ['no-test-files'], env: { TEST_PROVIDER: provider } },
});

export default defineConfig({
  test: {
    root,
    pool: 'forks',
    maxWorkers: 2,
    // node's runner had no timeout; these only catch a hang (the machine may be shared and slow)
    testTimeout: 600_000,
    hookTimeout: 600_000,
    teardownTimeout: 60_000,
    passWithNoTests: true,
    projects: [
      project('sqlite', 'sqlite', everyday),
      project('postgresql', 'postgresql', onPg(everyday)),
      project('chaos-sqlite', 'sqlite', chaos),
      project('chaos-postgresql', 'postgresql', onPg(chaos)),
    ],
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts', 'commands/**/*.ts'],
      exclude: ['src/db/generated/**'],
      reporter: ['text-summary'],
    },
  },
});
