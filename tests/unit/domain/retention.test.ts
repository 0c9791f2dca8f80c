/**
 * The retention arithmetic (src/domain/retention.ts) against the rule as the guideline words it:
 * a record is kept `years` years from 1 April (JST) of the fiscal year after the one it closed
 * in, and is due from that anniversary on — computed here from calendar parts, not from
 * fiscalYearOf; and the table refuses what is not a whole number of years.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { test } from 'vitest';
import { isExpired, parseRetentionTable } from '../../../src/domain/retention.ts';

/** 1 April of `year`, 00:00 JST, as an instant. */
const aprilFirst = (year: number) => new Date(`${year}-04-01T00:00:00+09:00`);

/** The instant a record closed at `closed` may go after `years`: the rule written out. */
function expiry(closed: Date, years: number): Date {
  const jst = new Date(closed.getTime() + 9 * 3600_000);
  const y = jst.getUTCFullYear();
  // the April 1 that starts the count: the next one strictly after the closing day's fiscal year
  const start = jst.getUTCMonth() >= 3 ? y + 1 : y;
  return aprilFirst(start + years);
}

const instant = fc.date({
  min: new Date('2000-01-01T00:00:00Z'),
  max: new Date('2200-01-01T00:00:00Z'),
  noInvalidDate: true,
});

test('due exactly from the anniversary of 1 April after the closing fiscal year, for every instant', () => {
  fc.assert(
    fc.property(
      instant,
      fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: -3 * 86400_000, max: 3 * 86400_000 }),
      (closed, years, around) => {
        const e = expiry(closed, years);
        const now = new Date(e.getTime() + around);
        assert.equal(
          isExpired(closed, years, now),
          now.getTime() >= e.getTime(),
          `${closed.toISOString()} ${years} ${now.toISOString()}`,
        );
      },
    ),
    { numRuns: 2000 },
  );
});

test('the edges of a fiscal year, JST not UTC', () => {
  // 2027-03-31 23:59 JST is FY2026 (UTC says 14:59 on the 31st); 2027-04-01 00:00 JST is FY2027
  const lastOfFy2026 = new Date('2027-03-31T23:59:59.999+09:00');
  const firstOfFy2027 = new Date('2027-04-01T00:00:00+09:00');
  assert.equal(isExpired(lastOfFy2026, 5, new Date('2032-04-01T00:00:00+09:00')), true);
  assert.equal(isExpired(lastOfFy2026, 5, new Date('2032-03-31T23:59:59.999+09:00')), false);
  assert.equal(isExpired(firstOfFy2027, 5, new Date('2032-04-01T00:00:00+09:00')), false);
  assert.equal(isExpired(firstOfFy2027, 5, new Date('2033-04-01T00:00:00+09:00')), true);
  assert.equal(isExpired(lastOfFy2026, null, new Date('2999-01-01T00:00:00Z')), false, 'null keeps for good');
  // a clock set back (now before the record closed) never removes it
  assert.equal(isExpired(firstOfFy2027, 1, new Date('2020-01-01T00:00:00Z')), false);
});

test('the table: every kind, whole years 1–100 or null; every problem named', () => {
  const good = { incidents: 5, advisories: 5, inspections: 5, meetings: 3, deliveries: 1, audit: null };
  assert.deepEqual(parseRetentionTable(good), { ok: true, table: good });
  const bad = parseRetentionTable({
    ...good,
    incidents: 0,
    meetings: 2.5,
    deliveries: '1',
    audits: 3,
    audit: undefined,
  });
  assert.equal(bad.ok, false);
  const problems = bad.ok ? [] : bad.problems;
  for (const re of [
    /unknown record kind "audits"/,
    /"incidents": 0 is not/,
    /"meetings": 2.5 is not/,
    /"deliveries": "1" is not/,
    /"audit" is missing/,
  ])
    assert.ok(
      problems.some((p) => re.test(p)),
      `${re}: ${problems.join('; ')}`,
    );
  assert.equal(parseRetentionTable([1]).ok, false);
  assert.equal(parseRetentionTable(null).ok, false);
});
