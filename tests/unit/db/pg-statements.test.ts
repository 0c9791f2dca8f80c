/**
 * Named statements on PostgreSQL (src/db/pg-statements.ts): the naming rule against an oracle
 * (fast-check), and on a real server that the bot's statements are prepared once per
 * connection, that `*` statements are not, and that every statement keeps working after a
 * migration adds a column under it.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { afterAll, test } from 'vitest';
import { ROOT } from '../../../src/app.ts';
import { type Database, openDatabase } from '../../../src/db/client.ts';
import { applyMigrations } from '../../../src/db/migrator.ts';
import { statementNames } from '../../../src/db/pg-statements.ts';
import { PROVIDER, testDb } from '../../helpers/app.ts';

const pg = PROVIDER === 'postgresql';

test.skipIf(pg)('a text is named at its second sighting, keeps its name, never shares it, within the bound', () => {
  const texts = ['SELECT 1', 'SELECT 2', 'SELECT 3', 'SELECT 4', 'SELECT * FROM t', 'SELECT COUNT(*) FROM t', 'x'];
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...texts), { maxLength: 60 }),
      fc.integer({ min: 0, max: 5 }),
      fc.boolean(),
      (calls, limit, forgetful) => {
        // forgetful: the texts seen once are forgotten when 2 of them are kept (so a second
        // sighting may come too late); else never within this run
        const names = statementNames(limit, forgetful ? 2 : 1000);
        const seen = new Map<string, number>();
        const given = new Map<string, string>();
        for (const sql of calls) {
          const name = names(sql);
          const times = (seen.get(sql) ?? 0) + 1;
          seen.set(sql, times);
          const had = given.get(sql);
          if (had !== undefined) assert.equal(name, had, 'a named text keeps its name');
          else if (name !== undefined) {
            assert.ok(times >= 2, 'named at the second sighting, not the first');
            assert.ok(![...given.values()].includes(name), 'one name, one text');
            given.set(sql, name);
          } else if (!forgetful && times >= 2 && sql !== 'SELECT * FROM t')
            assert.equal(given.size, limit, 'unnamed after its second sighting only when the bound is reached');
          if (sql === 'SELECT * FROM t') assert.equal(name, undefined, '* stays unnamed');
        }
        assert.ok(given.size <= limit);
        assert.equal(names.named, given.size);
      },
    ),
    { seed: 190012, numRuns: 300 },
  );
});

const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => {});
});

async function open(preparedStatements?: boolean): Promise<Database> {
  const t = await testDb();
  await applyMigrations(t.url, ROOT);
  // one connection: the session that prepared the statements is the one asked about them
  const db = await openDatabase(t.url, { poolSize: 1, preparedStatements });
  cleanup.push(async () => {
    await db.close();
    await t.drop();
  });
  return db;
}

const prepared = async (db: Database) =>
  (await db.query<{ statement: string }>(db.prisma, 'SELECT statement FROM pg_prepared_statements')).map(
    (r) => r.statement,
  );

test.skipIf(!pg)(
  'the statements run twice are prepared once on their connection; * and one-off ones are not',
  async () => {
    const db = await open();
    const twice = 'SELECT COUNT(*) AS n FROM "Organization" WHERE id > $1';
    const star = 'SELECT * FROM "Organization" WHERE id > $1';
    const once = 'SELECT id FROM "Organization" WHERE id < $1';
    for (let i = 0; i < 3; i++) {
      await db.query(db.prisma, twice.replace('$1', '?'), 0);
      await db.query(db.prisma, star.replace('$1', '?'), 0);
    }
    await db.query(db.prisma, once.replace('$1', '?'), 0);
    // and inside transactions, which take the same pooled connection
    for (let i = 0; i < 2; i++) await db.tx((tx) => db.query(tx, 'SELECT code FROM "Organization" WHERE id = ?', 1));
    const names = await prepared(db);
    assert.ok(names.includes(twice), `${twice} prepared: ${names.join(' | ')}`);
    assert.ok(names.includes('SELECT code FROM "Organization" WHERE id = $1'), 'in a transaction too');
    assert.ok(!names.includes(star), 'SELECT * is not prepared');
    assert.ok(!names.includes(once), 'a text seen once is not prepared');
    const off = await open(false);
    for (let i = 0; i < 3; i++) await off.query(off.prisma, twice.replace('$1', '?'), 0);
    assert.deepEqual(await prepared(off), [], 'preparedStatements: false prepares nothing');
  },
);

test.skipIf(!pg)('statements keep working after a migration adds a column under them', async () => {
  const db = await open();
  await db.execute(db.prisma, 'CREATE TABLE "Probe" (id INTEGER PRIMARY KEY, a TEXT)');
  await db.execute(db.prisma, `INSERT INTO "Probe" (id, a) VALUES (1, 'x')`);
  const listed = () => db.query(db.prisma, 'SELECT id, a FROM "Probe" WHERE id = ?', 1);
  const star = () => db.query(db.prisma, 'SELECT * FROM "Probe" WHERE id = ?', 1);
  const claimed = () => db.query(db.prisma, `UPDATE "Probe" SET a = a WHERE id = ? RETURNING *`, 1);
  for (let i = 0; i < 3; i++) {
    await listed();
    await star();
    await claimed();
  }
  // as a new version's migration does while this process runs
  await db.execute(db.prisma, `ALTER TABLE "Probe" ADD COLUMN b TEXT NOT NULL DEFAULT 'new'`);
  assert.deepEqual(await listed(), [{ id: 1, a: 'x' }]);
  assert.deepEqual(await star(), [{ id: 1, a: 'x', b: 'new' }]);
  assert.deepEqual(await claimed(), [{ id: 1, a: 'x', b: 'new' }]);
});

test.skipIf(!pg)('a named statement that failed is parsed again, and its connection goes on', async () => {
  const db = await open();
  await db.execute(db.prisma, 'CREATE TABLE "Probe2" (id INTEGER PRIMARY KEY)');
  const insert = () => db.execute(db.prisma, 'INSERT INTO "Probe2" (id) VALUES (?)', 1);
  await insert();
  // the same text fails twice (named at its second sighting), inside a transaction rolled back too
  await assert.rejects(insert());
  await assert.rejects(db.tx((tx) => db.execute(tx, 'INSERT INTO "Probe2" (id) VALUES (?)', 1)));
  await db.execute(db.prisma, 'DELETE FROM "Probe2"');
  assert.equal(await insert(), 1);
  // a statement that does not parse, twice: refused each time, the connection still answers
  for (let i = 0; i < 2; i++) await assert.rejects(db.query(db.prisma, 'SELEC id FROM "Probe2"'));
  assert.deepEqual(await db.query(db.prisma, 'SELECT id FROM "Probe2"'), [{ id: 1 }]);
});
