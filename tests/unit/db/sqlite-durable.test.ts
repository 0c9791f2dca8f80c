/**
 * SQLite durability off the event loop (src/db/sqlite-durable.ts, through our driver
 * src/db/sqlite-adapter.ts): the connection runs with
 * synchronous = NORMAL and every result waits for an fsync of the WAL that covers it; one
 * fsync serves many concurrent commits (the writes issued in one turn: one); a transaction that changed nothing costs none; the
 * statement cache runs the same SQL with different arguments correctly.
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { appendAudit, ensureAuditHead, verifyChain } from '../../../src/audit/chain.ts';
import type { Database } from '../../../src/db/client.ts';
import { nextSeq } from '../../../src/services/ids.ts';
import { PROVIDER } from '../../helpers/app.ts';
import { migratedDatabase } from '../../helpers/test-database.ts';

const skip = PROVIDER !== 'sqlite'; // SQLite only

async function open(): Promise<{ db: Database; drop(): Promise<void> }> {
  const opened = await migratedDatabase();
  await ensureAuditHead(opened.db);
  return opened;
}

test('WAL with synchronous = NORMAL; every write is on disk when its promise resolves', { skip }, async () => {
  const { db, drop } = await open();
  try {
    const d = db.durability;
    assert.ok(d, 'a file database tracks durability');
    const [sync] = await db.query<{ synchronous: number | bigint }>(db.prisma, 'PRAGMA synchronous');
    assert.equal(Number(sync?.synchronous), 1);
    const before = d.stats.syncs;
    await db.tx((tx) => nextSeq(db, tx, 'T-1'));
    assert.equal(d.pending, false, 'the transaction returned before its fsync');
    assert.ok(d.stats.syncs > before);
    const s2 = d.stats.syncs;
    await db.execute(db.prisma, 'INSERT INTO "Setting" ("key", "value") VALUES (?, ?)', 'k1', 'v1');
    assert.equal(d.pending, false, 'an autocommit write returned before its fsync');
    assert.ok(d.stats.syncs > s2);
    // a transaction that changes nothing (it only took the write lock) and plain reads: no fsync
    const s3 = d.stats.syncs;
    await db.tx(async (tx) => tx.organization.count());
    await db.prisma.setting.findMany();
    assert.equal(d.stats.syncs, s3);
  } finally {
    await drop();
  }
});

test('concurrent transactions share fsyncs (group commit); sequences and the audit chain hold', { skip }, async () => {
  const { db, drop } = await open();
  try {
    const d = db.durability;
    assert.ok(d);
    const c0 = d.stats.commits;
    const s0 = d.stats.syncs;
    const got = await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const n = await db.tx(async (tx) => {
          const v = await nextSeq(db, tx, 'T-2');
          await appendAudit(db, tx, { actor: 'test', action: 'x', subject: String(i), at: new Date() });
          return v;
        });
        return n;
      }),
    );
    assert.deepEqual(
      got.sort((a, b) => a - b),
      Array.from({ length: 60 }, (_, i) => i + 1),
    );
    assert.equal(d.stats.commits - c0, 60);
    assert.ok(d.stats.syncs - s0 < 60, `${d.stats.syncs - s0} fsyncs for 60 commits`);
    assert.equal(d.pending, false);
    const v = await verifyChain(db.prisma);
    assert.equal(v.ok, true);
  } finally {
    await drop();
  }
});

test('cached statements run with each call’s own arguments, read and write', { skip }, async () => {
  const { db, drop } = await open();
  try {
    for (let i = 0; i < 5; i++) {
      await db.execute(db.prisma, 'INSERT INTO "Setting" ("key", "value") VALUES (?, ?)', `c${i}`, `v${i}`);
    }
    for (let i = 4; i >= 0; i--) {
      const rows = await db.query<{ value: string }>(
        db.prisma,
        'SELECT "value" FROM "Setting" WHERE "key" = ?',
        `c${i}`,
      );
      assert.deepEqual(
        rows.map((r) => r.value),
        [`v${i}`],
      );
    }
    const many = await Promise.all(
      [1, 3, 2].map((i) => db.prisma.setting.findUnique({ where: { key: `c${i}` } }).then((r) => r?.value)),
    );
    assert.deepEqual(many, ['v1', 'v3', 'v2']);
    assert.equal(await db.execute(db.prisma, 'DELETE FROM "Setting" WHERE "key" = ?', 'c9'), 0);
    assert.equal(await db.execute(db.prisma, 'DELETE FROM "Setting" WHERE "key" = ?', 'c4'), 1);
  } finally {
    await drop();
  }
});

test('autocommit writes issued in one turn, none awaited before the next, share one fsync; each resolves on disk', {
  skip,
}, async () => {
  const { db, drop } = await open();
  try {
    const d = db.durability;
    assert.ok(d);
    await db.prisma.setting.findMany(); // connected, nothing pending
    const s0 = d.stats.syncs;
    const c0 = d.stats.commits;
    const writes = Array.from({ length: 5 }, (_, i) =>
      db.execute(db.prisma, 'INSERT INTO "Setting" ("key", "value") VALUES (?, ?)', `turn-${i}`, 'v'),
    );
    const pendingAfterEach = await Promise.all(writes.map((w) => w.then(() => d.pending)));
    assert.equal(d.stats.commits - c0, 5);
    // the fsync starts after the turn's last statement: one for the five (it was two: the first
    // started at once and covered only the first write, the second covered the rest)
    assert.equal(d.stats.syncs - s0, 1, `${d.stats.syncs - s0} fsyncs`);
    assert.deepEqual(pendingAfterEach, [false, false, false, false, false]);
  } finally {
    await drop();
  }
});
