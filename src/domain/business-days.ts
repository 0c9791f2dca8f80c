/**
 * Business days as the government counts them. The days a government office is closed are the
 * 行政機関の休日 of 行政機関の休日に関する法律（昭和63年法律第91号）第1条第1項:
 *
 *   1. 日曜日及び土曜日
 *   2. 国民の祝日に関する法律に規定する休日 — national holidays, substitute holidays (振替休日)
 *      and citizens' holidays (国民の休日), from holidays.ts
 *   3. 12月29日から翌年の1月3日までの日（前号に掲げる日を除く。）— the year-end closure
 *
 * Every other day is a business day (開庁日). Deadlines "within N business days" count whole
 * business days after the day of the starting instant (the starting day itself is not counted,
 * as 民法第140条 does not count the first day) and end at the close of the Nth one, 23:59:59.999
 * JST. Pure functions on the Asia/Tokyo calendar (fixed +09:00, see tokyo-time.ts); the holiday
 * table ends in 2050, after which only weekends and the year-end closure count.
 */
import { tokyoDate } from './fiscal-year.ts';
import { type HolidayName, holidayName } from './holidays.ts';
import { tokyoInstant, tokyoWeekday } from './tokyo-time.ts';

/** Why a Tokyo calendar day is a 行政機関の休日, in the order of the law's own list. */
export type ClosedDay =
  | { kind: 'weekend'; day: 'sat' | 'sun' }
  | { kind: 'holiday'; name: HolidayName }
  | { kind: 'year-end' };

/** Why a meeting's start deserves a second look, or null when it is an ordinary business day. */
export type StartWarning =
  | null
  | { kind: 'holiday'; nameJa: string; nameEn: string }
  | { kind: 'year-end' }
  | { kind: 'weekend'; day: 'sat' | 'sun' };

const DAY_MS = 24 * 60 * 60 * 1000;
/** Longest run of closed days to step over (Golden Week with the year-end closure is far less). */
const MAX_CLOSED_RUN = 31;
/** Most business days a deadline may count (a year of them). */
export const MAX_BUSINESS_DAYS = 260;

/** The year-end closure: 29 December to 3 January on the Tokyo calendar. */
export function isYearEndClosure(at: Date): boolean {
  const { month, day } = tokyoDate(at);
  return (month === 12 && day >= 29) || (month === 1 && day <= 3);
}

/**
 * Why the Tokyo calendar day of `at` is a 行政機関の休日, or null on a business day. A national
 * holiday is named first (元日 is a holiday, not merely the year-end closure); the year-end
 * closure before the weekend (29 December on a Saturday reads as the year-end).
 */
export function closedDay(at: Date): ClosedDay | null {
  if (Number.isNaN(at.getTime())) return null;
  const h = holidayName(at);
  if (h) return { kind: 'holiday', name: h };
  if (isYearEndClosure(at)) return { kind: 'year-end' };
  const wd = tokyoWeekday(at);
  if (wd === 6) return { kind: 'weekend', day: 'sat' };
  if (wd === 0) return { kind: 'weekend', day: 'sun' };
  return null;
}

/** True when the Tokyo calendar day of `at` is a business day (not a 行政機関の休日). */
export function isBusinessDay(at: Date): boolean {
  return closedDay(at) === null;
}

function startOfTokyoDay(at: Date): Date {
  const { year, month, day } = tokyoDate(at);
  return tokyoInstant(year, month, day);
}

/** 00:00 JST of the first business day after the Tokyo day of `at`. */
export function nextBusinessDay(at: Date): Date {
  let d = new Date(startOfTokyoDay(at).getTime() + DAY_MS);
  for (let i = 0; i < MAX_CLOSED_RUN && !isBusinessDay(d); i++) d = new Date(d.getTime() + DAY_MS);
  return d;
}

/**
 * The end (23:59:59.999 JST) of the `n`th business day after the Tokyo day of `from`; `n` = 0 is
 * the end of `from`'s own day whether or not it is a business day. Throws on a negative,
 * fractional or absurd `n` (a programming error: the deadline table is validated on load).
 */
export function businessDaysAfter(from: Date, n: number): Date {
  if (!Number.isInteger(n) || n < 0 || n > MAX_BUSINESS_DAYS) throw new RangeError(`business days: ${n}`);
  let day = startOfTokyoDay(from);
  for (let i = 0; i < n; i++) day = nextBusinessDay(day);
  return new Date(day.getTime() + DAY_MS - 1);
}

/**
 * Business days strictly after the Tokyo day of `from` up to and including the Tokyo day of
 * `to` (0 when `to` is on or before `from`'s day): how many business days have been used.
 */
export function businessDaysBetween(from: Date, to: Date): number {
  const end = startOfTokyoDay(to).getTime();
  let n = 0;
  for (let d = startOfTokyoDay(from).getTime() + DAY_MS; d <= end; d += DAY_MS) {
    if (isBusinessDay(new Date(d))) n++;
  }
  return n;
}

/**
 * A warning for a meeting starting at `start` (Tokyo calendar): a national holiday, the year-end
 * closure, or a Saturday or Sunday; null on a business day.
 */
export function startWarning(start: Date): StartWarning {
  const c = closedDay(start);
  if (!c) return null;
  if (c.kind === 'holiday') return { kind: 'holiday', nameJa: c.name.ja, nameEn: c.name.en ?? c.name.ja };
  return c;
}
