/**
 * The claim's search (src/outbox/claim-sql.ts) against a small oracle, on both providers: for
 * each channel not left out and whose platform is not held, its first two due pending rows in due
 * order, and every row whose claim has expired. The search reaches channels by a skip scan of an
 * index, one channel to the next above it: the targets are drawn to try it — names that differ
 * by a zero-width or a bidi mark, by full-width letters or a dash variant (distinct channels,
 * however alike they look), one that is a prefix of another, a colon inside a target.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { afterAll, beforeAll, test } from 'vitest';
import { claimCandidates } from '../../../src/outbox/claim-sql.ts';
import { type TestApp, testApp } from '../../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

const PLATFORMS = ['console', 'mattermost', 'slack'];
const TARGETS = ['C01', 'C01\u200b', '\u202eC01', 'Ｃ01', 'C0', 'C01-x', 'C01‐x', 'a:b', 'a', 'office'];
const NOW = new Date('2026-12-04T05:00:00Z');

const row = fc.record({
  platform: fc.constantFrom(...PLATFORMS),
  target: fc.constantFrom(...TARGETS),
  status: fc.constantFrom('pending', 'pending', 'pending', 'sending', 'sent', 'failed'),
  // due, not yet due, or exactly due; several rows may share a time
  dueIn: fc.constantFrom(-60_000, -1000, -1, 0, 0, 1, 5000),
  createdAgo: fc.integer({ min: 0, max: 5 }),
  // a claim expired, running, or exactly ending now
  expiresIn: fc.constantFrom(-1000, -1, 0, 1000),
});

type Row = { id: string; platform: string; target: string; status: string; nb: number; ca: number; exp: number };

/** The oracle: what the search must return, as ids. */
function expected(rows: Row[], held: string[], excluded: string[]): string[] {
  const open = (r: Row) => !held.includes(r.platform) && !excluded.includes(`${r.platform}:${r.target}`);
  const due = rows
    .filter((r) => r.status === 'pending' && r.nb <= NOW.getTime() && open(r))
    .sort((a, b) => a.nb - b.nb || a.ca - b.ca);
  const perChannel = new Map<string, string[]>();
  for (const r of due) {
    const key = `${r.platform}:${r.target}`;
    const ids = perChannel.get(key) ?? [];
    if (ids.length < 2) ids.push(r.id);
    perChannel.set(key, ids);
  }
  const expired = rows.filter((r) => r.status === 'sending' && r.exp < NOW.getTime() && open(r)).map((r) => r.id);
  return [...[...perChannel.values()].flat(), ...expired].sort();
}

test('the claim search gives, per open channel, its first two due rows, and the expired claims (property)', async () => {
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(row, { maxLength: 40 }),
      fc.subarray(PLATFORMS, { maxLength: 2 }),
      fc.subarray(
        PLATFORMS.flatMap((p) => TARGETS.map((x) => `${p}:${x}`)),
        { maxLength: 6 },
      ),
      async (drawn, held, excluded) => {
        runs++;
        const rows: Row[] = drawn.map((r, i) => ({
          id: `d${i}`,
          platform: r.platform,
          target: r.target,
          status: r.status,
          nb: NOW.getTime() + r.dueIn,
          ca: NOW.getTime() - r.createdAgo,
          exp: NOW.getTime() + r.expiresIn,
        }));
        await t.app.db.prisma.delivery.deleteMany({});
        await t.app.db.prisma.delivery.createMany({
          data: rows.map((r) => ({
            id: r.id,
            kind: 'post',
            platform: r.platform,
            target: r.target,
            message: '{}',
            dedupeKey: r.id,
            status: r.status,
            notBefore: new Date(r.nb),
            createdAt: new Date(r.ca),
            claimExpires: r.status === 'sending' ? new Date(r.exp) : null,
          })),
        });
        const s = claimCandidates(t.app.db.provider, { now: NOW, held, excluded });
        const got = await t.app.db.query<{ id: string; notBefore: Date; createdAt: Date }>(
          t.app.db.prisma,
          `WITH RECURSIVE ${s.ctes} SELECT id, "notBefore", "createdAt" FROM cand`,
          ...s.params,
        );
        assert.deepEqual(got.map((r) => r.id).sort(), expected(rows, held, excluded));
      },
    ),
    { numRuns: 60, seed: 20261204 },
  );
  assert.equal(runs, 60);
  await t.app.db.prisma.delivery.deleteMany({});
});
