/**
 * A kick that names the channels of the rows just committed (src/outbox/dispatcher.ts `runOnce`)
 * costs no claim while every one of them is in hand or paced: the rows are claimed when the
 * channel is ready. What must not break: no row is left waiting (no lost wake-up: these tests
 * never poll and never drain, only kick), each is posted once, in order, never two of a channel
 * in hand.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { afterAll, beforeAll, test } from 'vitest';
import type { PlatformName, PlatformSeam } from '../../../src/core/platform.ts';
import type { Database } from '../../../src/db/client.ts';
import { channelKey } from '../../../src/outbox/outbox.ts';
import { MemoryPlatform } from '../../fakes/memory-platform.ts';
import { type TestApp, testApp } from '../../helpers/app.ts';
import { consoleDispatcher, putPost, watchInHand } from '../../helpers/outbox-posts.ts';
import { PERSONAS, registerPersonas } from '../../helpers/personas.ts';

let t: TestApp;
let claims = 0;
beforeAll(async () => {
  t = await testApp();
  // counts the claims' searches (src/outbox/claim-sql.ts: SQLite's SELECT before the UPDATE, PostgreSQL's one statement)
  const db = t.app.db as { query: Database['query'] };
  const query = db.query;
  db.query = <T>(runner: Parameters<Database['query']>[0], sql: string, ...params: unknown[]) => {
    if (/^\s*WITH RECURSIVE ch\b/.test(sql)) claims++;
    return query.call(t.app.db, runner, sql, ...params) as Promise<T[]>;
  };
});
afterAll(() => t.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits (no drain, no poll) until `platform` holds `n` posts to channels named `prefix…`, or fails after `ms`. */
async function posted(platform: MemoryPlatform, prefix: string, n: number, ms: number) {
  const end = Date.now() + ms;
  const count = () => platform.posts.filter((p) => p.channel.startsWith(prefix)).length;
  while (count() < n) {
    assert.ok(Date.now() < end, `${prefix}: ${count()} of ${n} posted after ${ms} ms (a lost wake-up)`);
    await sleep(5);
  }
}

function dispatcher(platform: MemoryPlatform, worker: string, intervalMs: number) {
  return consoleDispatcher(t, platform, {
    workerId: worker,
    perChannelIntervalMs: intervalMs,
    // no poll: only kicks and the flow's own wake-ups may deliver
    pollMs: 60_000,
  });
}

test('kicks naming a channel in hand cost no claim; its rows go out once it is free, in order, without a poll', async () => {
  const platform = new MemoryPlatform('console');
  let open: () => void = () => {};
  const gate = new Promise<void>((r) => {
    open = r;
  });
  const post = platform.post.bind(platform);
  let inFlight = false;
  platform.post = async (channel, m, id) => {
    inFlight = true;
    if (platform.posts.length === 0) await gate; // the first post hangs: its channel stays in hand
    return post(channel, m, id);
  };
  const d = dispatcher(platform, 'kick-a', 30);
  const key = 'console:kick-a';
  await putPost(t, 'kick-a-0', 'kick-a');
  const flow = d.runOnce([key]);
  while (!inFlight) await sleep(1);
  const before = claims;
  for (let i = 1; i <= 5; i++) {
    t.clock.advance(1);
    await putPost(t, `kick-a-${i}`, 'kick-a');
    void d.runOnce([key]);
    await sleep(2);
  }
  assert.equal(claims - before, 0, 'a kick for a channel in hand claimed');
  // a kick that names no channel still looks (the counter sees claims)
  void d.runOnce();
  await sleep(20);
  assert.equal(claims - before, 1, 'an unnamed kick looks once');
  open();
  await posted(platform, 'kick-a', 6, 3_000);
  assert.deepEqual(
    platform.in('kick-a'),
    Array.from({ length: 6 }, (_, i) => `kick-a-${i}`),
  );
  await flow;
  await d.stop();
});

test('property: rows kicked with their channels at random times are each posted once, in order, one in hand per channel, none left waiting', async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.record({
          channel: fc.integer({ min: 0, max: 2 }),
          gapMs: fc.integer({ min: 0, max: 25 }),
          sendMs: fc.integer({ min: 0, max: 15 }),
          /** named: the kick names the row's channel; else it names none */
          named: fc.boolean(),
        }),
        { minLength: 1, maxLength: 14 },
      ),
      async (steps) => {
        run++;
        const platform = new MemoryPlatform('console');
        const sendMs = new Map<string, number>();
        const overlap = watchInHand(platform, async (post, channel, m, id) => {
          await sleep(sendMs.get(id) ?? 0);
          return post(channel, m, id);
        });
        const d = dispatcher(platform, `kick-p${run}`, 20);
        const want = new Map<string, string[]>();
        for (const [i, s] of steps.entries()) {
          const ch = `kick-p${run}-ch${s.channel}`;
          const key = `kick-p${run}-${i}`;
          t.clock.advance(1); // a definite order within each channel
          const id = await putPost(t, key, ch);
          sendMs.set(id, s.sendMs);
          want.set(ch, [...(want.get(ch) ?? []), key]);
          void d.runOnce(s.named ? [`console:${ch}`] : undefined);
          if (s.gapMs > 0) await sleep(s.gapMs);
        }
        // every row is due now: at most one post per 20 ms per channel, plus the sends' time
        await posted(platform, `kick-p${run}-`, steps.length, steps.length * 60 + 1_000);
        await d.stop();
        assert.equal(overlap(), '', `two rows of ${overlap()} in hand at once`);
        for (const [ch, keys] of want) assert.deepEqual(platform.in(ch), keys, `${ch}: each once, in order`);
        const mine = platform.posts.filter((p) => p.channel.startsWith(`kick-p${run}-`));
        assert.equal(mine.length, steps.length, 'a row posted twice');
      },
    ),
    { numRuns: 20 },
  );
});

