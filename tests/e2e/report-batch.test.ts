/**
 * Reports arriving together are written together (src/db/group-commit.ts, issue #19 item 7),
 * through the router and the command journal: a bad report among them gets its own error in its
 * reader's language and writes nothing, a report whose journal entry another process took over
 * ends quietly, and the others commit with gap-free ids on one verifiable audit chain.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import pg from 'pg';
import { afterEach, test } from 'vitest';
import { consoleRefs } from '../../src/adapters/console/refs.ts';
import { verifyChain } from '../../src/audit/chain.ts';
import type { Caller } from '../../src/core/command.ts';
import { replyToText } from '../../src/core/reply.ts';
import type { ReportInput } from '../../src/services/incidents.ts';
import { PROVIDER, type TestApp, testApp } from '../helpers/app.ts';
import { PERSONAS as P, registerPersonas } from '../helpers/personas.ts';

let t: TestApp;
afterEach(() => t?.close());

const handle = (identity: string, text: string) =>
  t.app.router.handle({ platform: 'console', identity, text, channelId: null, refs: consoleRefs });
const idOf = (reply: string) => /INC-\d{4}-\d{4}/.exec(reply)?.[0];
const ids = (n: number) => Array.from({ length: n }, (_, i) => `INC-2026-${String(i + 1).padStart(4, '0')}`);

test(`a bad report among reports written together gets its own error; the others commit (${PROVIDER})`, async () => {
  t = await testApp();
  await registerPersonas(t);
  await t.run(P.otherPoc, 'lang en');
  const texts: [string, string][] = [];
  for (let i = 0; i < 12; i++) texts.push([P.poc, `report category=malware summary="good ${i}" ioc=192.0.2.${i + 1}`]);
  // an unknown system: refused by the report's own check, in the middle of the others
  texts.splice(4, 0, [P.poc, 'report category=malware summary="bad ja" system=SYS-maff-999']);
  texts.splice(9, 0, [P.otherPoc, 'report category=malware summary="bad en" system=SYS-maff-999']);
  const before = { ...t.app.services.incidents.reportBatches };
  const replies = (await Promise.all(texts.map(([who, text]) => handle(who, text)))).map((o) => replyToText(o.reply));
  const stats = t.app.services.incidents.reportBatches;

  assert.match(replies[4] as string, /システム「SYS-maff-999」は報告元の組織に登録されていません/);
  assert.match(replies[9] as string, /The system "SYS-maff-999" is not registered for the reporting organisation/);
  const good = replies.filter((_, i) => i !== 4 && i !== 9);
  assert.deepEqual(good.map(idOf).sort(), ids(12), good.join('\n'));
  const db = t.app.db.prisma;
  assert.equal(await db.incident.count({ where: { summary: { startsWith: 'bad' } } }), 0, 'nothing of the bad ones');
  assert.equal(await db.incident.count(), 12);
  assert.equal(await db.auditRecord.count({ where: { action: 'incident.report' } }), 12);
  assert.equal(await db.counter.findUnique({ where: { name: 'INC-2026' } }).then((c) => c?.value), 12, 'no gap');
  const chain = await verifyChain(db);
  assert.ok(chain.ok, JSON.stringify(chain));
  // they were written in batches: fewer transactions than reports (14 arrive in one burst)
  const batches = stats.batches - before.batches;
  assert.ok(batches < 14 && stats.largest >= 2, JSON.stringify({ batches, largest: stats.largest }));
});

test(`a report whose journal entry another process took over ends quietly; the others of its batch commit (${PROVIDER})`, async () => {
  t = await testApp();
  await registerPersonas(t);
  const journal = t.app.journal;
  const held = [];
  for (let i = 0; i < 6; i++)
    held.push(await journal.hold(t.app.db.prisma, `k${i}`, 'console', { text: `report ${i}` }));
  // another process claimed entry 2 (a new token): this process's report of it must not commit
  await t.app.db.prisma.pendingCommand.update({ where: { key: 'k2' }, data: { token: 'taken-over' } });
  const replies = await Promise.all(
    held.map((h, i) =>
      journal.run(h, async () =>
        replyToText((await handle(P.poc, `report category=malware summary="journal ${i}"`)).reply),
      ),
    ),
  );
  assert.equal(replies[2], undefined, 'taken over: no reply here');
  const good = replies.filter((_, i) => i !== 2) as string[];
  assert.deepEqual(good.map(idOf).sort(), ids(5), good.join('\n'));
  const db = t.app.db.prisma;
  assert.equal(await db.incident.count({ where: { summary: 'journal 2' } }), 0);
  assert.equal(await db.incident.count(), 5);
  // the others' entries left with their reports; the taken-over one is the other process's
  assert.deepEqual(
    (await db.pendingCommand.findMany()).map((p) => [p.key, p.token]),
    [['k2', 'taken-over']],
  );
  const chain = await verifyChain(db);
  assert.ok(chain.ok, JSON.stringify(chain));
});

/**
 * The oracle: the same reports written one at a time, in the order the batches numbered them,
 * on a second database. Members of one batch share indicators (a pool of a few values, and
 * sometimes many indicators), come from different organisations (the coordinating office
 * reporting for one with org=), are exercises or not, name a system of their organisation or
 * one that is not theirs (refused alone). After every run, both databases hold the same rows.
 */
