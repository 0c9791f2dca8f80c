/**
 * Raw SQL straight on the driver adapter (src/db/direct.ts, raw-values.ts; issue 19 item 7):
 * `db.query` / `db.execute` and the handles' tagged `$queryRaw` / `$executeRaw`, against Prisma's
 * own raw path (`$queryRawUnsafe`, which stays Prisma's), on both providers:
 * - a differential property test: random rows of every column type we use (NULLs, integers near
 *   2^53 and 2^63, dates with milliseconds, Japanese text, JSON, empty strings, bytes) written
 *   through one path and read back through both, outside and inside a transaction: the same
 *   values of the same JavaScript types; the same errors (unique, foreign key, NOT NULL, syntax);
 * - the scope rule through the direct path: the root handle inside a transaction, a `tx` after its
 *   commit, its rollback, Prisma's timeout: refused as Prisma refuses them, nothing written;
 *   two SQLite transactions never interleaved;
 * - the seam: every statement went direct, and the adapter's result shape is what we decode.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { afterAll, test } from 'vitest';
import type { Database, Prisma$, Tx } from '../../../src/db/client.ts';
import { Prisma } from '../../../src/db/generated/sqlite/client.ts';
import { StatementOutsideTx } from '../../../src/db/scope.ts';
import { PROVIDER } from '../../helpers/app.ts';
import { migratedDatabase } from '../../helpers/test-database.ts';

const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => {});
});

async function open(): Promise<Database> {
  const { db, drop } = await migratedDatabase();
  cleanup.push(drop);
  return db;
}

const pg = PROVIDER === 'postgresql';
// every kind of column our models use (Int, BigInt-valued counts, Boolean, DateTime, String,
// JSON kept as text or jsonb), and the ones a raw expression yields (a real, bytes)
const TABLE = pg
  ? `CREATE TABLE "DirectProbe" (id INTEGER PRIMARY KEY, i INTEGER, b BIGINT, f BOOLEAN, d TIMESTAMP(3),
      t TEXT, r DOUBLE PRECISION, x BYTEA, j JSONB, parent INTEGER REFERENCES "DirectProbe"(id),
      req TEXT NOT NULL DEFAULT '', u TEXT UNIQUE)`
  : `CREATE TABLE "DirectProbe" (id INTEGER PRIMARY KEY, i INTEGER, b BIGINT, f BOOLEAN, d DATETIME,
      t TEXT, r REAL, x BLOB, j TEXT, parent INTEGER REFERENCES "DirectProbe"(id),
      req TEXT NOT NULL DEFAULT '', u TEXT UNIQUE)`;
/** `?` placeholders as Prisma's raw path wants them on this provider (db.query rewrites its own) */
const q = (sql: string) => {
  let n = 0;
  return pg ? sql.replace(/\?/g, () => `$${++n}`) : sql;
};
const COLS = ['i', 'b', 'f', 'd', 't', 'r', 'x', 'j'] as const;
const INSERT = `INSERT INTO "DirectProbe" (id, ${COLS.join(', ')}) VALUES (?, ${COLS.map(() => '?').join(', ')})`;

const noNul = (s: string) => !s.includes('\u0000');
const text = fc.oneof(
  fc.constant(''),
  fc.string().filter(noNul),
  fc.string({ unit: 'grapheme' }).filter(noNul),
  fc.constantFrom('国家サイバー統括室', '令和8年12月3日（木）', '🙇‍♀️ 報告', '{"a":1}', '[1,2]', 'null', '0', 'true'),
  fc.json().filter(noNul),
);
const big = fc.oneof(
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.constantFrom(2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 63n - 1n, -(2n ** 63n), 0n),
);
const row = fc.record({
  i: fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
  b: fc.option(big),
  f: fc.option(fc.boolean()),
  d: fc.option(
    fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2199-12-31T23:59:59.999Z'), noInvalidDate: true }),
  ),
  t: fc.option(text),
  r: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true })),
  x: fc.option(fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a))),
  // an object parameter: written as its JSON (Prisma's rule)
  j: fc.option(
    fc.dictionary(
      fc.string().filter(noNul),
      fc.jsonValue().filter((v) => noNul(JSON.stringify(v) ?? '')),
    ),
  ),
});

type Row = {
  i: number | null;
  b: bigint | null;
  f: boolean | null;
  d: Date | null;
  t: string | null;
  r: number | null;
  x: Buffer | null;
  j: object | null;
};
const values = (id: number, r: Row) => [id, r.i, r.b, r.f, r.d, r.t, r.r, r.x, r.j];

