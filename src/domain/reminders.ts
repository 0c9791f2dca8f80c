/**
 * Reminder offsets and durations for PoC meetings, and the fixed reminder times of the
 * CSIRT readiness deadline and inspection campaigns. Pure arithmetic on instants; Tokyo
 * calendar days via the fixed +09:00 offset (see tokyo-time.ts).
 */
import { fiscalYearEnd, tokyoDate } from './fiscal-year.ts';
import { normaliseTimeInput, tokyoInstant } from './tokyo-time.ts';

const MINUTE_MS = 60_000;
const UNIT_MINUTES = { w: 7 * 24 * 60, d: 24 * 60, h: 60, m: 1 } as const;
type Unit = keyof typeof UNIT_MINUTES;

/** Longest reminder offset: 90 days before the start. */
export const MAX_OFFSET_MINUTES = 90 * 24 * 60;
/** Most reminder offsets one meeting may have. */
export const MAX_OFFSETS = 10;
/** Longest meeting: 24 hours. */
export const MAX_DURATION_MINUTES = 24 * 60;

/** One reminder offset before a meeting's start, e.g. `{ text: '1d', minutes: 1440 }`. */
export interface ReminderOffset {
  /** Canonical text: days, hours, minutes (`7d`, `1h`, `1d12h`, `90m` → `1h30m`). */
  text: string;
  minutes: number;
}

/** Parsed reminder offsets (distinct, longest first) or `reminders.invalid` with the input. */
export type RemindersResult =
  | { ok: true; value: ReminderOffset[] }
  | { ok: false; code: 'reminders.invalid'; input: string };

/** A parsed meeting duration in minutes or `duration.invalid` with the input. */
export type DurationResult = { ok: true; minutes: number } | { ok: false; code: 'duration.invalid'; input: string };

/** One reminder of a meeting: when it is due and whether it will be sent. */
export interface ScheduledReminder {
  /** Canonical offset text (`7d`). */
  offset: string;
  dueAt: Date;
  /** `skip-passed`: due at or before scheduling time, so never sent (the invitation goes out at once). */
  state: 'due-later' | 'skip-passed';
}

/** A fixed-date reminder: so many Tokyo calendar days before a deadline, at 10:00 JST. */
export interface DeadlineReminder {
  daysBefore: number;
  at: Date;
}

function normaliseUnits(s: string): string {
  return normaliseTimeInput(s)
    .replace(/[\uFF21-\uFF3A\uFF41-\uFF5A]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .toLowerCase()
    .replace(/週間?/g, 'w')
    .replace(/日/g, 'd')
    .replace(/時間/g, 'h')
    .replace(/分/g, 'm')
    .replace(/ /g, '');
}

/**
 * Minutes of one compound amount such as `1d12h` or `90m` (each unit at most once, longest
 * first), or null. `bareMinutes` lets a plain number mean minutes.
 */
function parseAmount(token: string, bareMinutes: boolean): number | null {
  if (bareMinutes && /^\d{1,5}$/.test(token)) return Number(token);
  if (!/^(?:\d{1,5}[wdhm]){1,4}$/.test(token)) return null;
  let total = 0;
  let last = Number.POSITIVE_INFINITY;
  for (const m of token.matchAll(/(\d+)([wdhm])/g)) {
    const size = UNIT_MINUTES[m[2] as Unit];
    if (size >= last) return null; // `1h2h`, `30m1h`
    last = size;
    total += Number(m[1]) * size;
  }
  return total;
}

/** Canonical text of an offset in minutes: `10080` → `7d`, `90` → `1h30m`. */
export function formatOffset(minutes: number): string {
  const d = Math.floor(minutes / UNIT_MINUTES.d);
  const h = Math.floor((minutes % UNIT_MINUTES.d) / 60);
  const m = minutes % 60;
  const text = (d ? `${d}d` : '') + (h ? `${h}h` : '') + (m ? `${m}m` : '');
  return text || '0m';
}

/**
 * Parses reminder offsets such as `7d,1d,1h` (units w, d, h, m, also 週 日 時間 分; full-width
 * accepted; separated by commas, `，` or `、`). Duplicates (`7d,1w`) collapse; the result is
 * sorted longest first. Rejects empty items, zero, anything over 90 days, more than 10
 * distinct offsets and anything else it cannot read. Never throws.
 */
export function parseReminderOffsets(input: string): RemindersResult {
  const bad: RemindersResult = { ok: false, code: 'reminders.invalid', input: String(input) };
  if (typeof input !== 'string' || input.length > 200) return bad;
  const items = normaliseUnits(input.replace(/[，、]/g, ',')).split(',');
  const seen = new Map<number, ReminderOffset>();
  for (const item of items) {
    const minutes = parseAmount(item, false);
    if (minutes === null || minutes <= 0 || minutes > MAX_OFFSET_MINUTES) return bad;
    if (!seen.has(minutes)) seen.set(minutes, { text: formatOffset(minutes), minutes });
  }
  if (seen.size > MAX_OFFSETS) return bad;
  return { ok: true, value: [...seen.values()].sort((a, b) => b.minutes - a.minutes) };
}

/**
 * Parses a meeting duration: `90m`, `1h30m`, `2h`, `１時間`, or a bare number of minutes;
 * 1 minute to 24 hours. Never throws.
 */
export function parseDuration(input: string): DurationResult {
  const bad: DurationResult = { ok: false, code: 'duration.invalid', input: String(input) };
  if (typeof input !== 'string' || input.length > 40) return bad;
  const minutes = parseAmount(normaliseUnits(input), true);
  if (minutes === null || minutes < 1 || minutes > MAX_DURATION_MINUTES) return bad;
  return { ok: true, minutes };
}

/**
 * The reminders of a meeting starting at `start`, earliest first. A reminder due at or
 * before `now` (the moment of scheduling) is `skip-passed`: PRODUCT §7 sends the invitation
 * at once instead of a burst of stale reminders.
 */
export function reminderSchedule(start: Date, offsets: readonly ReminderOffset[], now: Date): ScheduledReminder[] {
  return [...offsets]
    .sort((a, b) => b.minutes - a.minutes)
    .map((o) => {
      const dueAt = new Date(start.getTime() - o.minutes * MINUTE_MS);
      const state: ScheduledReminder['state'] = dueAt.getTime() <= now.getTime() ? 'skip-passed' : 'due-later';
      return { offset: o.text, dueAt, state };
    });
}

function daysBeforeAt10(deadline: Date, days: readonly number[]): DeadlineReminder[] {
  const { year, month, day } = tokyoDate(deadline);
  return days.map((n) => ({ daysBefore: n, at: tokyoInstant(year, month, day - n, 10, 0) }));
}

/**
 * CSIRT readiness reminders for fiscal year `fy`: 30 and 7 days before its 31 March
 * (Tokyo), at 10:00 JST — for FY2026, 2027-03-01 and 2027-03-24.
 */
export function readinessReminderTimes(fy: number): DeadlineReminder[] {
  return daysBeforeAt10(fiscalYearEnd(fy), [30, 7]);
}

/** Inspection campaign reminders: 7 days and 1 day before the due date (Tokyo), at 10:00 JST. */
export function campaignReminderTimes(due: Date): DeadlineReminder[] {
  return daysBeforeAt10(due, [7, 1]);
}
