import assert from 'node:assert/strict';
import { afterAll, beforeAll, test } from 'vitest';
import { PlatformError } from '../../../src/core/platform.ts';
import { enqueue } from '../../../src/outbox/outbox.ts';
import { MemoryPlatform } from '../../fakes/memory-platform.ts';
import { type TestApp, testApp } from '../../helpers/app.ts';
import { consoleDispatcher, putPost, textMessage } from '../../helpers/outbox-posts.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

const msg = textMessage;

const put = (key: string, target = 'maff') => putPost(t, key, target);

test('an enqueued post is delivered once; the same dedupe key is not enqueued twice', async () => {
  const a = await put('once-1');
  const b = await put('once-1');
  assert.equal(a, b);
  await t.app.dispatcher.drain();
  await t.app.dispatcher.drain();
  assert.deepEqual(
    t.platform.in('maff').filter((x) => x === 'once-1'),
    ['once-1'],
  );
  const row = await t.app.db.prisma.delivery.findUniqueOrThrow({ where: { id: a } });
  assert.equal(row.status, 'sent');
  assert.match(row.messageRef ?? '', /^maff\|\d+$/);
});

test('429 with Retry-After: the row waits until then, nothing is lost', async () => {
  t.platform.failures.push(new PlatformError('rate_limited', 'ratelimited', 2000));
  const id = await put('limited-1', 'mof');
  await t.app.dispatcher.drain();
  let row = await t.app.db.prisma.delivery.findUniqueOrThrow({ where: { id } });
  assert.equal(row.status, 'pending');
  assert.equal(row.notBefore.getTime(), t.clock.now().getTime() + 2000);
  await t.app.dispatcher.drain();
  assert.equal(t.platform.in('mof').length, 0, 'not before Retry-After');
  t.clock.advance(2000);
  await t.app.dispatcher.drain();
  row = await t.app.db.prisma.delivery.findUniqueOrThrow({ where: { id } });
  assert.equal(row.status, 'sent');
  assert.deepEqual(t.platform.in('mof'), ['limited-1']);
});

test('a permanent error fails the row and is not retried', async () => {
  t.platform.failures.push(new PlatformError('permanent', 'channel_not_found'));
  const id = await put('perm-1', 'env');
  await t.app.dispatcher.drain();
  t.clock.advance(3_600_000);
  await t.app.dispatcher.drain();
  const row = await t.app.db.prisma.delivery.findUniqueOrThrow({ where: { id } });
  assert.equal(row.status, 'failed');
  assert.equal(row.error, 'channel_not_found');
  assert.equal(t.platform.in('env').length, 0);
});

/**
 * A first process claims the row, sends it (the post lands in the channel), and dies before
 * recording the outcome.
 */
async function sendAndDie(kind: 'post' | 'dm'): Promise<void> {
  const dead = new MemoryPlatform('console');
  const first = consoleDispatcher(t, dead, {
    workerId: 'dead',
    claimTtlMs: 60_000,
  });
  const stored = async () => {
    t.platform.posts.push({ ...dead.posts.at(-1)! }); // the post is in the channel
    throw new Error('socket hang up after the post was stored');
  };
  const post = dead.post.bind(dead);
  const dm = dead.dm.bind(dead);
  if (kind === 'post') dead.post = async (c, m, d) => post(c, m, d).then(stored);
  else dead.dm = async (u, m, d) => dm(u, m, d).then(stored);
  (first as unknown as { finish: () => Promise<void> }).finish = async () => {}; // dies: records nothing
  await first.runOnce();
}

test('a lost answer (the post landed, the process died) is found by delivery id and not posted again', async () => {
  const id = await put('lost-1', 'mod');
  await sendAndDie('post');
  assert.equal((await t.app.db.prisma.delivery.findUniqueOrThrow({ where: { id } })).status, 'sending');
  // the claim expires; this process takes over, finds the post, records it, does not post again
  t.clock.advance(61_000);
  await t.app.dispatcher.drain();
  const row = await t.app.db.prisma.delivery.findUniqueOrThrow({ where: { id } });
  assert.equal(row.status, 'sent');
  assert.equal(t.platform.in('mod').length, 1);
  assert.match(row.messageRef ?? '', /^mod\|\d+$/);
});

