/**
 * An acknowledged command is never lost and never run twice (src/inbox/journal.ts), with
 * real bot processes against the fake Slack, on SQLite and on PostgreSQL.
 *
 * The command is caught between its acknowledgement and its transaction without any test
 * hook: the fake Slack holds `users.info` (the language lookup each process makes after the
 * ack for a person it has not seen), so the process sits there with the request answered
 * 200 and nothing written. Then it is killed (another process runs the command once its
 * claim expires), or it is only slow (it keeps its claim alive and finishes; nobody else runs
 * it), or it is frozen (SIGSTOP: another process takes the command over; the frozen one, when
 * it wakes, finds its claim gone and stays silent).
 */
import assert from 'node:assert/strict';
import { afterAll, test } from 'vitest';
import { openDatabase } from '../../src/db/client.ts';
import { testDb } from '../helpers/app.ts';
import { channelOf, postsByDelivery, prepareMulti } from '../helpers/multi-setup.ts';
import { freePort, SlackProcess, sendCommand } from '../helpers/slack-process.ts';

const TTL_MS = 5000; // the smallest COMMAND_CLAIM_TTL_MS: a dead process's command runs again after it
const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
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

/**
 * Stops `p` (SIGSTOP) at a moment it holds no lock another process needs. A process stopped
 * inside a transaction (its claim's heartbeat, a scheduler tick) keeps SQLite's write lock, or
 * the command's row on PostgreSQL, until it wakes, and then no process can write: that is the
 * database's nature, not what this test is about. Seen at load 18: B never got to claim.
 */
async function freeze(p: SlackProcess, db: Awaited<ReturnType<typeof openDatabase>>): Promise<void> {
  for (let i = 0; ; i++) {
    p.pause();
    const free = await db
      .tx(
        async (tx) => {
          if (db.provider === 'postgresql') await db.execute(tx, "SET LOCAL lock_timeout = '1s'");
          await db.execute(tx, 'UPDATE "PendingCommand" SET "attempts" = "attempts"');
          return true;
        },
        { waitMs: 1500 },
      )
      .catch(() => false);
    if (free) return;
    assert.ok(i < 20, `${p.name} held a lock each of 20 times it was stopped`);
    p.resume();
    await sleep(100 + Math.random() * 200);
  }
}

async function setup() {
  const db = await testDb();
  cleanup.push(() => db.drop());
  const multi = await prepareMulti(db.url, { orgs: 3, reporterOrgs: ['maff'], perOrg: 2 });
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
  // one reporter per scenario: a process remembers a person's language once looked up
  const reporters = multi.reporters.map((r) => r.user);
  const urls = new Map<string, string>();
  const send = (to: SlackProcess, text: string, who = 0) => {
    const responseUrl = fake.responseUrl();
    urls.set(text, responseUrl);
    return sendCommand([to], 0, reporters[who] as string, text, {
      responseUrl,
      triggerId: fake.newTriggerId(),
      nowMs: Date.now,
    });
  };
  /** a report's outcome (by its summary): incidents, journal entries, replies, NISC posts */
  const state = async (summary: string) => {
    const incidents = await check.prisma.incident.findMany({ where: { summary } });
    const text = [...urls.keys()].find((t) => t.includes(`"${summary}"`)) ?? '';
    const replies = fake.responses(urls.get(text)).map((r) => String(r.body.text ?? JSON.stringify(r.body)));
    const ids = new Set(incidents.map((i) => i.id));
    const nisc = fake
      .posts(channelOf('nisc'))
      .filter((p) => [...JSON.stringify(p).matchAll(/INC-\d{4}-\d{4}/g)].some((m) => ids.has(m[0])));
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
  const before = await state('journal-kill');
  assert.equal(before.incidents.length, 0, 'nothing committed before the kill');
  assert.equal(before.pending, 1, 'the acknowledged command is held in the journal');
  fake.setDelay('users.info', 0);

  const killedAt = Date.now();
  const b = await start('B');
  const done = await until('B to run the command', async () => {
    const s = await state('journal-kill');
    return s.incidents.length > 0 && s.replies.length > 0 && s.nisc.length > 0 && s.pending === 0 && s;
  });
  const ranAfter = Date.now() - killedAt;
  await sleep(1500); // anything doubled would show now
  const s = await state('journal-kill');
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

test('a slow process keeps its command; a frozen one loses it to another process and stays silent when it wakes', {
  timeout: 150_000,
}, async () => {
  const { fake, check, start, send, state } = await setup();
  const [a, b] = await Promise.all([start('A'), start('B')]);

  // slow: A waits 2 × 5 s on users.info (timeout, one retry), twice its claim, then carries on
  fake.setDelay('users.info', 60_000, 'before');
  assert.equal((await send(a, 'report category=phishing summary="journal-slow"', 0)).by, 'A');
  const slow = await until('A to commit after its lookups time out', async () => {
    const s = await state('journal-slow');
    return s.incidents.length > 0 && s.replies.length > 0 && s;
  });
  assert.equal(slow.incidents.length, 1);
  assert.doesNotMatch(b.stderr, /running an acknowledged command/, 'B left it alone: A kept its claim alive');

  // frozen: A is stopped (SIGSTOP) with the command acknowledged and nothing written
  const lookups = fake.callsTo('users.info').length;
  assert.equal((await send(a, 'report category=phishing summary="journal-frozen"', 1)).by, 'A');
  await until('A to look the reporter up', async () => fake.callsTo('users.info').length > lookups);
  const first = await check.prisma.pendingCommand.findFirstOrThrow();
  await freeze(a, check);
  await until('B to claim the command', async () => {
    const row = await check.prisma.pendingCommand.findFirst();
    return !row || row.token !== first.token;
  });
  fake.setDelay('users.info', 0);
  // B may have asked users.info before the delay was lifted: it then carries on after its timeouts
  await until('B to commit and reply', async () => {
    const s = await state('journal-frozen');
    return s.incidents.length > 0 && s.replies.length > 0 && s.nisc.length > 0;
  });
  a.resume();
  await until('A to give the command up', async () => /command taken over by another process/.test(a.stderr), 60_000);
  await sleep(1500); // anything doubled would show now
  const s = await state('journal-frozen');
  assert.equal(s.incidents.length, 1, `one incident\nA: ${a.stderr}\nB: ${b.stderr}`);
  assert.equal(s.replies.length, 1, `one reply: ${JSON.stringify(s.replies)}`);
  assert.equal(s.nisc.length, 1, 'one post to NISC');
  assert.equal(s.pending, 0);
  console.log(
    `# slow process: ${(slow.incidents[0] as { id: string }).id} committed by A after ~10 s, B never ran it; frozen process: ${(s.incidents[0] as { id: string }).id} committed once by B, A stayed silent; replies ${s.replies.length}, NISC posts ${s.nisc.length}`,
  );
});
