import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { test } from 'vitest';
import { fiscalYearOf } from '../../../src/domain/fiscal-year.ts';
import {
  formatTokyoInput,
  formatTokyoIsoDate,
  parseTokyoDate,
  parseTokyoDateTime,
  tokyoEndOfDay,
  tokyoStartOfDay,
  tokyoWeekday,
} from '../../../src/domain/tokyo-time.ts';
import { tsxEvalArgv } from '../../helpers/tsx-child.ts';

const FC = { seed: 424242, numRuns: 1000 } as const;

function instant(input: string): Date {
  const r = parseTokyoDateTime(input);
  assert.ok(r.ok, `expected ${input} to parse`);
  return r.value;
}

test('wall time is read as Asia/Tokyo (UTC+09:00)', () => {
  assert.equal(instant('2027-01-12 10:00').toISOString(), '2027-01-12T01:00:00.000Z');
  assert.equal(instant('2027-01-01 08:59').toISOString(), '2026-12-31T23:59:00.000Z');
});

test('accepted spellings all mean the same instant', () => {
  const want = '2027-01-12T01:00:00.000Z';
  for (const s of [
    '2027/01/12 10:00',
    '2027-01-12T10:00',
    '2027-1-12 10:00',
    '  2027-01-12   10:00 ',
    '２０２７－０１－１２　１０：００',
    '２０２７／０１／１２ １０：００',
    '2027-01-12Ｔ10:00',
  ]) {
    assert.equal(instant(s).toISOString(), want, s);
  }
});

test('the Japanese written form: 年月日, a weekday in brackets, 時分, 時半, 午前／午後, 令和 years', () => {
  const at = (s: string) => {
    const r = parseTokyoDateTime(s);
    return r.ok ? formatTokyoInput(r.value) : r.code;
  };
  assert.equal(at('2026年12月8日 10時30分'), '2026-12-08 10:30');
  assert.equal(at('2026年12月8日（火） 10時'), '2026-12-08 10:00');
  assert.equal(at('2026年12月8日(火曜日)10時半'), '2026-12-08 10:30');
  assert.equal(at('２０２６年１２月８日（火）　１０時'), '2026-12-08 10:00');
  assert.equal(at('令和8年12月8日 午後3時'), '2026-12-08 15:00');
  assert.equal(at('令和元年5月1日 午前12時'), '2019-05-01 00:00');
  assert.equal(at('2026年12月8日 午後12時'), '2026-12-08 12:00');
  assert.equal(at('2026-12-08 10時'), '2026-12-08 10:00');
  // what the bot writes (src/domain/dates.ts), it reads back
  assert.equal(at('令和8年12月8日(火) 10:00（日本時間）'), '2026-12-08 10:00');
  assert.equal(at('2026年12月8日(火) 10:00（日本時間）'), '2026-12-08 10:00');
  assert.equal(at('平成31年4月30日 10時'), '2019-04-30 10:00');
  // a weekday that is not the date's own is refused as such (8 December 2026 is a Tuesday)
  assert.equal(at('2026年12月8日（水） 10時'), 'date.weekday');
  assert.deepEqual(parseTokyoDate('令和9年1月15日（木）'), {
    ok: false,
    code: 'date.weekday',
    input: '令和9年1月15日（木）',
  });
  // impossible ones stay impossible
  for (const s of [
    '2026年13月8日 10時',
    '2026年12月8日 25時',
    '2026年12月8日 10時60分',
    '2026年12月8日',
    '平成38年12月8日 10時',
  ]) {
    assert.equal(at(s), 'time.invalid', s);
  }
  const day = (s: string) => {
    const r = parseTokyoDate(s);
    return r.ok ? formatTokyoInput(r.value) : r.code;
  };
  assert.equal(day('2026年12月8日'), '2026-12-08 00:00');
  assert.equal(day('令和9年1月15日（金）'), '2027-01-15 00:00');
  assert.equal(day('2026年2月30日'), 'date.invalid');
});

test('impossible or malformed wall times are time.invalid', () => {
  for (const s of [
    '2027-02-30 10:00',
    '2027-02-29 10:00',
    '2027-13-01 10:00',
    '2027-00-10 10:00',
    '2027-01-00 10:00',
    '2027-01-12 24:00',
    '2027-01-12 10:60',
    '2027-01-12',
    '2027-01-12 10',
    '27-01-12 10:00',
    '2027-01-12 10:00:00',
    'tomorrow 10:00',
    '',
  ]) {
    assert.deepEqual(parseTokyoDateTime(s), { ok: false, code: 'time.invalid', input: s });
  }
  assert.ok(parseTokyoDateTime('2028-02-29 10:00').ok, 'leap day');
  assert.ok(!parseTokyoDateTime('2100-02-29 10:00').ok, '2100 is not a leap year');
  assert.ok(parseTokyoDateTime('2000-02-29 23:59').ok, '2000 is');
});

test('a date is its 00:00 JST; end of day is the last millisecond', () => {
  const r = parseTokyoDate('2027-03-31');
  assert.ok(r.ok);
  assert.equal(r.value.toISOString(), '2027-03-30T15:00:00.000Z');
  assert.equal(tokyoEndOfDay(r.value).toISOString(), '2027-03-31T14:59:59.999Z');
  assert.equal(tokyoStartOfDay(instant('2027-03-31 23:59')).getTime(), r.value.getTime());
  const fw = parseTokyoDate('２０２７／３／３１');
  assert.ok(fw.ok);
  assert.equal(fw.value.getTime(), r.value.getTime());
  assert.equal(parseTokyoDate('2027-02-30').ok, false);
  assert.equal(parseTokyoDate('2027-03-31 10:00').ok, false);
});

