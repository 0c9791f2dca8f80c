/**
 * How the tests start the bot as a process: as `npm start` does, `node dist/main.js` — the
 * compiled code people run, with no TypeScript loader (the loader made every start about twice as
 * slow: 5–8 s against 2–3.5 s for `/csirt help` at load 7). dist/ is built before the tests when
 * stale (tests/helpers/global-build.ts); source maps on, so a stack trace names the sources.
 */
import { join } from 'node:path';
import { ROOT } from '../../src/app.ts';

/** The node arguments that start the bot. */
export const BOT_ARGS: readonly string[] = ['--enable-source-maps', join(ROOT, 'dist', 'main.js')];