/** A run's pool of indicators (new in each run, so that each run's batches raise alerts of their own), and one value every run shares. */
const POOL = (run: number) => [
  `192.0.2.${run + 1}`,
  `198.51.100.${run + 1}`,
  `r${run}.evil.example.jp`,
  `a@r${run}.evil.example.jp`,
  `http://r${run}.example/p`,
  'shared.example.jp',
];
const MANY = (run: number) => Array.from({ length: 60 }, (_, i) => `h${i}.r${run}.example.jp`);

type Spec = {
  who: 0 | 1 | 2 | 3;
  exercise: boolean;
  ioc: { many: boolean; is: number[] };
  system: 'none' | 'mine' | 'not-mine';
};

test(`a batch that fails in its writes leaves nothing of it; each report is written again alone (${PROVIDER})`, async () => {
  // The batch's rows go in a few statements (on PostgreSQL the incidents, events and indicators
  // in one): an incident id already taken fails the batch in its middle member, after the
  // members' checks and the counter's bump. Nothing of the batch may stay — not its indicators,
  // events, links, posts, jobs, audit records nor its numbers — and its reports are then each
  // written alone: the first commits; the taken id fails the others (the numbers stay gap-free).
  t = await testApp();
  await registerPersonas(t);
  const db = t.app.db.prisma;
  const caller = await t.app.services.directory.caller(P.poc, null, null, 'ja');
  const incidents = t.app.services.incidents;
  await incidents.report(caller, { category: 'malware', summary: 'first', ioc: ['first.example.jp'] });
  // INC-2026-0003 taken by hand: the second member of the next batch will need it
  const row = await db.incident.findUniqueOrThrow({ where: { id: 'INC-2026-0001' } });
  const cols = Object.keys(row).filter((k) => k !== 'id');
  await t.app.db.execute(
    db,
    `INSERT INTO "Incident" ("id", ${cols.map((c) => `"${c}"`).join(', ')})
       SELECT 'INC-2026-0003', ${cols.map((c) => `"${c}"`).join(', ')} FROM "Incident" WHERE id = 'INC-2026-0001'`,
  );
  const counts = async () => ({
    events: await db.incidentEvent.count(),
    links: await db.incidentIndicator.count(),
    deliveries: await db.delivery.count(),
    jobs: await db.job.count(),
    audit: await db.auditRecord.count(),
  });
  const before = await counts();
  const solo0 = incidents.reportBatches.solo;
  const outcomes = await Promise.allSettled(
    ['a', 'b', 'c'].map((x) =>
      incidents.report(caller, { category: 'malware', summary: `batch ${x}`, ioc: [`${x}.fails.example.jp`] }),
    ),
  );
  // (SQLite bounds a batch by its recent CPU time per member, holdMs: there the three may be
  // written in batches of one from the start, and the outcome must be the same)
  if (PROVIDER === 'postgresql')
    assert.equal(incidents.reportBatches.solo - solo0, 3, 'the batch failed and its 3 reports were written alone');
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ['fulfilled', 'rejected', 'rejected'],
  );
  assert.equal((outcomes[0] as PromiseFulfilledResult<{ id: string }>).value.id, 'INC-2026-0002');
  const values = (await db.indicator.findMany({ orderBy: { value: 'asc' } })).map((i) => i.value);
  assert.deepEqual(values, ['a.fails.example.jp', 'first.example.jp'], 'only the committed report’s indicator');
  const after = await counts();
  // only report a's rows: its event, its link, its audit record
  assert.equal(after.events - before.events, 1);
  assert.equal(after.links - before.links, 1);
  assert.equal(after.audit - before.audit, 1);
  assert.equal(await db.incident.count({ where: { summary: { startsWith: 'batch' } } }), 1);
  assert.equal(await db.counter.findUnique({ where: { name: 'INC-2026' } }).then((c) => c?.value), 2, 'no gap');
  const chain = await verifyChain(db);
  assert.ok(chain.ok, JSON.stringify(chain));
  // a's posts and jobs are there, none of b's or c's (their numbers were never committed)
  assert.ok(after.deliveries > before.deliveries && after.jobs > before.jobs);
  assert.equal(await db.job.count({ where: { refId: 'INC-2026-0004' } }), 0);
});

