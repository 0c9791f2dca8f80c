/**
 * The command journal (src/inbox/journal.ts) on a real database: the entry leaves with the
 * command's first transaction or not at all, a taken-over entry aborts the slow process's
 * transaction, abandoned entries run again after their claim expires, and background work
 * started inside a command does not carry the entry away.
 */
import assert from 'node:assert/strict';
import pino from 'pino';
import { afterAll, test } from 'vitest';
import { outsideScope } from '../../../src/db/scope.ts';
import { CommandJournal } from '../../../src/inbox/journal.ts';
import { type TestApp, testApp } from '../../helpers/app.ts';

const apps: TestApp[] = [];
afterAll(async () => {
  for (const t of apps) await t.close();
});

const TTL = 10_000;
async function setup() {
  const t = await testApp();
  apps.push(t);
  const log = pino({ level: 'silent' });
  const outcomes: string[] = [];
  const journal = (workerId: string) =>
    new CommandJournal(t.app.db, t.clock, log, {
      workerId,
      claimTtlMs: TTL,
      maxAttempts: 3,
      onOutcome: (platform, outcome) => outcomes.push(`${workerId}:${platform}:${outcome}`),
    });
  const settings = () => t.app.db.prisma.setting.findMany({ where: { key: { startsWith: 'j-' } } });
  const write = (key: string) => t.app.db.tx((tx) => tx.setting.create({ data: { key, value: 'x' } }));
  const pending = () => t.app.db.prisma.pendingCommand.findMany();
  return { t, journal, settings, write, pending, outcomes };
}

test('the first transaction of a command takes its entry with it; a rolled-back one leaves it', async () => {
  const { t, journal, settings, write, pending } = await setup();
  const j = journal('A');
  const held = await j.hold(t.app.db.prisma, 'k1', 'slack', { text: 'report' });
  assert.equal((await pending()).length, 1);
  await assert.rejects(
    j.run(held, async () => {
      await t.app.db.tx(async (tx) => {
        await tx.setting.create({ data: { key: 'j-rolled-back', value: 'x' } });
        throw new Error('boom');
      });
    }),
    /boom/,
  );
  // the work failed: nothing committed; the entry is released at the end of the work all the same
  // (a command that fails is answered with its error, not run again)
  assert.deepEqual(await settings(), []);
  assert.equal((await pending()).length, 0);

  const held2 = await j.hold(t.app.db.prisma, 'k2', 'slack', {});
  let seenInside = -1;
  await j.run(held2, async () => {
    await write('j-one');
    seenInside = (await pending()).length; // gone as soon as the first transaction committed
    await write('j-two'); // a second transaction does not touch the journal
  });
  assert.equal(seenInside, 0);
  assert.equal((await settings()).length, 2);
});

test('a retried transaction (busy, deadlock) still carries the entry', async () => {
  const { t, journal, pending } = await setup();
  const j = journal('A');
  const held = await j.hold(t.app.db.prisma, 'k', 'slack', {});
  let attempts = 0;
  await j.run(held, () =>
    t.app.db.tx(async (tx) => {
      attempts++;
      if ((await tx.pendingCommand.count()) !== 0) throw new Error('entry still there inside the transaction');
      if (attempts === 1) throw Object.assign(new Error('could not serialize access'), { code: '40001' });
      await tx.setting.create({ data: { key: 'j-retried', value: 'x' } });
    }),
  );
  assert.equal(attempts, 2);
  assert.equal((await pending()).length, 0);
  assert.equal(await t.app.db.prisma.setting.count({ where: { key: 'j-retried' } }), 1);
});

test('a slow process whose claim was taken over: its transaction aborts, nothing of it commits', async () => {
  const { t, journal, settings, write, pending, outcomes } = await setup();
  const slow = journal('slow');
  const other = journal('other');
  const held = await slow.hold(t.app.db.prisma, 'k', 'slack', { n: 1 });
  let replayed: unknown;
  other.register('slack', async (payload) => {
    replayed = payload;
    await write('j-by-other');
  });
  assert.equal(await other.recover(), 0, 'not taken over before the claim expires');
  t.clock.advance(TTL + 1);
  assert.equal(await other.recover(), 1);
  assert.deepEqual(replayed, { n: 1 });
  let reached = false;
  const result = await slow.run(held, async () => {
    await write('j-by-slow');
    reached = true;
    return 'replied';
  });
  assert.equal(result, undefined, 'the slow process does not reply');
  assert.equal(reached, false);
  assert.deepEqual(
    (await settings()).map((s) => s.key),
    ['j-by-other'],
  );
  assert.equal((await pending()).length, 0);
  assert.deepEqual(outcomes, ['other:slack:replayed', 'slow:slack:taken_over']);
});

