/**
 * The one way the product writes a date or a time for people: replies, channel posts, CSV
 * exports and calendar text all call this module, so one reader sees one style (issue 18).
 *
 * Every time is Japan time (UTC+09:00, no daylight saving since 1951) and says so: Japanese
 * `令和8年12月2日(水) 10:00（日本時間）`, English `Wed 2 Dec 2026 10:00 JST`. Japanese dates are
 * written in the Japanese era (和暦, the default of government documents) or in the Western
 * calendar (西暦), chosen per deployment (`BOT_CALENDAR`) and per person (`/csirt lang ja
 * seireki`). English is always Western. Typed input stays `YYYY-MM-DD HH:MM` (see tokyo-time.ts).
 */
import { tokyoWallTime, tokyoWeekday } from './tokyo-time.ts';

/** Which calendar Japanese dates are written in. */
export type Calendar = 'wareki' | 'seireki';
export const CALENDARS: readonly Calendar[] = ['wareki', 'seireki'];

/** How one reader reads dates: their language and, for Japanese, their calendar. */
export interface DateStyle {
  readonly locale: 'ja' | 'en';
  readonly calendar: Calendar;
}

export function isCalendar(v: unknown): v is Calendar {
  return v === 'wareki' || v === 'seireki';
}

/**
 * The eras since the Western calendar was adopted (明治6年 = 1873), newest first: the first
 * day of each in Tokyo, as `YYYYMMDD` numbers. Before 1873-01-01 dates are written in the
 * Western calendar (the lunisolar calendar then in use is not what a reader would expect).
 */
const ERAS: ReadonlyArray<{ name: string; start: number; firstYear: number }> = [
  { name: '令和', start: 20190501, firstYear: 2019 },
  { name: '平成', start: 19890108, firstYear: 1989 },
  { name: '昭和', start: 19261225, firstYear: 1926 },
  { name: '大正', start: 19120730, firstYear: 1912 },
  { name: '明治', start: 18730101, firstYear: 1868 },
];

/**
 * The Western year of the date `n`年`month`月`day`日 of the era `name` (`令和`, 8 → 2026), or
 * null when that date is not in the era (平成38年, 平成31年5月1日 — that day is 令和元年) or there
 * is no such era. Read with `japaneseEra`'s table, so what is written is read back.
 */
export function eraYear(name: string, n: number, month: number, day: number): number | null {
  const i = ERAS.findIndex((x) => x.name === name);
  const e = ERAS[i];
  if (!e || n < 1) return null;
  const year = e.firstYear + n - 1;
  const ymd = year * 10000 + month * 100 + day;
  const next = ERAS[i - 1];
  return ymd >= e.start && (!next || ymd < next.start) ? year : null;
}

/** The era and the year within it of a Tokyo calendar date, or null before 1873. */
export function japaneseEra(year: number, month: number, day: number): { era: string; year: number } | null {
  const ymd = year * 10000 + month * 100 + day;
  const e = ERAS.find((x) => ymd >= x.start);
  return e ? { era: e.name, year: year - e.firstYear + 1 } : null;
}

/** `令和8年`, `令和元年` (the first year of an era is 元年), or `2026年` in the Western calendar. */
function jaYear(year: number, month: number, day: number, calendar: Calendar): string {
  const era = calendar === 'wareki' ? japaneseEra(year, month, day) : null;
  if (!era) return `${year}年`;
  return `${era.era}${era.year === 1 ? '元' : era.year}年`;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');
const WEEKDAY_JA = ['日', '月', '火', '水', '木', '金', '土'] as const;
const WEEKDAY_EN = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTH_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** A Tokyo calendar date: `令和8年12月2日(水)`, `2026年12月2日(水)`, `Wed 2 Dec 2026`. */
export function formatDate(at: Date, style: DateStyle): string {
  const t = tokyoWallTime(at);
  const wd = tokyoWeekday(at);
  if (style.locale === 'ja')
    return `${jaYear(t.year, t.month, t.day, style.calendar)}${t.month}月${t.day}日(${WEEKDAY_JA[wd]})`;
  return `${WEEKDAY_EN[wd]} ${t.day} ${MONTH_EN[t.month - 1]} ${t.year}`;
}

/** A time of day in Tokyo with the zone: `10:00（日本時間）`, `10:00 JST`. */
export function formatTime(at: Date, style: DateStyle): string {
  const t = tokyoWallTime(at);
  const hm = `${pad2(t.hour)}:${pad2(t.minute)}`;
  return style.locale === 'ja' ? `${hm}（日本時間）` : `${hm} JST`;
}

/** A Tokyo date and time with the zone: `令和8年12月2日(水) 10:00（日本時間）`, `Wed 2 Dec 2026 10:00 JST`. */
export function formatDateTime(at: Date, style: DateStyle): string {
  return `${formatDate(at, style)} ${formatTime(at, style)}`;
}

/** A fiscal year (April–March): `令和8年度`, `2026年度`, `FY2026`. */
export function formatFiscalYear(fiscalYear: number, style: DateStyle): string {
  if (style.locale === 'en') return `FY${fiscalYear}`;
  // the era of the fiscal year's first day (1 April)
  return `${jaYear(fiscalYear, 4, 1, style.calendar).replace(/年$/, '')}年度`;
}

/** The style of a reader: English readers always get the Western calendar. */
export function dateStyle(locale: 'ja' | 'en', calendar: Calendar): DateStyle {
  return { locale, calendar: locale === 'en' ? 'seireki' : calendar };
}
