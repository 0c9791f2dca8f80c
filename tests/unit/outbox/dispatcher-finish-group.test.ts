/**
 * A delivery's finish (sent / failed / retry) does not wait for an fsync of its own: on SQLite it
 * is issued in the same turn as the next claim's UPDATE (which must be durable before its post
 * anyway), or with the other finishes of the same turn (src/outbox/dispatcher.ts `finishLater`).
 * What must not change: each row is posted once, never two rows of a channel in hand, a row's
 * outcome is the one its send had, and every hook sees the finish only once it is committed.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { afterAll, beforeAll, test } from 'vitest';
import { PlatformError } from '../../../src/core/platform.ts';
import { MemoryPlatform } from '../../fakes/memory-platform.ts';
import { PROVIDER, type TestApp, testApp } from '../../helpers/app.ts';
import { consoleDispatcher, putPost, watchInHand } from '../../helpers/outbox-posts.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

const put = (key: string, target: string) => putPost(t, key, target);

test.runIf(PROVIDER === 'sqlite')(
  "SQLite: 8 posts to each of 2 channels cost about one fsync per claim round (each finish shares the next claim's), not two per post",
  async () => {
    const platform = new MemoryPlatform('console');
    for (let i = 0; i < 8; i++)
      for (const ch of ['grp-a', 'grp-b']) {
        await put(`${ch}-${i}`, ch);
        t.clock.advance(1); // a definite order within each channel
      }
    const settled: string[] = [];
    const d = consoleDispatcher(t, platform, {
      workerId: 'grp',
      perChannelIntervalMs: 0,
      // a hook sees the row as committed: its finish is written before the hook runs
      onSettled: async (row) => {
        const now = await t.app.db.prisma.delivery.findUniqueOrThrow({ where: { id: row.id } });
        assert.equal(now.status, 'sent', `${row.dedupeKey} settled before its finish was written`);
        settled.push(row.dedupeKey);
      },
    });
    const stats = t.app.db.durability?.stats;
    assert.ok(stats, 'a file database tracks its fsyncs');
    const before = { ...stats };
    await d.drain();
    const syncs = stats.syncs - before.syncs;
    for (const ch of ['grp-a', 'grp-b'])
      assert.deepEqual(
        platform.in(ch),
        Array.from({ length: 8 }, (_, i) => `${ch}-${i}`),
        `${ch}: each once, in order`,
      );
    assert.equal(settled.length, 16);
    const rows = await t.app.db.prisma.delivery.findMany({ where: { dedupeKey: { startsWith: 'grp-' } } });
    assert.ok(rows.every((r) => r.status === 'sent' && r.attempts === 1 && r.claimedBy === null));
    // 8 rounds of claims (one row of each channel per claim) and the last finishes: one fsync
    // each; an fsync per claim and per finish made it 8 + 16 or more
    assert.ok(syncs <= 10, `fsyncs: ${syncs}`);
  },
);

/** What a send does, scripted per row (first attempt; every later attempt succeeds). */
type Outcome = 'ok' | 'transient' | 'lost' | 'limited' | 'permanent';

test('property: with finishes written late, every row is posted once (failed ones never), never two of a channel in hand, each ends as its sends say', async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.record({
          channel: fc.integer({ min: 0, max: 2 }),
          outcome: fc.constantFrom<Outcome>('ok', 'ok', 'ok', 'transient', 'lost', 'limited', 'permanent'),
          delayMs: fc.integer({ min: 0, max: 3 }),
        }),
        { minLength: 1, maxLength: 12 },
      ),
      async (rows) => {
        run++;
        const platform = new MemoryPlatform('console');
        const script = new Map<string, { outcome: Outcome; delayMs: number }>();
        const ids: string[] = [];
        for (const [i, r] of rows.entries()) {
          const key = `prop-${run}-${i}`;
          const id = await put(key, `prop-${run}-ch${r.channel}`);
          ids.push(id);
          script.set(id, r);
        }
        const overlap = watchInHand(platform, async (post, channel, m, deliveryId) => {
          const s = script.get(deliveryId);
          await new Promise((r) => setTimeout(r, s?.delayMs ?? 0));
          const first = s?.outcome;
          script.delete(deliveryId); // later attempts succeed
          if (first === 'transient') throw new Error('ECONNRESET');
          if (first === 'limited') throw new PlatformError('rate_limited', 'ratelimited', 1000);
          if (first === 'permanent') throw new PlatformError('permanent', 'channel_not_found');
          const done = await post(channel, m, deliveryId);
          if (first === 'lost') throw new Error('socket hang up after the post was stored');
          return done;
        });
        const d = consoleDispatcher(t, platform, {
          workerId: `prop-${run}`,
          perChannelIntervalMs: 0,
        });
        // each row's first attempt may come only after another's 429 hold: a retry (backoff at
        // most 1.3 s for a first retry) or a hold (1 s) ends within each 5 s step
        for (let step = 0; step <= rows.length; step++) {
          await d.drain();
          t.clock.advance(5_000);
        }
        assert.equal(overlap(), '', `two rows of ${overlap()} in hand at once`);
        const got = await t.app.db.prisma.delivery.findMany({ where: { id: { in: ids } } });
        for (const [i, r] of rows.entries()) {
          const row = got.find((g) => g.id === ids[i]);
          const posted = platform.posts.filter((p) => p.deliveryId === ids[i]).length;
          assert.ok(row);
          assert.equal(row.claimedBy, null, `row ${i} left claimed`);
          if (r.outcome === 'permanent') {
            assert.equal(row.status, 'failed', `row ${i}`);
            assert.equal(posted, 0);
          } else {
            assert.equal(row.status, 'sent', `row ${i} (${r.outcome})`);
            assert.equal(posted, 1, `row ${i} (${r.outcome}) posted ${posted} times`);
            assert.equal(row.messageRef, `${row.target}|${platform.posts.find((p) => p.deliveryId === row.id)?.ref}`);
          }
          // attempts: a 429 gives its attempt back; a transient error or a lost answer costs one
          const want = r.outcome === 'transient' || r.outcome === 'lost' ? 2 : 1;
          assert.equal(row.attempts, want, `row ${i} (${r.outcome}) attempts`);
        }
      },
    ),
    { numRuns: 25 },
  );
});
