// Which test files npm test runs, and which of them run a second time on PostgreSQL.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * tests/**\/*.test.ts, relative to root, sorted. tests/bench is `npm run bench` (measures,
 * asserts nothing); tests/chaos runs with the rest (`npm run test:chaos` runs it alone).
 */
export function testFiles(root) {
  const walk = (dir) =>
    readdirSync(dir).flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? (n === 'bench' ? [] : walk(p)) : p.endsWith('.test.ts') ? [p] : [];
    });
  return walk(join(root, 'tests'))
    .map((f) => relative(root, f))
    .sort();
}

/**
 * The long crash and chaos tests, which start several real bot processes and kill them
 * (SIGKILL, SIGTERM, frozen processes): their own vitest projects (chaos-sqlite,
 * chaos-postgresql), run by `npm run test:chaos` and by CI apart from the everyday `npm test`.
 */
export const CHAOS_FILES = [
  'tests/chaos/chaos.test.ts',
  'tests/chaos/package.test.ts',
  'tests/e2e/advisory-crash.test.ts',
  'tests/e2e/advisory-escalation-multiprocess.test.ts',
  'tests/e2e/advisory-crash-mattermost.test.ts',
  'tests/e2e/command-journal.test.ts',
  'tests/e2e/db-outage.test.ts',
  'tests/e2e/dispatch-crash.test.ts',
  'tests/e2e/email-fallback-crash.test.ts',
  'tests/e2e/reminders-multiprocess.test.ts',
  'tests/e2e/report-batch-crash.test.ts',
  'tests/e2e/report-clocks-multiprocess.test.ts',
  'tests/e2e/shutdown.test.ts',
  'tests/e2e/sqlite-checkpoint-crash.test.ts',
];

/**
 * Model-based and property tests that explore more the longer they run. The everyday `npm test`
 * runs them at a size that takes a minute or two (each file's own default); `npm run test:deep`
 * (projects deep-sqlite, deep-postgresql; CI runs it) runs them again at full depth, with these
 * settings. The seeds are the same, so the everyday runs are the first runs of the deep ones.
 */
export const DEEP_FILES = [
  'tests/security/properties.test.ts',
  'tests/security/router-valid-input.test.ts',
  'tests/security/sharing-model.test.ts',
];
export const DEEP_ENV = {
  PROPERTY_ROUTER_RUNS: '100',
  ROUTER_VALID_RUNS: '700',
  SHARING_MODEL_RUNS: '200',
};

/**
 * Chaos files whose assertions are about time (db-outage: a request is refused only while the
 * database is away, give or take seconds): `npm run test:chaos` runs them after the others, one
 * at a time (scripts/test.mjs).
 */
export const SOLO_FILES = ['tests/e2e/db-outage.test.ts'];

/**
 * A file uses the database when it, or a test helper it imports, builds an app or a database,
 * or starts real bot processes (the console runner, bot processes in console or Slack mode, the
 * crash test's).
 */
export const USES_DB =
  /\btestApp\(|\btestDb\(|TEST_PROVIDER|helpers\/(app|test-database|slack|mattermost|scenario|console|bot-process|slack-process|multi-setup|advisory-crash)\b/;

/**
 * Files the pattern above selects that would run the very same thing on PostgreSQL as on SQLite
 * (issue 19 item 7: the PostgreSQL run is for provider behaviour): secrets-in-logs starts its bot
 * on a SQLite file whatever the provider (freshSqliteUrl); text-safety imports only the
 * Mattermost helper's pure text functions.
 */
export const NOT_ON_PG = [
  'tests/security/secrets-in-logs.test.ts',
  'tests/unit/adapters/mattermost/text-safety.test.ts',
  // runs `npm test --sqlite-only` on one file: about the runner, not the database
  'tests/e2e/test-scratch.test.ts',
];

export function usesDb(root, file) {
  return !NOT_ON_PG.includes(file) && USES_DB.test(readFileSync(join(root, file), 'utf8'));
}
