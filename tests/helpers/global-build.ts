/**
 * Vitest global setup: builds dist/ when it is stale (scripts/build.mjs, about a second), so that
 * the tests that start the bot as a process run it as `npm start` does — `node dist/main.js`,
 * no TypeScript loader (tests/helpers/bot-entry.ts). Each project inherits this setup; the build
 * runs at most once per test run (one promise in the main process).
 */
import { build, staleReason } from '../../scripts/build.mjs';

let built: Promise<void> | undefined;

export default async function setup(): Promise<void> {
  built ??= (async () => {
    const reason = staleReason();
    if (!reason) return;
    const t = Date.now();
    await build();
    process.stderr.write(`tests: built dist/ (${reason}) in ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
  })();
  await built;
}
