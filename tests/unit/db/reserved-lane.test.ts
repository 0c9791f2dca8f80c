/**
 * The reserved lane (src/db/reserved-lane.ts): with every connection of the main pool taken and
 * more transactions queued behind them (as after a database outage, when the work that waited
 * for it all starts again), a platform request is still journalled within its deadline, because
 * the journal's `admit` takes its connection from a pool of its own. An ordinary transaction with
 * the same short wait gives up, naming the pools' state.
 *
 * On SQLite there is one connection: a reserved transaction goes ahead of the ordinary ones waiting for it.
 */
import assert from 'node:assert/strict';
import pino from 'pino';
import { afterEach, test } from 'vitest';
import { ROOT } from '../../../src/app.ts';
import { systemClock } from '../../../src/core/clock.ts';
import { type Database, DatabaseUnavailable, openDatabase } from '../../../src/db/client.ts';
import { applyMigrations } from '../../../src/db/migrator.ts';
import { inReservedLane } from '../../../src/db/reserved-lane.ts';
import { CommandJournal } from '../../../src/inbox/journal.ts';
import { SeenRequests } from '../../../src/services/seen-requests.ts';
import { PROVIDER, testDb } from '../../helpers/app.ts';
import { migratedDatabase } from '../../helpers/test-database.ts';

const skip = PROVIDER === 'sqlite';
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => {});
});

/** A database handle whose main pool has `size` connections, every one held by an open transaction, and `queued` more waiting. */
async function busyDatabase(size: number, queued: number): Promise<{ db: Database; pids: Set<number> }> {
  const { db, drop } = await migratedDatabase({ poolSize: size });
  let release = () => {};
  const released = new Promise<void>((r) => {
    release = r;
  });
  const pids = new Set<number>();
  let entered = 0;
  const holders = Array.from({ length: size + queued }, () =>
    db
      .tx(async (tx) => {
        const [row] = await db.query<{ pid: number }>(tx, 'SELECT pg_backend_pid() AS pid');
        pids.add(Number(row?.pid));
        entered++;
        await released;
      })
      .catch(() => {}),
  );
  cleanup.push(async () => {
    release();
    await Promise.all(holders);
    await drop();
  });
  for (let i = 0; i < 200 && entered < size; i++) await new Promise((r) => setTimeout(r, 25));
  assert.equal(entered, size, 'every connection of the main pool is held');
  return { db, pids };
}

test('a reserved transaction gets its own connection while the main pool is taken and others queue; an ordinary one gives up and says why', {
  skip,
  timeout: 60_000,
}, async () => {
  const { db, pids } = await busyDatabase(2, 5);
  const started = Date.now();
  const pid = await db.tx(
    async (tx) => {
      assert.ok(inReservedLane(), 'the transaction body runs in the reserved lane');
      const [row] = await db.query<{ pid: number }>(tx, 'SELECT pg_backend_pid() AS pid');
      return Number(row?.pid);
    },
    { waitMs: 1000, reserved: true },
  );
  assert.ok(Date.now() - started < 1000, `answered within its wait (${Date.now() - started} ms)`);
  assert.ok(!pids.has(pid), 'not one of the main pool’s connections');

  await assert.rejects(
    db.tx(async () => 'never', { waitMs: 800 }),
    (e: unknown) => {
      assert.ok(e instanceof DatabaseUnavailable, String(e));
      assert.match(e.message, /pool: 2 of 2 connections in use, \d+ waiting/);
      return true;
    },
    'an ordinary transaction with the same short wait queues behind the others and gives up',
  );
  assert.ok(!inReservedLane(), 'the lane does not leak to the caller');
});

test('the journal records a platform request in the reserved lane while the main pool is taken', {
  skip,
  timeout: 60_000,
}, async () => {
  const { db } = await busyDatabase(2, 5);
  const journal = new CommandJournal(db, systemClock, pino({ level: 'silent' }), {
    workerId: 'A',
    claimTtlMs: 60_000,
    admitWaitMs: 1500,
  });
  const seen = new SeenRequests(db, systemClock);
  const key = 'slack:trigger:reserved-lane';
  const { fresh, held } = await journal.admit(seen, [{ key, expiresAt: new Date(Date.now() + 60_000) }], {
    key,
    platform: 'slack',
    payload: { text: 'report category=malware summary=x' },
  });
  assert.ok(fresh.has(key));
  assert.equal(held?.key, key, 'held in the journal: the request may be acknowledged');
});

