/**
 * Issue 21: the overview's incident figures, made cheap (counts from an index, the open
 * incidents' clock columns as plain rows, read at once), are still what `incident list` says.
 * On random incidents (organisation, status, stage, exercise, awareness and report times around
 * now; fixed seed), for each person, the incidents CSV of the overview (signed HTTP request, the
 * same matrix as the page) is compared with the list service the chat command `incident list`
 * asks: per organisation and status the list's total, overdue = `due=overdue`, soon = `due=soon`
 * less those overdue; organisations the person may not list have no figures (all zero).
 * Another seed or more runs: OVERVIEW_ORACLE_SEED=…, OVERVIEW_ORACLE_RUNS=….
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { afterAll, beforeAll, test } from 'vitest';
import { isUserError } from '../../src/core/errors.ts';
import { STATUSES } from '../../src/domain/incident-status.ts';
import { PROVIDER, type TestApp, testApp } from '../helpers/app.ts';
import { dashboardSession } from '../helpers/dashboard.ts';
import { PERSONAS as P, registerPersonas } from '../helpers/personas.ts';

const SEED = Number(process.env.OVERVIEW_ORACLE_SEED ?? 2112);
const RUNS = Number(process.env.OVERVIEW_ORACLE_RUNS ?? 12);

let t: TestApp;
let base: string;
const cookies = new Map<string, string>();
const WHO = [P.coordinator, P.approver, P.poc, P.otherPoc, P.ciso] as const;

beforeAll(async () => {
  // on a whole minute: the overview's deadline states are those of the current minute
  t = await testApp({ now: '2026-11-25T01:00:00Z' });
  await registerPersonas(t);
  base = `http://127.0.0.1:${await t.app.http.listen(0, '127.0.0.1')}`;
});

/** A fresh session for each person (time moves on between sets, past a session's hours). */
async function signIn() {
  for (const who of WHO) cookies.set(who, await dashboardSession(t, base, who));
}
afterAll(async () => {
  await t.app.http.close();
  await t.close();
});

const incidentArb = fc.record({
  org: fc.nat(20),
  // mostly open, mostly before the 確報: those are the ones whose clocks run
  status: fc.constantFrom('reported', 'reported', 'triaging', 'contained', 'resolved', 'closed', 'rejected'),
  stage: fc.constantFrom('quick', 'quick', 'update', 'final'),
  exercise: fc.boolean(),
  // minutes: detection before now; awareness, the 速報, the first 続報 and the 確報 after it
  // (a time still to come has not happened: no 続報/確報 yet, the 速報 now)
  detectedAgo: fc.integer({ min: 0, max: 40 * 24 * 60 }),
  aware: fc.option(fc.integer({ min: 0, max: 3 * 24 * 60 }), { nil: null }),
  reportedAfter: fc.integer({ min: 0, max: 2 * 24 * 60 }),
  updateAfter: fc.option(fc.integer({ min: 0, max: 10 * 24 * 60 }), { nil: null, freq: 2 }),
  finalAfter: fc.option(fc.integer({ min: 0, max: 40 * 24 * 60 }), { nil: null, freq: 2 }),
});

type Figures = Record<string, number>;

/** The overview's incidents CSV as figures by `org/column`. */
async function overview(who: string): Promise<Map<string, Figures>> {
  const r = await fetch(`${base}/dashboard/csv/incidents.csv`, { headers: { cookie: cookies.get(who) as string } });
  assert.equal(r.status, 200, who);
  const [head, ...lines] = (await r.text())
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\r\n');
  assert.ok(head);
  const out = new Map<string, Figures>();
  for (const l of lines) {
    const cells = l.split(',');
    const code = cells[0] as string;
    const nums = cells.slice(2).map(Number);
    const f: Figures = {};
    STATUSES.forEach((s, i) => {
      f[s] = nums[i] as number;
    });
    f.total = nums[STATUSES.length] as number;
    f.overdue = nums[STATUSES.length + 1] as number;
    f.soon = nums[STATUSES.length + 2] as number;
    out.set(code, f);
  }
  return out;
}

