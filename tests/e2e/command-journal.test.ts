/**
 * An acknowledged command is never lost and never run twice (src/inbox/journal.ts), with
 * real bot processes against the fake Slack, on SQLite and on PostgreSQL.
 *
 * The command is caught between its acknowledgement and its transaction without any test
 * hook: the fake Slack holds `users.info` (the language lookup each process makes after the
 * ack for a person it has not seen), so the process sits there with the request answered
 * 200 and nothing written. Then either it is killed (another process runs the command once
 * its claim expires) or it is only slow (another process takes it over; the slow one, when it
 * wakes, finds its claim gone and stays silent).
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { openDatabase } from '../../src/db/client.ts';
import { testDb } from '../helpers/app.ts';
import { channelOf, postsByDelivery, prepareMulti } from '../helpers/multi-setup.ts';
import { freePort, SlackProcess, sendCommand } from '../helpers/slack-process.ts';

const TTL_MS = 5000; // the smallest COMMAND_CLAIM_TTL_MS: a dead process's command runs again after it
const cleanup: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const f of cleanup.reverse()) await f().catch(() => {});
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    assert.ok(Date.now() < end, `timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function setup() {
  const db = await testDb();
  cleanup.push(() => db.drop());
  const multi = await prepareMulti(db.url, { orgs: 3, reporterOrgs: ['maff'], perOrg: 1 });
  const fake = multi.fake;
  cleanup.push(() => fake.close());
  const check = await openDatabase(db.url);
  cleanup.push(() => check.close());
  const env = {
    DATABASE_URL: db.url,
    SLACK_BOT_TOKEN: fake.botToken,
    SLACK_API_URL: fake.apiUrl,
    COMMAND_CLAIM_TTL_MS: String(TTL_MS),
    DELIVERY_CHANNEL_INTERVAL_MS: '0',
  };
  const procs: SlackProcess[] = [];
  cleanup.push(async () => void (await Promise.all(procs.map((p) => p.kill()))));
  const start = async (name: string) => SlackProcess.start(name, await freePort(), env, procs);
  const reporter = (multi.reporters[0] as { user: string }).user;
  const responseUrl = fake.responseUrl();
  const send = (to: SlackProcess, text: string) =>
    sendCommand([to], 0, reporter, text, { responseUrl, triggerId: fake.newTriggerId(), nowMs: Date.now });
  /** the report's outcome: incidents, journal entries, replies to its response_url, NISC posts */
  const state = async () => {
    const incidents = await check.prisma.incident.findMany({ where: { summary: { startsWith: 'journal-' } } });
    const replies = fake.responses(responseUrl).map((r) => String(r.body.text ?? JSON.stringify(r.body)));
    const nisc = fake.posts(channelOf('nisc')).filter((p) => /INC-/.test(JSON.stringify(p)));
    return { incidents, pending: await check.prisma.pendingCommand.count(), replies, nisc };
  };
  return { fake, check, start, send, state };
}

test('a process killed after acknowledging a report: another process runs it once, and replies', {
  timeout: 120_000,
}, async () => {
  const { fake, start, send, state } = await setup();
  const a = await start('A');
  fake.setDelay('users.info', 60_000, 'before');
  const sent = await send(a, 'report category=malware summary="journal-kill"');
  assert.equal(sent.by, 'A', 'the command was acknowledged');
  await until('A to look the reporter up', async () => fake.callsTo('users.info').length > 0);
  await a.kill();
  const before = await state();
  assert.equal(before.incidents.length, 0, 'nothing committed before the kill');
  assert.equal(before.pending, 1, 'the acknowledged command is held in the journal');
  fake.setDelay('users.info', 0);

  const killedAt = Date.now();
  const b = await start('B');
  const done = await until('B to run the command', async () => {
    const s = await state();
    return s.incidents.length > 0 && s.replies.length > 0 && s.nisc.length > 0 && s.pending === 0 && s;
  });
  const ranAfter = Date.now() - killedAt;
  await sleep(1500); // anything doubled would show now
  const s = await state();
  assert.equal(s.incidents.length, 1, 'one incident');
  const id = (s.incidents[0] as { id: string }).id;
  assert.equal(s.replies.length, 1, `one reply: ${JSON.stringify(s.replies)}`);
  assert.match(s.replies[0] as string, new RegExp(id));
  assert.equal(s.nisc.length, 1, 'one post to NISC');
  assert.equal(s.pending, 0);
  assert.equal(postsByDelivery(fake).withoutId, 0);
  assert.match(b.stderr, /running an acknowledged command left by a stopped process/);
  console.log(
    `# killed after the ack: ${id} committed by the next process ${(ranAfter / 1000).toFixed(1)} s later (claim TTL ${TTL_MS / 1000} s); replies ${s.replies.length}, NISC posts ${s.nisc.length}; ${done.incidents.length} incident`,
  );
});

test('a process too slow to finish: another takes the command over, the slow one stays silent', {
  timeout: 120_000,
}, async () => {
  const { fake, check, start, send, state } = await setup();
  const [a, b] = await Promise.all([start('A'), start('B')]);
  fake.setDelay('users.info', 60_000, 'before'); // A's lookup times out after 2 × 5 s, then it carries on
  assert.equal((await send(a, 'report category=phishing summary="journal-slow"')).by, 'A');
  await until('A to look the reporter up', async () => fake.callsTo('users.info').length > 0);
  const first = await check.prisma.pendingCommand.findFirstOrThrow();
  // B claims the entry once A's claim expires; from then on B's lookups answer at once
  await until('B to claim the command', async () => {
    const row = await check.prisma.pendingCommand.findFirst();
    return !row || row.token !== first.token;
  });
  fake.setDelay('users.info', 0);
  await until('A to give the command up', async () => /command taken over by another process/.test(a.stderr), 60_000);
  // B may have asked users.info before the delay was lifted: it then carries on after its timeouts
  await until('B to commit and reply', async () => {
    const s = await state();
    return s.incidents.length > 0 && s.replies.length > 0 && s.nisc.length > 0;
  });
  await sleep(1500); // anything doubled would show now
  const s = await state();
  assert.equal(s.incidents.length, 1, `one incident\nA: ${a.stderr}\nB: ${b.stderr}`);
  assert.equal(s.replies.length, 1, `one reply: ${JSON.stringify(s.replies)}`);
  assert.equal(s.nisc.length, 1, 'one post to NISC');
  assert.equal(s.pending, 0);
  console.log(
    `# slow process: ${(s.incidents[0] as { id: string }).id} committed once (by B), A gave up; replies ${s.replies.length}, NISC posts ${s.nisc.length}`,
  );
});
