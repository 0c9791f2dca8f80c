/**
 * How the tests start the bot as a process: as `npm start` does, `node dist/main.js` — the
 * compiled code people run, with no TypeScript loader (the loader made every start about twice as
 * slow: 5–8 s against 2–3.5 s for `/csirt help` at load 7). dist/ is built before the tests when
 * stale (tests/helpers/global-build.ts); source maps on, so a stack trace names the sources.
 */
import { join } from 'node:path';
import { START_ENV, START_FLAGS } from '../../scripts/build.mjs';
import { ROOT } from '../../src/app.ts';

/** The node arguments that start the bot: npm start's flags (scripts/build.mjs START_FLAGS). */
export const BOT_ARGS: readonly string[] = [...START_FLAGS, '--enable-source-maps', join(ROOT, 'dist', 'main.js')];

/** The environment npm start sets (START_ENV), under what a test sets. */
export const BOT_ENV: Readonly<Record<string, string>> = START_ENV;

/**
 * What every test's bot runs with unless the test says otherwise, in a process (runBot,
 * BotProcess) or in the test's own (runConsoleApp): an ephemeral port on loopback, warnings only,
 * and the daily audit anchor and the escalation chains off (their own jobs and posts), as in
 * tests/helpers/app.ts.
 */
export const TEST_BOT_SETTINGS: Readonly<Record<string, string>> = {
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  AUDIT_ANCHOR_AT: 'off',
  ESCALATION_CHAIN: 'off',
  REPORT_ESCALATION_CHAIN: 'off',
};