/** The last line of Prisma's message: its "Invalid … invocation" head names the caller's code. */
const lastLine = (e: unknown) =>
  String((e as Error).message)
    .split('\n')
    .at(-1);
const settle = (p: Promise<unknown>) =>
  p.then(
    (v) => ({ ok: true as const, v }),
    (e: unknown) => ({ ok: false as const, e }),
  );

let db: Database;
let nextId = 1;

test(`setup (${PROVIDER})`, { timeout: 60_000 }, async () => {
  db = await open();
  await db.execute(db.prisma, TABLE);
});

test(`rows written and read back: direct and Prisma's raw path agree, value and type (${PROVIDER}, property)`, {
  timeout: 240_000,
}, async () => {
  const raw = db.prisma as Prisma$;
  await fc.assert(
    fc.asyncProperty(row, row, fc.boolean(), async (a, b, inTx) => {
      const ida = nextId++;
      const idb = nextId++;
      // one row written each way
      await db.execute(db.prisma, INSERT, ...values(ida, a));
      await raw.$executeRawUnsafe(q(INSERT), ...values(idb, b));
      const sel = 'SELECT id, i, b, f, d, t, r, x, j, req, u FROM "DirectProbe" WHERE id IN (?, ?) ORDER BY id';
      // values as parameters echoed back, and aggregates (COUNT is a bigint on PostgreSQL)
      const echo = `SELECT ? AS p1, ? AS p2, ? AS p3, ? AS p4, ? AS p5, COUNT(*) AS n, MAX(d) AS m, SUM(i) AS s FROM "DirectProbe" WHERE id IN (?, ?)`;
      const echoArgs = [
        a.t,
        a.i,
        a.b,
        a.f === null ? null : String(a.f),
        a.d === null ? null : a.d.toISOString(),
        ida,
        idb,
      ];
      const read = async (runner: Tx | Prisma$) => ({
        direct: [
          await db.query(runner, sel, ida, idb),
          await db.query(runner, echo, ...echoArgs),
          await runner.$queryRaw`SELECT id, i, b, f, d, t, r, x, j, req, u FROM "DirectProbe" WHERE id IN (${ida}, ${idb}) ORDER BY id`,
        ],
        prisma: [
          await (runner as Prisma$).$queryRawUnsafe(q(sel), ida, idb),
          await (runner as Prisma$).$queryRawUnsafe(q(echo), ...echoArgs),
          await (runner as Prisma$).$queryRawUnsafe(q(sel), ida, idb),
        ],
      });
      const got = inTx ? await db.tx((tx) => read(tx)) : await read(db.prisma);
      assert.deepStrictEqual(got.direct, got.prisma);
      // and what was written is what was meant (not merely the same on both paths)
      const [ra, rb] = got.direct[0] as Record<string, unknown>[];
      for (const [r, want] of [
        [ra, a],
        [rb, b],
      ] as const) {
        assert.equal(r?.t, want.t);
        assert.equal(r?.f === null ? null : Boolean(r?.f), want.f);
        assert.equal(r?.b === null ? null : BigInt(r?.b as bigint), want.b);
        assert.equal(r?.d === null ? null : new Date(r?.d as string).getTime(), want.d?.getTime() ?? null);
        assert.deepEqual(r?.x === null ? null : Buffer.from(r?.x as Uint8Array), want.x);
      }
    }),
    { numRuns: Number(process.env.DIRECT_RAW_RUNS ?? 40), seed: 190_007 },
  );
});

