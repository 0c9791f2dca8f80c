/**
 * A budget of SQL statements for `report` (issue 19 item 7): every statement costs CPU in the
 * bot's one thread (the query plan, the driver, the result mapping), so the report path has a
 * count it must stay under, and each indicator adds a fixed few (an N+1 fails here). The
 * statements are counted at the drivers (better-sqlite3's Statement, pg's Client.query), so
 * raw SQL and the model API count alike.
 */
import assert from 'node:assert/strict';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, test } from 'vitest';
import { consoleRefs } from '../../src/adapters/console/refs.ts';
import type { Caller } from '../../src/core/command.ts';
import { PROVIDER, type TestApp, testApp } from '../helpers/app.ts';
import { consoleDispatcher } from '../helpers/outbox-posts.ts';
import { PERSONAS as P, registerPersonas } from '../helpers/personas.ts';

/**
 * Statements of the command itself (before its posts are sent), and of sending its two posts;
 * of a batch of 8 reports written together (one statement per table, whatever its size).
 */
const BUDGET =
  PROVIDER === 'postgresql'
    ? // each statement is a round trip there: a report's rows, the links with their sightings read,
      // the posts and the clock jobs with the audit head's update, and the audit records with its
      // hash each share a statement (WITH clauses; src/services/report-batch.ts, src/audit/chain.ts);
      // the coordinating office is read with the organisations' channels
      { command: 12, delivery: 8, perIndicator: 3, batchOf8: 8 }
    : { command: 18, delivery: 8, perIndicator: 3, batchOf8: 16 };

let t: TestApp;
const seen: string[] = [];
let counting = false;
const restore: (() => void)[] = [];

function count<T extends object>(proto: T, methods: (keyof T)[], sqlOf: (self: unknown, args: unknown[]) => string) {
  for (const m of methods) {
    const orig = proto[m] as (...a: unknown[]) => unknown;
    (proto as Record<keyof T, unknown>)[m] = function (this: unknown, ...a: unknown[]) {
      if (counting) seen.push(sqlOf(this, a));
      return orig.apply(this, a);
    };
    restore.push(() => {
      (proto as Record<keyof T, unknown>)[m] = orig;
    });
  }
}

beforeAll(async () => {
  const probe = new Sqlite(':memory:');
  const statement = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<string, unknown>;
  probe.close();
  count(statement, ['run', 'all', 'get', 'iterate'], (self) => (self as { source: string }).source);
  count(pg.Client.prototype as unknown as Record<string, unknown>, ['query'], (_self, a) => {
    const q = a[0] as string | { text: string };
    return typeof q === 'string' ? q : q.text;
  });
  t = await testApp({ env: { RATE_LIMIT_PER_MINUTE: '100000' } });
  await registerPersonas(t);
});
afterAll(async () => {
  for (const r of restore) r();
  await t.close();
});

/** The statements of one report through the router, with the dispatcher stopped, and of sending its posts. */
async function measure(iocs: number): Promise<{ command: string[]; delivery: string[] }> {
  await t.app.dispatcher.stop();
  const ioc = Array.from({ length: iocs }, (_, i) => `ioc=198.51.100.${i + 1}`).join(' ');
  seen.length = 0;
  counting = true;
  const o = await t.app.router.handle({
    platform: 'console',
    identity: P.poc,
    text: `report category=malware summary="budget" ${ioc}`,
    channelId: null,
    refs: consoleRefs,
  });
  counting = false;
  assert.equal(o.status, 'ok', JSON.stringify(o.reply));
  const command = [...seen];
  const d = consoleDispatcher(t, t.platform, {
    workerId: 'budget',
    perChannelIntervalMs: 0,
  });
  seen.length = 0;
  counting = true;
  await d.runOnce();
  counting = false;
  return { command, delivery: [...seen] };
}

const show = (s: string[]) => s.map((x) => x.replace(/\s+/g, ' ').slice(0, 100)).join('\n');

test(`a report costs at most ${BUDGET.command} statements, sending its two posts ${BUDGET.delivery} (${PROVIDER})`, async () => {
  await measure(1); // the first one warms what is read once per process
  const m = await measure(1);
  assert.ok(m.command.length <= BUDGET.command, `the report ran ${m.command.length} statements:\n${show(m.command)}`);
  assert.ok(
    m.delivery.length <= BUDGET.delivery,
    `sending its posts ran ${m.delivery.length} statements:\n${show(m.delivery)}`,
  );
  assert.equal(t.platform.in('nisc').filter((p) => p.includes('budget')).length > 0, true, 'the post was sent');
});

