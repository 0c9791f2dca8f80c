/**
 * The scheduler fires several due jobs in one transaction: a job that throws does not hold
 * up the others (the batch rolls back and they fire one by one; the bad one is retried alone),
 * a job changed by an earlier handler of its batch does not fire, batched handlers give the
 * outcomes of one-by-one firing, and two schedulers on one database fire each job once.
 */
import assert from 'node:assert/strict';
import pino from 'pino';
import { afterAll, beforeAll, test } from 'vitest';
import { appendAuditMany, verifyChain } from '../../../src/audit/chain.ts';
import { cancelJobs, type JobHandler, Scheduler, scheduleJob } from '../../../src/scheduler/scheduler.ts';
import { type TestApp, testApp } from '../../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

const log = pino({ level: 'silent' });

async function jobs(kind: string, n: number, opts: { ref?: string; dueInMs?: number } = {}): Promise<string[]> {
  const due = new Date(t.clock.now().getTime() + (opts.dueInMs ?? -1000));
  const ids = Array.from({ length: n }, (_, i) => `${kind}:${String(i).padStart(3, '0')}`);
  await t.app.db.tx(async (tx) => {
    for (const [i, id] of ids.entries())
      await scheduleJob(t.app.db, tx, {
        id,
        kind,
        dueAt: new Date(due.getTime() + i), // a definite firing order
        data: { i },
        refType: opts.ref ? 'test' : undefined,
        refId: opts.ref,
      });
  });
  return ids;
}

const statuses = async (kind: string) =>
  (await t.app.db.prisma.job.findMany({ where: { kind }, orderBy: { id: 'asc' } })).map((j) => j.status);

test('a batch where one job throws: the others fire once, the bad one stays pending and is retried alone', async () => {
  // no time limit on a batch here: on a loaded machine a batch cut short by time would change
  // which jobs ran twice (the time limit has its own behaviour, not this test's subject)
  const s = new Scheduler(t.app.db, t.clock, log, { batch: 10, batchMs: 600_000 });
  let broken = true;
  const calls = new Map<number, number>();
  s.register('t.throw', async (tx, job) => {
    const i = Number(job.args.i);
    calls.set(i, (calls.get(i) ?? 0) + 1);
    await tx.auditRecord.count(); // some work in the transaction
    if (i === 4 && broken) throw new Error('boom');
    return 'done';
  });
  await jobs('t.throw', 25);
  const fired = await s.runDue();
  assert.equal(fired, 24);
  const st = await statuses('t.throw');
  assert.equal(st[4], 'pending');
  assert.equal(st.filter((x) => x === 'done').length, 24);
  // the first batch ran up to job 4 and rolled back, then its jobs ran one by one; the
  // other batches once (what ran in a rolled-back transaction left nothing behind)
  for (const [i, n] of calls) assert.equal(n, i <= 4 ? 2 : 1, `job ${i} ran ${n} times`);
  // the next pass retries it alone; it keeps failing without holding up new jobs
  await jobs('t.later', 3);
  s.register('t.later', async () => 'done');
  assert.equal(await s.runDue(), 3);
  assert.equal(calls.get(4), 3);
  broken = false;
  assert.equal(await s.runDue(), 1);
  assert.deepEqual(
    (await statuses('t.throw')).filter((x) => x !== 'done'),
    [],
  );
  assert.equal(await s.runDue(), 0);
});

test('a job cancelled by an earlier handler of the same batch does not fire', async () => {
  const s = new Scheduler(t.app.db, t.clock, log, { batch: 10 });
  const ran: string[] = [];
  s.register('t.cancel', async (tx, job) => {
    ran.push(job.id);
    if (job.args.i === 0) await cancelJobs(tx, 'test', 'victim');
    return 'done';
  });
  await jobs('t.cancel', 1);
  const [victim] = await jobs('t.victim', 1, { ref: 'victim', dueInMs: -500 });
  s.register('t.victim', async (_tx, job) => {
    ran.push(job.id);
    return 'done';
  });
  await s.runDue();
  const v = await t.app.db.prisma.job.findUniqueOrThrow({ where: { id: victim as string } });
  assert.equal(v.status, 'cancelled');
  assert.deepEqual(
    (await t.app.db.prisma.job.findMany({ where: { kind: 't.cancel' } })).map((j) => j.status),
    ['done'],
  );
});

test('a batched handler gets its jobs in due order, in one call per run of its kind; outcomes are recorded per job', async () => {
  const s = new Scheduler(t.app.db, t.clock, log, { batch: 50 });
  const seen: string[][] = [];
  const h: JobHandler = async () => 'done';
  h.many = async (_tx, js) => {
    seen.push(js.map((j) => j.id));
    return js.map((j) => (Number(j.args.i) % 2 ? 'skipped' : 'done'));
  };
  s.register('t.many', h);
  const ids = await jobs('t.many', 7);
  assert.equal(await s.runDue(), 7);
  assert.deepEqual(seen, [ids]);
  assert.deepEqual(await statuses('t.many'), ['done', 'skipped', 'done', 'skipped', 'done', 'skipped', 'done']);
});

test('two schedulers on one database, running at the same time: every job fires exactly once', async () => {
  const count = new Map<string, number>();
  const handler: JobHandler = async (tx, job) => {
    count.set(job.id, (count.get(job.id) ?? 0) + 1);
    await tx.auditRecord.count();
    return 'done';
  };
  const a = new Scheduler(t.app.db, t.clock, log, { batch: 7 });
  const b = new Scheduler(t.app.db, t.clock, log, { batch: 5 });
  a.register('t.race', handler);
  b.register('t.race', handler);
  const ids = await jobs('t.race', 60);
  const [x, y] = await Promise.all([a.runDue(), b.runDue()]);
  assert.equal(x + y, 60);
  assert.deepEqual(
    ids.filter((id) => count.get(id) !== 1),
    [],
  );
});

test('appending several audit records at once gives the chain one-by-one appends give', async () => {
  const db = t.app.db;
  const at = t.clock.now();
  const seqs = await db.tx((tx) =>
    appendAuditMany(db, tx, [
      { actor: 'test', action: 'many', subject: 'a', data: { n: 1 }, at },
      { actor: 'test', action: 'many', subject: 'b', at },
      { actor: 'test', action: 'many', subject: 'c', data: { n: 3 }, at },
    ]),
  );
  assert.equal(seqs.length, 3);
  assert.deepEqual([seqs[1] as number, seqs[2] as number], [(seqs[0] as number) + 1, (seqs[0] as number) + 2]);
  const v = await verifyChain(db.prisma);
  assert.equal(v.ok, true, JSON.stringify(v));
});
