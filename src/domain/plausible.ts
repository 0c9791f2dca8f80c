/**
 * Plausible values: the range each kind of date, time and amount people type must fall in,
 * written once here and used by the command schemas (commands/args.ts `plausibleTime`,
 * `plausibleAmount`) and the services. A value outside its range is refused with a message
 * that names the field and the range (`input.range_*`), and nothing is written.
 *
 * Times are instants; dates are the instant of their 00:00 in Tokyo (tokyo-time.ts). Ranges
 * that move with time are computed from `now` (the bot's clock).
 */
import { tokyoStartOfDay } from './tokyo-time.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** 2000-01-01 00:00 JST: nothing the bot records happened before it */
const EPOCH = new Date('1999-12-31T15:00:00Z');
/** how far another clock may run ahead of ours (a detection time "now" from a PC that is fast) */
const CLOCK_SKEW = 5 * MINUTE;

export interface TimeRange {
  /** `datetime`: shown as YYYY-MM-DD HH:MM; `date`: as YYYY-MM-DD */
  unit: 'datetime' | 'date';
  earliest(now: Date): Date;
  latest(now: Date): Date;
}

const addYears = (at: Date, n: number) => {
  const d = new Date(at);
  d.setUTCFullYear(d.getUTCFullYear() + n);
  return d;
};

export const TIME_RANGES = {
  /** when an incident was detected or occurred (report detected=, occurred=): not in the future */
  incidentTime: { unit: 'datetime', earliest: () => EPOCH, latest: (now) => new Date(now.getTime() + CLOCK_SKEW) },
  /** a date looked back from (incident list since=) */
  pastDate: { unit: 'date', earliest: () => EPOCH, latest: (now) => tokyoStartOfDay(now) },
  /** a CSIRT's establishment (csirt set established=): today at the latest */
  establishedDate: { unit: 'date', earliest: () => EPOCH, latest: (now) => tokyoStartOfDay(now) },
  /** a meeting's start (meeting schedule start=): after now, within two years */
  meetingStart: { unit: 'datetime', earliest: (now) => now, latest: (now) => addYears(now, 2) },
  /** an inspection campaign's due date (check campaign open due=): from tomorrow, within a year */
  campaignDue: {
    unit: 'date',
    earliest: (now) => new Date(tokyoStartOfDay(now).getTime() + DAY),
    latest: (now) => addYears(tokyoStartOfDay(now), 1),
  },
  /** when a countermeasure will be in place (check answer planned=): from today, within five years */
  plannedDate: {
    unit: 'date',
    earliest: (now) => tokyoStartOfDay(now),
    latest: (now) => addYears(tokyoStartOfDay(now), 5),
  },
} as const satisfies Record<string, TimeRange>;

export type TimeRangeName = keyof typeof TIME_RANGES;

export interface AmountRange {
  min: number;
  max: number;
}

export const AMOUNT_RANGES = {
  /**
   * an estimated cost in yen of one countermeasure on one system (check answer cost=): up to
   * two billion yen — generous for one item, and within the column (a 32-bit integer on
   * PostgreSQL: a larger value was an internal error there)
   */
  cost: { min: 0, max: 2_000_000_000 },
  /** a budget in yen (check plan budget=) */
  budget: { min: 1, max: 10_000_000_000_000 },
  /** a page of a list (incident list page=) */
  page: { min: 1, max: 10_000 },
} as const satisfies Record<string, AmountRange>;

export type AmountRangeName = keyof typeof AMOUNT_RANGES;

/** The bounds of `name` at `now`, or null when `at` lies within them. */
export function outsideTime(name: TimeRangeName, at: Date, now: Date): { min: Date; max: Date } | null {
  const r: TimeRange = TIME_RANGES[name];
  const min = r.earliest(now);
  const max = r.latest(now);
  return at.getTime() < min.getTime() || at.getTime() > max.getTime() ? { min, max } : null;
}

/** The bounds of `name`, or null when `n` lies within them. */
export function outsideAmount(name: AmountRangeName, n: number): AmountRange | null {
  const r: AmountRange = AMOUNT_RANGES[name];
  return Number.isFinite(n) && n >= r.min && n <= r.max ? null : r;
}