test('a burst of requests is not held to the reserved pool’s two connections while the main pool has room', {
  skip,
  timeout: 60_000,
}, async () => {
  const { db, drop } = await migratedDatabase({ poolSize: 4 });
  cleanup.push(drop);
  // six at once, each holding its connection until all six have one: only possible with the
  // main pool's four and the reserved two together
  const BURST = 6;
  let entered = 0;
  const pids = await Promise.all(
    Array.from({ length: BURST }, () =>
      db.tx(
        async (tx) => {
          const [row] = await db.query<{ pid: number }>(tx, 'SELECT pg_backend_pid() AS pid');
          entered++;
          const until = Date.now() + 3000;
          while (entered < BURST && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
          return Number(row?.pid);
        },
        { waitMs: 5000, reserved: true },
      ),
    ),
  );
  assert.equal(entered, BURST);
  assert.equal(new Set(pids).size, BURST, 'six connections at once');
});

test('SQLite: a reserved transaction goes ahead of the ordinary ones queued for the one connection, and they all still run', {
  skip: PROVIDER !== 'sqlite',
  timeout: 60_000,
}, async () => {
  // at 200 reports/s the journal's admit used to wait behind every report transaction already
  // queued for the connection, and the acknowledgement with it (p99 4 s in the bench)
  const { db, drop } = await migratedDatabase();
  cleanup.push(drop);
  let release = () => {};
  const released = new Promise<void>((r) => {
    release = r;
  });
  const order: string[] = [];
  let holding = false;
  const holder = db.tx(async (tx) => {
    holding = true;
    await db.query(tx, 'SELECT 1');
    await released;
    order.push('holder');
  });
  for (let i = 0; i < 100 && !holding; i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(holding);
  const ordinary = Array.from({ length: 5 }, (_, i) =>
    db.tx(async (tx) => {
      await db.query(tx, 'SELECT 1');
      order.push(`ordinary-${i}`);
    }),
  );
  await new Promise((r) => setTimeout(r, 50));
  const reserved = db.tx(
    async (tx) => {
      await db.query(tx, 'SELECT 1');
      order.push('reserved');
    },
    { reserved: true },
  );
  await new Promise((r) => setTimeout(r, 50));
  release();
  await Promise.all([holder, reserved, ...ordinary]);
  assert.deepEqual(order, ['holder', 'reserved', ...Array.from({ length: 5 }, (_, i) => `ordinary-${i}`)]);
});

test('a full pool is not a database away: a statement that timed out waiting for a connection does not keep /healthz down while the pool stays busy', {
  skip,
  timeout: 60_000,
}, async () => {
  // pg-pool says "timeout exceeded when trying to connect" both when the server cannot be reached
  // and when every connection of the pool is in use. The availability probe used to ask through
  // that same busy pool, so the database counted as away (health down, every start waiting) for
  // as long as the pool stayed full.
  const t = await testDb();
  await applyMigrations(t.url, ROOT);
  const db = await openDatabase(t.url, { poolSize: 1, connectTimeoutMs: 500 });
  let release = () => {};
  const released = new Promise<void>((r) => {
    release = r;
  });
  let holding = false;
  const holder = db.tx(async (tx) => {
    await db.query(tx, 'SELECT 1');
    holding = true;
    await released;
  });
  cleanup.push(async () => {
    release();
    await holder.catch(() => {});
    await db.close();
    await t.drop();
  });
  for (let i = 0; i < 200 && !holding; i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(holding, 'the one connection of the main pool is held');
  // a statement outside any transaction waits for the pool, times out, and is tried again
  const waiting = db.prisma.$queryRawUnsafe('SELECT 1').catch((e: unknown) => e);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(db.available, true, 'the database still counts as reachable: only the pool is busy');
  assert.equal(await db.ping(), true, '/healthz: the database answers');
  release();
  const r = await waiting;
  assert.ok(!(r instanceof Error), `the statement ran once the pool had room (${String(r)})`);
});
