/**
 * Issue 16, item 6: SQLite has one connection per process. A statement issued outside a
 * transaction, while another code path holds an interactive transaction open, must not run
 * inside that transaction (it would see its uncommitted rows and be rolled back with it).
 * Shown on the database handle, and on the two places that were exposed: the command
 * journal's release after a command that changed nothing (a rolled-back release means the
 * command is run and answered again) and the dispatcher's "sent" mark (a rolled-back mark means
 * the post is attempted again after the claim expires).
 *
 * And the rule that makes the serialised connection safe to use: inside a `db.tx` callback
 * every statement goes through its `tx`; a statement on the plain handle, or a second `db.tx`,
 * awaited there would wait for the transaction that waits for it, so it fails at once with an
 * error that says so (on both providers: on PostgreSQL it would run on another connection,
 * outside the transaction, and could wait on its locks or exhaust the pool).
 *
 * On both providers (PostgreSQL has a pool, where the first part always held).
 */
import assert from 'node:assert/strict';
import pino from 'pino';
import { test } from 'vitest';
import { systemClock } from '../../../src/core/clock.ts';
import type { OutMessage, PlatformSeam } from '../../../src/core/platform.ts';
import type { Database } from '../../../src/db/client.ts';
import { CommandJournal } from '../../../src/inbox/journal.ts';
import { Dispatcher } from '../../../src/outbox/dispatcher.ts';
import { enqueue } from '../../../src/outbox/outbox.ts';
import { migratedDatabase } from '../../helpers/test-database.ts';

const open = (): Promise<{ db: Database; drop(): Promise<void> }> => migratedDatabase();

function gate(): { wait: Promise<void>; open(): void } {
  let open = () => {};
  const wait = new Promise<void>((r) => {
    open = r;
  });
  return { wait, open };
}

/** Lets whatever is ready run (a statement that could run now has run after this). */
const settle = () => new Promise((r) => setTimeout(r, 50));

/**
 * A transaction held open by another code path: it writes a row, waits until `fail()`, then
 * throws (rolled back).
 */
function failingTransaction(db: Database) {
  const entered = gate();
  const end = gate();
  const done = db
    .tx(async (tx) => {
      await db.execute(tx, 'INSERT INTO "Setting" ("key", "value") VALUES (?, ?)', 'held-open', 'uncommitted');
      entered.open();
      await end.wait;
      throw new Error('the other transaction fails');
    })
    .then(
      () => assert.fail('the transaction was meant to fail'),
      (e: Error) => assert.match(e.message, /the other transaction fails/),
    );
  return { entered: entered.wait, fail: end.open, done };
}

test('a statement outside a transaction neither sees nor joins another code path’s open transaction', async () => {
  const { db, drop } = await open();
  try {
    const other = failingTransaction(db);
    await other.entered;
    const write = db.execute(db.prisma, 'INSERT INTO "Setting" ("key", "value") VALUES (?, ?)', 'plain', 'kept');
    const read = db.query<{ key: string }>(db.prisma, 'SELECT "key" FROM "Setting" WHERE "key" = ?', 'held-open');
    const model = db.prisma.setting.upsert({
      where: { key: 'plain-model' },
      create: { key: 'plain-model', value: 'kept' },
      update: {},
    });
    await settle();
    other.fail();
    await other.done;
    assert.equal(await write, 1);
    assert.deepEqual(await read, [], 'a plain read saw another transaction’s uncommitted row');
    await model;
    const rows = await db.prisma.setting.findMany();
    assert.deepEqual(
      rows.map((r) => `${r.key}=${r.value}`).sort(),
      ['plain-model=kept', 'plain=kept'],
      'the plain writes were rolled back with the other transaction',
    );
  } finally {
    await drop();
  }
});

