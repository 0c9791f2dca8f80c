/**
 * SQLite's WAL checkpoints on a thread of their own (src/db/sqlite-checkpoint.ts): the WAL stays
 * below its bound under a long write loop, with the thread working and with the thread killed
 * again and again; an idle connection starts no thread; an idle thread truncates the WAL (the
 * same file: WalSync's descriptor stays valid) and ends; the process exits with or without
 * closing; two processes on one file each checkpoint and no SQLITE_BUSY reaches a write. What
 * /metrics says of it (registerCheckpointMetrics): the checkpoints by outcome and their durations,
 * the thread running and then not after the idle TRUNCATE, the WAL's frames; nothing without one.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { fstatSync, statSync } from 'node:fs';
import Sqlite from 'better-sqlite3';
import fc from 'fast-check';
import { test } from 'vitest';
import { ROOT } from '../../../src/app.ts';
import { sqlitePath } from '../../../src/db/provider.ts';
import { type SqliteAdapter, sqliteAdapter } from '../../../src/db/sqlite-adapter.ts';
import { BOUND_FACTOR, type CheckpointerOptions, uncopiedFrames } from '../../../src/db/sqlite-checkpoint.ts';
import { Registry, registerCheckpointMetrics } from '../../../src/http/metrics.ts';
import { PROVIDER, testApp, testDb } from '../../helpers/app.ts';
import { migratedDatabase } from '../../helpers/test-database.ts';
import { tsxChild } from '../../helpers/tsx-child.ts';

const skip = PROVIDER !== 'sqlite'; // SQLite only

const q = (sql: string, args: unknown[] = []) => ({ sql, args, argTypes: [] });
const PAD = 'x'.repeat(3000);
/** bytes of a WAL of `frames` frames of 4096-byte pages (32-byte header, 24 per frame) */
const walBytes = (frames: number) => 32 + frames * (24 + 4096);
/**
 * How far past the mark the WAL may grow: the connection's own checkpoint at the mark finds the
 * thread's checkpoint running and is skipped (SQLite's busy, not an error), so the WAL passes the
 * mark by what is written while that one checkpoint runs. On a loaded machine (4 busy loops on 2
 * cores) that was 25–30 frames past a mark of 400 (1808712 bytes, 1 run in 3). With no bound at
 * all (wal_autocheckpoint = 0) the same loops reach 4–13 MB (thread working) and 29–31 MB (thread
 * killed): far past 1.5 × the mark.
 */
const OVERSHOOT = 1.5;

async function opened(o: CheckpointerOptions) {
  const t = await testDb({ empty: true });
  const path = sqlitePath(t.url);
  const errors: Error[] = [];
  const factory = sqliteAdapter(path, { checkpoint: { onError: (e) => errors.push(e), ...o } });
  const adapter = (await factory.connect()) as SqliteAdapter;
  await adapter.executeScript('CREATE TABLE w (n INTEGER PRIMARY KEY, pad TEXT)');
  const ckpt = factory.checkpointer;
  assert.ok(ckpt, 'a file database in WAL mode has a checkpointer');
  let n = 0;
  return {
    path,
    factory,
    adapter,
    ckpt,
    errors,
    insert: () => adapter.executeRaw(q('INSERT INTO w (n, pad) VALUES (?, ?)', [n++, PAD])),
    rows: () => n,
    walSize: () => statSync(`${path}-wal`).size,
    async drop() {
      await adapter.dispose();
      await t.drop();
    },
  };
}

