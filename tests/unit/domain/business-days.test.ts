/**
 * 行政機関の休日 as a table written by hand from the calendar (the oracle), across the year-end
 * closure, Golden Week and substitute holidays; then deadlines counted in business days.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { test } from 'vitest';
import {
  businessDaysAfter,
  businessDaysBetween,
  closedDay,
  isBusinessDay,
  nextBusinessDay,
  startWarning,
} from '../../../src/domain/business-days.ts';
import { formatTokyoInput, parseTokyoDateTime } from '../../../src/domain/tokyo-time.ts';

function at(input: string): Date {
  const r = parseTokyoDateTime(input);
  assert.ok(r.ok, input);
  return r.value;
}

/** `B` business day, `S`/`U` Saturday/Sunday, `Y` year-end closure, `H:<name>` national holiday. */
const DAYS: [string, string][] = [
  // 2025 year end into 2026: Mon 29 Dec … Sat 3 Jan closed, Mon 5 Jan open
  ['2025-12-26', 'B'],
  ['2025-12-27', 'S'],
  ['2025-12-28', 'U'],
  ['2025-12-29', 'Y'],
  ['2025-12-30', 'Y'],
  ['2025-12-31', 'Y'],
  ['2026-01-01', 'H:元日'],
  ['2026-01-02', 'Y'],
  ['2026-01-03', 'Y'],
  ['2026-01-04', 'U'],
  ['2026-01-05', 'B'],
  // 2026 year end into 2027: Tue 29 Dec … Sun 3 Jan, Mon 4 Jan open
  ['2026-12-28', 'B'],
  ['2026-12-29', 'Y'],
  ['2026-12-30', 'Y'],
  ['2026-12-31', 'Y'],
  ['2027-01-01', 'H:元日'],
  ['2027-01-02', 'Y'],
  ['2027-01-03', 'Y'],
  ['2027-01-04', 'B'],
  ['2027-01-11', 'H:成人の日'],
  // Golden Week 2026: 5/3 憲法記念日 on a Sunday, so 5/6 is a substitute holiday
  ['2026-04-28', 'B'],
  ['2026-04-29', 'H:昭和の日'],
  ['2026-04-30', 'B'],
  ['2026-05-01', 'B'],
  ['2026-05-02', 'S'],
  ['2026-05-03', 'H:憲法記念日'],
  ['2026-05-04', 'H:みどりの日'],
  ['2026-05-05', 'H:こどもの日'],
  ['2026-05-06', 'H:振替休日'],
  ['2026-05-07', 'B'],
  // Golden Week 2027
  ['2027-04-29', 'H:昭和の日'],
  ['2027-04-30', 'B'],
  ['2027-05-01', 'S'],
  ['2027-05-02', 'U'],
  ['2027-05-03', 'H:憲法記念日'],
  ['2027-05-04', 'H:みどりの日'],
  ['2027-05-05', 'H:こどもの日'],
  ['2027-05-06', 'B'],
  // other substitute and citizens' holidays
  ['2025-11-24', 'H:振替休日'],
  ['2027-03-22', 'H:振替休日'],
  ['2026-09-22', 'H:国民の休日'],
  ['2026-09-24', 'B'],
];

function kindOf(c: ReturnType<typeof closedDay>): string {
  if (!c) return 'B';
  if (c.kind === 'holiday') return `H:${c.name.ja}`;
  if (c.kind === 'year-end') return 'Y';
  return c.day === 'sat' ? 'S' : 'U';
}

test('行政機関の休日: the table, at the first and the last minute of each Tokyo day', () => {
  for (const [day, want] of DAYS) {
    for (const hm of ['00:00', '23:59']) {
      const d = at(`${day} ${hm}`);
      assert.equal(kindOf(closedDay(d)), want, `${day} ${hm}`);
      assert.equal(isBusinessDay(d), want === 'B', `${day} ${hm}`);
    }
  }
});