test(`reports written in batches leave what writing them one at a time leaves (${PROVIDER}, property)`, {
  timeout: 300_000,
}, async () => {
  const batched = await testApp();
  const oracle = await testApp();
  try {
    for (const x of [batched, oracle]) {
      await registerPersonas(x);
      // a system of maff's (SYS-maff-001)
      assert.match(
        await x.say(P.poc, 'system add name="電子申請システム" confidentiality=3 exposure=internet'),
        /SYS-maff-001/,
      );
    }
    const who = [P.poc, P.otherPoc, P.coordinator, P.coordinator] as const;
    const input = (s: Spec, run: number, i: number): ReportInput => ({
      category: 'malware',
      summary: `prop ${run}.${i}`,
      ioc: s.ioc.is.map((k) => (s.ioc.many ? MANY(run) : POOL(run))[k] as string),
      exercise: s.exercise || undefined,
      // the coordinating office for mhlw (on its behalf), or for itself
      org: s.who === 2 ? 'mhlw' : undefined,
      system: s.system === 'none' ? undefined : s.system === 'mine' && s.who === 0 ? 'SYS-maff-001' : 'SYS-maff-999',
    });
    const seen = { largest: 0, alertsInBatches: 0, runs: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            who: fc.constantFrom<Spec['who']>(0, 1, 2, 3),
            exercise: fc.constantFrom(false, false, false, true),
            ioc: fc.oneof(
              { weight: 6, arbitrary: fc.subarray([0, 1, 2, 3, 4, 5]).map((is) => ({ many: false, is })) },
              {
                weight: 1,
                arbitrary: fc.subarray([...MANY(0).keys()], { minLength: 30 }).map((is) => ({ many: true, is })),
              },
            ),
            system: fc.constantFrom<Spec['system']>('none', 'none', 'mine', 'not-mine'),
          }),
          { minLength: 1, maxLength: 9 },
        ),
        fc.integer({ min: 1, max: 90 }),
        async (specs, minutes) => {
          for (const x of [batched, oracle]) x.clock.advance(minutes * 60_000);
          const run = seen.runs++;
          const callers = await Promise.all(who.map((w) => callerOf(batched, w)));
          const alertsBefore = await correlations(batched);
          const before = batched.app.services.incidents.reportBatches.batches;
          // all in one turn: they are written in as few batches as the group commit takes
          const got = await Promise.allSettled(
            specs.map((s, i) => batched.app.services.incidents.report(callers[s.who] as Caller, input(s, run, i))),
          );
          const batches = batched.app.services.incidents.reportBatches.batches - before;
          // the oracle: one at a time, in the order the batches numbered them
          const order = specs
            .map((s, i) => ({ s, i, r: got[i] as PromiseSettledResult<{ id: string }> }))
            .sort((a, b) => rank(a.r) - rank(b.r));
          const ocallers = await Promise.all(who.map((w) => callerOf(oracle, w)));
          const want: PromiseSettledResult<unknown>[] = [];
          for (const { s, i } of order) {
            want[i] = await oracle.app.services.incidents.report(ocallers[s.who] as Caller, input(s, run, i)).then(
              (value) => ({ status: 'fulfilled' as const, value }),
              (reason) => ({ status: 'rejected' as const, reason }),
            );
          }
          assert.deepEqual(got.map(settled), want.map(settled), 'the replies');
          for (const x of [batched, oracle]) await x.app.dispatcher.drain();
          assert.deepEqual(await snapshot(batched), await snapshot(oracle));
          if (batches < specs.length) {
            seen.largest = Math.max(seen.largest, batched.app.services.incidents.reportBatches.largest);
            seen.alertsInBatches += (await correlations(batched)) - alertsBefore;
          }
        },
      ),
      {
        numRuns: PROVIDER === 'postgresql' ? 15 : 25,
        // First, one run that certainly raises alerts inside a batch: four organisations' real
        // reports share indicators. The random runs alone met none in 15 on PostgreSQL once
        // (CI-like load, 2026-12-04: {"largest":7,"alertsInBatches":0,"runs":15}): about half
        // of the generated reports are refused (a system not theirs) or exercises, and each run
        // has its own indicators, so the coverage check below failed with nothing wrong.
        examples: [
          [
            (
              [
                [0, [0, 1]],
                [1, [0]],
                [2, [1, 2]],
                [3, [0, 2]],
                [1, [2]],
              ] as const
            ).map(([who, is]): Spec => ({ who, exercise: false, ioc: { many: false, is: [...is] }, system: 'none' })),
            5,
          ],
        ],
      },
    );
    // the runs did write reports together, and raised correlation alerts within those batches
    assert.ok(seen.largest >= 4, JSON.stringify(seen));
    assert.ok(seen.alertsInBatches > 0, JSON.stringify(seen));
    const chain = await verifyChain(batched.app.db.prisma);
    assert.ok(chain.ok, JSON.stringify(chain));
  } finally {
    await batched.close();
    await oracle.close();
  }
});

