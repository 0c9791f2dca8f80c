/** The duty rota (src/domain/duty.ts): examples, then properties. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { test } from 'vitest';
import {
  type DutyRota,
  dutyDay,
  dutyDayStart,
  dutyWeek,
  nextDuty,
  onDuty,
  parseDutySlot,
  parseWeekday,
} from '../../../src/domain/duty.ts';

const DAY = 24 * 60 * 60 * 1000;
const rota = (weekly: [number, number][], dates: [string, number][] = []): DutyRota<number> => ({
  weekly: new Map(weekly),
  dates: new Map(dates),
});

test('a duty day starts at 00:00 JST (15:00 UTC the day before)', () => {
  const r = rota([
    [1, 10], // Monday
    [2, 20], // Tuesday
  ]);
  // 2026-12-07 is a Monday
  assert.equal(onDuty(r, new Date('2026-12-07T14:59:59.999Z')), 10); // Mon 23:59:59.999 JST
  assert.equal(onDuty(r, new Date('2026-12-07T15:00:00.000Z')), 20); // Tue 00:00 JST
  assert.equal(onDuty(r, new Date('2026-12-06T15:00:00.000Z')), 10); // Mon 00:00 JST
  assert.equal(onDuty(r, new Date('2026-12-06T14:59:59.999Z')), null); // Sunday: nobody
});

test('a one-off date overrides its weekday; next is the first day with someone else', () => {
  const r = rota(
    [
      [1, 10],
      [2, 10],
      [3, 10],
      [4, 30],
    ],
    [['2026-12-08', 99]],
  );
  const mon = new Date('2026-12-07T03:00:00Z');
  assert.equal(onDuty(r, mon), 10);
  assert.deepEqual(nextDuty(r, mon), { day: '2026-12-08', from: new Date('2026-12-07T15:00:00Z'), person: 99 });
  const wed = new Date('2026-12-09T03:00:00Z');
  assert.deepEqual(nextDuty(r, wed)?.person, 30);
  const thu = new Date('2026-12-10T03:00:00Z');
  assert.deepEqual(nextDuty(r, thu), { day: '2026-12-11', from: dutyDayStart('2026-12-11'), person: null });
  assert.equal(nextDuty(rota([0, 1, 2, 3, 4, 5, 6].map((d) => [d, 7])), mon), null);
  assert.deepEqual(
    dutyWeek(r, mon).map((d) => [d.day, d.weekday, d.person]),
    [
      ['2026-12-07', 1, 10],
      ['2026-12-08', 2, 99],
      ['2026-12-09', 3, 10],
      ['2026-12-10', 4, 30],
      ['2026-12-11', 5, null],
      ['2026-12-12', 6, null],
      ['2026-12-13', 0, null],
    ],
  );
});

test('weekday words in English and Japanese, full-width too; dates in every accepted form', () => {
  for (const w of ['mon', 'Monday', 'MON', '月', '月曜', '月曜日', 'ｍｏｎ', ' 月曜日 '])
    assert.equal(parseWeekday(w), 1, w);
  for (const w of ['sun', '日', '日曜日']) assert.equal(parseWeekday(w), 0, w);
  for (const w of ['', 'mo', 'monday!', '月曜日日', 'm\u200bon', '2026-12-08']) assert.equal(parseWeekday(w), null, w);
  for (const s of [
    '2026-12-08',
    '2026/12/8',
    '２０２６－１２－０８',
    '２０２６／１２／０８',
    '2026年12月8日',
    '令和8年12月8日',
    '2026‐12‐08',
  ])
    assert.deepEqual(parseDutySlot(s), { kind: 'date', day: '2026-12-08' }, s);
  assert.deepEqual(parseDutySlot('火曜日'), { kind: 'weekday', weekday: 2 });
  for (const s of ['2026-02-30', '2026-13-01', 'tomorrow', '2026-12-08 10:00', '2026年12月8日(水)', 'x'.repeat(80)])
    assert.equal(parseDutySlot(s), null, s);
});

const arbDay = fc.integer({ min: 0, max: 3000 }).map((n) => dutyDay(new Date(Date.UTC(2025, 0, 1) + n * DAY)));
const arbRota = fc
  .record({
    weekly: fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 4 })), { maxLength: 7 }),
    dates: fc.array(fc.tuple(arbDay, fc.integer({ min: 1, max: 4 })), { maxLength: 6 }),
  })
  .map((r) => rota(r.weekly, r.dates));
const arbInstant = fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2033, 0, 1) }).map((t) => new Date(t));

test('property: a one-off date always wins over its weekday', () => {
  fc.assert(
    fc.property(
      arbRota,
      arbDay,
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 0, max: DAY - 1 }),
      (r, day, p, ms) => {
        const dates = new Map(r.dates).set(day, p);
        const at = new Date(dutyDayStart(day).getTime() + ms);
        assert.equal(onDuty({ weekly: r.weekly, dates }, at), p);
      },
    ),
  );
});

test('property: the answer depends only on the Tokyo date', () => {
  fc.assert(
    fc.property(arbRota, arbInstant, fc.integer({ min: 0, max: DAY - 1 }), (r, at, ms) => {
      const other = new Date(dutyDayStart(dutyDay(at)).getTime() + ms);
      assert.equal(dutyDay(other), dutyDay(at));
      assert.equal(onDuty(r, other), onDuty(r, at));
      assert.deepEqual(nextDuty(r, other), nextDuty(r, at));
    }),
  );
});

test('property: next is the first later day whose person differs, and every day between is today’s', () => {
  fc.assert(
    fc.property(arbRota, arbInstant, (r, at) => {
      const now = onDuty(r, at);
      const next = nextDuty(r, at);
      const start = dutyDayStart(dutyDay(at)).getTime();
      if (next) {
        assert.notEqual(next.person, now);
        assert.equal(onDuty(r, next.from), next.person);
        assert.ok(next.from.getTime() > start);
        for (let t = start + DAY; t < next.from.getTime(); t += DAY) assert.equal(onDuty(r, new Date(t)), now);
      } else {
        // nothing differs in the following weeks: the weekly pattern repeats today's person
        const last = [...r.dates.keys(), dutyDay(at)].sort().at(-1) as string;
        for (let t = start + DAY; t <= dutyDayStart(last).getTime() + 14 * DAY; t += DAY)
          assert.equal(onDuty(r, new Date(t)), now);
      }
    }),
  );
});
