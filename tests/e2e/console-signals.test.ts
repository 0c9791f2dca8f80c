/**
 * The console bot stops on SIGTERM and SIGINT while its input is still open (a person at the
 * terminal, `npm run dev` restarting it on a change, a service manager): the line in progress
 * finishes, then it drains and exits 0. Before the fix it hung until its input ended, so
 * `node --watch` (npm run dev) never restarted it ("Waiting for graceful termination...").
 */
import assert from 'node:assert/strict';
import { afterAll, test } from 'vitest';
import { BotProcess } from '../helpers/bot-process.ts';
import { freshDbUrl } from '../helpers/console.ts';

const bots: BotProcess[] = [];
afterAll(async () => {
  for (const b of bots) await b.kill();
});

/** Resolves with how long the process took to exit, or rejects after `ms`. */
async function exitWithin(pid: number, ms: number): Promise<number> {
  const t = Date.now();
  while (Date.now() - t < ms) {
    try {
      process.kill(pid, 0);
    } catch {
      return Date.now() - t;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`process ${pid} still running ${ms} ms after the signal`);
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal} stops the console bot with its input still open`, { timeout: 180_000 }, async () => {
    const bot = await BotProcess.start({ DATABASE_URL: await freshDbUrl(), LOG_LEVEL: 'info' }, bots, 120_000);
    assert.ok(bot.pid);
    process.kill(bot.pid, signal);
    await exitWithin(bot.pid, 30_000);
    assert.match(bot.stderr + bot.stdout, /shutting down: draining/);
    assert.match(bot.stderr + bot.stdout, /"msg":"stopped"/);
  });
}