test('a kick naming no channel (the rows just written are all undeliverable) costs no claim, during a flow or not', async () => {
  const platform = new MemoryPlatform('console');
  let open: () => void = () => {};
  const gate = new Promise<void>((r) => {
    open = r;
  });
  const post = platform.post.bind(platform);
  platform.post = async (channel, m, id) => {
    await gate; // its channel stays in hand: the flow runs until the gate opens
    return post(channel, m, id);
  };
  const d = dispatcher(platform, 'kick-none', 30);
  await putPost(t, 'kick-none-0', 'kick-none');
  const before = claims;
  void d.runOnce([]);
  await sleep(20);
  assert.equal(claims - before, 0, 'a kick naming no channel claimed (no flow)');
  const flow = d.runOnce(['console:kick-none']);
  while (claims - before < 1) await sleep(1);
  void d.runOnce([]);
  await sleep(20);
  assert.equal(claims - before, 1, 'a kick naming no channel claimed (during a flow)');
  open();
  await flow;
  assert.deepEqual(platform.in('kick-none'), ['kick-none-0']);
  await d.stop();
});

test("a report's kick names the channels of its claimable rows, not the channel of an undeliverable one", async () => {
  // two platforms; no organisation has a channel on the second: its posts are written failed
  const console = new MemoryPlatform('console');
  const r = await testApp({
    seams: new Map<PlatformName, PlatformSeam>([
      ['console', console],
      ['slack', new MemoryPlatform('slack')],
    ]),
  });
  try {
    await registerPersonas(r);
    const d = r.app.dispatcher;
    const runOnce = d.runOnce.bind(d);
    const named: string[] = [];
    d.runOnce = (channels) => {
      named.push(...(channels ?? []));
      return runOnce(channels);
    };
    await r.run(PERSONAS.poc, 'report category=malware summary="kick"');
    const rows = await r.app.db.prisma.delivery.findMany({ where: { refType: 'incident' } });
    assert.ok(
      rows.some((x) => x.platform === 'slack' && x.error === 'no_channel'),
      'an undeliverable row was written',
    );
    assert.ok(named.length > 0, 'the report kicked with its channels');
    const claimable = new Set(rows.filter((x) => x.error !== 'no_channel').map(channelKey));
    for (const key of named) assert.ok(claimable.has(key), `the kick named ${key}, a channel no claim can take`);
  } finally {
    await r.close();
  }
});

test("the office's queue: kicks naming a paced channel cost no claim; its rows then go out one per pace, one claim each", async () => {
  // Every report posts to the coordinating office's channel: in a burst its rows pile up behind
  // its pace (~1 post/s on Slack) while every report batch kicks it. The flow runs meanwhile
  // (here: another channel's post hangs). A kick before the pace allows must not claim, and
  // the rows must not wait for a poll (there is none: pollMs 60 s).
  const platform = new MemoryPlatform('console');
  let open: () => void = () => {};
  const gate = new Promise<void>((r) => {
    open = r;
  });
  const at = new Map<string, number>();
  const post = platform.post.bind(platform);
  platform.post = async (channel, m, id) => {
    if (channel === 'kick-hold') await gate;
    at.set(id, Date.now());
    return post(channel, m, id);
  };
  // long enough for the five kicks below to come within it on a loaded machine
  const paceMs = 600;
  const d = dispatcher(platform, 'kick-office', paceMs);
  const office = 'console:kick-office';
  const ids = [await putPost(t, 'kick-office-0', 'kick-office')];
  await putPost(t, 'kick-hold-0', 'kick-hold');
  const flow = d.runOnce([office, 'console:kick-hold']);
  await posted(platform, 'kick-office', 1, 3_000);
  const before = claims;
  // a burst of reports within the pace, each kicking the office's channel
  for (let i = 1; i <= 5; i++) {
    t.clock.advance(1);
    ids.push(await putPost(t, `kick-office-${i}`, 'kick-office'));
    void d.runOnce([office]);
    await sleep(2);
  }
  assert.ok(Date.now() - (at.get(ids[0] as string) as number) < paceMs, 'the kicks came within the pace');
  assert.equal(claims - before, 0, 'a kick for a paced channel claimed');
  await posted(platform, 'kick-office', 6, 10 * paceMs + 3_000);
  assert.deepEqual(
    platform.in('kick-office'),
    Array.from({ length: 6 }, (_, i) => `kick-office-${i}`),
  );
  for (let i = 1; i < ids.length; i++) {
    const gap = (at.get(ids[i] as string) as number) - (at.get(ids[i - 1] as string) as number);
    assert.ok(gap >= paceMs - 5, `posts ${i - 1} and ${i} ${gap} ms apart (pace ${paceMs})`);
  }
  // one claim per row once the pace allows it: none for nothing while the queue drains
  assert.equal(claims - before, 5, 'claims while the paced queue drained');
  open();
  await flow;
  await d.stop();
});
