/**
 * Asia/Tokyo wall time: parsing what people type, and the input form `YYYY-MM-DD HH:MM` it
 * reads back. Dates and times for people are written by dates.ts (one style for the product).
 *
 * Japan has had no daylight saving time since 1951, so Tokyo is always UTC+09:00. Every
 * computation here uses that fixed offset and the UTC accessors of `Date`, never the
 * process time zone: the answers are the same with TZ=UTC, TZ=Asia/Tokyo or anything else.
 */
import { eraYear } from './dates.ts';
import { tokyoDate } from './fiscal-year.ts';

/** The fixed Asia/Tokyo offset from UTC, in milliseconds. */
export const TOKYO_OFFSET_MS = 9 * 60 * 60 * 1000;

const DAY_MS = 24 * 60 * 60 * 1000;

/** Stable error code for a date or date-time that cannot be read (an i18n key). */
export type TimeErrorCode = 'time.invalid' | 'date.invalid' | 'date.weekday';

/** Outcome of parsing user input: the instant, or a coded failure carrying the input. */
export type TimeResult = { ok: true; value: Date } | { ok: false; code: TimeErrorCode; input: string };

/** Languages the bot replies in. */
export type Locale = 'ja' | 'en';

/** A Tokyo calendar date and wall-clock time, with month 1–12 and 24-hour clock. */
export interface TokyoWallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/**
 * Folds full-width digits and punctuation (０-９ ： ／ － Ｔ and the ideographic space) into
 * ASCII, trims, and collapses runs of spaces, so `２０２７／０１／１２　１０：００` reads as
 * `2027/01/12 10:00`.
 */
export function normaliseTimeInput(input: string): string {
  return input
    .replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xff10 + 0x30))
    .replace(/[\uFF1A]/g, ':')
    .replace(/[\uFF0F]/g, '/')
    .replace(/[\uFF0D\u2010\u2011\u2012\u2013\u2212]/g, '-')
    .replace(/[\uFF34\uFF54]/g, 'T')
    .replace(/[\u3000\s]+/g, ' ')
    .trim();
}

/**
 * The instant of a Tokyo wall time. Out-of-range fields roll over as in `Date.UTC`
 * (day 0 is the last day of the previous month), which the reminder arithmetic relies on;
 * use {@link parseTokyoDateTime} for user input, which rejects them instead.
 */
export function tokyoInstant(year: number, month: number, day: number, hour = 0, minute = 0): Date {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, 0, 0);
  return new Date(d.getTime() - TOKYO_OFFSET_MS);
}

/** The Tokyo wall time of an instant (seconds dropped). */
export function tokyoWallTime(at: Date): TokyoWallTime {
  const d = new Date(at.getTime() + TOKYO_OFFSET_MS);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
  };
}

/** Day of the week of an instant on the Tokyo calendar: 0 = Sunday … 6 = Saturday. */
export function tokyoWeekday(at: Date): number {
  return new Date(at.getTime() + TOKYO_OFFSET_MS).getUTCDay();
}

/** 00:00:00.000 JST of the Tokyo calendar day containing `at`. */
export function tokyoStartOfDay(at: Date): Date {
  const { year, month, day } = tokyoDate(at);
  return tokyoInstant(year, month, day);
}

/** The last millisecond (23:59:59.999 JST) of the Tokyo calendar day containing `at`. */
export function tokyoEndOfDay(at: Date): Date {
  return new Date(tokyoStartOfDay(at).getTime() + DAY_MS - 1);
}

function isValidWallTime(t: TokyoWallTime): boolean {
  if (t.year < 1000 || t.year > 9999) return false;
  if (t.month < 1 || t.month > 12 || t.day < 1 || t.hour > 23 || t.minute > 59) return false;
  // Day 0 of the next month is the last day of this one (years ≥ 1000, so no 19xx mapping).
  return t.day <= new Date(Date.UTC(t.year, t.month, 0)).getUTCDate();
}

const DATE_RE = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})/;
const DATE_ONLY_RE = new RegExp(`${DATE_RE.source}$`);
const DATE_TIME_RE = new RegExp(`${DATE_RE.source}(?: ?T ?| )(\\d{1,2}):(\\d{2})$`);

/** the weekdays as written in brackets after a date, Sunday first (getUTCDay order) */
const WEEKDAY_KANJI = ['日', '月', '火', '水', '木', '金', '土'] as const;

/**
 * Reads the way dates and times are written in Japanese documents into the numeric form:
 * `2026年12月8日（火） 10時30分` → `2026-12-8 10:30`, `令和8年12月8日 10時` → `2026-12-8 10:00`
 * (any era of dates.ts; 元年 is year 1), `10時半` → `10:30`, and the bot's own form
 * `令和8年12月8日(火) 10:00（日本時間）`; the weekday in brackets is returned to be checked.
 * Input already folded by `normaliseTimeInput`. Anything else is returned as it is.
 */