const until = async (what: string, ok: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

test('the wal-index header: uncopied frames = mxFrame - nBackfill; anything else reads as unknown', () => {
  const le = (b: Buffer, o: number, v: number) => b.writeUInt32LE(v, o); // x86 and arm64: native is little-endian
  fc.assert(
    fc.property(
      fc.nat({ max: 2 ** 32 - 1 }),
      fc.nat({ max: 2 ** 32 - 1 }),
      fc.constantFrom('valid', 'version', 'uninitialised', 'torn', 'short'),
      (a, b, shape) => {
        const [mx, backfill] = a >= b ? [a, b] : [b, a];
        const h = Buffer.alloc(136);
        for (const at of [0, 48]) {
          le(h, at, shape === 'version' ? 3007001 : 3007000);
          h[at + 12] = shape === 'uninitialised' ? 0 : 1;
          le(h, at + 16, mx);
        }
        if (shape === 'torn') le(h, 48 + 16, mx + 1 > 2 ** 32 - 1 ? 0 : mx + 1);
        le(h, 96, backfill);
        const got = uncopiedFrames(shape === 'short' ? h.subarray(0, 100) : h);
        assert.equal(got, shape === 'valid' ? mx - backfill : null);
      },
    ),
  );
});

test('the header read is SQLite’s: after a write the uncopied frames are the WAL’s, after a full checkpoint none', {
  skip,
}, async () => {
  const w = await opened({ pages: 1_000_000 }); // the thread never asked
  try {
    for (let i = 0; i < 30; i++) await w.insert();
    const raw = new Sqlite(w.path);
    const [row] = raw.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
    assert.ok(row && row.log > 30, `the WAL holds the rows' pages (${row?.log})`);
    assert.equal(w.ckpt.uncopied(), 0, 'all copied by the checkpoint just run');
    // the next write started the WAL over (every frame copied, no reader): its frames are all uncopied
    for (let i = 0; i < 10; i++) await w.insert();
    const before = w.ckpt.uncopied();
    const [after] = raw.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
    raw.close();
    assert.ok(after && after.log >= 10);
    assert.equal(before, after.log, 'what the header said was left is what the checkpoint found');
    assert.equal(after.checkpointed, after.log);
    assert.equal(w.ckpt.uncopied(), 0);
    assert.equal(w.ckpt.running, false, 'no checkpoint thread below the threshold');
  } finally {
    await w.drop();
  }
});

test('an idle connection starts no thread; a few writes below the threshold do not either', { skip }, async () => {
  const w = await opened({ pages: 200 });
  try {
    for (let i = 0; i < 20; i++) await w.insert();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(w.ckpt.stats.starts, 0);
    assert.equal(w.ckpt.running, false);
  } finally {
    await w.drop();
  }
});

test('a long write loop: the thread checkpoints, the WAL never reaches the bound', {
  skip,
  timeout: 120_000,
}, async () => {
  const pages = 40;
  const w = await opened({ pages });
  try {
    let maxWal = 0;
    let maxUncopied = 0;
    for (let i = 0; i < 3000; i++) {
      await w.insert();
      maxWal = Math.max(maxWal, w.walSize());
      maxUncopied = Math.max(maxUncopied, w.ckpt.uncopied() ?? 0);
    }
    const s = w.ckpt.stats;
    assert.equal(s.starts, 1, 'one thread, started once');
    assert.ok(s.checkpoints >= 10, `checkpoints on the thread: ${s.checkpoints}`);
    // ~1-2 frames per row: most of them copied by the thread, not by the connection's own
    assert.ok(s.copied >= 3000 * 0.8, `frames copied by the thread: ${s.copied}`);
    assert.ok(maxWal <= walBytes(pages * BOUND_FACTOR * OVERSHOOT), `the WAL reached ${maxWal} bytes`);
    assert.ok(maxUncopied < pages * BOUND_FACTOR * OVERSHOOT, `uncopied frames reached ${maxUncopied}`);
    assert.deepEqual(w.errors, []);
  } finally {
    await w.drop();
  }
});

test('the thread killed again and again: the bound holds (the connection checkpoints itself), errors are told, a new thread takes over', {
  skip,
  timeout: 120_000,
}, async () => {
  const pages = 40;
  const w = await opened({ pages, retryMs: 20 });
  try {
    let maxWal = 0;
    let kills = 0;
    for (let i = 0; i < 3000; i++) {
      await w.insert();
      maxWal = Math.max(maxWal, w.walSize());
      const t = w.ckpt.threadForTests();
      if (i < 2000 && t) {
        await t.terminate();
        kills++;
      }
    }
    // the last thread started may not have answered yet (its start takes a while on a loaded
    // machine): writes go on until it has checkpointed, or 20 s
    const end = Date.now() + 20_000;
    while (w.ckpt.stats.checkpoints === 0 && Date.now() < end) {
      await w.insert();
      maxWal = Math.max(maxWal, w.walSize());
      await new Promise((r) => setTimeout(r, 1));
    }
    assert.ok(kills >= 3, `threads killed: ${kills}`);
    assert.ok(w.errors.length >= kills, `each death told (${w.errors.length} of ${kills})`);
    assert.match(String(w.errors[0]?.message), /ended/);
    assert.ok(w.ckpt.stats.starts > kills, 'a new thread after the last death');
    assert.ok(w.ckpt.stats.checkpoints > 0, 'and it checkpoints');
    assert.ok(maxWal <= walBytes(pages * BOUND_FACTOR * OVERSHOOT), `the WAL reached ${maxWal} bytes`);
    const [count] = (await w.adapter.queryRaw(q('SELECT count(*) AS c FROM w'))).rows;
    assert.equal(Number(count?.[0]), w.rows(), 'every row is there');
  } finally {
    await w.drop();
  }
});

test('an idle thread truncates the WAL and ends; the WAL is the same file, and WalSync’s descriptor syncs it', {
  skip,
  timeout: 60_000,
}, async () => {
  const w = await opened({ pages: 20, idleMs: 200 });
  try {
    const walPath = `${w.path}-wal`;
    for (let i = 0; i < 200; i++) await w.insert();
    assert.equal(w.ckpt.stats.starts, 1);
    const inode = statSync(walPath).ino;
    await until('the idle thread ended', () => !w.ckpt.running);
    assert.equal(w.walSize(), 0, 'truncated');
    assert.equal(statSync(walPath).ino, inode, 'the same file');
    await w.insert();
    const wal = w.factory.wal as unknown as { fd: number | null; stats: { syncs: number } };
    assert.ok(wal.fd !== null);
    assert.equal(fstatSync(wal.fd).ino, inode, 'the descriptor WalSync fsyncs is the WAL written now');
    assert.ok(w.walSize() > 0);
    assert.deepEqual(w.errors, []);
  } finally {
    await w.drop();
  }
});

test('the bot’s database: the thread’s failures go to its logger (openDatabase’s log)', {
  skip,
  timeout: 60_000,
}, async () => {
  const warned: { obj: object; msg: string }[] = [];
  const { db, drop } = await migratedDatabase({ log: { warn: (obj, msg) => warned.push({ obj, msg }) } });
  try {
    await db.prisma.setting.findMany(); // connected
    const ckpt = db.checkpointer;
    assert.ok(ckpt, 'a SQLite file database has a checkpointer');
    assert.equal(ckpt.running, false, 'none for a database just opened');
    for (let i = 0; ckpt.stats.starts === 0 && i < 10_000; i++) {
      await db.execute(db.prisma, 'INSERT INTO "Setting" ("key", "value") VALUES (?, ?)', `k${i}`, PAD);
    }
    const thread = ckpt.threadForTests();
    assert.ok(thread, 'the writes started the thread');
    await thread.terminate();
    await until('the death told', () => warned.length > 0);
    assert.match(warned[0]?.msg ?? '', /checkpoint thread failed/);
    assert.match(String((warned[0]?.obj as { err?: Error } | undefined)?.err?.message), /ended/);
  } finally {
    await drop();
  }
});

test('a bot that started and handled a command has no checkpoint thread (an idle bot carries none)', {
  skip,
}, async () => {
  const t = await testApp({ empty: true });
  try {
    await t.say('console:admin', '/csirt help');
    const ckpt = t.app.db.checkpointer;
    assert.ok(ckpt, 'a SQLite file database has a checkpointer');
    assert.equal(ckpt.stats.starts, 0);
    assert.equal(ckpt.running, false);
  } finally {
    await t.close();
  }
});

/** the value of one series in the rendered text (exact labels text, '' for none), or undefined */
function value(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}
const done = '{outcome="done"}';
const busy = '{outcome="busy"}';
const failed = '{outcome="failed"}';

test('the metrics: checkpoints counted by outcome and timed, the WAL’s frames, the thread running and then not after the idle TRUNCATE', {
  skip,
  timeout: 60_000,
}, async () => {
  const w = await opened({ pages: 20, idleMs: 1_000 });
  const registry = new Registry();
  registerCheckpointMetrics(registry, () => w.factory.checkpointer);
  try {
    let m = await registry.metrics();
    assert.equal(value(m, 'csirt_sqlite_checkpoint_thread_running'), 0, m);
    for (const o of [done, busy, failed]) {
      assert.equal(value(m, 'csirt_sqlite_checkpoints_total', o), 0, o);
      assert.equal(value(m, 'csirt_sqlite_wal_truncations_total', o), 0, o);
    }
    assert.equal(value(m, 'csirt_sqlite_checkpoint_duration_seconds_count'), 0);
    assert.match(m, /# TYPE csirt_sqlite_checkpoint_duration_seconds histogram\n/);
    // writes until the thread has answered twice (its start takes a while on a loaded machine)
    const s = w.ckpt.stats;
    const end = Date.now() + 20_000;
    for (let i = 0; (i < 200 || s.outcomes.passive.done < 2) && Date.now() < end; i++) await w.insert();
    m = await registry.metrics();
    assert.equal(value(m, 'csirt_sqlite_checkpoint_thread_running'), 1, 'running after the writes');
    const n = value(m, 'csirt_sqlite_checkpoints_total', done) ?? 0;
    assert.ok(n >= 2, `checkpoints done: ${n} (${JSON.stringify(s.outcomes)})`);
    assert.equal(value(m, 'csirt_sqlite_checkpoints_total', failed), 0);
    const answered = n + (value(m, 'csirt_sqlite_checkpoints_total', busy) ?? 0);
    assert.equal(value(m, 'csirt_sqlite_checkpoint_duration_seconds_count'), answered, 'each one timed');
    assert.equal(value(m, 'csirt_sqlite_checkpoint_duration_seconds_bucket', '{le="+Inf"}'), answered);
    assert.equal(value(m, 'csirt_sqlite_checkpoint_duration_seconds_bucket', '{le="10"}'), answered);
    const sum = value(m, 'csirt_sqlite_checkpoint_duration_seconds_sum') ?? 0;
    assert.ok(sum > 0 && sum < answered * 10, `sum ${sum}`);
    // the frames as last seen: some, and no more than the -wal file holds
    const frames = value(m, 'csirt_sqlite_wal_frames') ?? -1;
    assert.ok(frames > 0 && walBytes(frames) <= w.walSize(), `frames ${frames}, WAL ${w.walSize()} bytes`);
    const uncopied = value(m, 'csirt_sqlite_wal_uncopied_frames') ?? -1;
    assert.ok(uncopied >= 0 && uncopied <= frames, `uncopied ${uncopied} of ${frames}`);
    assert.equal(value(m, 'csirt_sqlite_wal_truncations_total', done), 0, 'no TRUNCATE while writing');
    await until('the idle thread ended', () => !w.ckpt.running);
    m = await registry.metrics();
    assert.equal(value(m, 'csirt_sqlite_checkpoint_thread_running'), 0, 'ended');
    assert.equal(value(m, 'csirt_sqlite_wal_truncations_total', done), 1);
    assert.equal(w.walSize(), 0);
    assert.equal(value(m, 'csirt_sqlite_wal_frames'), 0, 'the TRUNCATE emptied the WAL');
    assert.equal(value(m, 'csirt_sqlite_wal_uncopied_frames'), 0);
    assert.equal(
      value(m, 'csirt_sqlite_checkpoint_duration_seconds_count'),
      answered,
      'the TRUNCATE is not timed there',
    );
    assert.deepEqual(w.errors, []);
  } finally {
    await w.drop();
  }
});

test('the metrics: a checkpoint whose thread dies before it answers is counted failed', {
  skip,
  timeout: 60_000,
}, async () => {
  const w = await opened({ pages: 20, retryMs: 0 });
  const registry = new Registry();
  registerCheckpointMetrics(registry, () => w.factory.checkpointer);
  try {
    // killed while it checkpoints: its answer may come before it dies (then done), so again
    let kills = 0;
    for (let i = 0; i < 5_000 && w.ckpt.stats.outcomes.passive.failed === 0; i++) {
      await w.insert();
      const t = w.ckpt.threadForTests();
      if (t && w.ckpt.checkpointing) {
        await t.terminate();
        kills++;
      }
    }
    const m = await registry.metrics();
    assert.ok(kills >= 1, 'a thread killed in a checkpoint');
    const f = value(m, 'csirt_sqlite_checkpoints_total', failed) ?? 0;
    assert.ok(f >= 1 && f <= kills, `failed ${f} of ${kills} killed`);
    assert.ok(w.errors.length >= f, 'each told');
  } finally {
    await w.drop();
  }
});

test('the metrics: none without a checkpoint thread’s keeper (PostgreSQL, :memory:)', () => {
  const registry = new Registry();
  registerCheckpointMetrics(registry, () => null);
  return registry.metrics().then((m) => assert.equal(m, ''));
});

test('close() runs no checkpoint: its answer is not counted as one', { skip, timeout: 60_000 }, async () => {
  const w = await opened({ pages: 20 });
  try {
    for (let i = 0; w.ckpt.stats.checkpoints === 0 && i < 2_000; i++) await w.insert();
    await until('the answer back', () => !w.ckpt.checkpointing);
    const before = JSON.stringify(w.ckpt.stats);
    await w.ckpt.close();
    assert.equal(JSON.stringify(w.ckpt.stats), before);
  } finally {
    await w.drop();
  }
});

function writer(path: string, who: string, rows: number, pages: number, end: 'close' | 'leave') {
  const child = tsxChild('tests/helpers/sqlite-writer.ts', [path, who, String(rows), String(pages), end], {
    cwd: ROOT,
  });
  child.stderr.pipe(process.stderr); // as the inherited stderr it had
  let text = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    text += d;
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, exited, out: () => text };
}

test('a process whose thread ran exits by itself, closed or not', { skip, timeout: 120_000 }, async () => {
  const t = await testDb({ empty: true });
  try {
    for (const end of ['close', 'leave'] as const) {
      const started = Date.now();
      const p = writer(sqlitePath(t.url), end, 600, 20, end);
      const code = await Promise.race([p.exited, new Promise((r) => setTimeout(() => r('hung'), 60_000))]);
      if (code === 'hung') p.child.kill('SIGKILL');
      assert.equal(code, 0, `${end}: ${p.out().slice(-300)}`);
      const stats = JSON.parse(/stats (.*)/.exec(p.out())?.[1] ?? 'null');
      assert.ok(stats?.starts >= 1 && stats.checkpoints >= 1, `${end}: the thread ran (${JSON.stringify(stats)})`);
      assert.ok(Date.now() - started < 60_000);
    }
  } finally {
    await t.drop();
  }
});

test('two processes on one file, each with its thread: no SQLITE_BUSY reaches a write, every row of both is there', {
  skip,
  timeout: 180_000,
}, async () => {
  const t = await testDb({ empty: true });
  const path = sqlitePath(t.url);
  try {
    // the table first, so that both start writing rows at once
    const first = writer(path, 'setup', 1, 20, 'close');
    assert.equal(await first.exited, 0);
    const rows = 1500;
    const ps = [writer(path, 'a', rows, 20, 'close'), writer(path, 'b', rows, 20, 'close')];
    const codes = await Promise.all(ps.map((p) => p.exited));
    for (const [i, p] of ps.entries()) {
      assert.doesNotMatch(p.out(), /^error/m, `process ${i}`);
      assert.equal(codes[i], 0);
      const stats = JSON.parse(/stats (.*)/.exec(p.out())?.[1] ?? 'null');
      assert.ok(stats?.checkpoints >= 1, `process ${i} checkpointed: ${JSON.stringify(stats)}`);
      assert.equal(stats.failures, 0);
    }
    const db = new Sqlite(path, { readonly: true });
    try {
      const got = db.prepare('SELECT who, count(*) AS c, max(n) AS mx FROM w GROUP BY who ORDER BY who').all();
      assert.deepEqual(got, [
        { who: 'a', c: rows, mx: rows - 1 },
        { who: 'b', c: rows, mx: rows - 1 },
        { who: 'setup', c: 1, mx: 0 },
      ]);
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      db.close();
    }
  } finally {
    await t.drop();
  }
});