test('abandoned entries: claimed once per expiry, by one process, and given up after 3 runs', async () => {
  const { t, journal, pending, outcomes } = await setup();
  const a = journal('A');
  const b = journal('B');
  await a.hold(t.app.db.prisma, 'crashes', 'slack', {});
  await a.hold(t.app.db.prisma, 'other-platform', 'mattermost', {});
  let runs = 0;
  const crashing = async () => {
    runs++;
    // a replay whose process dies mid-way leaves the entry (simulated: the work never ends
    // here, so the test stops waiting for it and lets the claim expire)
    await new Promise(() => {});
  };
  a.register('slack', crashing);
  b.register('slack', crashing);
  for (let round = 1; round <= 2; round++) {
    t.clock.advance(TTL + 1);
    void a.recover();
    void b.recover();
    // until one of them has started it (a loaded machine may take seconds), then a while more
    // in which the other must not start it too
    for (const end = Date.now() + 15_000; runs < round && Date.now() < end; )
      await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(runs, round, `round ${round}: exactly one process runs it`);
  }
  // third claim: attempts = 4 > 3 → given up, removed
  const c = journal('C');
  c.register('slack', crashing);
  t.clock.advance(TTL + 1);
  await c.recover();
  assert.equal(runs, 2);
  assert.deepEqual(
    (await pending()).map((p) => p.key),
    ['other-platform'],
    'the Mattermost entry waits for a process that has Mattermost',
  );
  assert.deepEqual(
    outcomes.map((o) => o.split(':').slice(1).join(':')),
    ['slack:replayed', 'slack:replayed', 'slack:given_up'],
  );
});

test('background work started inside a command (the dispatcher kick) runs outside its journal scope', async () => {
  const { t, journal, write, pending } = await setup();
  const j = journal('A');
  const run = async (isolate: boolean) => {
    const key = `k-${isolate}`;
    const held = await j.hold(t.app.db.prisma, key, 'console', {});
    let inside = -1;
    await j.run(held, async () => {
      const background = () =>
        new Promise<void>((resolve) =>
          setImmediate(
            () =>
              void t.app.db
                .tx(async () => {})
                .then(async () => {
                  inside = (await pending()).filter((p) => p.key === key).length;
                  resolve();
                }),
          ),
        );
      await (isolate ? outsideScope(background) : background());
      await write(`j-${isolate}`);
    });
    return inside;
  };
  // inside the scope a background transaction would carry the command's entry away (and a
  // crash before the command's own transaction would then lose the command)…
  assert.equal(await run(false), 0);
  // …outside it (as app.ts kicks the dispatcher) the entry waits for the command's transaction
  assert.equal(await run(true), 1);
  assert.equal((await pending()).length, 0);
});

test('turn: at most `concurrency` works at once, first come first served; a failing one frees its turn', async () => {
  const { t } = await setup();
  const j = new CommandJournal(t.app.db, t.clock, pino({ level: 'silent' }), {
    workerId: 'T',
    claimTtlMs: TTL,
    concurrency: 2,
  });
  let running = 0;
  let most = 0;
  const started: number[] = [];
  const gates = new Map<number, () => void>();
  const work = (i: number) =>
    j.turn(async () => {
      started.push(i);
      running++;
      most = Math.max(most, running);
      await new Promise<void>((r) => gates.set(i, r));
      running--;
      if (i === 1) throw new Error(`work ${i} failed`);
      return i;
    });
  const all = [0, 1, 2, 3, 4].map((i) => work(i));
  const settle = async () => {
    for (let k = 0; k < 5; k++) await new Promise((r) => setImmediate(r));
  };
  await settle();
  assert.deepEqual(started, [0, 1]);
  gates.get(1)?.();
  await assert.rejects(all[1] as Promise<number>, /work 1 failed/);
  await settle();
  assert.deepEqual(started, [0, 1, 2]);
  for (const i of [0, 2, 3, 4]) {
    await settle();
    gates.get(i)?.();
  }
  assert.deepEqual(await Promise.all([all[0], all[2], all[3], all[4]]), [0, 2, 3, 4]);
  assert.deepEqual(started, [0, 1, 2, 3, 4]);
  assert.equal(most, 2);
  // every turn given back: the next work starts at once
  assert.equal(await j.turn(async () => 'free'), 'free');
});
