/**
 * A transaction that runs past its time is rolled back by Prisma ("Transaction not found" /
 * "expired transaction" on its next statement). Nothing of it committed, so db.tx treats it as
 * it treats a transaction that could not start in time: tried again while its wait lasts, then
 * `DatabaseUnavailable` — which keeps an acknowledged command in the journal (the router's
 * `runsLater`) instead of dropping it with an error. Seen in the chaos test on PostgreSQL at load
 * 11-18: reports waiting on a busy pool past 60 s were lost after their acknowledgement.
 */
import assert from 'node:assert/strict';
import { afterEach, test, vi } from 'vitest';
import { type Database, DatabaseUnavailable, databaseAway } from '../../../src/db/client.ts';
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
const setting = (db: Database, key: string) => db.prisma.setting.findUnique({ where: { key } });

test('a transaction that ran past its time is “the database could not be had”, and nothing of it is kept', {
  timeout: 60_000,
}, async () => {
  const db = await open();
  const err = await db
    .tx(
      async (tx) => {
        await tx.setting.create({ data: { key: 'slow', value: 'written' } });
        await sleep(800); // past its 300 ms: Prisma rolls it back
        await tx.setting.create({ data: { key: 'slow-2', value: 'written' } });
      },
      { timeoutMs: 300, waitMs: 500 },
    )
    .then(
      () => null,
      (e: unknown) => e,
    );
  assert.ok(err instanceof DatabaseUnavailable, `DatabaseUnavailable, not ${String(err)}`);
  assert.ok(databaseAway(err), 'an acknowledged command meeting it stays in the journal');
  assert.equal(await setting(db, 'slow'), null, 'rolled back');
  assert.equal(await setting(db, 'slow-2'), null);
});

test('…and tried again while its wait lasts: committed once', { timeout: 60_000 }, async () => {
  const db = await open();
  let attempts = 0;
  await db.tx(
    async (tx) => {
      attempts++;
      await tx.setting.create({ data: { key: `try-${attempts}`, value: 'x' } });
      if (attempts === 1) await sleep(800);
      await tx.setting.create({ data: { key: 'done', value: String(attempts) } });
    },
    { timeoutMs: 300, waitMs: 20_000 },
  );
  assert.equal(attempts, 2);
  assert.equal(await setting(db, 'try-1'), null, 'the first try left nothing');
  assert.equal((await setting(db, 'done'))?.value, '2');
});

/**
 * With no `timeoutMs`, a transaction has 60 s, on Prisma's interactive transaction and on ours
 * (`raw` on SQLite, raw-tx.ts): one default for both. The clock is faked (timers and Date, which
 * Prisma's transaction manager and ours both read), so the minute passes at once: a transaction
 * held 58 s commits on its first try; one held 62 s is rolled back and committed on its second.
 */
test(`with no timeoutMs a transaction has the same 60 s on both paths, raw and Prisma's (${PROVIDER})`, {
  timeout: 60_000,
}, async () => {
  const db = await open();
  const put = (tx: Parameters<Parameters<Database['tx']>[0]>[0], key: string) =>
    db.execute(tx, 'INSERT INTO "Setting" ("key", "value") VALUES (?, ?)', key, 'x');
  const tries = async (raw: boolean, heldMs: number) => {
    let attempts = 0;
    await db.tx(
      async (tx) => {
        attempts++;
        await put(tx, `${raw}-${heldMs}-try-${attempts}`);
        if (attempts === 1) await vi.advanceTimersByTimeAsync(heldMs);
        await put(tx, `${raw}-${heldMs}-done`);
      },
      { raw, waitMs: 10 * 60_000 },
    );
    return attempts;
  };
  // shouldAdvanceTime: the retry's back-off and the drivers' own timers still run as time passes
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], shouldAdvanceTime: true });
  try {
    const got: Record<string, number> = {};
    for (const raw of [false, true])
      for (const held of [58_000, 62_000]) got[`${raw} ${held}`] = await tries(raw, held);
    assert.deepEqual(
      got,
      { 'false 58000': 1, 'false 62000': 2, 'true 58000': 1, 'true 62000': 2 },
      'tries per path and hold',
    );
  } finally {
    vi.useRealTimers();
  }
  assert.equal(await setting(db, 'true-62000-try-1'), null, 'the try past its time left nothing');
  assert.equal(await setting(db, 'false-62000-try-1'), null);
});
