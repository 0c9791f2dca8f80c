/**
 * The dispatcher's claim on SQLite is a search, then one conditional UPDATE of the rows picked
 * (without a transaction around them: issue 19 item 7); on PostgreSQL one statement that
 * searches, locks and updates. State changing between the look and the claim's write must not
 * make a row posted twice or lost: another process claiming (and sending) a row in between
 * leaves it out of this claim; several processes claiming at once post each row once.
 */
import assert from 'node:assert/strict';
import pino from 'pino';
import { afterAll, beforeAll, test } from 'vitest';
import { openDatabase } from '../../../src/db/client.ts';
import { Dispatcher } from '../../../src/outbox/dispatcher.ts';
import { MemoryPlatform } from '../../fakes/memory-platform.ts';
import { type TestApp, testApp } from '../../helpers/app.ts';
import { putPost } from '../../helpers/outbox-posts.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

const put = (key: string, target: string) => putPost(t, key, target);

function dispatcher(db: typeof t.app.db, workerId: string, platform: MemoryPlatform) {
  return new Dispatcher(db, new Map([['console', platform]]), {
    workerId,
    clock: t.clock,
    log: pino({ level: 'silent' }),
    perChannelIntervalMs: 0,
  });
}

test('another process claims and sends the rows between the search and the claim: this one claims none of them, each is posted once', async () => {
  const keys = ['gap-1', 'gap-2', 'gap-3'];
  const targets = ['race-a', 'race-b', 'race-c'];
  const ids = await Promise.all(keys.map((k, i) => put(k, targets[i] as string)));
  const platform = new MemoryPlatform('console');
  const other = dispatcher(t.app.db, 'other', platform);
  let between = 0;
  let reached: () => void = () => {};
  const atClaim = new Promise<void>((r) => {
    reached = r;
  });
  let go: () => void = () => {};
  const resume = new Promise<void>((r) => {
    go = r;
  });
  // the first process's database: it stops just before its claim's write (SQLite: the UPDATE
  // after the search; PostgreSQL: the one statement of the claim, search included)
  const db = Object.create(t.app.db) as typeof t.app.db;
  db.query = async (runner, sql, ...params) => {
    if (/UPDATE "Delivery"( d)? SET status = 'sending'/.test(sql) && between++ === 0) {
      reached();
      await resume;
    }
    return t.app.db.query(runner, sql, ...params);
  };
  const first = dispatcher(db, 'first', platform);
  const pass = first.drain();
  await atClaim;
  // meanwhile the other process runs a whole pass and claims and sends them
  await other.drain();
  go();
  await pass;
  await other.drain();
  assert.ok(between > 0, 'the claim was held before its write (the race was set up)');
  for (const [i, k] of keys.entries()) assert.deepEqual(platform.in(targets[i] as string), [k]);
  for (const id of ids) {
    const row = await t.app.db.prisma.delivery.findUniqueOrThrow({ where: { id } });
    assert.equal(row.status, 'sent');
    assert.equal(row.attempts, 1, 'claimed once');
  }
});

test('three processes (own connections) claim at once: every row is posted exactly once', async () => {
  const platform = new MemoryPlatform('console');
  const rows = Array.from({ length: 40 }, (_, i) => ({ key: `many-${i}`, target: `many-${i % 6}` }));
  for (const r of rows) await put(r.key, r.target);
  const dbs = await Promise.all([0, 1, 2].map(() => openDatabase(t.url)));
  try {
    const ds = dbs.map((db, i) => dispatcher(db, `p${i}`, platform));
    // each drains until nothing is due, all at the same time
    await Promise.all(ds.map((d) => d.drain()));
    for (let c = 0; c < 6; c++) {
      const want = rows.filter((r) => r.target === `many-${c}`).map((r) => r.key);
      assert.deepEqual([...platform.in(`many-${c}`)].sort(), [...want].sort(), `channel many-${c}`);
    }
    const left = await t.app.db.prisma.delivery.count({
      where: { dedupeKey: { startsWith: 'many-' }, status: { not: 'sent' } },
    });
    assert.equal(left, 0);
  } finally {
    await Promise.all(dbs.map((db) => db.close()));
  }
});

test('a claim window full of one channel’s rows (batch 2, window 8): the other channels are claimed too, each row posted once and in order', async () => {
  const platform = new MemoryPlatform('console');
  // 20 rows of one channel first, then one row of each of three other channels: the first
  // windows hold only the busy channel's rows
  const rows = [
    ...Array.from({ length: 20 }, (_, i) => ({ key: `win-busy-${String(i).padStart(2, '0')}`, target: 'win-busy' })),
    ...['win-a', 'win-b', 'win-c'].map((target) => ({ key: `${target}-1`, target })),
  ];
  for (const r of rows) {
    await put(r.key, r.target);
    t.clock.advance(1); // distinct createdAt / notBefore: the order is the enqueue order
  }
  const d = new Dispatcher(t.app.db, new Map([['console', platform]]), {
    workerId: 'window',
    clock: t.clock,
    log: pino({ level: 'silent' }),
    perChannelIntervalMs: 0,
    batch: 2,
  });
  let flows = 0;
  while ((await d.runOnce()) > 0) flows++;
  assert.deepEqual(
    platform.in('win-busy'),
    rows.filter((r) => r.target === 'win-busy').map((r) => r.key),
  );
  for (const c of ['win-a', 'win-b', 'win-c']) assert.deepEqual(platform.in(c), [`${c}-1`]);
  assert.equal(flows, 1, 'one flow delivered every channel');
  // the other channels were not left until the busy one was done: a claim whose window was
  // full looks again at once, the busy channel (in hand) left out
  const order = platform.posts.map((p) => p.channel);
  const lastOther = Math.max(...['win-a', 'win-b', 'win-c'].map((c) => order.indexOf(c)));
  assert.ok(lastOther < 6, `the quiet channels posted among the first posts (${order.join(' ')})`);
  const left = await t.app.db.prisma.delivery.count({
    where: { dedupeKey: { startsWith: 'win-' }, status: { not: 'sent' } },
  });
  assert.equal(left, 0);
});
