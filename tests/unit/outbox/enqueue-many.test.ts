/**
 * enqueueMany writes its rows with one INSERT … ON CONFLICT ("dedupeKey") DO NOTHING and reads
 * back only the ids of keys that existed (issue 19 item 7). A repeat is a no-op that returns the
 * first row's id; two transactions enqueueing the same key at once both end well, one row.
 * deliveryRows (the same INSERT, not run, for a report batch's WITH clause) writes the same rows.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { afterAll, beforeAll, test } from 'vitest';
import { openDatabase } from '../../../src/db/client.ts';
import type { Delivery } from '../../../src/db/generated/sqlite/client.ts';
import { deliveryRows, type Enqueue, enqueueMany } from '../../../src/outbox/outbox.ts';
import { PROVIDER, type TestApp, testApp } from '../../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

const post = (key: string, target = 'maff'): Enqueue => ({
  platform: 'console',
  kind: 'post',
  target,
  message: { blocks: [{ kind: 'text', text: key }] },
  dedupeKey: key,
});

test('existing keys keep their row and id, new ones are written, a key repeated in the list is written once', async () => {
  const [a] = await t.app.db.tx((tx) => enqueueMany(tx, [post('em-1')], t.clock.now()));
  // in a transaction of raw statements only (a report batch's): the existing key's id is read raw too
  const ids = await t.app.db.tx(
    (tx) => enqueueMany(tx, [post('em-2'), post('em-1'), post('em-2'), post('em-3', 'mof')], t.clock.now()),
    { raw: true },
  );
  assert.equal(ids[1], a, 'the existing row’s id');
  assert.equal(ids[0], ids[2], 'a key repeated in the list: one row');
  assert.equal(new Set(ids).size, 3);
  const rows = await t.app.db.prisma.delivery.findMany({ where: { dedupeKey: { startsWith: 'em-' } } });
  assert.equal(rows.length, 3);
  const row = rows.find((r) => r.dedupeKey === 'em-3');
  assert.equal(row?.status, 'pending');
  assert.equal(row?.attempts, 0);
  assert.equal(row?.target, 'mof');
  assert.equal(row?.createdAt.getTime(), t.clock.now().getTime());
});

test(`two transactions enqueue the same keys at once: both succeed with the same ids, one row each (${PROVIDER})`, async () => {
  const other = await openDatabase(t.url);
  try {
    let inside: () => void = () => {};
    const firstInside = new Promise<void>((r) => {
      inside = r;
    });
    const keys = [post('race-em-1'), post('race-em-2', 'mof')];
    // the first writes its rows and holds its transaction open a moment; the second writes the
    // same keys meanwhile (PostgreSQL: it waits on the unique index, then finds them taken)
    const first = t.app.db.tx(async (tx) => {
      const ids = await enqueueMany(tx, keys, t.clock.now());
      inside();
      await new Promise((r) => setTimeout(r, 300));
      return ids;
    });
    await firstInside;
    const second = other.tx((tx) => enqueueMany(tx, keys, t.clock.now()));
    const [a, b] = await Promise.all([first, second]);
    assert.deepEqual(b, a);
    assert.equal(await t.app.db.prisma.delivery.count({ where: { dedupeKey: { startsWith: 'race-em-' } } }), 2);
  } finally {
    await other.close();
  }
});

test(`deliveryRows writes what enqueueMany writes: repeats once, existing keys left as they are (${PROVIDER}, property)`, async () => {
  // the two in turn on keys of their own (prefixed a/b), from the same state: the rows must match
  let run = 0;
  const strip = (rows: Delivery[], prefix: string) =>
    rows
      .map(({ id: _id, dedupeKey, message, ...r }) => ({
        ...r,
        key: dedupeKey.slice(prefix.length),
        message: message.replaceAll(prefix, ''),
      }))
      .sort((x, y) => (x.key < y.key ? -1 : 1));
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.record({ k: fc.integer({ min: 0, max: 5 }), target: fc.constantFrom('maff', 'mof') }), {
        maxLength: 10,
      }),
      fc.uniqueArray(fc.integer({ min: 0, max: 5 }), { maxLength: 3 }),
      async (list, existing) => {
        run++;
        const rows: Record<string, ReturnType<typeof strip>> = {};
        for (const how of ['a', 'b'] as const) {
          const prefix = `dr-${run}-${how}-`;
          const es = list.map((e) => post(`${prefix}${e.k}`, e.target));
          const before = existing.map((k) => post(`${prefix}${k}`, 'earlier'));
          if (before.length > 0) await t.app.db.tx((tx) => enqueueMany(tx, before, t.clock.now()));
          await t.app.db.tx(async (tx) => {
            if (how === 'a') await enqueueMany(tx, es, t.clock.now());
            else {
              const w = await deliveryRows(tx, es, t.clock.now());
              assert.equal(w === null, es.length === 0);
              if (w) await t.app.db.execute(tx, w.sql, ...w.params);
            }
          });
          rows[how] = strip(
            await t.app.db.prisma.delivery.findMany({ where: { dedupeKey: { startsWith: prefix } } }),
            prefix,
          );
        }
        assert.deepEqual(rows.b, rows.a);
      },
    ),
    { numRuns: 30 },
  );
});