test(`errors: direct and Prisma's raw path throw the same (${PROVIDER})`, { timeout: 60_000 }, async () => {
  const raw = db.prisma as Prisma$;
  const id = nextId++;
  await db.execute(db.prisma, 'INSERT INTO "DirectProbe" (id, u) VALUES (?, ?)', id, `u${id}`);
  const cases: [string, string, unknown[]][] = [
    ['unique', 'INSERT INTO "DirectProbe" (id, u) VALUES (?, ?)', [nextId++, `u${id}`]],
    ['primary key', 'INSERT INTO "DirectProbe" (id) VALUES (?)', [id]],
    ['foreign key', 'INSERT INTO "DirectProbe" (id, parent) VALUES (?, ?)', [nextId++, 999_999_999]],
    ['not null', 'INSERT INTO "DirectProbe" (id, req) VALUES (?, ?)', [nextId++, null]],
    ['syntax', 'SELEC id FROM "DirectProbe"', []],
    ['no such table', 'SELECT * FROM "NoSuchTable"', []],
  ];
  for (const [name, sql, params] of cases) {
    for (const inTx of [false, true]) {
      const run = async (f: (r: Tx | Prisma$) => Promise<unknown>) =>
        inTx ? settle(db.tx((tx) => f(tx), { waitMs: 2000 })) : settle(f(raw));
      const viaDirect = await run((r) => db.execute(r, sql, ...params));
      const viaPrisma = await run((r) => (r as Prisma$).$executeRawUnsafe(q(sql), ...params));
      const viaQuery = await run((r) => db.query(r, sql, ...params));
      // the tagged form, built as a template builds it
      const viaTagged = await run((r) => r.$executeRaw(new Prisma.Sql(sql.split('?'), params)));
      assert.ok(!viaDirect.ok && !viaPrisma.ok && !viaQuery.ok && !viaTagged.ok, `${name}: refused`);
      for (const got of [viaDirect.e, viaQuery.e, viaTagged.e]) {
        const want = viaPrisma.e as Error & { code?: string; meta?: { driverAdapterError?: { cause?: unknown } } };
        const e = got as typeof want;
        assert.equal(e.constructor, want.constructor, `${name}: same class`);
        assert.equal(e.code, want.code, `${name}: same code`);
        assert.equal(lastLine(e), lastLine(want), `${name}: same message`);
        assert.deepEqual(
          e.meta?.driverAdapterError?.cause,
          want.meta?.driverAdapterError?.cause,
          `${name}: same cause`,
        );
      }
    }
  }
});

test(`the root handle inside a transaction is refused on the direct path (${PROVIDER})`, async () => {
  const before = db.rawPaths.direct;
  for (const f of [
    () => db.query(db.prisma, 'SELECT 1 AS x'),
    () => db.execute(db.prisma, 'DELETE FROM "DirectProbe" WHERE id = -1'),
    () => db.prisma.$queryRaw`SELECT ${1} AS x`,
    () => db.prisma.$executeRaw`DELETE FROM "DirectProbe" WHERE id = ${-1}`,
  ]) {
    const r = await settle(db.tx(async () => f(), { waitMs: 1000 }));
    assert.ok(!r.ok && r.e instanceof StatementOutsideTx, String(!r.ok && r.e));
  }
  assert.equal(db.rawPaths.direct, before, 'nothing sent');
});

const kept = async (id: number) =>
  (await db.query<{ id: number }>(db.prisma, 'SELECT id FROM "DirectProbe" WHERE id = ?', id)).length;

test(`a tx after its commit or its rollback is refused as Prisma refuses it, nothing written (${PROVIDER})`, async () => {
  const ins = 'INSERT INTO "DirectProbe" (id) VALUES (?)';
  // committed
  let saved: Tx | undefined;
  await db.tx(async (tx) => {
    saved = tx;
    await db.execute(tx, ins, nextId++);
  });
  const late = nextId++;
  const direct = await settle(db.execute(saved as Tx, ins, late));
  const prisma = await settle((saved as Tx).$executeRawUnsafe(q(ins), late));
  assert.ok(!direct.ok && !prisma.ok);
  assert.equal((direct.e as { code?: string }).code, 'P2028');
  assert.equal((direct.e as { code?: string }).code, (prisma.e as { code?: string }).code);
  assert.equal(lastLine(direct.e), lastLine(prisma.e));
  assert.match(lastLine(direct.e) ?? '', /Transaction already closed.*committed/);
  const tagged = await settle((saved as Tx).$executeRaw`INSERT INTO "DirectProbe" (id) VALUES (${late})`);
  assert.ok(!tagged.ok);
  assert.equal(lastLine(tagged.e), lastLine(prisma.e));
  assert.equal(await kept(late), 0, 'nothing written after the commit');
  // rolled back (the callback threw)
  const lateToo = nextId++;
  let during: Promise<unknown> | undefined;
  await settle(
    db.tx(async (tx) => {
      saved = tx;
      // issued now, awaited after the rollback: ran inside, and was rolled back with it
      during = settle(db.execute(tx, ins, nextId++));
      throw new Error('no');
    }),
  );
  await during;
  const after = await settle(db.query(saved as Tx, 'SELECT 1 AS x'));
  const afterPrisma = await settle((saved as Tx).$queryRawUnsafe('SELECT 1 AS x'));
  const wrote = await settle(db.execute(saved as Tx, ins, lateToo));
  assert.ok(!after.ok && !afterPrisma.ok && !wrote.ok);
  assert.equal(lastLine(after.e), lastLine(afterPrisma.e));
  assert.match(lastLine(after.e) ?? '', /Transaction already closed.*rolled back/);
  assert.equal(await kept(lateToo), 0, 'nothing written after the rollback');
});

