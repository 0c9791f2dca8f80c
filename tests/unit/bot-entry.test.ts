/**
 * The bot processes the tests start run dist/main.js (tests/helpers/bot-entry.ts): that build must
 * be the build of the sources under test, or every process-level test would test yesterday's code.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'vitest';
import { START_FLAGS, staleReason } from '../../scripts/build.mjs';
import { BOT_ARGS } from '../helpers/bot-entry.ts';

test('the bot the tests start is the build of the sources under test (global setup builds it when stale)', () => {
  const entry = BOT_ARGS.at(-1) as string;
  assert.match(entry, /dist[/\\]main\.js$/);
  assert.ok(existsSync(entry), `${entry} exists`);
  assert.equal(staleReason(), null);
  assert.ok(!BOT_ARGS.some((a) => /tsx|--import|--loader/.test(a)), `no TypeScript loader: ${BOT_ARGS.join(' ')}`);
  for (const f of START_FLAGS) assert.ok(BOT_ARGS.includes(f), `npm start's flag ${f}`);
});