/** The same figures from the list service of `incident list` (every page). */
async function fromList(who: string, codes: string[]): Promise<Map<string, Figures>> {
  const caller = await t.app.services.directory.caller(who, null, null, 'ja');
  const q = t.app.services.incidentQueries;
  const ids = async (f: Parameters<typeof q.list>[1]) => {
    const out = new Set<string>();
    for (let page = 1; ; page++) {
      const r = await q.list(caller, { ...f, page });
      for (const row of r.rows) out.add(row.id);
      if (page >= r.pages) return out;
    }
  };
  const out = new Map<string, Figures>();
  for (const org of codes) {
    const f: Figures = {};
    try {
      let total = 0;
      for (const s of STATUSES) {
        f[s] = (await q.list(caller, { org, status: s })).total;
        total += f[s] as number;
      }
      f.total = total;
      assert.equal((await q.list(caller, { org })).total, total);
      const overdue = await ids({ org, due: 'overdue' });
      const soon = await ids({ org, due: 'soon' });
      f.overdue = overdue.size;
      f.soon = [...soon].filter((id) => !overdue.has(id)).length;
    } catch (e) {
      // not this person's to list: the overview has no figures for it
      if (!isUserError(e) || e.code !== 'incident.own_org_only') throw e;
      f.total = 0;
    }
    out.set(org, f);
  }
  return out;
}

test(`the overview's incident figures are those of incident list (${RUNS} random sets, seed ${SEED}, ${PROVIDER})`, {
  timeout: 600_000,
}, async () => {
  const db = t.app.db.prisma;
  const orgs = await db.organization.findMany({ orderBy: { id: 'asc' } });
  const reporter = await db.person.findUniqueOrThrow({ where: { identity: P.poc } });
  let compared = 0;
  let overdueSeen = 0;
  let soonSeen = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(incidentArb, { maxLength: 45 }), fc.integer({ min: 0, max: 600 }), async (incs, step) => {
      await db.incident.deleteMany({});
      // time moves on by whole minutes between sets
      t.clock.advance(step * 60_000);
      await signIn();
      const now = t.clock.now().getTime();
      const at = (ago: number, after: number) => new Date(now - ago * 60_000 + after * 60_000);
      const past = (d: Date | null) => (d && d.getTime() <= now ? d : null);
      await db.incident.createMany({
        data: incs.map((x, i) => {
          const detected = at(x.detectedAgo, 0);
          const aware = x.aware === null ? null : (past(at(x.detectedAgo, x.aware)) ?? new Date(now));
          const reported = past(at(x.detectedAgo, (x.aware ?? 0) + x.reportedAfter)) ?? new Date(now);
          const after = (m: number | null) => (m === null ? null : past(new Date(reported.getTime() + m * 60_000)));
          return {
            id: `INC-2026-${String(i + 1).padStart(4, '0')}`,
            fiscalYear: 2026,
            orgId: (orgs[x.org % orgs.length] as { id: number }).id,
            reporterId: reporter.id,
            category: 'malware',
            summary: `oracle ${i}`,
            severity: 'medium',
            tlp: 'amber',
            share: 'none',
            detectedAt: detected,
            awareAt: aware,
            status: x.status,
            stage: x.stage,
            exercise: x.exercise,
            updateAt: after(x.updateAfter),
            finalAt: after(x.finalAfter),
            createdAt: reported,
            updatedAt: reported,
          };
        }),
      });
      // asked of the list: the organisations of this set, and three always; the others have
      // no incident at all, and the overview must show them none
      const used = new Set([
        'nisc',
        'maff',
        'mof',
        ...incs.map((x) => (orgs[x.org % orgs.length] as { code: string }).code),
      ]);
      const codes = orgs.map((o) => o.code).filter((c) => used.has(c));
      for (const who of WHO) {
        const shown = await overview(who);
        for (const [code, f] of shown)
          if (!used.has(code))
            assert.ok(
              Object.values(f).every((n) => n === 0),
              `${who} ${code}: ${JSON.stringify(f)}`,
            );
        const expected = await fromList(who, codes);
        for (const code of codes) {
          const want = expected.get(code) as Figures;
          const got = shown.get(code);
          if (want.total === 0 && !('overdue' in want)) {
            // not the person's: no row, or a row of zeros
            assert.ok(!got || Object.values(got).every((n) => n === 0), `${who} ${code}: ${JSON.stringify(got)}`);
            continue;
          }
          assert.deepEqual(got, want, `${who} ${code}`);
          overdueSeen += want.overdue as number;
          soonSeen += want.soon as number;
          compared++;
        }
      }
    }),
    { seed: SEED, numRuns: RUNS, endOnFailure: true },
  );
  // the sets were not trivial: clocks of each kind were met
  assert.ok(compared > 0 && overdueSeen > 0 && soonSeen > 0, `${compared} ${overdueSeen} ${soonSeen}`);
  // the page itself answers with the same service calls
  const page = await fetch(`${base}/dashboard/`, { headers: { cookie: cookies.get(P.coordinator) as string } });
  assert.equal(page.status, 200);
});
