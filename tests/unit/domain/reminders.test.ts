import assert from 'node:assert/strict';
import fc from 'fast-check';
import { test } from 'vitest';
import { fiscalYearEnd, fiscalYearOf } from '../../../src/domain/fiscal-year.ts';
import {
  campaignReminderTimes,
  formatOffset,
  parseDuration,
  parseReminderOffsets,
  type ReminderOffset,
  readinessReminderTimes,
  reminderSchedule,
} from '../../../src/domain/reminders.ts';
import { formatTokyoInput, parseTokyoDate, parseTokyoDateTime } from '../../../src/domain/tokyo-time.ts';

const FC = { seed: 424242, numRuns: 1000 } as const;

function offsets(input: string): ReminderOffset[] {
  const r = parseReminderOffsets(input);
  assert.ok(r.ok, `expected ${input} to parse`);
  return r.value;
}
const texts = (input: string) => offsets(input).map((o) => o.text);

function at(input: string): Date {
  const r = parseTokyoDateTime(input);
  assert.ok(r.ok, input);
  return r.value;
}

test('reminder offsets: default, units, sorting, dedupe', () => {
  assert.deepEqual(offsets('7d,1d,1h'), [
    { text: '7d', minutes: 10_080 },
    { text: '1d', minutes: 1_440 },
    { text: '1h', minutes: 60 },
  ]);
  assert.deepEqual(texts('1h,7d,1d'), ['7d', '1d', '1h']);
  assert.deepEqual(texts('1w, 7d ,1d,1d,24h'), ['7d', '1d']);
  assert.deepEqual(texts('2w,30m,90m'), ['14d', '1h30m', '30m']);
  assert.deepEqual(texts('1d12h,1h30m'), ['1d12h', '1h30m']);
  assert.deepEqual(texts('90d'), ['90d']);
  assert.deepEqual(texts('1D,2H'), ['1d', '2h']);
});

test('reminder offsets: full-width and Japanese spellings', () => {
  assert.deepEqual(texts('７ｄ，１ｄ，１ｈ'), ['7d', '1d', '1h']);
  assert.deepEqual(texts('７日、１日、１時間'), ['7d', '1d', '1h']);
  assert.deepEqual(texts('1週間,30分'), ['7d', '30m']);
});

test('reminder offsets: rejected with reminders.invalid and the input', () => {
  for (const s of [
    '',
    '0d',
    '0m',
    '-1d',
    '1d,-1h',
    '91d',
    '13w',
    '2160h1m',
    '1d,,1h',
    '1d,',
    '1.5d',
    '1y',
    'd',
    '7',
    '1h2h',
    '30m1h',
    'tomorrow',
    '1d;1h',
    '1m,2m,3m,4m,5m,6m,7m,8m,9m,10m,11m',
    '1'.repeat(300),
  ]) {
    assert.deepEqual(parseReminderOffsets(s), { ok: false, code: 'reminders.invalid', input: s }, s);
  }
  assert.equal(texts('1m,2m,3m,4m,5m,6m,7m,8m,9m,10m').length, 10);
  assert.equal(texts('1m,2m,3m,4m,5m,6m,7m,8m,9m,10m,10m').length, 10, 'duplicates do not count twice');
  assert.deepEqual(texts('2160h'), ['90d']);
});

test('durations: 1 minute to 24 hours', () => {
  const ok = (s: string) => {
    const r = parseDuration(s);
    assert.ok(r.ok, s);
    return r.minutes;
  };
  assert.equal(ok('90m'), 90);
  assert.equal(ok('1h30m'), 90);
  assert.equal(ok('2h'), 120);
  assert.equal(ok('24h'), 1440);
  assert.equal(ok('1m'), 1);
  assert.equal(ok('１ｈ３０ｍ'), 90);
  assert.equal(ok('1時間30分'), 90);
  assert.equal(ok('45'), 45, 'a bare number is minutes');
  assert.equal(ok('1d'), 1440);
  for (const s of ['0m', '0', '24h1m', '25h', '2d', '-30m', '1.5h', 'h', '30m1h', '', 'long']) {
    assert.deepEqual(parseDuration(s), { ok: false, code: 'duration.invalid', input: s }, s);
  }
});

test('schedule: reminders whose time already passed are skipped, the rest are due later', () => {
  const start = at('2027-01-12 10:00');
  const now = at('2027-01-11 12:00'); // 22 hours before the start
  assert.deepEqual(
    reminderSchedule(start, offsets('7d,1d,1h'), now).map((r) => [r.offset, formatTokyoInput(r.dueAt), r.state]),
    [
      ['7d', '2027-01-05 10:00', 'skip-passed'],
      ['1d', '2027-01-11 10:00', 'skip-passed'],
      ['1h', '2027-01-12 09:00', 'due-later'],
    ],
  );
  // Due exactly now counts as passed: the invitation itself goes out now.
  const exact = reminderSchedule(start, offsets('1d'), at('2027-01-11 10:00'));
  assert.equal(exact[0]!.state, 'skip-passed');
  const early = reminderSchedule(start, offsets('1d'), at('2027-01-11 09:59'));
  assert.equal(early[0]!.state, 'due-later');
  assert.deepEqual(reminderSchedule(start, [], now), []);
});