test(`a tx after Prisma's timeout is refused (expired), nothing written, not even on the free connection (${PROVIDER})`, {
  timeout: 60_000,
}, async () => {
  const id = nextId++;
  const seen: unknown[] = [];
  await settle(
    db.tx(
      async (tx) => {
        await new Promise((r) => setTimeout(r, 700)); // past its 250 ms: Prisma rolls it back
        seen.push(await settle(db.execute(tx, 'INSERT INTO "DirectProbe" (id) VALUES (?)', id)));
        seen.push(await settle(db.query(tx, 'SELECT 1 AS x')));
        seen.push(await settle(tx.$executeRaw`INSERT INTO "DirectProbe" (id) VALUES (${id})`));
      },
      { timeoutMs: 250, waitMs: 400 },
    ),
  );
  assert.ok(seen.length >= 3);
  for (const s of seen) {
    const r = s as Awaited<ReturnType<typeof settle>>;
    assert.ok(!r.ok, 'refused');
    assert.equal((r.e as { code?: string }).code, 'P2028');
    assert.match(String((r.e as Error).message), /expired transaction/);
  }
  assert.equal(await kept(id), 0, 'nothing written');
});

test.skipIf(pg)(
  'two SQLite transactions’ statements never interleave (lost updates would show it)',
  {
    timeout: 60_000,
  },
  async () => {
    await db.execute(db.prisma, 'INSERT INTO "Counter" (name, value) VALUES (?, 0)', 'direct-probe');
    const n = 12;
    const log: string[] = [];
    await Promise.all(
      Array.from({ length: n }, (_, k) =>
        db.tx(async (tx) => {
          log.push(`begin ${k}`);
          const [c] = await db.query<{ value: number }>(
            tx,
            'SELECT value FROM "Counter" WHERE name = ?',
            'direct-probe',
          );
          await new Promise((r) => setImmediate(r));
          await db.execute(tx, 'UPDATE "Counter" SET value = ? WHERE name = ?', Number(c?.value) + 1, 'direct-probe');
          log.push(`end ${k}`);
        }),
      ),
    );
    const [c] = await db.query<{ value: number }>(
      db.prisma,
      'SELECT value FROM "Counter" WHERE name = ?',
      'direct-probe',
    );
    assert.equal(Number(c?.value), n, 'no update lost');
    for (let i = 0; i < log.length; i += 2)
      assert.equal(log[i]?.slice(6), log[i + 1]?.slice(4), `one after the other: ${log.join(', ')}`);
  },
);

test(`the seam: statements go straight to the adapter, whose result shape is the one decoded (${PROVIDER})`, async () => {
  const before = { ...db.rawPaths };
  const [r] = await db.query<Record<string, unknown>>(db.prisma, 'SELECT 1 AS one, ? AS two', 'x');
  await db.tx(async (tx) => {
    await db.query(tx, 'SELECT 1 AS one');
    await db.execute(tx, 'DELETE FROM "DirectProbe" WHERE id = -1');
    await tx.$queryRaw`SELECT ${1} AS one`;
    await tx.$executeRaw`DELETE FROM "DirectProbe" WHERE id = ${-1}`;
  });
  await db.prisma.$queryRaw`SELECT ${1} AS one`;
  await db.prisma.$executeRaw`DELETE FROM "DirectProbe" WHERE id = ${-1}`;
  assert.deepEqual(
    { direct: db.rawPaths.direct - before.direct, prisma: db.rawPaths.prisma - before.prisma },
    { direct: 7, prisma: 0 },
    'the driver transaction was captured and the adapter connected: nothing went through Prisma',
  );
  // column names and types decoded: a result set shape that changed would break these
  assert.deepEqual(Object.keys(r ?? {}), ['one', 'two']);
  assert.equal(r?.two, 'x');
  assert.ok(typeof r?.one === 'number' || typeof r?.one === 'bigint');
});