test('the journal’s release after a command that changed nothing is not rolled back with another command’s transaction', async () => {
  const { db, drop } = await open();
  try {
    const journal = new CommandJournal(db, systemClock, pino({ level: 'silent' }), {
      workerId: 'A',
      claimTtlMs: 60_000,
    });
    const held = await journal.hold(db.prisma, 'slack:trigger:read-only', 'slack', { text: 'incident list' });
    const other = failingTransaction(db);
    await other.entered;
    // a read-only command (no transaction of its own) ends while the other one is open
    const answered = journal.run(held, async () => 'the list');
    await settle();
    other.fail();
    await other.done;
    assert.equal(await answered, 'the list');
    assert.equal(await journal.pending(), 0, 'the entry came back: the command would be run and answered again');
  } finally {
    await drop();
  }
});

test('the dispatcher’s “sent” mark is not rolled back with another code path’s transaction', async () => {
  const { db, drop } = await open();
  try {
    const posted = gate();
    const answer = gate();
    const posts: string[] = [];
    const seam: PlatformSeam = {
      name: 'console',
      async post(channel: string, _msg: OutMessage, deliveryId: string) {
        posts.push(`${channel}:${deliveryId}`);
        posted.open();
        await answer.wait;
        return { ref: String(posts.length) };
      },
      async followUp() {
        throw new Error('not used');
      },
      async botPostsSince() {
        return null;
      },
      async dm() {
        throw new Error('not used');
      },
      async update() {
        throw new Error('not used');
      },
      async findByDeliveryId(_kind, _target, deliveryId) {
        const i = posts.findIndex((p) => p.endsWith(`:${deliveryId}`));
        return i < 0 ? null : { ref: String(i + 1), channel: 'maff' };
      },
    };
    const id = await db.tx((tx) =>
      enqueue(
        tx,
        {
          platform: 'console',
          kind: 'post',
          target: 'maff',
          message: { blocks: [{ kind: 'text', text: 'hello' }] },
          dedupeKey: 'one-connection:1',
        },
        systemClock.now(),
      ),
    );
    const dispatcher = new Dispatcher(db, new Map([['console', seam]]), {
      workerId: 'A',
      clock: systemClock,
      log: pino({ level: 'silent' }),
      perChannelIntervalMs: 0,
    });
    const flow = dispatcher.runOnce();
    await posted.wait; // claimed and being sent
    const other = failingTransaction(db);
    await other.entered;
    answer.open(); // the platform answers: the outcome is recorded while the other transaction is open
    await settle();
    other.fail();
    await other.done;
    await flow;
    const row = await db.prisma.delivery.findUniqueOrThrow({ where: { id } });
    assert.equal(row.status, 'sent', 'the sent mark was rolled back: the row stays claimed and is tried again');
    assert.equal(row.messageRef, 'maff|1');
    assert.equal(posts.length, 1);
  } finally {
    await drop();
  }
});

test('inside db.tx, a statement on the plain handle or a second db.tx fails at once, saying why', async () => {
  const { db, drop } = await open();
  try {
    const started = Date.now();
    await assert.rejects(
      db.tx(async () => {
        await db.prisma.setting.findMany();
      }),
      /inside a transaction.*use its `tx`/i,
    );
    await assert.rejects(
      db.tx(async () => {
        await db.query(db.prisma, 'SELECT 1');
      }),
      /inside a transaction.*use its `tx`/i,
    );
    await assert.rejects(
      db.tx(async () => {
        await db.tx((tx) => tx.setting.count());
      }),
      /inside a transaction.*use its `tx`/i,
    );
    assert.ok(Date.now() - started < 5000, 'it waited instead of failing at once');
    // the handle is still usable, and the rule is about statements awaited inside the callback
    // only: work started there that runs after the transaction ended is fine
    let later: Promise<unknown> = Promise.resolve();
    await db.tx(async (tx) => {
      await tx.setting.create({ data: { key: 'inside', value: 'x' } });
      later = new Promise((resolve) =>
        db.afterCommit(() => resolve(db.prisma.setting.create({ data: { key: 'after', value: 'y' } }))),
      );
    });
    await later;
    assert.deepEqual((await db.prisma.setting.findMany()).map((r) => r.key).sort(), ['after', 'inside']);
  } finally {
    await drop();
  }
});
