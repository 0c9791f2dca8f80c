/**
 * Our SQLite driver (src/db/sqlite-adapter.ts) under the real Prisma client: values stored and
 * read as Prisma's own better-sqlite3 adapter did (dates, integers), constraint errors mapped
 * to Prisma's codes, rollback, and another process holding the write lock: the bot waits for
 * it on a timer (its event loop stays free; /healthz's probe says no at once) and commits when
 * the lock is released.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'vitest';
import { ROOT } from '../../../src/app.ts';
import { type Database, DatabaseUnavailable } from '../../../src/db/client.ts';
import { sqlitePath } from '../../../src/db/provider.ts';
import { type SqliteAdapter, sqliteAdapter } from '../../../src/db/sqlite-adapter.ts';
import { PROVIDER, testDb } from '../../helpers/app.ts';
import { migratedDatabase } from '../../helpers/test-database.ts';

const skip = PROVIDER !== 'sqlite'; // SQLite only

const open = (): Promise<{ db: Database; url: string; drop(): Promise<void> }> => migratedDatabase();

test('values round-trip as before: dates, integers, nulls; raw and model queries agree', { skip }, async () => {
  const { db, drop } = await open();
  try {
    const at = new Date('2026-11-25T01:02:03.456Z');
    await db.tx((tx) =>
      tx.delivery.create({
        data: {
          id: 'd1',
          kind: 'post',
          platform: 'console',
          target: 'maff',
          message: '{}',
          dedupeKey: 'k1',
          status: 'pending',
          notBefore: at,
          createdAt: at,
          attempts: 3,
        },
      }),
    );
    const row = await db.prisma.delivery.findUniqueOrThrow({ where: { id: 'd1' } });
    assert.equal(row.notBefore.toISOString(), at.toISOString());
    assert.equal(row.attempts, 3);
    assert.equal(row.claimedBy, null);
    const [raw] = await db.query<{ notBefore: string; attempts: number }>(
      db.prisma,
      'SELECT "notBefore", "attempts" FROM "Delivery" WHERE "notBefore" <= ? AND "notBefore" >= ?',
      new Date(at.getTime() + 1),
      at,
    );
    assert.ok(raw, 'a date parameter compares with a stored date as before');
    assert.equal(raw.attempts, 3);
    assert.equal(typeof raw.attempts, 'number');
    // stored as Prisma's adapter stored it: ISO-8601 text with +00:00
    const [text] = await db.query<{ t: string }>(db.prisma, 'SELECT CAST("notBefore" AS TEXT) AS t FROM "Delivery"');
    assert.equal(text?.t, '2026-11-25T01:02:03.456+00:00');
    // an expression column has no declared type: an integer comes back as BigInt (as before)
    const [big] = await db.query<{ n: bigint }>(db.prisma, 'SELECT 9007199254740993 AS n');
    assert.equal(big?.n, 9007199254740993n);
  } finally {
    await drop();
  }
});

test('a unique violation is Prisma’s P2002; a failing transaction leaves nothing', { skip }, async () => {
  const { db, drop } = await open();
  try {
    await db.prisma.setting.create({ data: { key: 'a', value: '1' } });
    await assert.rejects(
      db.prisma.setting.create({ data: { key: 'a', value: '2' } }),
      (e: Error & { code?: string }) => {
        assert.equal(e.code, 'P2002');
        return true;
      },
    );
    await assert.rejects(
      db.tx(async (tx) => {
        await tx.setting.create({ data: { key: 'b', value: '1' } });
        await tx.setting.create({ data: { key: 'a', value: '3' } });
      }),
      (e: Error & { code?: string }) => e.code === 'P2002',
    );
    assert.deepEqual(
      (await db.prisma.setting.findMany()).map((s) => `${s.key}=${s.value}`),
      ['a=1'],
    );
  } finally {
    await drop();
  }
});

test('another process holds the write lock: the bot waits on a timer, its event loop free, then commits', {
  skip,
  timeout: 60_000,
}, async () => {
  const { db, url, drop } = await open();
  try {
    assert.equal(await db.ping(), true);
    const holdMs = 3000;
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const D = require('better-sqlite3'); const d = new D(process.argv[1]); d.exec('BEGIN IMMEDIATE');
         process.stdout.write('locked\\n'); setTimeout(() => { d.exec('ROLLBACK'); d.close(); }, ${holdMs});`,
        sqlitePath(url),
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = once(holder, 'exit'); // listened for now: it exits soon after the release
    await once(holder.stdout, 'data');
    const started = Date.now();
    let maxGap = 0;
    let last = Date.now();
    const tick = setInterval(() => {
      maxGap = Math.max(maxGap, Date.now() - last);
      last = Date.now();
    }, 10);
    try {
      assert.equal(await db.ping(), false, '/healthz must say 503 while the bot cannot write');
      await db.tx((tx) => tx.setting.create({ data: { key: 'after-lock', value: 'x' } }));
    } finally {
      clearInterval(tick);
    }
    const waited = Date.now() - started;
    assert.ok(waited >= holdMs - 300, `committed after ${waited} ms, before the lock was released`);
    // SQLite's own busy handler would sleep on this thread for the whole wait (≥ holdMs); a busy
    // machine may still deschedule the process for a moment
    assert.ok(maxGap < holdMs / 2, `the event loop stood still for ${maxGap} ms while waiting for the lock`);
    assert.equal((await db.prisma.setting.findMany()).length, 1);
    assert.equal(await db.ping(), true);
    await exited;
  } finally {
    await drop();
  }
});

test('while another process holds the write lock, /healthz says 503 throughout, whatever this process is doing at that moment', {
  skip,
  timeout: 60_000,
}, async () => {
  const t = await testDb();
  const path = sqlitePath(t.url);
  const factory = sqliteAdapter(path);
  const adapter = (await factory.connect()) as SqliteAdapter;
  const q = (sql: string) => ({ sql, args: [], argTypes: [] });
  let holder: ChildProcess | undefined;
  try {
    await adapter.executeScript('CREATE TABLE t (x INTEGER)');
    holder = spawn(
      process.execPath,
      [
        '-e',
        `const D = require('better-sqlite3'); const d = new D(process.argv[1]); d.exec('BEGIN IMMEDIATE');
         process.stdout.write('locked\\n'); process.stdin.on('data', () => { d.exec('ROLLBACK'); d.close(); process.exit(0); });`,
        path,
      ],
      { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
    );
    await once(holder.stdout as NodeJS.ReadableStream, 'data');
    assert.equal(await adapter.canWrite(1000), false, 'the lock is held');
    // reads go on meanwhile (WAL) and have the connection for their moment: the answer must not
    // depend on whether the connection is free or a read has it when /healthz asks
    const answers: string[] = [];
    for (let i = 0; i < 20; i++) {
      const read = adapter.queryRaw(q('SELECT count(*) FROM t')); // has the connection now
      answers.push(`while a read has it=${await adapter.canWrite(1000)}`);
      await read;
      answers.push(`free=${await adapter.canWrite(1000)}`);
    }
    assert.deepEqual(
      answers.filter((a) => a.endsWith('true')),
      [],
      '/healthz said 200 while the bot could not write',
    );
    holder.stdin?.write('release\n');
    await once(holder, 'exit');
    assert.equal(await adapter.canWrite(1000), true, 'healthy again once the lock is released');
    await adapter.executeRaw(q('INSERT INTO t VALUES (1)'));
  } finally {
    holder?.kill('SIGKILL');
    await adapter.dispose();
    await t.drop();
  }
});

test('a transaction that cannot have the database within its wait (another process holds the lock) fails as DatabaseUnavailable, soon; other errors stay themselves', {
  skip,
  timeout: 60_000,
}, async () => {
  const { db, url, drop } = await open();
  let holder: ChildProcess | undefined;
  try {
    await db.prisma.setting.create({ data: { key: 'a', value: '1' } });
    // what the adapters answer "please try again" to, and nothing else
    await assert.rejects(
      db.tx((tx) => tx.setting.create({ data: { key: 'a', value: '2' } }), { waitMs: 2000 }),
      (e: Error & { code?: string }) => !(e instanceof DatabaseUnavailable) && e.code === 'P2002',
    );
    holder = spawn(
      process.execPath,
      [
        '-e',
        `const D = require('better-sqlite3'); const d = new D(process.argv[1]); d.exec('BEGIN IMMEDIATE');
         process.stdout.write('locked\\n'); process.stdin.on('data', () => { d.exec('ROLLBACK'); d.close(); process.exit(0); });`,
        sqlitePath(url),
      ],
      { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
    );
    await once(holder.stdout as NodeJS.ReadableStream, 'data');
    const started = Date.now();
    await assert.rejects(
      db.tx((tx) => tx.setting.create({ data: { key: 'b', value: '2' } }), { waitMs: 2000 }),
      DatabaseUnavailable,
    );
    const took = Date.now() - started;
    assert.ok(took >= 1900 && took < 6000, `gave up after ${took} ms (wait 2000 ms)`);
    holder.stdin?.write('release\n');
    await once(holder, 'exit');
    assert.deepEqual(
      (await db.prisma.setting.findMany()).map((s) => s.key),
      ['a'],
      'nothing of it was written',
    );
  } finally {
    holder?.kill('SIGKILL');
    await drop();
  }
});
