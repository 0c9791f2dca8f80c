/**
 * A transaction that runs past its time is rolled back by Prisma ("Transaction not found" /
 * "expired transaction" on its next statement). Nothing of it committed, so db.tx treats it as
 * it treats a transaction that could not start in time: tried again while its wait lasts, then
 * `DatabaseUnavailable` — which keeps an acknowledged command in the journal (the router's
 * `runsLater`) instead of dropping it with an error. Seen in the chaos test on PostgreSQL at load
 * 11-18: reports waiting on a busy pool past 60 s were lost after their acknowledgement.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'vitest';
import { type Database, DatabaseUnavailable, databaseAway } from '../../../src/db/client.ts';
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
