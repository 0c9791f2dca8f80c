import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'vitest';
import { startWarning } from '../../../src/domain/business-days.ts';
import { holidayName } from '../../../src/domain/holidays.ts';
import { parseTokyoDateTime } from '../../../src/domain/tokyo-time.ts';
import { tsxEvalArgv } from '../../helpers/tsx-child.ts';

function at(input: string): Date {
  const r = parseTokyoDateTime(input);
  assert.ok(r.ok, input);
  return r.value;
}

test('2027-01-11 (成人の日) warns as a holiday', () => {
  assert.deepEqual(startWarning(at('2027-01-11 10:00')), {
    kind: 'holiday',
    nameJa: '成人の日',
    nameEn: 'Coming of Age Day',
  });
});

test('2027-01-12 (an ordinary Tuesday) does not warn', () => {
  assert.equal(startWarning(at('2027-01-12 10:00')), null);
  assert.equal(holidayName(at('2027-01-12 10:00')), null);
});

test('2026-11-23 勤労感謝の日 warns, all day long in Tokyo', () => {
  for (const t of ['2026-11-23 00:00', '2026-11-23 08:59', '2026-11-23 23:59']) {
    assert.deepEqual(
      startWarning(at(t)),
      { kind: 'holiday', nameJa: '勤労感謝の日', nameEn: 'Labor Thanksgiving Day' },
      t,
    );
  }
  // 2026-11-23 23:59 JST is 14:59 UTC on the 23rd; 2026-11-24 00:00 JST is not a holiday.
  assert.equal(startWarning(at('2026-11-24 00:00')), null);
});

test('weekends warn with the day', () => {
  assert.deepEqual(startWarning(at('2027-01-16 10:00')), { kind: 'weekend', day: 'sat' });
  assert.deepEqual(startWarning(at('2027-01-17 10:00')), { kind: 'weekend', day: 'sun' });
  // A Sunday that is also a holiday reports the holiday: 2026-05-03 憲法記念日 is a Sunday.
  assert.equal(startWarning(at('2026-05-03 10:00'))?.kind, 'holiday');
});

test('the Tokyo date decides, not the UTC date', () => {
  // 2027-01-10 23:30 UTC is 2027-01-11 08:30 JST: 成人の日.
  assert.equal(holidayName(new Date('2027-01-10T23:30:00Z'))?.ja, '成人の日');
  // 2027-01-11 15:00 UTC is 2027-01-12 00:00 JST: not a holiday, though UTC still says the 11th.
  assert.equal(holidayName(new Date('2027-01-11T15:00:00Z')), null);
});

test("substitute and citizens' holidays get their legal names and English", () => {
  // 2026-05-06: 憲法記念日 (5/3) fell on Sunday.
  assert.deepEqual(holidayName(at('2026-05-06 10:00')), { ja: '振替休日', en: 'Substitute Holiday' });
  // 2026-09-22: between 敬老の日 (9/21) and 秋分の日 (9/23).
  assert.deepEqual(holidayName(at('2026-09-22 10:00')), { ja: '国民の休日', en: "Citizens' Holiday" });
  assert.deepEqual(holidayName(at('2027-01-01 00:00')), { ja: '元日', en: "New Year's Day" });
  assert.deepEqual(holidayName(at('2026-10-12 10:00')), { ja: 'スポーツの日', en: 'Sports Day' });
});

test('every holiday in 2026–2028 has an English name', () => {
  for (let d = Date.UTC(2026, 0, 1); d < Date.UTC(2029, 0, 1); d += 86_400_000) {
    const h = holidayName(new Date(d + 3 * 3_600_000));
    if (h) assert.ok(h.en && h.en !== h.ja, `${new Date(d).toISOString()} ${h.ja}`);
  }
});

test('same answers whatever the process time zone', () => {
  const mod = fileURLToPath(new URL('../../../src/domain/business-days.ts', import.meta.url));
  const script = `
    const h = await import(${JSON.stringify(mod)});
    const out = [];
    for (let d = Date.UTC(2026, 10, 20, 15); d < Date.UTC(2027, 0, 20, 15); d += 3 * 3_600_000) {
      out.push(JSON.stringify(h.startWarning(new Date(d))));
    }
    console.log(JSON.stringify(out));`;
  const runs = ['UTC', 'America/New_York', 'Asia/Tokyo', 'Pacific/Kiritimati'].map((tz) => {
    const p = spawnSync(process.execPath, tsxEvalArgv(script), {
      env: { ...process.env, TZ: tz },
      encoding: 'utf8',
    });
    assert.equal(p.status, 0, p.stderr);
    return p.stdout;
  });
  for (const r of runs.slice(1)) assert.equal(r, runs[0]);
  assert.match(runs[0]!, /成人の日/);
});

test('invalid dates and dates past the table give null', () => {
  assert.equal(holidayName(new Date(Number.NaN)), null);
  assert.equal(holidayName(at('2099-01-01 10:00')), null);
});
