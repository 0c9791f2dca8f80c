/**
 * Derived delivery ids (src/outbox/outbox.ts) and the dispatcher's search before the first
 * attempt after a restore (src/outbox/dispatcher.ts `afterRestore`): the id of a delivery a job
 * makes again is the id of the post made before, so the post is found and not doubled; a
 * command's deliveries keep random ids; another installation's key gives other ids; outside the
 * window after the reconciliation nothing is searched.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, test } from 'vitest';
import type { PlatformSeam } from '../../../src/core/platform.ts';
import {
  DELIVERY_ID_KEY,
  deliveryIdKey,
  derivedDeliveryId,
  derivedIds,
  type Enqueue,
  enqueue,
  isDerivedDeliveryId,
} from '../../../src/outbox/outbox.ts';
import { MemoryPlatform } from '../../fakes/memory-platform.ts';
import { type TestApp, testApp } from '../../helpers/app.ts';
import { consoleDispatcher } from '../../helpers/outbox-posts.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

const entry = (dedupeKey: string, target = 'maff'): Enqueue => ({
  platform: 'console',
  kind: 'post',
  target,
  message: { blocks: [{ kind: 'text', text: dedupeKey }] },
  dedupeKey,
});

test('a derived id is a version-8 UUID, the same for the same delivery, another for any other part or key', () => {
  const e = entry('meeting:MTG-2026-0001:reminder:1d:console:maff');
  const id = derivedDeliveryId('k1', e);
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(derivedDeliveryId('k1', { ...e }), id);
  assert.ok(isDerivedDeliveryId(id));
  for (const other of [
    derivedDeliveryId('k2', e),
    derivedDeliveryId('k1', { ...e, target: 'mof' }),
    derivedDeliveryId('k1', { ...e, kind: 'dm' }),
    derivedDeliveryId('k1', { ...e, platform: 'slack' }),
    // a key that differs only by a zero-width space or a full-width digit is another key
    derivedDeliveryId('k1', { ...e, dedupeKey: e.dedupeKey.replace('1d', '1\u200bd') }),
    derivedDeliveryId('k1', { ...e, dedupeKey: e.dedupeKey.replace('1d', '１d') }),
  ])
    assert.notEqual(other, id);
  // the parts are separated: moving text between them gives another id
  assert.notEqual(
    derivedDeliveryId('k', { ...e, target: 'a', dedupeKey: 'bc' }),
    derivedDeliveryId('k', { ...e, target: 'ab', dedupeKey: 'c' }),
  );
  for (let i = 0; i < 200; i++) assert.equal(isDerivedDeliveryId(randomUUID()), false);
});

test('property: distinct dedupe keys give distinct derived ids, each recognised as derived', () => {
  fc.assert(
    fc.property(fc.string(), fc.uniqueArray(fc.string(), { minLength: 2, maxLength: 30 }), (key, keys) => {
      const ids = keys.map((k) => derivedDeliveryId(key, entry(k)));
      assert.equal(new Set(ids).size, keys.length);
      assert.ok(ids.every(isDerivedDeliveryId));
    }),
    { numRuns: 300 },
  );
});

test('inside derivedIds the id comes from the deployment key; outside, a random one', async () => {
  const key = (await t.app.db.prisma.setting.findUniqueOrThrow({ where: { key: DELIVERY_ID_KEY } })).value;
  assert.ok(key.length >= 40, 'made at start');
  const now = t.clock.now();
  const job = await derivedIds(() => t.app.db.tx((tx) => enqueue(tx, entry('unit:job'), now)));
  assert.equal(job, derivedDeliveryId(key, entry('unit:job')));
  const command = await t.app.db.tx((tx) => enqueue(tx, entry('unit:command'), now));
  assert.equal(isDerivedDeliveryId(command), false);
  // the scope does not leak into what runs after it
  const after = await t.app.db.tx((tx) => enqueue(tx, entry('unit:after'), now));
  assert.equal(isDerivedDeliveryId(after), false);
});

test('the key is made once: two transactions at once on a database without one end with the same key', async () => {
  const other = await testApp({ url: t.url });
  try {
    await t.app.db.prisma.setting.delete({ where: { key: DELIVERY_ID_KEY } });
    const [a, b] = await Promise.all([
      t.app.db.tx((tx) => deliveryIdKey(tx)),
      other.app.db.tx((tx) => deliveryIdKey(tx)),
    ]);
    assert.equal(a.key, b.key);
    assert.equal((await t.app.db.prisma.setting.findUniqueOrThrow({ where: { key: DELIVERY_ID_KEY } })).value, a.key);
  } finally {
    await other.app.close();
  }
});

test('after a restore: the first attempt of a derived delivery made in the window is searched for since the horizon; others are not', async () => {
  await t.app.dispatcher.drain(); // the rows of the tests above
  const platform = new MemoryPlatform('console');
  const searched: { id: string; since: Date }[] = [];
  const seam: PlatformSeam = Object.assign(Object.create(platform) as MemoryPlatform, {
    findByDeliveryId: async (kind: 'post' | 'dm', target: string, id: string, since: Date) => {
      searched.push({ id, since });
      return platform.findByDeliveryId(kind, target, id);
    },
  });
  const from = t.clock.now();
  const since = new Date(from.getTime() - 26 * 3_600_000);
  const until = new Date(from.getTime() + 3_600_000);
  const d = consoleDispatcher(t, seam, {
    workerId: 'after-restore',
    perChannelIntervalMs: 0,
    afterRestore: { since, from, until },
  });
  const key = (await t.app.db.prisma.setting.findUniqueOrThrow({ where: { key: DELIVERY_ID_KEY } })).value;
  // posted before the restore (the same id, as a job firing again derives it)
  const repeated = entry('restore:repeated', 'env');
  platform.posts.push({
    kind: 'post',
    channel: 'env',
    ref: 'before',
    deliveryId: derivedDeliveryId(key, repeated),
    message: repeated.message,
    text: 'restore:repeated',
  });
  const now = t.clock.now();
  const made = await derivedIds(() =>
    t.app.db.tx(async (tx) => [await enqueue(tx, repeated, now), await enqueue(tx, entry('restore:new', 'env'), now)]),
  );
  const plain = await t.app.db.tx((tx) => enqueue(tx, entry('restore:command', 'env'), now));
  await d.drain();
  const rows = await t.app.db.prisma.delivery.findMany({ where: { id: { in: [...made, plain] } } });
  assert.ok(rows.every((r) => r.status === 'sent'));
  assert.equal(rows.find((r) => r.id === made[0])?.messageRef, 'env|before', 'found, not posted again');
  assert.deepEqual(
    platform.posts.filter((p) => p.channel === 'env').map((p) => p.text),
    ['restore:repeated', 'restore:new', 'restore:command'],
  );
  assert.deepEqual(
    searched.map((s) => [s.id, s.since.toISOString()]).sort(),
    made.map((id) => [id, since.toISOString()]).sort(),
    'the derived ones searched since the horizon, the command’s not',
  );
  // made after the window: not searched (its post, if any, is not looked for)
  searched.length = 0;
  t.clock.advance(2 * 3_600_000);
  const late = await derivedIds(() => t.app.db.tx((tx) => enqueue(tx, entry('restore:late', 'env'), t.clock.now())));
  await d.drain();
  assert.deepEqual(searched, []);
  assert.equal((await t.app.db.prisma.delivery.findUniqueOrThrow({ where: { id: late } })).status, 'sent');
  await d.stop();
});