/** [from, business days, the deadline (end of that day, JST)] */
const DEADLINES: [string, number, string][] = [
  ['2026-12-25 16:00', 1, '2026-12-28'], // Fri → Mon
  ['2026-12-25 16:00', 2, '2027-01-04'], // over the whole year-end closure
  ['2026-12-28 09:00', 1, '2027-01-04'],
  ['2026-12-30 22:00', 1, '2027-01-04'], // counted from a closed day
  ['2026-12-30 22:00', 3, '2027-01-06'],
  ['2027-01-08 12:00', 1, '2027-01-12'], // Fri → Tue over 成人の日
  ['2026-04-28 10:00', 1, '2026-04-30'], // over 昭和の日
  ['2026-04-30 10:00', 2, '2026-05-07'], // Golden Week and its substitute holiday
  ['2026-05-01 18:00', 1, '2026-05-07'],
  ['2027-04-28 10:00', 2, '2027-05-06'],
  ['2027-03-19 10:00', 1, '2027-03-23'], // Fri → Tue over the 振替休日 of 春分の日
  ['2026-09-18 10:00', 1, '2026-09-24'], // the five-day September holidays
  ['2026-05-07 23:59', 0, '2026-05-07'],
  ['2026-05-03 10:00', 0, '2026-05-03'], // 0: the same day even when closed
];

test('deadlines in business days end at 23:59:59.999 JST of the Nth business day after', () => {
  for (const [from, n, want] of DEADLINES) {
    const d = businessDaysAfter(at(from), n);
    assert.equal(formatTokyoInput(d), `${want} 23:59`, `${from} + ${n}`);
    assert.equal(d.getUTCMilliseconds(), 999);
    assert.equal(new Date(d.getTime() + 1).getTime() % 86_400_000, 15 * 3_600_000, 'next instant is 00:00 JST');
    if (n > 0) assert.equal(businessDaysBetween(at(from), d), n, `${from}: ${n} business days used`);
  }
});

test('nextBusinessDay steps over every closed day', () => {
  assert.equal(formatTokyoInput(nextBusinessDay(at('2026-12-28 15:00'))), '2027-01-04 00:00');
  assert.equal(formatTokyoInput(nextBusinessDay(at('2026-05-01 15:00'))), '2026-05-07 00:00');
});

test('a bad count is a programming error, not a silent deadline', () => {
  for (const n of [-1, 1.5, Number.NaN, 261]) assert.throws(() => businessDaysAfter(at('2026-05-01 10:00'), n));
});

test('property: the deadline is a business day (n ≥ 1), later than the start, monotonic in n', () => {
  const base = at('2025-01-01 00:00').getTime();
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 3 * 365 * 24 * 60 }), fc.integer({ min: 1, max: 30 }), (min, n) => {
      const from = new Date(base + min * 60_000);
      const d = businessDaysAfter(from, n);
      assert.ok(isBusinessDay(d));
      assert.ok(d.getTime() > from.getTime());
      assert.ok(businessDaysAfter(from, n + 1).getTime() > d.getTime());
      assert.equal(businessDaysBetween(from, d), n);
    }),
    { seed: 17, numRuns: 300 },
  );
});

test('meeting warning: the year-end closure warns (29 Dec 2026 got none before), weekends and holidays as before', () => {
  assert.deepEqual(startWarning(at('2026-12-29 10:00')), { kind: 'year-end' });
  assert.deepEqual(startWarning(at('2027-01-03 10:00')), { kind: 'year-end' }, 'a Sunday in the closure');
  assert.equal(startWarning(at('2027-01-01 10:00'))?.kind, 'holiday');
  assert.deepEqual(startWarning(at('2027-01-02 10:00')), { kind: 'year-end' });
  assert.equal(startWarning(at('2027-01-04 10:00')), null);
  assert.equal(startWarning(at('2026-12-28 10:00')), null);
});
