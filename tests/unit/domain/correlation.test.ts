/**
 * The correlation alerts of a batch of reports (src/domain/correlation.ts) against an oracle
 * that recounts every link from scratch for each report, as the one-at-a-time path's query does:
 * the earlier links and those of the batch's reports before it, an exercise's never counted.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { test } from 'vitest';
import { type Alert, batchAlerts, type Sightings } from '../../../src/domain/correlation.ts';

type Link = { indicatorId: number; orgId: number; exercise: boolean };

function oracle(prior: readonly Link[], members: { orgId: number; exercise: boolean; indicatorIds: number[] }[]) {
  const links = [...prior];
  const alerts: Alert[] = [];
  members.forEach((m, member) => {
    for (const indicatorId of m.indicatorIds) {
      const real = links.filter((l) => l.indicatorId === indicatorId && !l.exercise);
      const mine = real.filter((l) => l.orgId === m.orgId).length;
      const orgs = new Set(real.map((l) => l.orgId)).size;
      links.push({ indicatorId, orgId: m.orgId, exercise: m.exercise });
      if (mine === 0 && !m.exercise && orgs + 1 >= 2) alerts.push({ member, indicatorId, orgCount: orgs + 1 });
    }
  });
  return alerts;
}

const link = fc.record({
  indicatorId: fc.integer({ min: 1, max: 4 }),
  orgId: fc.integer({ min: 1, max: 4 }),
  exercise: fc.boolean(),
});
const member = fc.record({
  orgId: fc.integer({ min: 1, max: 4 }),
  exercise: fc.boolean(),
  indicatorIds: fc.uniqueArray(fc.integer({ min: 1, max: 4 }), { maxLength: 4 }),
});

test('a batch raises the alerts that recounting for each report in turn raises (property)', () => {
  fc.assert(
    fc.property(
      fc.array(link, { maxLength: 8 }),
      fc.array(member, { minLength: 1, maxLength: 8 }),
      (prior, members) => {
        // what the batch reads before writing: real links by indicator and organisation
        const sightings: Sightings = new Map();
        for (const l of prior.filter((x) => !x.exercise)) {
          const orgs = sightings.get(l.indicatorId) ?? new Map<number, number>();
          orgs.set(l.orgId, (orgs.get(l.orgId) ?? 0) + 1);
          sightings.set(l.indicatorId, orgs);
        }
        assert.deepEqual(batchAlerts(sightings, members), oracle(prior, members));
      },
    ),
    { numRuns: 500 },
  );
});

test('two organisations reporting a new indicator in one batch: one alert, for the second', () => {
  const alerts = batchAlerts(new Map(), [
    { orgId: 1, exercise: false, indicatorIds: [7] },
    { orgId: 1, exercise: false, indicatorIds: [7] },
    { orgId: 2, exercise: true, indicatorIds: [7] },
    { orgId: 3, exercise: false, indicatorIds: [7] },
  ]);
  assert.deepEqual(alerts, [{ member: 3, indicatorId: 7, orgCount: 2 }]);
});