test('schedule: dueAt = start − offset, earliest first, for any offsets', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.integer({ min: 1, max: 90 * 1440 }), { minLength: 1, maxLength: 10 }),
      fc.integer({ min: -200 * 1440, max: 200 * 1440 }),
      (mins, nowShift) => {
        const start = at('2027-01-12 10:00');
        const now = new Date(start.getTime() + nowShift * 60_000);
        const parsed = parseReminderOffsets(mins.map(formatOffset).join(','));
        if (!parsed.ok) return false;
        const s = reminderSchedule(start, parsed.value, now);
        return (
          s.length === mins.length &&
          s.every((r, i) => i === 0 || r.dueAt > s[i - 1]!.dueAt) &&
          s.every((r) => r.dueAt <= now === (r.state === 'skip-passed')) &&
          s.every((r, i) => start.getTime() - r.dueAt.getTime() === parsed.value[i]!.minutes * 60_000)
        );
      },
    ),
    FC,
  );
});

test('property: offset parsing never throws, and accepted offsets obey the limits', () => {
  const near = fc.string({ unit: fc.constantFrom(...'0123456789wdhm,、 -ｄ１日分'), maxLength: 40 });
  fc.assert(
    fc.property(fc.oneof(fc.string(), near), (s) => {
      const r = parseReminderOffsets(s);
      parseDuration(s);
      if (!r.ok) return r.code === 'reminders.invalid' && r.input === s;
      const m = r.value.map((o) => o.minutes);
      return (
        m.length >= 1 &&
        m.length <= 10 &&
        m.every((x, i) => x > 0 && x <= 90 * 1440 && (i === 0 || x < m[i - 1]!)) &&
        r.value.every((o) => parseReminderOffsets(o.text).ok)
      );
    }),
    FC,
  );
});

test('property: canonical offset text parses back to the same minutes', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 90 * 1440 }), (m) => {
      const r = parseReminderOffsets(formatOffset(m));
      return r.ok && r.value.length === 1 && r.value[0]!.minutes === m && r.value[0]!.text === formatOffset(m);
    }),
    FC,
  );
});

test('readiness reminders: 30 and 7 days before 31 March (Tokyo) at 10:00 JST', () => {
  const r = readinessReminderTimes(2026);
  assert.deepEqual(
    r.map((x) => [x.daysBefore, formatTokyoInput(x.at)]),
    [
      [30, '2027-03-01 10:00'],
      [7, '2027-03-24 10:00'],
    ],
  );
  assert.equal(r[0]!.at.toISOString(), '2027-03-01T01:00:00.000Z');
  // Leap year: 31 March 2028 − 30 days is 1 March too (February has 29 days, not counted).
  assert.deepEqual(
    readinessReminderTimes(2027).map((x) => formatTokyoInput(x.at)),
    ['2028-03-01 10:00', '2028-03-24 10:00'],
  );
  for (const x of r) assert.equal(fiscalYearOf(x.at), 2026, 'reminders fall inside the fiscal year');
  assert.ok(r.every((x) => x.at < fiscalYearEnd(2026)));
});

test('fiscal-year boundary around the deadline', () => {
  assert.equal(fiscalYearOf(at('2027-03-31 23:59')), 2026);
  assert.equal(fiscalYearOf(at('2027-04-01 00:00')), 2027);
  assert.ok(at('2027-03-31 23:59') <= fiscalYearEnd(2026));
  assert.ok(at('2027-04-01 00:00') > fiscalYearEnd(2026));
});

test('campaign reminders: 7 days and 1 day before the due date at 10:00 JST', () => {
  const due = parseTokyoDate('2027-02-01');
  assert.ok(due.ok);
  assert.deepEqual(
    campaignReminderTimes(due.value).map((x) => [x.daysBefore, formatTokyoInput(x.at)]),
    [
      [7, '2027-01-25 10:00'],
      [1, '2027-01-31 10:00'],
    ],
  );
  // A due instant late in the Tokyo day (14:59 UTC = 23:59 JST) still means that Tokyo date.
  assert.deepEqual(
    campaignReminderTimes(new Date('2027-02-01T14:59:00Z')).map((x) => formatTokyoInput(x.at)),
    ['2027-01-25 10:00', '2027-01-31 10:00'],
  );
});