const callerOf = (x: TestApp, identity: string) => x.app.services.directory.caller(identity, null, null, 'ja');
const rank = (r: PromiseSettledResult<{ id: string }>) =>
  r.status === 'fulfilled' ? Number(r.value.id.slice(-4)) : Number.MAX_SAFE_INTEGER;
const settled = (r: PromiseSettledResult<unknown>) =>
  r.status === 'fulfilled' ? r : { status: 'rejected', reason: String(r.reason) };
const correlations = (x: TestApp) =>
  x.app.db.prisma.delivery.count({ where: { dedupeKey: { startsWith: 'correlation:' } } });

/** Everything a report writes, with indicator ids (autoincrement, which differ) replaced by their values. */
async function snapshot(x: TestApp) {
  const db = x.app.db.prisma;
  const value = new Map((await db.indicator.findMany()).map((i) => [String(i.id), i.value]));
  const byValue = (s: string | null) =>
    s?.replace(/^correlation:(\d+):/, (_, id) => `correlation:${value.get(id)}:`) ?? s;
  return {
    incidents: await db.incident.findMany({ orderBy: { id: 'asc' } }),
    events: (await db.incidentEvent.findMany({ orderBy: [{ incidentId: 'asc' }, { id: 'asc' }] })).map(
      ({ id: _, ...e }) => e,
    ),
    indicators: (await db.indicator.findMany({ orderBy: { value: 'asc' } })).map(({ id: _, ...i }) => i),
    links: (await db.incidentIndicator.findMany({ include: { indicator: true } }))
      .map((l) => ({ incidentId: l.incidentId, value: l.indicator.value, orgId: l.orgId, addedAt: l.addedAt }))
      .sort((a, b) => `${a.incidentId} ${a.value}`.localeCompare(`${b.incidentId} ${b.value}`)),
    deliveries: (await db.delivery.findMany())
      .map((d) => ({
        key: byValue(d.dedupeKey),
        kind: d.kind,
        platform: d.platform,
        target: d.target,
        message: d.message,
        status: d.status,
        error: d.error,
        refType: d.refType,
        refId: d.refType === 'indicator' ? (value.get(d.refId ?? '') ?? null) : d.refId,
        orgId: d.orgId,
        notBefore: d.notBefore,
      }))
      .sort((a, b) => (a.key as string).localeCompare(b.key as string)),
    jobs: (await db.job.findMany({ orderBy: { id: 'asc' } })).map(({ createdAt: _, ...j }) => j),
    audits: (await db.auditRecord.findMany({ where: { action: 'incident.report' }, orderBy: { seq: 'asc' } })).map(
      (r) => ({ at: r.at, actor: r.actor, subject: r.subject, data: r.data }),
    ),
    counters: await db.counter.findMany({ orderBy: { name: 'asc' } }),
  };
}

