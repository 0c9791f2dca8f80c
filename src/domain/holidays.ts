/**
 * Japanese public holidays (国民の祝日に関する法律の休日). Business days and the meeting warning,
 * which also count weekends and the year-end closure, are in business-days.ts.
 *
 * `@holiday-jp/holiday_jp`'s `isHoliday(Date)` formats the date with local-time getters, so
 * its answer depends on the process time zone. We never pass it a `Date`: we look up its
 * table by the Asia/Tokyo calendar date (`YYYY-MM-DD`) computed with a fixed +09:00 offset.
 */
import { createRequire } from 'node:module';
import type holidayJp from '@holiday-jp/holiday_jp';
import { formatTokyoIsoDate } from './tokyo-time.ts';

/** A holiday's name: Japanese always, English when known. */
export interface HolidayName {
  ja: string;
  en?: string;
}

/** English names, by the Japanese name used in the holiday table. */
const EN: Readonly<Record<string, string>> = {
  元日: "New Year's Day",
  成人の日: 'Coming of Age Day',
  建国記念の日: 'National Foundation Day',
  天皇誕生日: "Emperor's Birthday",
  春分の日: 'Vernal Equinox Day',
  昭和の日: 'Showa Day',
  憲法記念日: 'Constitution Memorial Day',
  みどりの日: 'Greenery Day',
  こどもの日: "Children's Day",
  海の日: 'Marine Day',
  山の日: 'Mountain Day',
  敬老の日: 'Respect for the Aged Day',
  秋分の日: 'Autumnal Equinox Day',
  スポーツの日: 'Sports Day',
  体育の日: 'Health and Sports Day',
  '体育の日（スポーツの日）': 'Sports Day',
  文化の日: 'Culture Day',
  勤労感謝の日: 'Labor Thanksgiving Day',
  振替休日: 'Substitute Holiday',
  国民の休日: "Citizens' Holiday",
  '休日（祝日扱い）': 'Public Holiday',
  即位礼正殿の儀: 'Enthronement Ceremony',
  大喪の礼: 'State Funeral of Emperor Showa',
  結婚の儀: 'Imperial Wedding',
};

type HolidayTable = Readonly<Record<string, { name: string; name_en: string } | undefined>>;
let table: HolidayTable | undefined;

/**
 * The library's table, loaded at the first question: 216 kB of source (Japanese, so held at two
 * bytes a character) and ~1 MB of objects that a process answering no date question — the
 * console's `/csirt help`, most starts — never needs (issue 19: 10–40 ms of every start).
 */
function holidayTable(): HolidayTable {
  table ??= (createRequire(import.meta.url)('@holiday-jp/holiday_jp') as typeof holidayJp).holidays;
  return table;
}

/** The library's own names that read better under their legal name. */
function canonicalJa(name: string): string {
  // The table calls a substitute holiday "<holiday> 振替休日" and a sandwiched day "休日".
  if (name.endsWith(' 振替休日')) return '振替休日';
  if (name === '休日') return '国民の休日';
  return name;
}

/**
 * The public holiday on the Asia/Tokyo calendar date of `date`, or null. Correct whatever
 * the process time zone; dates beyond the library's table (2050 for 2.5.1) give null.
 */
export function holidayName(date: Date): HolidayName | null {
  if (Number.isNaN(date.getTime())) return null;
  const entry = holidayTable()[formatTokyoIsoDate(date)];
  if (!entry) return null;
  const ja = canonicalJa(entry.name);
  const en = EN[ja] ?? (entry.name_en || undefined);
  return en ? { ja, en } : { ja };
}
