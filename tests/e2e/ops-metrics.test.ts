/**
 * Metrics an operator alerts on (issue 22 item 7), read through GET /metrics with the token:
 * the outbox backlog by state and the age of the oldest delivery waiting (a platform down for
 * two hours on the moved clock), deliveries failed, jobs overdue, commands given up, and the
 * largest clock difference between live processes (two real apps on one database, one with
 * its clock 7 s ahead; a stopped process and a long-dead heartbeat are not counted).
 */
import assert from 'node:assert/strict';
import pino from 'pino';
import { afterAll, beforeAll, test } from 'vitest';
import { consoleRefs } from '../../src/adapters/console/refs.ts';
import { type App, createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { offsetClock } from '../../src/core/clock.ts';
import { PlatformError, type PlatformName, type PlatformSeam } from '../../src/core/platform.ts';
import { enqueue } from '../../src/outbox/outbox.ts';
import { scheduleJob } from '../../src/scheduler/scheduler.ts';
import { MemoryPlatform } from '../fakes/memory-platform.ts';
import { type TestApp, testApp, testDb } from '../helpers/app.ts';
import { PERSONAS as P, registerPersonas } from '../helpers/personas.ts';

const TOKEN = 'metrics-token-for-ops-test-0001';
let t: TestApp;
let base: string;

beforeAll(async () => {
  t = await testApp({ env: { METRICS_TOKEN: TOKEN } });
  base = `http://127.0.0.1:${await t.app.http.listen(0, '127.0.0.1')}`;
});
afterAll(async () => {
  await t.app.http.close();
  await t.close();
});

async function scrape(url = base): Promise<string> {
  const r = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(r.status, 200);
  return r.text();
}

/** the value of one series (exact labels text, '' for none), or undefined */
function value(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

const put = (key: string) =>
  t.app.db.tx((tx) =>
    enqueue(
      tx,
      {
        platform: 'console',
        kind: 'post',
        target: 'ops-metrics',
        message: { blocks: [{ kind: 'text', text: key }] },
        dedupeKey: key,
      },
      t.clock.now(),
    ),
  );

test('without the token: 401, and nothing read', async () => {
  assert.equal((await fetch(`${base}/metrics`)).status, 401);
});

test('outbox backlog by state, the oldest waiting row aging on the clock, failures counted', async () => {
  let m = await scrape();
  assert.equal(value(m, 'csirt_outbox_oldest_waiting_seconds'), 0);
  assert.equal(value(m, 'csirt_outbox_deliveries', '{state="pending"}'), 0);
  const failedBefore = value(m, 'csirt_outbox_deliveries', '{state="failed"}') ?? 0;
  // the platform down: two posts wait, retried with backoff
  for (let i = 0; i < 6; i++) t.platform.failures.push(new PlatformError('transient', 'ECONNREFUSED'));
  await put('om:1');
  await put('om:2');
  await t.app.dispatcher.drain();
  m = await scrape();
  assert.equal(value(m, 'csirt_outbox_deliveries', '{state="pending"}'), 2);
  assert.equal(value(m, 'csirt_outbox_oldest_waiting_seconds'), 0);
  t.clock.advance(2 * 3_600_000);
  m = await scrape();
  assert.equal(value(m, 'csirt_outbox_oldest_waiting_seconds'), 7200, 'two hours on the moved clock');
  // a permanent failure: one more failed row (and its notice is posted)
  t.platform.failures = [new PlatformError('permanent', 'channel_not_found')];
  await put('om:3');
  await t.app.dispatcher.drain();
  m = await scrape();
  assert.equal(value(m, 'csirt_outbox_deliveries', '{state="failed"}'), failedBefore + 1);
  assert.equal(value(m, 'csirt_deliveries_total', '{platform="console",outcome="failed"}'), 1);
  // the platform back: everything sent, nothing waiting
  t.platform.failures = [];
  t.clock.advance(600_000);
  await t.app.dispatcher.drain();
  m = await scrape();
  assert.equal(value(m, 'csirt_outbox_deliveries', '{state="pending"}'), 0);
  assert.equal(value(m, 'csirt_outbox_oldest_waiting_seconds'), 0);
  assert.ok((value(m, 'csirt_outbox_deliveries', '{state="sent"}') ?? 0) >= 2);
  // a post scheduled for later and never tried is not "waiting"
  await t.app.db.tx((tx) =>
    enqueue(
      tx,
      {
        platform: 'console',
        kind: 'post',
        target: 'ops-metrics',
        message: { blocks: [{ kind: 'text', text: 'later' }] },
        dedupeKey: 'om:later',
        notBefore: new Date(t.clock.now().getTime() + 86_400_000),
      },
      t.clock.now(),
    ),
  );
  t.clock.advance(3_600_000);
  m = await scrape();
  assert.equal(value(m, 'csirt_outbox_deliveries', '{state="pending"}'), 1);
  assert.equal(value(m, 'csirt_outbox_oldest_waiting_seconds'), 0);
});

test('jobs overdue: pending a minute past due while no scheduler runs; none once fired', async () => {
  t.app.scheduler.register('ops-metrics-test', async () => 'done');
  const due = t.clock.now();
  await t.app.db.tx((tx) => scheduleJob(t.app.db, tx, { id: 'om:job:1', kind: 'ops-metrics-test', dueAt: due }));
  await t.app.db.tx((tx) =>
    scheduleJob(t.app.db, tx, { id: 'om:job:2', kind: 'ops-metrics-test', dueAt: new Date(due.getTime() + 1_800_000) }),
  );
  let m = await scrape();
  assert.equal(value(m, 'csirt_jobs_overdue'), 0, 'due now is not overdue yet');
  t.clock.advance(59_000);
  assert.equal(value(await scrape(), 'csirt_jobs_overdue'), 0, 'within the minute of grace');
  t.clock.advance(3_600_000 - 59_000);
  m = await scrape();
  assert.equal(value(m, 'csirt_jobs_overdue'), 2);
  assert.equal(value(m, 'csirt_jobs_oldest_overdue_seconds'), 3600);
  await t.app.scheduler.runDue();
  m = await scrape();
  assert.equal(value(m, 'csirt_jobs_overdue'), 0);
  assert.equal(value(m, 'csirt_jobs_oldest_overdue_seconds'), 0);
});

test('commands given up by the journal are counted', async () => {
  t.app.metrics.journal.inc({ platform: 'slack', outcome: 'given_up' });
  const m = await scrape();
  assert.equal(value(m, 'csirt_command_journal_total', '{platform="slack",outcome="given_up"}'), 1);
});

test('report batches and the commands waiting for a turn: present, and moving with the work', async () => {
  await registerPersonas(t);
  let m = await scrape();
  const before = {
    batches: value(m, 'csirt_report_batches_total') ?? Number.NaN,
    members: value(m, 'csirt_report_batch_members_total') ?? Number.NaN,
  };
  assert.ok(before.batches >= 0 && before.members >= 0, 'present before any report');
  assert.equal(value(m, 'csirt_report_batch_solo_reruns_total'), 0);
  assert.equal(value(m, 'csirt_commands_working'), 0);
  assert.equal(value(m, 'csirt_commands_waiting'), 0);
  // six reports at once: written together, in fewer transactions than reports
  const handle = (i: number) =>
    t.app.router.handle({
      platform: 'console',
      identity: P.poc,
      text: `report category=malware summary="metrics ${i}"`,
      channelId: null,
      refs: consoleRefs,
    });
  await Promise.all([0, 1, 2, 3, 4, 5].map(handle));
  m = await scrape();
  const batches = (value(m, 'csirt_report_batches_total') ?? 0) - before.batches;
  assert.equal((value(m, 'csirt_report_batch_members_total') ?? 0) - before.members, 6);
  assert.ok(batches >= 1 && batches < 6, `6 reports in ${batches} transactions`);
  assert.ok((value(m, 'csirt_report_batch_largest') ?? 0) >= 2);
  assert.deepEqual(t.app.services.incidents.reportBatches.members - before.members, 6, 'the figures the service keeps');
  // the journal's concurrency + 2 commands held in their turn: that many work, two wait
  const n = t.app.journal.concurrency;
  assert.equal(n, t.app.db.provider === 'postgresql' ? 16 : 8, 'defaultConcurrency');
  const release: (() => void)[] = [];
  const turns = Array.from({ length: n + 2 }, () =>
    t.app.journal.turn(() => new Promise<void>((r) => release.push(r))),
  );
  await new Promise((r) => setImmediate(r));
  m = await scrape();
  assert.equal(value(m, 'csirt_commands_working'), n);
  assert.equal(value(m, 'csirt_commands_waiting'), 2);
  while (release.length) {
    for (const r of release.splice(0)) r();
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all(turns);
  m = await scrape();
  assert.equal(value(m, 'csirt_commands_working'), 0);
  assert.equal(value(m, 'csirt_commands_waiting'), 0);
});

test('admission waits: one observation per request, by outcome; a wait behind a transaction shows in its bucket', async () => {
  const count = (m: string) => value(m, 'csirt_admission_wait_seconds_count', '{outcome="admitted"}') ?? 0;
  const fast = (m: string) => value(m, 'csirt_admission_wait_seconds_bucket', '{outcome="admitted",le="0.1"}') ?? 0;
  let m = await scrape();
  const before = { count: count(m), fast: fast(m) };
  const seen = t.app.services.seenRequests;
  const expiresAt = new Date(t.clock.now().getTime() + 3_600_000);
  await Promise.all([1, 2, 3].map((i) => t.app.journal.admit(seen, [{ key: `om:admit:${i}`, expiresAt }], null)));
  m = await scrape();
  assert.equal(count(m) - before.count, 3);
  if (t.app.db.provider !== 'sqlite') return;
  // SQLite: a transaction has the one connection for 300 ms; the request waits for it
  let release = () => {};
  const released = new Promise<void>((r) => {
    release = r;
  });
  let holding = false;
  const holder = t.app.db.tx(async (tx) => {
    await t.app.db.query(tx, 'SELECT 1');
    holding = true;
    await released;
  });
  while (!holding) await new Promise((r) => setTimeout(r, 5));
  const slow = t.app.journal.admit(seen, [{ key: 'om:admit:slow', expiresAt }], null);
  await new Promise((r) => setTimeout(r, 300));
  release();
  await holder;
  await slow;
  const after = await scrape();
  assert.equal(count(after) - count(m), 1);
  assert.equal(fast(after) - fast(m), 0, 'a 300 ms wait counted under 100 ms');
});

test('SQLite: the WAL checkpoint thread in /metrics, started by the writes and counted; on PostgreSQL none', async () => {
  let m = await scrape();
  if (t.app.db.provider !== 'sqlite') {
    assert.doesNotMatch(m, /csirt_sqlite_/);
    return;
  }
  const done = (text: string) => value(text, 'csirt_sqlite_checkpoints_total', '{outcome="done"}') ?? Number.NaN;
  const timed = (text: string) => value(text, 'csirt_sqlite_checkpoint_duration_seconds_count') ?? Number.NaN;
  const before = { done: done(m), timed: timed(m) };
  assert.ok(before.done >= 0 && before.timed >= 0, 'present before any checkpoint');
  assert.equal(value(m, 'csirt_sqlite_checkpoint_thread_running'), 0, 'no thread in a bot that wrote little');
  assert.equal(value(m, 'csirt_sqlite_checkpoints_total', '{outcome="failed"}'), 0);
  // ~3 KB rows until the thread has checkpointed once (1,000 pages not yet copied start it)
  const ckpt = t.app.db.checkpointer;
  assert.ok(ckpt);
  const pad = 'x'.repeat(3000);
  const end = Date.now() + 30_000;
  for (let i = 0; ckpt.stats.outcomes.passive.done === 0 && Date.now() < end; i++) {
    await t.app.db.execute(
      t.app.db.prisma,
      'INSERT INTO "Setting" ("key", "value") VALUES (?, ?)',
      `om:ckpt:${i}`,
      pad,
    );
  }
  m = await scrape();
  assert.equal(value(m, 'csirt_sqlite_checkpoint_thread_running'), 1);
  assert.ok(done(m) - before.done >= 1, `checkpoints done: ${done(m)}`);
  assert.ok(timed(m) - before.timed >= 1, 'and timed');
  assert.ok((value(m, 'csirt_sqlite_wal_frames') ?? 0) >= 1_000, 'the WAL’s frames, as last seen');
});

test('clock offset between processes: two apps on one database, one 7 s ahead; stopped and dead ones left out', async () => {
  const db = await testDb();
  const seams = () => new Map<PlatformName, PlatformSeam>([['console', new MemoryPlatform()]]);
  const start = (offset: number, workerId: string) =>
    createApp(loadConfig({ DATABASE_URL: db.url, METRICS_TOKEN: TOKEN, AUDIT_ANCHOR_AT: 'off' }), {
      clock: offsetClock(offset),
      seams: seams(),
      log: pino({ level: 'silent' }),
      workerId,
    });
  const a: App = await start(0, 'a');
  const b: App = await start(7000, 'b');
  try {
    const url = `http://127.0.0.1:${await a.http.listen(0, '127.0.0.1')}`;
    let m = await scrape(url);
    assert.equal(value(m, 'csirt_processes_live'), 1, 'b has not beaten yet');
    assert.equal(value(m, 'csirt_clock_offset_seconds'), 0);
    await b.heartbeat.beat();
    m = await scrape(url);
    assert.equal(value(m, 'csirt_processes_live'), 2);
    const spread = value(m, 'csirt_clock_offset_seconds') ?? Number.NaN;
    assert.ok(Math.abs(spread - 7) < 0.5, `7 s apart, measured ${spread}`);
    assert.ok(Math.abs(value(m, 'csirt_clock_offset_to_database_seconds') ?? Number.NaN) < 0.5);
    // a heartbeat 3 minutes old is a stopped process; one 2 days old is removed
    const dbNow = Date.now();
    await a.db.prisma.setting.createMany({
      data: [
        { key: 'heartbeat:gone', value: JSON.stringify({ offsetMs: 60_000, at: dbNow - 180_000, rttMs: 1 }) },
        { key: 'heartbeat:dead', value: JSON.stringify({ offsetMs: 60_000, at: dbNow - 2 * 86_400_000, rttMs: 1 }) },
      ],
    });
    m = await scrape(url);
    assert.equal(value(m, 'csirt_processes_live'), 2);
    assert.ok(Math.abs((value(m, 'csirt_clock_offset_seconds') ?? 0) - 7) < 0.5);
    assert.equal(await a.db.prisma.setting.count({ where: { key: 'heartbeat:dead' } }), 0);
    assert.equal(await a.db.prisma.setting.count({ where: { key: 'heartbeat:gone' } }), 1);
    // b stops: its heartbeat goes with it
    await b.close();
    m = await scrape(url);
    assert.equal(value(m, 'csirt_processes_live'), 1);
    assert.equal(value(m, 'csirt_clock_offset_seconds'), 0);
    await a.http.close();
  } finally {
    await a.close();
    await b.close().catch(() => {});
    await db.drop();
  }
});