test.skipIf(PROVIDER !== 'postgresql')(
  'a link committed while the report waits for its indicator is counted: the correlation alert is posted (postgresql)',
  async () => {
    // An `incident update` of another organisation links the indicator and holds its row until it
    // commits; the report's upsert waits for it. The report's sightings must be read after that
    // wait (a statement whose snapshot was taken before it missed the link: no alert at all).
    t = await testApp();
    await registerPersonas(t);
    const alerts = () => t.platform.in('nisc').filter((p) => p.includes('【相関】'));
    const other = idOf(await t.say(P.otherPoc, 'report category=malware summary="mof, no indicator yet"')) as string;
    const { orgId } = await t.app.db.prisma.incident.findUniqueOrThrow({ where: { id: other } });
    const c = new pg.Client({ connectionString: t.url });
    await c.connect();
    try {
      await c.query('BEGIN');
      const { rows } = await c.query(
        `INSERT INTO "Indicator" (type, value, "createdAt") VALUES ('ipv4', '198.51.100.7', now())
           ON CONFLICT (value) DO UPDATE SET type = excluded.type RETURNING id`,
      );
      await c.query(
        `INSERT INTO "IncidentIndicator" ("incidentId", "indicatorId", "orgId", "addedAt") VALUES ($1, $2, $3, now())`,
        [other, rows[0].id, orgId],
      );
      const n0 = alerts().length;
      const report = t.say(P.poc, 'report category=malware summary="same C2" ioc=198.51.100.7');
      // until the report waits for the indicator's row lock
      const mine = (await c.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      for (let i = 0; ; i++) {
        const { rows: waiting } = await c.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> $1 AND wait_event_type = 'Lock'`,
          [mine],
        );
        if (waiting.length > 0) break;
        assert.ok(i < 200, 'the report never waited for the indicator');
        await new Promise((r) => setTimeout(r, 25));
      }
      await c.query('COMMIT');
      assert.match(await report, /INC-2026-0002/);
      await t.app.dispatcher.drain();
      assert.equal(alerts().length, n0 + 1, 'one correlation alert');
      assert.match(alerts().at(-1) as string, /2 組織/);
      assert.match(alerts().at(-1) as string, new RegExp(other));
    } finally {
      await c.end();
    }
  },
);