test('fiscal-year boundary: 2027-03-31 23:59 JST is FY2026, 2027-04-01 00:00 JST is FY2027', () => {
  assert.equal(fiscalYearOf(instant('2027-03-31 23:59')), 2026);
  assert.equal(fiscalYearOf(instant('2027-04-01 00:00')), 2027);
  // In UTC both are still 31 March: only the Tokyo reading gets the boundary right.
  assert.equal(instant('2027-04-01 00:00').toISOString(), '2027-03-31T15:00:00.000Z');
});

test('the input form and the Tokyo calendar date of an instant', () => {
  // 23:30 UTC on the 11th is already the 12th in Tokyo.
  const late = new Date('2027-01-11T23:30:00Z');
  assert.equal(formatTokyoInput(late), '2027-01-12 08:30');
  assert.equal(formatTokyoIsoDate(late), '2027-01-12');
  assert.equal(tokyoWeekday(late), 2);
});

test('results do not depend on the process time zone (TZ=UTC, America/New_York, Asia/Tokyo)', () => {
  const mod = fileURLToPath(new URL('../../../src/domain/tokyo-time.ts', import.meta.url));
  const dates = fileURLToPath(new URL('../../../src/domain/dates.ts', import.meta.url));
  const script = `
    const t = await import(${JSON.stringify(mod)});
    const d = await import(${JSON.stringify(dates)});
    const out = ['2027-01-12 10:00', '2027-03-31 23:59', '2026-11-01 01:30', '2027-03-14 02:30'].map((s) => {
      const r = t.parseTokyoDateTime(s);
      return [r.value.toISOString(), d.formatDateTime(r.value, { locale: 'ja', calendar: 'wareki' }), d.formatDateTime(r.value, { locale: 'en', calendar: 'seireki' }),
        t.tokyoEndOfDay(r.value).toISOString(), t.parseTokyoDate(s.slice(0, 10)).value.toISOString()];
    });
    console.log(JSON.stringify({ tz: Intl.DateTimeFormat().resolvedOptions().timeZone, out }));`;
  const runs = ['UTC', 'America/New_York', 'Asia/Tokyo'].map((tz) => {
    const p = spawnSync(process.execPath, tsxEvalArgv(script), {
      env: { ...process.env, TZ: tz },
      encoding: 'utf8',
    });
    assert.equal(p.status, 0, p.stderr);
    return JSON.parse(p.stdout) as { tz: string; out: string[][] };
  });
  assert.deepEqual(
    runs.map((r) => r.tz),
    ['UTC', 'America/New_York', 'Asia/Tokyo'],
  );
  assert.deepEqual(runs[1]!.out, runs[0]!.out);
  assert.deepEqual(runs[2]!.out, runs[0]!.out);
  assert.equal(runs[0]!.out[0]![0], '2027-01-12T01:00:00.000Z');
});

/** Strings made of what dates are made of, so the parser's deeper branches run too. */
const nearDateTime = fc.string({ unit: fc.constantFrom(...'0123456789-/: T０１９：／－Ｔ\u3000'), maxLength: 24 });

test('property: parsing never throws on any string', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), nearDateTime), (s) => {
      const a = parseTokyoDateTime(s);
      const b = parseTokyoDate(s);
      return typeof a.ok === 'boolean' && typeof b.ok === 'boolean';
    }),
    FC,
  );
});

const wallTime = fc
  .record({
    year: fc.integer({ min: 1000, max: 9999 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 31 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
  })
  .filter((t) => t.day <= new Date(Date.UTC(t.year, t.month, 0)).getUTCDate());
const p2 = (n: number) => String(n).padStart(2, '0');

test('property: format(parse(x)) round-trips for valid wall times, full-width too', () => {
  fc.assert(
    fc.property(wallTime, (t) => {
      const x = `${t.year}-${p2(t.month)}-${p2(t.day)} ${p2(t.hour)}:${p2(t.minute)}`;
      const r = parseTokyoDateTime(x);
      if (!r.ok) return false;
      const wide = x.replace(/[0-9:-]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
      const w = parseTokyoDateTime(wide);
      return formatTokyoInput(r.value) === x && w.ok && w.value.getTime() === r.value.getTime();
    }),
    FC,
  );
});

test('property: any instant formats to a wall time that parses back to the same minute', () => {
  fc.assert(
    fc.property(fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2200, 0, 1) }), (ms) => {
      const at = new Date(Math.floor(ms / 60_000) * 60_000);
      const r = parseTokyoDateTime(formatTokyoInput(at));
      return r.ok && r.value.getTime() === at.getTime();
    }),
    FC,
  );
});

test('property: day count rejection matches the calendar', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1000, max: 9999 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 28, max: 32 }),
      (y, m, d) => {
        const valid = d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
        return parseTokyoDate(`${y}-${p2(m)}-${p2(d)}`).ok === valid;
      },
    ),
    FC,
  );
});
