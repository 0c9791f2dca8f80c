/**
 * Group commit (src/db/group-commit.ts) on a real database, against a small oracle: random
 * arrivals, batch sizes and failures (a member refused by its check, a member whose journal entry
 * another process took over, a member whose write fails after writing), guards run one by one or
 * together (a guard group, as the journal's) → the members that
 * commit, their numbers, what their guards left, and the audit chain are what one-at-a-time
 * writing in arrival order would give.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { afterAll, test } from 'vitest';
import { type AuditEntry, appendAuditMany, verifyChain } from '../../../src/audit/chain.ts';
import { HandledElsewhere, isHandledElsewhere, isUserError, UserError } from '../../../src/core/errors.ts';
import type { Tx } from '../../../src/db/client.ts';
import { GroupCommit } from '../../../src/db/group-commit.ts';
import { type FirstTxGuard, type GuardGroup, runWithGuard } from '../../../src/db/scope.ts';
import { takeSeqs } from '../../../src/services/ids.ts';
import { PROVIDER, type TestApp, testApp } from '../../helpers/app.ts';

type Kind = 'ok' | 'refuse' | 'elsewhere' | 'crash';

const apps: TestApp[] = [];
afterAll(async () => {
  for (const t of apps) await t.close();
});

let runNo = 0;

test(`group commit matches one-at-a-time writing in arrival order (${PROVIDER}, property)`, {
  timeout: 240_000,
}, async () => {
  const t = await testApp();
  apps.push(t);
  const db = t.app.db;
  const seen = { largest: 0, solo: 0, groupRuns: 0 };
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.record({
          kind: fc.constantFrom<Kind>('ok', 'ok', 'ok', 'refuse', 'elsewhere', 'crash'),
          delay: fc.integer({ min: 0, max: 4 }),
        }),
        { minLength: 1, maxLength: 12 },
      ),
      fc.integer({ min: 1, max: 6 }),
      fc.boolean(),
      fc.boolean(),
      // a batch that is not full waits this long for more members (SQLite's reports: 10)
      fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
      async (arrivals, max, slowFirst, grouped, gatherMs) => {
        const run = `r${++runNo}`;
        const seq = `T-${run}`;
        const gc = new GroupCommit(db, {
          max,
          ...(gatherMs !== undefined ? { gatherMs } : {}),
          take: (tx, s, count) => takeSeqs(db, tx, s, count),
          own: (e) => isUserError(e) || isHandledElsewhere(e),
          // as reports do: each member leaves its audit record for the batch's end
          open: (): AuditEntry[] => [],
          close: async (tx, es) => void (await appendAuditMany(db, tx, es)),
        });
        // the journal entry of each member but those taken over by "another process"
        for (const [i, a] of arrivals.entries())
          if (a.kind !== 'elsewhere') await db.prisma.setting.create({ data: { key: `g-${run}-${i}`, value: 'x' } });
        const order: number[] = [];
        const guards: FirstTxGuard[] = [];
        // grouped: the guards run together, one statement for the batch's (as the journal's do)
        const key = (g: FirstTxGuard) => `g-${run}-${guards.indexOf(g)}`;
        const group: GuardGroup = {
          runAll: async (tx, gs) => {
            seen.groupRuns++;
            const gone = await db.query<{ key: string }>(
              tx as Tx,
              `DELETE FROM "Setting" WHERE "key" IN (${gs.map(() => '?').join(', ')}) RETURNING "key"`,
              ...gs.map(key),
            );
            const left = new Set(gone.map((r) => r.key));
            return gs.map((g) => (left.has(key(g)) ? null : new HandledElsewhere(key(g))));
          },
        };
        const results = await Promise.allSettled(
          arrivals.map(
            (a, i) =>
              new Promise<number>((resolve, reject) => {
                const guard: FirstTxGuard = {
                  pending: true,
                  run: async (tx) => {
                    const n = await (tx as Tx).setting.deleteMany({ where: { key: `g-${run}-${i}` } });
                    if (n.count === 0) throw new HandledElsewhere(`${run}-${i}`);
                  },
                  ...(grouped ? { group } : {}),
                };
                guards[i] = guard;
                setTimeout(() => {
                  order.push(i);
                  runWithGuard(guard, () =>
                    gc.run({
                      seq,
                      check: async () => {
                        // a slow first member: the others queue behind its batch
                        if (slowFirst && order[0] === i) await new Promise((r) => setTimeout(r, 5));
                        if (a.kind === 'refuse') throw new UserError('incident.system_not_found', { system: 'x' });
                      },
                      write: async (tx, n, audits) => {
                        await tx.setting.create({ data: { key: `w-${run}-${i}`, value: String(n) } });
                        audits.push({
                          actor: 'test',
                          action: 'gc.test',
                          subject: `${run}-${i}`,
                          at: new Date(),
                        });
                        if (a.kind === 'crash') throw new Error('crash');
                        return n;
                      },
                    }),
                  ).then(resolve, reject);
                }, a.delay);
              }),
          ),
        );
        // the oracle: the ok members, in arrival order, numbered 1…k
        const expected = new Map<number, number>();
        for (const i of order) if (arrivals[i]?.kind === 'ok') expected.set(i, expected.size + 1);
        for (const [i, a] of arrivals.entries()) {
          const r = results[i] as PromiseSettledResult<number>;
          if (a.kind === 'ok') assert.deepEqual(r, { status: 'fulfilled', value: expected.get(i) }, `member ${i}`);
          else {
            assert.equal(r.status, 'rejected', `member ${i} (${a.kind})`);
            const e = (r as PromiseRejectedResult).reason;
            if (a.kind === 'refuse') assert.ok(isUserError(e), String(e));
            if (a.kind === 'elsewhere') assert.ok(isHandledElsewhere(e), String(e));
            if (a.kind === 'crash') assert.match(String(e), /crash/);
          }
          // the guard committed with the member's work, or not at all
          assert.equal(guards[i]?.pending, a.kind === 'refuse' || a.kind === 'crash', `guard of ${i} (${a.kind})`);
        }
        const written = await db.prisma.setting.findMany({ where: { key: { startsWith: `w-${run}-` } } });
        assert.deepEqual(
          new Map(written.map((w) => [Number(w.key.split('-')[2]), Number(w.value)])),
          expected,
          'what committed',
        );
        const left = await db.prisma.setting.findMany({ where: { key: { startsWith: `g-${run}-` } } });
        assert.deepEqual(
          left.map((g) => Number(g.key.split('-')[2])).sort((x, y) => x - y),
          [...arrivals.keys()].filter((i) => arrivals[i]?.kind === 'refuse' || arrivals[i]?.kind === 'crash'),
          'journal entries left',
        );
        const counter = await db.prisma.counter.findUnique({ where: { name: seq } });
        assert.equal(counter?.value ?? 0, expected.size, 'no gap: the counter counts the committed members');
        // the chain holds their records in their numbers' order
        const records = await db.prisma.auditRecord.findMany({
          where: { action: 'gc.test', subject: { startsWith: `${run}-` } },
          orderBy: { seq: 'asc' },
        });
        assert.deepEqual(
          records.map((r) => expected.get(Number(r.subject.split('-')[1]))),
          [...expected.values()].sort((x, y) => x - y),
        );
        assert.equal(gc.waiting, 0);
        seen.largest = Math.max(seen.largest, gc.stats.largest);
        seen.solo += gc.stats.solo;
      },
    ),
    { numRuns: PROVIDER === 'postgresql' ? 25 : 40 },
  );
  // the runs did write in batches, and did fall back to writing alone after a failed batch
  assert.ok(seen.largest >= 3, `largest batch ${seen.largest}`);
  assert.ok(seen.solo > 0, 'no batch failed');
  assert.ok(seen.groupRuns > 0, 'no batch ran its guards together');
  const chain = await verifyChain(db.prisma);
  assert.ok(chain.ok, JSON.stringify(chain));
});
