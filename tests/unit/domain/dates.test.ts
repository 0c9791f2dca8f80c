import assert from 'node:assert/strict';
import fc from 'fast-check';
import { test } from 'vitest';
import {
  type DateStyle,
  dateStyle,
  formatDate,
  formatDateTime,
  formatFiscalYear,
  japaneseEra,
} from '../../../src/domain/dates.ts';
import { parseTokyoDateTime, tokyoWallTime } from '../../../src/domain/tokyo-time.ts';

const at = (s: string) => {
  const r = parseTokyoDateTime(s);
  if (!r.ok) throw new Error(s);
  return r.value;
};
const WAREKI: DateStyle = { locale: 'ja', calendar: 'wareki' };
const SEIREKI: DateStyle = { locale: 'ja', calendar: 'seireki' };
const EN: DateStyle = { locale: 'en', calendar: 'seireki' };

test('the three styles, with Japan time stated', () => {
  const t = at('2026-12-02 10:00');
  assert.equal(formatDateTime(t, WAREKI), '令和8年12月2日(水) 10:00（日本時間）');
  assert.equal(formatDateTime(t, SEIREKI), '2026年12月2日(水) 10:00（日本時間）');
  assert.equal(formatDateTime(t, EN), 'Wed 2 Dec 2026 10:00 JST');
  assert.equal(formatDate(t, WAREKI), '令和8年12月2日(水)');
  assert.equal(formatDate(t, EN), 'Wed 2 Dec 2026');
});

test('Tokyo, not UTC, decides the day: 23:30 UTC on 11 January is the 12th', () => {
  const late = new Date('2027-01-11T23:30:00Z');
  assert.equal(formatDateTime(late, WAREKI), '令和9年1月12日(火) 08:30（日本時間）');
  assert.equal(formatDateTime(late, EN), 'Tue 12 Jan 2027 08:30 JST');
});

test('era boundaries: 平成31年4月30日, 令和元年5月1日, 昭和64年1月7日, 平成元年1月8日', () => {
  assert.equal(formatDate(at('2019-04-30 23:59'), WAREKI), '平成31年4月30日(火)');
  assert.equal(formatDate(at('2019-05-01 00:00'), WAREKI), '令和元年5月1日(水)');
  assert.equal(formatDate(at('1989-01-07 12:00'), WAREKI), '昭和64年1月7日(土)');
  assert.equal(formatDate(at('1989-01-08 12:00'), WAREKI), '平成元年1月8日(日)');
  assert.equal(formatDate(at('1926-12-25 12:00'), WAREKI), '昭和元年12月25日(土)');
  assert.equal(formatDate(at('1912-07-30 12:00'), WAREKI), '大正元年7月30日(火)');
  assert.equal(formatDate(at('1873-01-01 12:00'), WAREKI), '明治6年1月1日(水)');
  // before the Western calendar was adopted, the Western year is written
  assert.equal(japaneseEra(1872, 12, 31), null);
});

test('fiscal years: 令和8年度 / 2026年度 / FY2026; the era of 1 April decides (平成31年度)', () => {
  assert.equal(formatFiscalYear(2026, WAREKI), '令和8年度');
  assert.equal(formatFiscalYear(2026, SEIREKI), '2026年度');
  assert.equal(formatFiscalYear(2026, EN), 'FY2026');
  assert.equal(formatFiscalYear(2019, WAREKI), '平成31年度');
  assert.equal(formatFiscalYear(2020, WAREKI), '令和2年度');
});

test('English readers always get the Western calendar', () => {
  assert.deepEqual(dateStyle('en', 'wareki'), EN);
  assert.deepEqual(dateStyle('ja', 'wareki'), WAREKI);
});

test('property: the era year plus the era start year is the Western year, and 和暦 and 西暦 agree on month, day and weekday', () => {
  fc.assert(
    fc.property(
      fc.date({ min: new Date('1873-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }),
      (d) => {
        const w = tokyoWallTime(d);
        const era = japaneseEra(w.year, w.month, w.day);
        if (!era) return false;
        const starts: Record<string, number> = { 令和: 2019, 平成: 1989, 昭和: 1926, 大正: 1912, 明治: 1868 };
        if (era.year + (starts[era.era] as number) - 1 !== w.year) return false;
        const wa = formatDate(d, WAREKI);
        const se = formatDate(d, SEIREKI);
        // the same month, day and weekday after the year
        return wa.replace(/^.*?年/, '') === se.replace(/^.*?年/, '') && se.startsWith(`${w.year}年`);
      },
    ),
    { seed: 18, numRuns: 500 },
  );
});