test('a direct message whose answer was lost is recorded with its DM channel, so it can be edited later', async () => {
  const id = await t.app.db.tx((tx) =>
    enqueue(
      tx,
      { platform: 'console', kind: 'dm', target: 'alice', message: msg('dm-lost'), dedupeKey: 'dm-lost' },
      t.clock.now(),
    ),
  );
  await sendAndDie('dm');
  t.clock.advance(61_000);
  await t.app.dispatcher.drain();
  const row = await t.app.db.prisma.delivery.findUniqueOrThrow({ where: { id } });
  assert.equal(row.status, 'sent');
  assert.equal(t.platform.in('@alice').length, 1, 'not sent twice');
  // the DM channel, not the person: Slack's chat.update needs the D… channel id
  assert.match(row.messageRef ?? '', /^@alice\|\d+$/);
});

test('transient errors back off exponentially up to 5 minutes, and give up only after the retry horizon (72 h)', async () => {
  const id = await put('flaky-1', 'npa');
  const created = t.clock.now().getTime();
  const gaps: number[] = [];
  for (let i = 0; i < 40; i++) {
    t.platform.failures.push(new Error('ECONNRESET'));
    await t.app.dispatcher.drain();
    const row = await t.app.db.prisma.delivery.findUniqueOrThrow({ where: { id } });
    assert.equal(row.status, 'pending', `attempt ${i + 1}: still retrying (12 attempts used to fail it)`);
    gaps.push(row.notBefore.getTime() - t.clock.now().getTime());
    t.clock.advance(row.notBefore.getTime() - t.clock.now().getTime());
  }
  // 1 s, 2 s, 4 s … with ±30 % jitter, then at most 5 minutes (+30 %)
  for (const [k, g] of gaps.entries()) {
    const base = Math.min(300_000, 1000 * 2 ** k);
    assert.ok(g >= base * 0.7 - 1 && g <= base * 1.3 + 1, `gap ${k}: ${g} ms for base ${base}`);
  }
  t.clock.set(new Date(created + 72 * 3_600_000));
  t.platform.failures.push(new Error('ECONNRESET'));
  await t.app.dispatcher.drain();
  const row = await t.app.db.prisma.delivery.findUniqueOrThrow({ where: { id } });
  assert.equal(row.status, 'failed');
  assert.equal(row.error, 'gave_up_after_72h: ECONNRESET');
});

