/**
 * An acknowledged command that meets the database away before anything of it committed (the
 * CI of ae4e588: chaos-sqlite db-outage, "13 acknowledged reports missing, 0 journal entries").
 * The router used to answer it "an internal error occurred" and the journal, seeing the work
 * end, deleted the entry: the person had been told the command was accepted, and it was gone.
 * Now the entry stays, nobody is told anything yet, and the command runs again from the journal
 * once its claim has lapsed (any process), answering once. Through the Slack path as wired in
 * main.ts (signed slash commands, the fake Slack's response URLs).
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, test } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import { PROVIDER } from '../helpers/app.ts';
import { type SlackBot, startSlackBot } from '../helpers/slack.ts';
import { flakyRuns } from '../helpers/test-commands.ts';

let bot: SlackBot;
const clock = new ManualClock(new Date('2026-12-02T03:00:00Z'));

beforeAll(async () => {
  bot = await startSlackBot({ clock, env: { COMMAND_CLAIM_TTL_MS: '60000' } });
});
afterAll(async () => {
  await bot?.close();
});

test(`the database away before the first commit (${PROVIDER}): kept, run again from the journal, answered once`, async () => {
  const key = `k${PROVIDER}`;
  const { res, responseUrl } = await bot.command('U0PERSON', `qa flaky-db key=${key}`);
  assert.equal(res.status, 200, 'acknowledged');
  await bot.until(() => flakyRuns(key) === 1);
  await new Promise((r) => setTimeout(r, 300));
  const p = bot.app.db.prisma;
  assert.deepEqual(
    bot.fake.responses(responseUrl).map((r) => JSON.stringify(r.body)),
    [],
    'nothing said yet (no "internal error" for a command that will still run)',
  );
  assert.equal(await p.pendingCommand.count(), 1, 'the acknowledged command is still held');
  assert.equal(await p.setting.count({ where: { key: `flaky-${key}` } }), 0);

  // its claim lapses; the journal's pass (any process) runs it again
  assert.equal(await bot.app.journal.recover(), 0, 'not before its claim lapsed');
  clock.advance(61_000);
  assert.equal(await bot.app.journal.recover(), 1);
  assert.equal(flakyRuns(key), 2);
  await bot.until(() => bot.fake.responses(responseUrl).length > 0);
  await new Promise((r) => setTimeout(r, 300));
  const replies = bot.fake.responses(responseUrl).map((r) => JSON.stringify(r.body));
  assert.equal(replies.length, 1, `one answer: ${replies.join(' | ')}`);
  assert.match(replies[0] as string, new RegExp(`recorded ${key} on run 2`));
  assert.equal(await p.pendingCommand.count(), 0);
  assert.equal(await p.setting.count({ where: { key: `flaky-${key}` } }), 1, 'recorded once');
});
