/** Reachability drills' figures (src/domain/drill.ts): examples, then properties. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { test } from 'vitest';
import {
  elapsedText,
  type OrgReach,
  orgReach,
  percent,
  reachCount,
  reachedWithin,
  reachRate,
} from '../../../src/domain/drill.ts';

const MIN = 60_000;

test('an organisation: no PoC, not answered, or reached at its first PoC’s answer', () => {
  assert.deepEqual(orgReach({ pocs: [] }), { kind: 'no-poc' });
  assert.deepEqual(orgReach({ pocs: [{ answeredAfterMs: null }, { answeredAfterMs: null }] }), {
    kind: 'unanswered',
    pocs: 2,
  });
  assert.deepEqual(
    orgReach({ pocs: [{ answeredAfterMs: 55 * MIN }, { answeredAfterMs: 4 * MIN }, { answeredAfterMs: null }] }),
    {
      kind: 'answered',
      pocs: 3,
      answered: 2,
      firstMs: 4 * MIN,
    },
  );
});

test('the worked example: 5 organisations, 3 reached at 4:30, 20:30 and 50:30; one with no PoC counts', () => {
  const orgs: OrgReach[] = [
    orgReach({ pocs: [{ answeredAfterMs: 4.5 * MIN }, { answeredAfterMs: null }] }),
    orgReach({ pocs: [{ answeredAfterMs: 20.5 * MIN }] }),
    orgReach({ pocs: [{ answeredAfterMs: 50.5 * MIN }] }),
    orgReach({ pocs: [{ answeredAfterMs: null }] }),
    orgReach({ pocs: [] }),
  ];
  assert.equal(reachRate(orgs, 15 * MIN), 0.2);
  assert.equal(reachRate(orgs, 60 * MIN), 0.6);
  assert.deepEqual(reachCount(orgs, 60 * MIN), { reached: 3, total: 5 });
  assert.equal(percent(reachRate(orgs, 60 * MIN)), '60%');
  assert.equal(reachedWithin(orgs[0] as OrgReach, 4.5 * MIN), true, 'the window includes its end');
  assert.equal(reachRate([], 15 * MIN), 0);
});

test('times and percentages as shown', () => {
  assert.equal(elapsedText(0), '0:00');
  assert.equal(elapsedText(270_000), '4:30');
  assert.equal(elapsedText(3_725_000), '1:02:05');
  assert.equal(elapsedText(-5), '0:00');
  assert.equal(percent(2 / 3), '66%', 'rounded down: never better than it was');
  assert.equal(percent(1), '100%');
  assert.equal(percent(0.29), '29%');
});

const answer = fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 48 * 60 * MIN }));
const org = fc.record({ pocs: fc.array(fc.record({ answeredAfterMs: answer }), { maxLength: 4 }) });
const orgs = fc.array(org, { maxLength: 30 });
const window = fc.integer({ min: 0, max: 48 * 60 * MIN });

test('property: the rate is bounded 0..1 and never falls as the window grows', () => {
  fc.assert(
    fc.property(orgs, window, window, (os, a, b) => {
      const rs = os.map(orgReach);
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      const r1 = reachRate(rs, lo);
      const r2 = reachRate(rs, hi);
      return r1 >= 0 && r1 <= 1 && r2 >= 0 && r2 <= 1 && r1 <= r2;
    }),
  );
});

test('property: an organisation with no PoC is never reached and always counted', () => {
  fc.assert(
    fc.property(orgs, window, (os, w) => {
      const rs = [...os, { pocs: [] }].map(orgReach);
      const last = rs.at(-1) as OrgReach;
      const { total } = reachCount(rs, w);
      return last.kind === 'no-poc' && !reachedWithin(last, w) && total === rs.length && reachRate(rs, w) < 1;
    }),
  );
});

test('property: an organisation is reached within a window exactly when one of its PoCs answered within it', () => {
  fc.assert(
    fc.property(org, window, (o, w) => {
      const any = o.pocs.some((p) => p.answeredAfterMs !== null && p.answeredAfterMs <= w);
      return reachedWithin(orgReach(o), w) === any;
    }),
  );
});

test('property: another answer from a PoC never lowers the rate', () => {
  fc.assert(
    fc.property(orgs, fc.nat(), fc.integer({ min: 0, max: 48 * 60 * MIN }), window, (os, k, at, w) => {
      if (os.length === 0) return true;
      const i = k % os.length;
      const before = reachRate(os.map(orgReach), w);
      const more = os.map((o, j) => (j === i ? { pocs: [...o.pocs, { answeredAfterMs: at }] } : o));
      return reachRate(more.map(orgReach), w) >= before;
    }),
  );
});
