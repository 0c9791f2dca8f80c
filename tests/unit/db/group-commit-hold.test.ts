/**
 * The acknowledgement does not wait for a whole report batch (issue 19 item 7): on SQLite a
 * batch's transaction has the one connection, and the admission of a request arriving meanwhile
 * (src/inbox/journal.ts `admit`, before Slack is answered) waits for it. With `holdMs` a batch
 * takes only as many members as fit in that time, so an admission started while a long queue of
 * slow members is being written gets through after the first batch, not after all of them.
 */
import assert from 'node:assert/strict';
import pino from 'pino';
import { afterAll, test, vi } from 'vitest';
import { CPU_SAMPLE_EVERY, GroupCommit } from '../../../src/db/group-commit.ts';
import { CommandJournal } from '../../../src/inbox/journal.ts';
import { takeSeqs } from '../../../src/services/ids.ts';
import { SeenRequests } from '../../../src/services/seen-requests.ts';
import { PROVIDER, type TestApp, testApp } from '../../helpers/app.ts';

const apps: TestApp[] = [];
afterAll(async () => {
  for (const t of apps) await t.close();
});

/**
 * a member's work on the one JavaScript thread (SQLite's statements are synchronous): `ms` of
 * this process's CPU time, whatever else the machine runs (the bound counts CPU time)
 */
const spin = (ms: number) => {
  const start = process.cpuUsage();
  for (;;) {
    const used = process.cpuUsage(start);
    if ((used.user + used.system) / 1000 >= ms) return;
  }
};

async function admitDuringBatches(holdMs: number | undefined, seq: string) {
  const t = await testApp();
  apps.push(t);
  const db = t.app.db;
  const gc = new GroupCommit(db, {
    max: 32,
    ...(holdMs !== undefined ? { holdMs } : {}),
    take: (tx, s, count) => takeSeqs(db, tx, s, count),
    own: () => false,
    open: () => undefined,
  });
  const journal = new CommandJournal(db, t.clock, pino({ level: 'silent' }), { workerId: 'A', claimTtlMs: 60_000 });
  const seen = new SeenRequests(db, t.clock);
  const member = (onWrite?: () => void) =>
    gc.run({
      seq,
      write: async (tx, n) => {
        onWrite?.();
        await db.query(tx, 'SELECT 1');
        spin(20);
        return n;
      },
    });
  await member(); // one batch first: the time a member takes is known
  const resolved: number[] = [];
  let admittedAfter = -1;
  let admission: Promise<void> | undefined;
  const members = Array.from({ length: 20 }, (_, i) =>
    member(
      i === 0
        ? () => {
            // a request arrives while the first batch is being written
            admission ??= new Promise<void>((r) => setTimeout(r, 0)).then(async () => {
              const key = `slack:trigger:hold-${seq}`;
              const a = await journal.admit(seen, [{ key, expiresAt: new Date(Date.now() + 60_000) }], {
                key,
                platform: 'slack',
                payload: { text: 'report' },
              });
              assert.equal(a.held?.key, key);
              admittedAfter = resolved.length;
            });
          }
        : undefined,
    ).then((n) => void resolved.push(n)),
  );
  await Promise.all(members);
  await admission;
  return { admittedAfter, largest: gc.stats.largest };
}

test(`an admission arriving during a long queue of slow reports waits for one batch of about holdMs, not for all (${PROVIDER})`, {
  timeout: 60_000,
}, async () => {
  const { admittedAfter, largest } = await admitDuringBatches(60, 'HOLD-A');
  assert.ok(largest <= 4, `batches cut to the time (20 ms of CPU a member, 60 ms): largest ${largest}`);
  // SQLite: the admission needs the one connection, which each batch holds: it gets through
  // after the first batch or two. PostgreSQL: the admission has a connection of its own and waits
  // for no batch, only for this thread between the members' 20 ms spins, a handful of its round
  // trips each behind one (CI, 2026-12-04 15:5x, load ~3: 10 of 20); what holds there is that it
  // is not held to the end, and the batches' size above
  const bound = PROVIDER === 'sqlite' ? 8 : 19;
  assert.ok(admittedAfter >= 0 && admittedAfter <= bound, `admitted after ${admittedAfter} of 20 reports`);
});

test(`without holdMs a batch takes up to max, and on SQLite the admission waits for all of it (${PROVIDER})`, {
  skip: PROVIDER !== 'sqlite',
  timeout: 60_000,
}, async () => {
  // the case the bound is for: shown here so that the test above cannot pass for another reason
  const { admittedAfter, largest } = await admitDuringBatches(undefined, 'HOLD-B');
  assert.equal(largest, 20);
  assert.equal(admittedAfter, 20);
});

test(`the time per member is measured on one batch in CPU_SAMPLE_EVERY, and still bounds the batches when members slow down (${PROVIDER})`, {
  timeout: 60_000,
}, async () => {
  const t = await testApp();
  apps.push(t);
  const db = t.app.db;
  // each attempt at a batch counts its members
  const attempts: { size: number }[] = [];
  const gc = new GroupCommit(db, {
    max: 32,
    holdMs: 60,
    take: (tx, s, count) => takeSeqs(db, tx, s, count),
    own: () => false,
    open: () => {
      const a = { size: 0 };
      attempts.push(a);
      return a;
    },
  });
  const member = (ms: number) =>
    gc.run({
      seq: 'HOLD-S',
      write: async (tx, n, batch) => {
        batch.size++;
        await db.query(tx, 'SELECT 1');
        spin(ms);
        return n;
      },
    });
  // the group commit's own calls (getrusage: a system call each), not the test's spin
  let calls = 0;
  const real = process.cpuUsage.bind(process);
  const spy = vi.spyOn(process, 'cpuUsage').mockImplementation((prev?: NodeJS.CpuUsage) => {
    const stack = new Error().stack ?? '';
    if (stack.includes('group-commit.ts') && !stack.includes('at spin')) calls++;
    return real(prev);
  });
  // and the group commit's clock stands still: no batch looks slower than its estimate (under
  // load, a batch descheduled for half its time would have the next one measured as well)
  const now = performance.now.bind(performance);
  const clock = vi
    .spyOn(performance, 'now')
    .mockImplementation(() => (new Error().stack?.includes('group-commit.ts') ? 0 : now()));
  try {
    // one member at a time: one batch each
    const batches = 4 * CPU_SAMPLE_EVERY + 1;
    for (let i = 0; i < batches; i++) await member(1);
    // two calls per measured batch: the first batch, then one in CPU_SAMPLE_EVERY (it was every batch)
    assert.equal(calls, 2 * (1 + Math.ceil((batches - 1) / CPU_SAMPLE_EVERY)));
  } finally {
    spy.mockRestore();
    clock.mockRestore();
  }
  // the members become 20 times slower, 100 of them waiting: the first batch is cut to the old
  // estimate (32 members); the clock shows it slow, so the next one is measured at the latest,
  // and the batches after that are cut to what fits in holdMs (measured every batch: one batch
  // of 32; sampled without the clock's check: up to CPU_SAMPLE_EVERY of them)
  const from = attempts.length;
  await Promise.all(Array.from({ length: 100 }, () => member(20)));
  const sizes = attempts.slice(from).map((a) => a.size);
  assert.ok(sizes.filter((n) => n > 8).length <= 2, `batches of 20 ms members: ${sizes.join(', ')}`);
  assert.ok(
    sizes.slice(-3).every((n) => n <= 5),
    `batches of 20 ms members: ${sizes.join(', ')}`,
  );
});