test(`each indicator adds at most ${BUDGET.perIndicator} statements (no N+1 on the report path)`, async () => {
  const one = await measure(1);
  const six = await measure(6);
  const extra = six.command.length - one.command.length;
  assert.ok(extra <= 5 * BUDGET.perIndicator, `5 more indicators cost ${extra} more statements:\n${show(six.command)}`);
});

test(`a batch of 8 reports costs at most ${BUDGET.batchOf8} statements, with 1 or 6 indicators each (${PROVIDER})`, async () => {
  await t.app.dispatcher.stop();
  const directory = t.app.services.directory;
  const incidents = t.app.services.incidents;
  // two organisations, with and without indicators: each its own posts, no correlation among them
  const callers = await Promise.all([P.poc, P.otherPoc].map((p) => directory.caller(p, null, null, 'ja')));
  for (const iocs of [1, 6]) {
    // SQLite bounds a batch by the CPU time its members recently took (GroupCommit holdMs): the
    // bursts are repeated until one is written as one batch of 8 (the bound follows the cheaper
    // members within a few batches); that batch's statements are counted
    let counted: string[] | null = null;
    for (let round = 0; round < 6 && !counted; round++) {
      const before = { ...incidents.reportBatches };
      seen.length = 0;
      counting = true;
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          incidents.report(callers[i % 2] as Caller, {
            category: 'malware',
            summary: `batch ${iocs}.${round}.${i}`,
            ioc: Array.from({ length: i === 7 ? 0 : iocs }, (_, k) => `b${iocs}-${round}-${i}-${k}.example.jp`),
          }),
        ),
      );
      counting = false;
      assert.equal(new Set(outcomes.map((o) => o.id)).size, 8);
      const stats = incidents.reportBatches;
      if (stats.batches - before.batches === 1 && stats.members - before.members === 8) counted = [...seen];
    }
    assert.ok(counted, 'no burst of 8 was written as one batch');
    assert.ok(counted.length <= BUDGET.batchOf8, `the batch ran ${counted.length} statements:\n${show(counted)}`);
  }
});

test(`a batch of 8 journalled commands deletes their 8 journal entries with one statement (${PROVIDER})`, async () => {
  // as the Slack listener runs them: each report inside the journal's scope (its guard deletes
  // its entry in the transaction that writes the report); the batch's guards share a statement
  await t.app.dispatcher.stop();
  const { journal } = t.app;
  const incidents = t.app.services.incidents;
  const callers = await Promise.all(
    [P.poc, P.otherPoc].map((p) => t.app.services.directory.caller(p, null, null, 'ja')),
  );
  let counted: string[] | null = null;
  for (let round = 0; round < 6 && !counted; round++) {
    const helds = await Promise.all(
      Array.from({ length: 8 }, (_, i) => journal.hold(t.app.db.prisma, `budget-${round}-${i}`, 'console', {})),
    );
    const before = { ...incidents.reportBatches };
    seen.length = 0;
    counting = true;
    const outcomes = await Promise.all(
      helds.map((h, i) =>
        journal.run(h, () =>
          incidents.report(callers[i % 2] as Caller, { category: 'malware', summary: `journal ${round}.${i}` }),
        ),
      ),
    );
    counting = false;
    assert.equal(new Set(outcomes.map((o) => o?.id)).size, 8);
    const stats = incidents.reportBatches;
    if (stats.batches - before.batches === 1 && stats.members - before.members === 8) counted = [...seen];
  }
  assert.ok(counted, 'no burst of 8 was written as one batch');
  const deletes = counted.filter((s) => /^\s*DELETE FROM "PendingCommand"/.test(s));
  assert.equal(deletes.length, 1, `the batch deleted its journal entries with ${deletes.length} statements`);
  assert.ok(counted.length <= BUDGET.batchOf8 + 1, `the batch ran ${counted.length} statements:\n${show(counted)}`);
  assert.equal(await t.app.db.prisma.pendingCommand.count({ where: { key: { startsWith: 'budget-' } } }), 0);
});
