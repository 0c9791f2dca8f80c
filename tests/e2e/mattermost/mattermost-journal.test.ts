/**
 * Mattermost requests survive a process that dies after answering and before the command
 * committed (src/inbox/journal.ts, src/adapters/mattermost/journal.ts). The death is the
 * journal's `run` never running the work — what a SIGKILL right after the answer leaves: the
 * entry the route wrote, nothing else. Another process (here the same app, its clock moved
 * past the claim) then runs each entry from what the route stored, and replies where the
 * person would have seen the answer: a command's response_url, a click's direct message, a
 * dialog's response_url. The SIGKILL itself, with real processes, is in
 * tests/e2e/command-journal.test.ts (Slack).
 */
import assert from 'node:assert/strict';
import { afterAll, afterEach, beforeAll, test } from 'vitest';
import { type MattermostBot, shownText, startMattermostBot } from '../../helpers/mattermost.ts';

let bot: MattermostBot;
let shift = 0;
const TTL = 5000;

beforeAll(async () => {
  bot = await startMattermostBot({
    clock: { now: () => new Date(Date.now() + shift) },
    env: { COMMAND_CLAIM_TTL_MS: String(TTL) },
  });
});
afterAll(() => bot.close());
afterEach(() => {
  assert.deepEqual(bot.fake.violations, [], 'every request the bot sent matches the Mattermost spec');
});

/** Runs `send` as if the process died right after answering it; returns its answer. */
async function killedAfterAnswer<T>(send: () => Promise<T>): Promise<T> {
  const journal = bot.app.journal;
  const run = journal.run;
  journal.run = async () => undefined; // the work never happens
  try {
    return await send();
  } finally {
    journal.run = run;
  }
}

/** Another process, once the claim has expired, runs what was left. */
async function anotherProcessRecovers(): Promise<number> {
  shift += TTL + 1000;
  return bot.app.journal.recover();
}

const orgs = (code: string) => bot.app.db.prisma.organization.count({ where: { code } });
const pending = () => bot.app.db.prisma.pendingCommand.count();

test('a slash command: run again from the journal, the reply to its response_url', async () => {
  const cmd = await killedAfterAnswer(() => bot.command(bot.admin, 'org add jm1 ja=試験一 en="Journal one"'));
  assert.equal(cmd.status, 200);
  assert.equal(await orgs('jm1'), 0, 'nothing committed');
  assert.equal(await pending(), 1, 'the command is held');
  assert.equal(await anotherProcessRecovers(), 1);
  assert.equal(await orgs('jm1'), 1);
  assert.equal(await pending(), 0);
  await bot.until(() => bot.responses(cmd.responseUrl).length === 1);
  assert.match(shownText(String(bot.responses(cmd.responseUrl)[0]?.text)), /jm1/);
  assert.equal(await anotherProcessRecovers(), 0, 'nothing left to run');
});

test('a button click: run again as the clicker, the reply as a direct message', async () => {
  const r = await bot.command(bot.admin, 'qa buttons');
  const attachments = (r.json as { attachments: unknown }).attachments;
  const postsBefore = bot.fake.posts().length;
  const click = await killedAfterAnswer(() => bot.click(bot.admin, attachments, 'csirt0'));
  assert.equal(click.status, 200);
  assert.equal(await orgs('zz'), 0);
  assert.equal(await anotherProcessRecovers(), 1);
  const rec = await bot.app.db.prisma.auditRecord.findFirst({ where: { action: 'org.add', subject: 'zz' } });
  assert.equal(rec?.actor, `mattermost:${bot.admin.id}`, 'run as the person who clicked');
  await bot.until(() => bot.fake.posts().length > postsBefore);
  const dm = bot.fake.posts().slice(postsBefore);
  assert.equal(dm.length, 1);
  assert.match(shownText(dm[0]?.message ?? ''), /zz/);
});

test('a dialog submission: run again with the values submitted, the reply to the command’s response_url', async () => {
  const cmd = await bot.command(bot.admin, 'qa form jd');
  const dialog = bot.fake.dialogs.at(-1);
  assert.ok(dialog);
  const submitted = await killedAfterAnswer(() =>
    bot.submit(dialog, { org: 'jd', name: 'Journal dialog', level: 'low', count: '3' }),
  );
  assert.equal(submitted.status, 200);
  assert.equal(await orgs('jd'), 0);
  assert.equal(await anotherProcessRecovers(), 1);
  assert.equal(await orgs('jd'), 1);
  await bot.until(() => bot.responses(cmd.responseUrl).length === 1);
  assert.match(shownText(String(bot.responses(cmd.responseUrl)[0]?.text)), /created jd \(low, 3\)/);
});