test('a claim that expires while its process waits on pacing is not sent by both: the claimant renews before each send and drops rows taken over', async () => {
  const a = await put('paced-1', 'cao');
  t.clock.advance(1); // a definite order: rows due at the same instant may be claimed either way
  const b = await put('paced-2', 'cao');
  // a slow process: claims both rows, posts the first, then waits 1.5 s (per-channel pacing)
  const slow = consoleDispatcher(t, t.platform, {
    workerId: 'slow',
    claimTtlMs: 60_000,
    perChannelIntervalMs: 1500,
  });
  const pass = slow.runOnce();
  const until = Date.now() + 10_000;
  while (t.platform.in('cao').length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(t.platform.in('cao'), ['paced-1']);
  // meanwhile its claim on the second row expires and another process takes it over
  t.clock.advance(61_000);
  await t.app.dispatcher.drain();
  assert.deepEqual(t.platform.in('cao'), ['paced-1', 'paced-2']);
  await pass;
  assert.deepEqual(t.platform.in('cao'), ['paced-1', 'paced-2'], 'the slow process did not post paced-2 again');
  for (const id of [a, b])
    assert.equal((await t.app.db.prisma.delivery.findUniqueOrThrow({ where: { id } })).status, 'sent');
});

test('a stall between claim and send long enough for the claim to expire: the row taken over is posted once, the stalled process drops it', async () => {
  const id = await put('stall-1', 'meti');
  let release: () => void = () => {};
  const stalled = new Promise<void>((r) => {
    release = r;
  });
  let claimed = false;
  const slow = consoleDispatcher(t, t.platform, {
    workerId: 'stalled',
    claimTtlMs: 60_000,
    perChannelIntervalMs: 0,
    preSend: async () => {
      claimed = true;
      await stalled; // e.g. a long pause of the process after claiming
      return null;
    },
  });
  const pass = slow.runOnce();
  const until = Date.now() + 10_000;
  while (!claimed && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
  t.clock.advance(61_000); // its claim expires; this process takes the row over and posts it
  await t.app.dispatcher.drain();
  assert.deepEqual(t.platform.in('meti'), ['stall-1']);
  release();
  await pass;
  assert.deepEqual(
    t.platform.in('meti'),
    ['stall-1'],
    'the stalled process renewed, found the claim gone, did not post',
  );
  assert.equal((await t.app.db.prisma.delivery.findUniqueOrThrow({ where: { id } })).status, 'sent');
});

test('no barrier: a channel whose post hangs does not hold up the next posts of other channels; each channel keeps its interval', async () => {
  let unblock: () => void = () => {};
  const hang = new Promise<void>((r) => {
    unblock = r;
  });
  const platform = new MemoryPlatform('console');
  const post = platform.post.bind(platform);
  const at = new Map<string, number[]>();
  platform.post = async (c, m, d) => {
    if (c === 'slow') await hang;
    at.set(c, [...(at.get(c) ?? []), Date.now()]);
    return post(c, m, d);
  };
  const interval = 150;
  const d = consoleDispatcher(t, platform, {
    workerId: 'flow',
    perChannelIntervalMs: interval,
  });
  await put('nb-slow-1', 'slow');
  for (const ch of ['fast-a', 'fast-b']) await put(`nb-${ch}-1`, ch);
  const flow = d.runOnce();
  const until = Date.now() + 20_000;
  const waitFor = async (n: number) => {
    const done = () => platform.in('fast-a').length >= n && platform.in('fast-b').length >= n;
    while (!done() && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
  };
  await waitFor(1);
  // rows committed while the slow post hangs (a kick, as after any enqueue) flow at once
  for (let i = 2; i <= 3; i++) {
    t.clock.advance(1);
    for (const ch of ['fast-a', 'fast-b']) await put(`nb-${ch}-${i}`, ch);
  }
  void d.runOnce();
  await waitFor(3);
  // every post of the fast channels went out while the slow channel's first post still hangs
  assert.deepEqual(platform.in('fast-a'), ['nb-fast-a-1', 'nb-fast-a-2', 'nb-fast-a-3']);
  assert.deepEqual(platform.in('fast-b'), ['nb-fast-b-1', 'nb-fast-b-2', 'nb-fast-b-3']);
  assert.deepEqual(platform.in('slow'), []);
  unblock();
  await flow;
  assert.deepEqual(platform.in('slow'), ['nb-slow-1']);
  for (const ch of ['fast-a', 'fast-b']) {
    const ts = at.get(ch) ?? [];
    for (let i = 1; i < ts.length; i++)
      assert.ok((ts[i] as number) - (ts[i - 1] as number) >= interval - 1, `${ch}: posts ${ts.join(', ')}`);
  }
});

test('a 429 holds the whole platform until Retry-After, gives the attempt back and searches no history', async () => {
  const platform = new MemoryPlatform('console');
  const post = platform.post.bind(platform);
  const find = platform.findByDeliveryId.bind(platform);
  let limited = 0;
  let searches = 0;
  platform.post = async (c, m, dId) => {
    if (c === 'busy' && limited++ < 3) throw new PlatformError('rate_limited', 'ratelimited', 30_000);
    return post(c, m, dId);
  };
  platform.findByDeliveryId = async (...a) => {
    searches++;
    return find(...a);
  };
  const d = consoleDispatcher(t, platform, {
    workerId: 'limits',
    perChannelIntervalMs: 0,
  });
  const busy = await put('rl-busy-1', 'busy');
  await d.drain();
  let row = await t.app.db.prisma.delivery.findUniqueOrThrow({ where: { id: busy } });
  assert.equal(row.status, 'pending');
  assert.equal(row.attempts, 0, 'the refused call spent no attempt');
  assert.equal(row.notBefore.getTime(), t.clock.now().getTime() + 30_000);
  // another channel of the same platform waits too: the limit is the app's, not the channel's
  await put('rl-calm-1', 'calm');
  await d.drain();
  assert.deepEqual(platform.in('calm'), [], 'held with the rest of the platform');
  for (let i = 0; i < 3; i++) {
    t.clock.advance(30_000);
    await d.drain();
  }
  assert.deepEqual(platform.in('calm'), ['rl-calm-1']);
  assert.deepEqual(platform.in('busy'), ['rl-busy-1']);
  row = await t.app.db.prisma.delivery.findUniqueOrThrow({ where: { id: busy } });
  assert.equal(row.status, 'sent');
  assert.equal(row.attempts, 1, 'three 429s, one attempt');
  assert.equal(searches, 0, 'a 429 stored nothing: no history search before the next attempt');
});

test('an update the platform no longer lets the bot make is posted as a follow-up to the post; its row records the follow-up', async () => {
  const id = await put('frozen-1', 'mlit');
  await t.app.dispatcher.drain();
  const original = await t.app.db.prisma.delivery.findUniqueOrThrow({ where: { id } });
  const [, ref] = (original.messageRef ?? '').split('|');
  t.platform.frozen.add(ref as string);
  const upd = await t.app.db.tx((tx) =>
    enqueue(
      tx,
      {
        platform: 'console',
        kind: 'update',
        target: 'mlit',
        message: msg('frozen-1 withdrawn'),
        dedupeKey: 'frozen-1:withdraw',
        updatesId: id,
      },
      t.clock.now(),
    ),
  );
  await t.app.dispatcher.drain();
  const row = await t.app.db.prisma.delivery.findUniqueOrThrow({ where: { id: upd } });
  assert.equal(row.status, 'sent');
  const follow = t.platform.posts.find((p) => p.kind === 'followup' && p.deliveryId === upd);
  assert.ok(follow, 'a follow-up was posted');
  assert.equal(follow.parent, ref);
  assert.equal(follow.channel, 'mlit');
  assert.equal(row.messageRef, `mlit|${follow.ref}`, 'the row records the follow-up, not the original');
  assert.notEqual(row.messageRef, original.messageRef);
  assert.deepEqual(t.platform.in('mlit'), ['frozen-1', 'frozen-1 withdrawn']);
  t.platform.frozen.clear();
});

test('a follow-up whose answer was lost is found again by its delivery id, not posted twice', async () => {
  const id = await put('frozen-2', 'mhlw');
  await t.app.dispatcher.drain();
  const original = await t.app.db.prisma.delivery.findUniqueOrThrow({ where: { id } });
  const [, ref] = (original.messageRef ?? '').split('|');
  const upd = await t.app.db.tx((tx) =>
    enqueue(
      tx,
      {
        platform: 'console',
        kind: 'update',
        target: 'mhlw',
        message: msg('frozen-2 withdrawn'),
        dedupeKey: 'frozen-2:withdraw',
        updatesId: id,
      },
      t.clock.now(),
    ),
  );
  // a first process: the edit is refused, the follow-up lands, the process dies before recording it
  const dead = new MemoryPlatform('console');
  dead.frozen.add(ref as string);
  const followUp = dead.followUp.bind(dead);
  dead.followUp = async (c, r, m, dId) => {
    await followUp(c, r, m, dId);
    t.platform.posts.push({ ...dead.posts.at(-1)! });
    throw new Error('socket hang up after the follow-up was stored');
  };
  const first = consoleDispatcher(t, dead, {
    workerId: 'dead-followup',
    claimTtlMs: 60_000,
  });
  (first as unknown as { finish: () => Promise<void> }).finish = async () => {};
  await first.runOnce();
  t.platform.frozen.add(ref as string);
  t.clock.advance(61_000);
  await t.app.dispatcher.drain();
  const row = await t.app.db.prisma.delivery.findUniqueOrThrow({ where: { id: upd } });
  assert.equal(row.status, 'sent');
  assert.equal(
    t.platform.posts.filter((p) => p.kind === 'followup' && p.deliveryId === upd).length,
    1,
    'one follow-up',
  );
  t.platform.frozen.clear();
});
