/**
 * The duty rota (当番) of the coordinating office: who is the duty officer (当番者) at an instant,
 * and who comes next. Pure.
 *
 * A rota is a weekly pattern (weekday → person) plus one-off dates (a `duty set` on a date or a
 * `duty swap`): a one-off date always wins over its weekday.
 *
 * Duty days are Tokyo calendar days: a duty day starts at 00:00 JST and ends at 23:59:59.999 JST
 * (src/domain/tokyo-time.ts; Japan has no daylight saving time, so every day is 24 hours). The
 * answer depends only on the Tokyo date of the instant, never on the process time zone.
 *
 * "Next" is the first later day whose duty officer differs from today's (a day with nobody on
 * duty counts as different): the hand-over the office needs to know about. It looks as far as
 * the last one-off date plus one week — beyond that the weekly pattern only repeats — so a rota
 * with one person every day and no other date has no next.
 */
import { formatTokyoIsoDate, normaliseTimeInput, parseTokyoDate, tokyoInstant, tokyoWeekday } from './tokyo-time.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A weekly pattern and one-off dates, keyed by the Tokyo date `YYYY-MM-DD`. */
export interface DutyRota<P> {
  /** weekday (0 = Sunday … 6 = Saturday) → person */
  weekly: ReadonlyMap<number, P>;
  /** Tokyo date `YYYY-MM-DD` → person: overrides the weekday */
  dates: ReadonlyMap<string, P>;
}

/** The Tokyo date `YYYY-MM-DD` of the duty day containing `at` (days start 00:00 JST). */
export function dutyDay(at: Date): string {
  return formatTokyoIsoDate(at);
}

/** 00:00 JST of a Tokyo date `YYYY-MM-DD`. */
export function dutyDayStart(day: string): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return tokyoInstant(y, m, d);
}

/** Who is on duty at an instant: the one-off date's person, else the weekday's, else nobody. */
export function onDuty<P>(rota: DutyRota<P>, at: Date): P | null {
  const day = dutyDay(at);
  if (rota.dates.has(day)) return rota.dates.get(day) as P;
  return rota.weekly.get(tokyoWeekday(at)) ?? null;
}

/** The hand-over after the instant's day: the first later day with a different duty officer. */
export interface NextDuty<P> {
  /** the Tokyo date `YYYY-MM-DD` it starts */
  day: string;
  /** 00:00 JST of that day */
  from: Date;
  /** who is on duty then; null when nobody is */
  person: P | null;
}

/** The first later day whose duty officer differs from the one at `at` (see the file's note), or null. */
export function nextDuty<P>(
  rota: DutyRota<P>,
  at: Date,
  same: (a: P, b: P) => boolean = Object.is,
): NextDuty<P> | null {
  const now = onDuty(rota, at);
  const today = dutyDay(at);
  const last = [today, ...rota.dates.keys()].sort().at(-1) ?? today;
  const horizon = dutyDayStart(last).getTime() + 7 * DAY_MS;
  // noon JST of each day: far from any day boundary
  for (let t = dutyDayStart(today).getTime() + DAY_MS + DAY_MS / 2; t <= horizon + DAY_MS / 2; t += DAY_MS) {
    const p = onDuty(rota, new Date(t));
    const differs = p === null || now === null ? p !== now : !same(p, now);
    if (differs) {
      const day = dutyDay(new Date(t));
      return { day, from: dutyDayStart(day), person: p };
    }
  }
  return null;
}

/** The duty officers of the seven days starting with the instant's day. */
export function dutyWeek<P>(rota: DutyRota<P>, at: Date): { day: string; weekday: number; person: P | null }[] {
  const start = dutyDayStart(dutyDay(at)).getTime() + DAY_MS / 2;
  return Array.from({ length: 7 }, (_, i) => {
    const t = new Date(start + i * DAY_MS);
    return { day: dutyDay(t), weekday: tokyoWeekday(t), person: onDuty(rota, t) };
  });
}

/** The days of a person's duty from the instant's day on, up to `days` days. */
export function dutyDaysOf<P>(rota: DutyRota<P>, person: P, at: Date, days: number): string[] {
  const start = dutyDayStart(dutyDay(at)).getTime() + DAY_MS / 2;
  const out: string[] = [];
  for (let i = 0; i < days; i++) {
    const t = new Date(start + i * DAY_MS);
    if (onDuty(rota, t) === person) out.push(dutyDay(t));
  }
  return out;
}

const WEEKDAY_WORDS: readonly (readonly string[])[] = [
  ['sun', 'sunday', '日', '日曜', '日曜日'],
  ['mon', 'monday', '月', '月曜', '月曜日'],
  ['tue', 'tues', 'tuesday', '火', '火曜', '火曜日'],
  ['wed', 'wednesday', '水', '水曜', '水曜日'],
  ['thu', 'thur', 'thurs', 'thursday', '木', '木曜', '木曜日'],
  ['fri', 'friday', '金', '金曜', '金曜日'],
  ['sat', 'saturday', '土', '土曜', '土曜日'],
];

/** The weekday (0 = Sunday … 6 = Saturday) of a word: mon/Monday/月/月曜/月曜日, full-width too; or null. */
export function parseWeekday(input: string): number | null {
  const w = input.normalize('NFKC').trim().toLowerCase();
  const i = WEEKDAY_WORDS.findIndex((words) => words.includes(w));
  return i < 0 ? null : i;
}

/** What `duty set` names: a weekday of the weekly pattern, or one Tokyo date. */
export type DutySlot = { kind: 'weekday'; weekday: number } | { kind: 'date'; day: string };

/** Reads a weekday word or a date (`2026-12-08`, `2026/12/8`, full-width, `2026年12月8日`); null if neither. */
export function parseDutySlot(input: string): DutySlot | null {
  if (typeof input !== 'string' || input.length > 64) return null;
  const weekday = parseWeekday(input);
  if (weekday !== null) return { kind: 'weekday', weekday };
  const d = parseTokyoDate(normaliseTimeInput(input.normalize('NFKC')));
  return d.ok ? { kind: 'date', day: dutyDay(d.value) } : null;
}
