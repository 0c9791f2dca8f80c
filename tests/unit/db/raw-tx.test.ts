/**
 * `db.tx(fn, { raw: true })`: a transaction of raw statements only (src/db/raw-tx.ts). On SQLite
 * it is ours (BEGIN IMMEDIATE … COMMIT on the connection) instead of Prisma's interactive
 * transaction; on both providers it must keep what db.tx promises: all or nothing, Prisma's
 * `timeout` and `maxWait` (tried again while the wait lasts, then `DatabaseUnavailable`), the
 * statement-outside-the-transaction rule — and a model call in it fails at once (there is no
 * Prisma transaction for it to join), never running outside the transaction.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'vitest';
import { type Database, DatabaseUnavailable, RawOnlyTx } from '../../../src/db/client.ts';
import { PROVIDER } from '../../helpers/app.ts';
import { migratedDatabase } from '../../helpers/test-database.ts';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => {});
});

async function open(): Promise<Database> {
  const { db, drop } = await migratedDatabase();
  cleanup.push(drop);
  return db;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const put = (db: Database, tx: Parameters<Parameters<Database['tx']>[0]>[0], key: string, value = 'x') =>
  db.execute(tx, 'INSERT INTO "Setting" ("key", "value") VALUES (?, ?)', key, value);
const keys = async (db: Database) => (await db.prisma.setting.findMany()).map((r) => r.key).sort();

test(`raw statements commit together, or not at all (${PROVIDER})`, async () => {
  const db = await open();
  const r = await db.tx(
    async (tx) => {
      await put(db, tx, 'a');
      await tx.$executeRaw`INSERT INTO "Setting" ("key", "value") VALUES (${'b'}, ${'y'})`;
      const [row] = await tx.$queryRaw<{ value: string }[]>`SELECT "value" FROM "Setting" WHERE "key" = ${'b'}`;
      return row?.value;
    },
    { raw: true },
  );
  assert.equal(r, 'y', 'it reads its own writes');
  await assert.rejects(
    db.tx(
      async (tx) => {
        await put(db, tx, 'c');
        throw new Error('the callback fails');
      },
      { raw: true },
    ),
    /the callback fails/,
  );
  // a constraint failing in the middle: nothing of it either
  await assert.rejects(
    db.tx(
      async (tx) => {
        await put(db, tx, 'd');
        await put(db, tx, 'a');
      },
      { raw: true },
    ),
  );
  assert.deepEqual(await keys(db), ['a', 'b']);
  // the connection was given back each time: an ordinary transaction and a statement run
  await db.tx((tx) => tx.setting.create({ data: { key: 'e', value: 'z' } }));
  assert.deepEqual(await keys(db), ['a', 'b', 'e']);
});

test(`a model call in it fails at once, and nothing of the transaction commits (${PROVIDER})`, async () => {
  const db = await open();
  const started = Date.now();
  const err = await db
    .tx(
      async (tx) => {
        await put(db, tx, 'before');
        await tx.setting.create({ data: { key: 'model', value: 'x' } });
      },
      { raw: true },
    )
    .then(
      () => null,
      (e: unknown) => e,
    );
  assert.ok(err instanceof RawOnlyTx, `RawOnlyTx, not ${String(err)}`);
  assert.match((err as Error).message, /tx\.setting.*raw statements only/);
  assert.ok(Date.now() - started < 5000, 'it waited instead of failing at once');
  assert.deepEqual(await keys(db), [], 'neither the raw write nor the model call was kept');
  // the rule of every transaction holds in it too: the plain handle fails at once
  await assert.rejects(
    db.tx(
      async () => {
        await db.query(db.prisma, 'SELECT 1');
      },
      { raw: true },
    ),
    /inside a transaction.*use its `tx`/i,
  );
});

test(`past its time it is rolled back and “the database could not be had”; tried again while the wait lasts (${PROVIDER})`, {
  timeout: 60_000,
}, async () => {
  const db = await open();
  const err = await db
    .tx(
      async (tx) => {
        await put(db, tx, 'slow');
        await sleep(800); // past its 300 ms
        await put(db, tx, 'slow-2');
      },
      { timeoutMs: 300, waitMs: 500, raw: true },
    )
    .then(
      () => null,
      (e: unknown) => e,
    );
  assert.ok(err instanceof DatabaseUnavailable, `DatabaseUnavailable, not ${String(err)}`);
  assert.deepEqual(await keys(db), [], 'rolled back');
  let attempts = 0;
  await db.tx(
    async (tx) => {
      attempts++;
      await put(db, tx, `try-${attempts}`);
      if (attempts === 1) await sleep(800);
      await put(db, tx, 'done', String(attempts));
    },
    { timeoutMs: 300, waitMs: 20_000, raw: true },
  );
  assert.equal(attempts, 2);
  assert.deepEqual(await keys(db), ['done', 'try-2'], 'the first try left nothing');
});

test.runIf(PROVIDER === 'sqlite')(
  'SQLite: a start not had in its wait fails as unavailable; the start that comes later gives the connection back',
  { timeout: 60_000 },
  async () => {
    const db = await open();
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    // another transaction has the one connection for 1.5 s
    const holder = db.tx(async (tx) => {
      await put(db, tx, 'holder');
      await held;
    });
    await sleep(50);
    const started = Date.now();
    const err = await db
      .tx((tx) => put(db, tx, 'waiter'), { waitMs: 400, raw: true })
      .then(
        () => null,
        (e: unknown) => e,
      );
    assert.ok(err instanceof DatabaseUnavailable, `DatabaseUnavailable, not ${String(err)}`);
    assert.ok(Date.now() - started < 1500, 'it gave up within its wait');
    setTimeout(release, 1000);
    await holder;
    // the abandoned starts got the connection after the holder and gave it back at once
    await db.tx((tx) => put(db, tx, 'after'), { raw: true, waitMs: 5000 });
    assert.deepEqual(await keys(db), ['after', 'holder'], 'the waiter wrote nothing');
  },
);