function fromJapaneseForm(s: string): { text: string; weekday: number | null } {
  let weekday: number | null = null;
  const text = s
    // what the bot writes it reads back: `令和8年12月8日(火) 10:00（日本時間）`
    .replace(/\s*(?:[（(]日本時間[）)]|[（(]?JST[）)]?)$/, '')
    .replace(
      /^(令和|平成|昭和|大正|明治)\s*(元|\d{1,2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日/,
      (all: string, era: string, y: string, m: string, d: string) => {
        const year = eraYear(era, y === '元' ? 1 : Number(y), Number(m), Number(d));
        return year === null ? all : `${year}年${m}月${d}日`;
      },
    )
    .replace(
      /^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(?:[（(]([日月火水木金土])(?:曜日?)?[）)])?\s*/,
      (_, y: string, m: string, d: string, w: string | undefined) => {
        if (w) weekday = WEEKDAY_KANJI.indexOf(w as (typeof WEEKDAY_KANJI)[number]);
        return `${y}-${m}-${d} `;
      },
    )
    .replace(
      /(?:(午前|午後)\s*)?(\d{1,2})\s*時\s*(?:(\d{1,2})\s*分|(半))?$/,
      (_, ampm: string | undefined, h: string, min: string | undefined, half: string | undefined) => {
        let hour = Number(h);
        // 午後3時 is 15:00, 午後12時 noon, 午前12時 midnight
        if (ampm === '午後' && hour < 12) hour += 12;
        if (ampm === '午前' && hour === 12) hour = 0;
        return `${hour}:${half ? '30' : (min ?? '0').padStart(2, '0')}`;
      },
    )
    .trim();
  return { text, weekday };
}

/** A weekday written with the date (`（火）`) that is not the date's own. */
function weekdayDiffers(t: TokyoWallTime, weekday: number | null): boolean {
  return weekday !== null && new Date(Date.UTC(t.year, t.month - 1, t.day)).getUTCDay() !== weekday;
}

function fail(input: string, code: TimeErrorCode = 'time.invalid'): TimeResult {
  return { ok: false, code, input };
}

/**
 * Parses `YYYY-MM-DD HH:MM` (or `YYYY/MM/DD`, a `T` separator, full-width digits and
 * punctuation, or the Japanese written form `2026年12月8日（火） 10時30分`, 令和 years too) as
 * Asia/Tokyo wall time. Impossible dates and times (2027-02-30, 24:00, month 13)
 * are rejected with `time.invalid`. Never throws.
 */
export function parseTokyoDateTime(input: string): TimeResult {
  if (typeof input !== 'string' || input.length > 64) return fail(String(input));
  const ja = fromJapaneseForm(normaliseTimeInput(input));
  const m = DATE_TIME_RE.exec(ja.text);
  if (!m) return fail(input);
  const t: TokyoWallTime = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4]),
    minute: Number(m[5]),
  };
  if (!isValidWallTime(t)) return fail(input);
  if (weekdayDiffers(t, ja.weekday)) return fail(input, 'date.weekday');
  return { ok: true, value: tokyoInstant(t.year, t.month, t.day, t.hour, t.minute) };
}

/**
 * Parses a calendar date `YYYY-MM-DD` (or `YYYY/MM/DD`, full-width accepted, or `2026年12月8日`,
 * `令和8年12月8日`) as a Tokyo date,
 * giving the instant of its 00:00 JST; pair with {@link tokyoEndOfDay} for a deadline that
 * lasts the whole day. A date it cannot read is `date.invalid`. Never throws.
 */
export function parseTokyoDate(input: string): TimeResult {
  if (typeof input !== 'string' || input.length > 64) return fail(String(input), 'date.invalid');
  const ja = fromJapaneseForm(normaliseTimeInput(input));
  const m = DATE_ONLY_RE.exec(ja.text);
  if (!m) return fail(input, 'date.invalid');
  const t: TokyoWallTime = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), hour: 0, minute: 0 };
  if (!isValidWallTime(t)) return fail(input, 'date.invalid');
  if (weekdayDiffers(t, ja.weekday)) return fail(input, 'date.weekday');
  return { ok: true, value: tokyoInstant(t.year, t.month, t.day) };
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** The canonical input form `YYYY-MM-DD HH:MM` of an instant in Tokyo (what the parser reads back). */
export function formatTokyoInput(at: Date): string {
  const t = tokyoWallTime(at);
  return `${t.year}-${pad2(t.month)}-${pad2(t.day)} ${pad2(t.hour)}:${pad2(t.minute)}`;
}

/** The Tokyo calendar date `YYYY-MM-DD` of an instant. */
export function formatTokyoIsoDate(at: Date): string {
  const { year, month, day } = tokyoDate(at);
  return `${year}-${pad2(month)}-${pad2(day)}`;
}
