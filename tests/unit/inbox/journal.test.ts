/**
 * The command journal (src/inbox/journal.ts) on a real database: the entry leaves with the
 * command's first transaction or not at all, a taken-over entry aborts the slow process's
 * transaction, abandoned entries run again after their claim expires, and background work
 * started inside a command does not carry the entry away.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import pino from 'pino';
import { afterAll, test } from 'vitest';
import { consoleRefs } from '../../../src/adapters/console/refs.ts';
import { verifyChain } from '../../../src/audit/chain.ts';
import { replyToText } from '../../../src/core/reply.ts';
import { DatabaseUnavailable } from '../../../src/db/client.ts';
import { outsideScope } from '../../../src/db/scope.ts';
import { CommandJournal } from '../../../src/inbox/journal.ts';
import { SeenRequests } from '../../../src/services/seen-requests.ts';
import { PROVIDER, type TestApp, testApp } from '../../helpers/app.ts';
import { PERSONAS as P, registerPersonas } from '../../helpers/personas.ts';

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

let admitRun = 0;

test(`admissions arriving together share one transaction and each finds what it would alone (${PROVIDER}, property)`, {
  timeout: 120_000,
}, async () => {
  const { t } = await setup();
  const db = t.app.db;
  const seen = new SeenRequests(db, t.clock);
  const expiresAt = new Date(t.clock.now().getTime() + 3_600_000);
  // keys from 6 values: nearly every burst repeats one (admitted one after the other); from
  // 100,000: nearly none does (admitted with one statement per table for the whole batch)
  for (const max of [5, 100_000])
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            sig: fc.integer({ min: 0, max }),
            req: fc.option(fc.integer({ min: 0, max }), { nil: null }),
            command: fc.boolean(),
            // one of its keys already recorded before the burst (a retry of an earlier request)
            before: fc.constantFrom('none', 'sig', 'req'),
          }),
          { minLength: 1, maxLength: 20 },
        ),
        async (requests) => {
          const run = `a${++admitRun}`;
          const j = new CommandJournal(db, t.clock, pino({ level: 'silent' }), { workerId: run, claimTtlMs: TTL });
          const keysOf = (r: (typeof requests)[number]) => ({
            sig: `${run}:sig:${r.sig}`,
            req: r.req === null ? null : `${run}:req:${r.req}`,
          });
          const earlier = requests.flatMap((r) => {
            const k = keysOf(r);
            return r.before === 'sig' ? [k.sig] : r.before === 'req' && k.req ? [k.req] : [];
          });
          for (const key of new Set(earlier)) await seen.firstTimeMany([{ key, expiresAt }]);
          // all in one turn of the event loop, as a burst read in one go
          const results = await Promise.all(
            requests.map((r) => {
              const k = keysOf(r);
              const entries = [{ key: k.sig, expiresAt }, ...(k.req ? [{ key: k.req, expiresAt }] : [])];
              return j.admit(
                seen,
                entries,
                r.command && k.req ? { key: k.req, platform: 'slack', payload: { text: `report ${k.req}` } } : null,
              );
            }),
          );
          // the oracle: one after the other, in arrival order
          const known = new Set<string>(earlier);
          const heldKeys: string[] = [];
          for (const [i, r] of requests.entries()) {
            const k = keysOf(r);
            const keys = [k.sig, ...(k.req ? [k.req] : [])];
            const fresh = keys.filter((key) => !known.has(key));
            for (const key of keys) known.add(key);
            const got = results[i];
            assert.deepEqual(
              [...(got?.fresh ?? [])].sort(),
              fresh.sort(),
              `request ${i}: keys seen for the first time`,
            );
            const held = r.command && k.req !== null && fresh.length === keys.length;
            assert.equal(got?.held?.key ?? null, held ? k.req : null, `request ${i}: held or not`);
            if (held) heldKeys.push(k.req as string);
          }
          const rows = await db.prisma.pendingCommand.findMany({ where: { key: { startsWith: `${run}:` } } });
          assert.deepEqual(rows.map((p) => p.key).sort(), heldKeys.sort());
          assert.equal(j.admitStats.members, requests.length);
          assert.equal(j.admitStats.batches, 1, 'a burst read in one turn is admitted in one transaction');
        },
      ),
      { numRuns: 25, seed: 1903 },
    );
});

test(`an admission that fails does not refuse the others admitted with it (${PROVIDER})`, async () => {
  const { t, pending } = await setup();
  const j = new CommandJournal(t.app.db, t.clock, pino({ level: 'silent' }), { workerId: 'A', claimTtlMs: TTL });
  const seen = new SeenRequests(t.app.db, t.clock);
  const expiresAt = new Date(t.clock.now().getTime() + 3_600_000);
  const admit = (key: string, payload: unknown) =>
    j.admit(seen, [{ key, expiresAt }], { key, platform: 'slack', payload });
  // a payload the journal cannot write (JSON has no bigint), between two good ones
  const [a, bad, b] = await Promise.allSettled([
    admit('fail:a', { text: 'a' }),
    admit('fail:bad', { n: 1n }),
    admit('fail:b', { text: 'b' }),
  ]);
  assert.equal(a.status === 'fulfilled' && a.value.held?.key, 'fail:a');
  assert.equal(b.status === 'fulfilled' && b.value.held?.key, 'fail:b');
  assert.ok(bad.status === 'rejected' && /BigInt/.test(String(bad.reason)), String(bad.status));
  assert.deepEqual((await pending()).map((p) => p.key).sort(), ['fail:a', 'fail:b']);
  // nothing of the bad one was kept: its key is not "seen", so Slack's retry of it is run
  assert.equal(await t.app.db.prisma.seenRequest.count({ where: { key: 'fail:bad' } }), 0);
});

test('SQLite: admissions waiting behind a long transaction are refused within their own wait, not one wait after another', {
  skip: PROVIDER !== 'sqlite',
  timeout: 30_000,
}, async () => {
  const { t } = await setup();
  const db = t.app.db;
  const observed: { ms: number; outcome: string }[] = [];
  const j = new CommandJournal(db, t.clock, pino({ level: 'silent' }), {
    workerId: 'A',
    claimTtlMs: TTL,
    admitWaitMs: 400,
    onAdmitWait: (ms, outcome) => observed.push({ ms, outcome }),
  });
  const seen = new SeenRequests(db, t.clock);
  const expiresAt = new Date(t.clock.now().getTime() + 3_600_000);
  let release = () => {};
  const released = new Promise<void>((r) => {
    release = r;
  });
  let holding = false;
  const holder = db.tx(async (tx) => {
    await db.query(tx, 'SELECT 1');
    holding = true;
    await released;
  });
  while (!holding) await new Promise((r) => setTimeout(r, 5));
  const started = Date.now();
  const waits = await Promise.all(
    [0, 1, 2, 3].map(async (i) => {
      // arriving 50 ms apart, while the first is already waiting
      await new Promise((r) => setTimeout(r, i * 50));
      const at = Date.now();
      const r = await j.admit(seen, [{ key: `wait:${i}`, expiresAt }], null).then(
        () => 'admitted',
        (e: unknown) => (e instanceof DatabaseUnavailable ? 'refused' : String(e)),
      );
      return { r, ms: Date.now() - at };
    }),
  );
  release();
  await holder;
  for (const w of waits) {
    assert.equal(w.r, 'refused');
    assert.ok(w.ms < 400 + 250, `refused after ${w.ms} ms (its wait: 400 ms)`);
  }
  // each refusal observed once, with its own wait (the metrics' csirt_admission_wait_seconds)
  assert.deepEqual(
    observed.map((o) => o.outcome),
    ['refused', 'refused', 'refused', 'refused'],
  );
  for (const o of observed) assert.ok(o.ms >= 390 && o.ms < 400 + 250, `observed ${o.ms} ms`);
  assert.ok(Date.now() - started < 1500);
});

test(`a burst left in the journal by a stopped process runs again together: each once, in batches, ids gap-free, the chain verifies (${PROVIDER})`, {
  timeout: 60_000,
}, async () => {
  const { t, journal, pending, outcomes } = await setup();
  await registerPersonas(t);
  // what a process SIGKILLed right after acknowledging twelve reports leaves behind
  const dead = journal('dead');
  for (let i = 0; i < 12; i++)
    await dead.hold(t.app.db.prisma, `burst-${i}`, 'slack', {
      text: `report category=malware summary="burst ${i}"`,
    });
  const live = journal('live');
  const answers = new Map<string, number>();
  live.register('slack', async (payload) => {
    const text = (payload as { text: string }).text;
    const o = await t.app.router.handle({
      platform: 'console',
      identity: P.poc,
      text,
      channelId: null,
      refs: consoleRefs,
    });
    const reply = replyToText(o.reply);
    answers.set(reply, (answers.get(reply) ?? 0) + 1);
  });
  const before = { ...t.app.services.incidents.reportBatches };
  t.clock.advance(TTL + 1);
  assert.equal(await live.recover(), 12);
  const db = t.app.db.prisma;
  const incidents = await db.incident.findMany({ orderBy: { id: 'asc' } });
  assert.deepEqual(
    incidents.map((i) => i.summary).sort(),
    Array.from({ length: 12 }, (_, i) => `burst ${i}`).sort(),
    'every command once',
  );
  const numbers = incidents.map((i) => Number(i.id.slice(-4)));
  assert.deepEqual(
    numbers,
    Array.from({ length: 12 }, (_, i) => i + 1),
    'ids 1…12 without a gap',
  );
  assert.equal(answers.size, 12, 'answered once each');
  assert.ok([...answers.values()].every((n) => n === 1));
  assert.deepEqual(await pending(), [], 'every entry left with its report');
  const chain = await verifyChain(db);
  assert.ok(chain.ok, JSON.stringify(chain));
  assert.equal(outcomes.filter((o) => o === 'live:slack:replayed').length, 12);
  const stats = t.app.services.incidents.reportBatches;
  const batches = stats.batches - before.batches;
  assert.equal(stats.members - before.members, 12);
  assert.ok(batches < 12, `replayed together: 12 reports in ${batches} transactions (one at a time: 12)`);
});

test('PostgreSQL: an admission held up by a lock does not hold up the requests after it (admissions run side by side)', {
  skip: PROVIDER !== 'postgresql',
  timeout: 30_000,
}, async () => {
  const { t } = await setup();
  const db = t.app.db;
  const j = new CommandJournal(db, t.clock, pino({ level: 'silent' }), { workerId: 'A', claimTtlMs: TTL });
  const seen = new SeenRequests(db, t.clock);
  const expiresAt = new Date(t.clock.now().getTime() + 3_600_000);
  let release = () => {};
  const released = new Promise<void>((r) => {
    release = r;
  });
  let holding = false;
  // another transaction has recorded key a and not committed yet: an admission of a waits for it
  const holder = db.tx(async (tx) => {
    await db.execute(tx, 'INSERT INTO "SeenRequest" ("key", "expiresAt") VALUES (?, ?)', 'par:a', expiresAt);
    holding = true;
    await released;
  });
  while (!holding) await new Promise((r) => setTimeout(r, 5));
  const a = j.admit(seen, [{ key: 'par:a', expiresAt }], null);
  await new Promise((r) => setTimeout(r, 100));
  const b = await Promise.race([
    j.admit(seen, [{ key: 'par:b', expiresAt }], null),
    new Promise<null>((r) => setTimeout(() => r(null), 5000)),
  ]);
  assert.ok(b?.fresh.has('par:b'), 'b admitted while a waits for the lock');
  release();
  await holder;
  assert.deepEqual([...(await a).fresh], [], 'a: recorded by the other transaction first');
});
