/**
 * RFC 5545 iCalendar text for PoC meetings: one meeting (`meeting ics`) or a feed
 * (`GET /calendar/<token>.ics`). Times are written in UTC (`…Z`), which every client places
 * correctly without a VTIMEZONE; Japan has no DST, so nothing is lost. Output is
 * deterministic (DTSTAMP is the meeting's `updatedAt`), so a feed's ETag changes only
 * when a meeting does.
 */
import { cleanText } from './text.ts';

/** A meeting as the calendar needs it. */
export interface IcsMeeting {
  /** `MTG-2026-0001`; with the host it makes the UID. */
  id: string;
  title: string;
  start: Date;
  durationMin: number;
  place?: string | null;
  url?: string | null;
  agenda?: string | null;
  status: 'scheduled' | 'cancelled';
  /** Bumped on every change (RFC 5545 SEQUENCE), so clients replace their copy. */
  sequence: number;
  updatedAt: Date;
}

/** Options common to one meeting and a feed. */
export interface IcsOptions {
  /** Host part of every UID (`<MTG-id>@<host>`), e.g. the PUBLIC_URL host name. */
  host: string;
}

/** Options of a feed. */
export interface IcsFeedOptions extends IcsOptions {
  /** Calendar name shown by clients (X-WR-CALNAME). */
  calName: string;
}

const CRLF = '\r\n';
const MAX_OCTETS = 75;
const PRODID = '-//csirt-poc-bot//JA';

/**
 * Escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma, and any line break
 * as `\n`. Other control characters, which TEXT may not hold, and bidi embeddings, overrides
 * and isolates are dropped (src/domain/text.ts); a tab becomes a space.
 */
export function escapeText(value: string): string {
  return cleanText(value)
    .replace(/\t/g, ' ')
    .replace(/[\\;,]/g, (c) => `\\${c}`)
    .replace(/\n/g, '\\n');
}

/**
 * Folds one content line at 75 octets (RFC 5545 §3.1): continuation lines begin with a space,
 * and a multi-byte UTF-8 character is never split. Returns the folded line without the
 * final CRLF.
 */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const size = utf8Length(ch.codePointAt(0) ?? 0);
    if (octets + size > MAX_OCTETS) {
      parts.push(current);
      current = ' ';
      octets = 1;
    }
    current += ch;
    octets += size;
  }
  parts.push(current);
  return parts.join(CRLF);
}

/** Octets of one code point in UTF-8 (a lone surrogate is written as U+FFFD: 3 octets). */
function utf8Length(cp: number): number {
  if (cp < 0x80) return 1;
  if (cp < 0x800) return 2;
  return cp < 0x10000 ? 3 : 4;
}

/** `20270112T010000Z`: an instant in UTC basic format. */
export function icsUtc(at: Date): string {
  return at
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** A URI value may not be TEXT-escaped; strip what could break the line or the format. */
function uriValue(uri: string): string {
  return cleanText(uri).replace(/[\u0000-\u001F\u007F\s]/g, '');
}

function eventLines(m: IcsMeeting, opts: IcsOptions): string[] {
  const end = new Date(m.start.getTime() + m.durationMin * 60_000);
  const lines = [
    'BEGIN:VEVENT',
    `UID:${uriValue(m.id)}@${uriValue(opts.host)}`,
    `DTSTAMP:${icsUtc(m.updatedAt)}`,
    `LAST-MODIFIED:${icsUtc(m.updatedAt)}`,
    `DTSTART:${icsUtc(m.start)}`,
    `DTEND:${icsUtc(end)}`,
    `SEQUENCE:${Math.max(0, Math.trunc(m.sequence))}`,
    `STATUS:${m.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED'}`,
    `SUMMARY:${escapeText(m.title)}`,
  ];
  if (m.agenda) lines.push(`DESCRIPTION:${escapeText(m.agenda)}`);
  if (m.place) lines.push(`LOCATION:${escapeText(m.place)}`);
  if (m.url) {
    const url = uriValue(m.url);
    if (url) lines.push(`URL:${url}`);
  }
  lines.push('TRANSP:OPAQUE', 'END:VEVENT');
  return lines;
}

function calendar(header: string[], meetings: readonly IcsMeeting[], opts: IcsOptions): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${PRODID}`,
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    ...header,
    ...meetings.flatMap((m) => eventLines(m, opts)),
    'END:VCALENDAR',
  ];
  return lines.map(foldLine).join(CRLF) + CRLF;
}

/** An iCalendar file holding one meeting (cancelled meetings carry STATUS:CANCELLED). */
export function meetingIcs(meeting: IcsMeeting, opts: IcsOptions): string {
  return calendar([], [meeting], opts);
}

/** An iCalendar feed of many meetings, named `calName`, in start order. */
export function meetingsFeedIcs(meetings: readonly IcsMeeting[], opts: IcsFeedOptions): string {
  const sorted = [...meetings].sort((a, b) => a.start.getTime() - b.start.getTime() || a.id.localeCompare(b.id));
  return calendar([`X-WR-CALNAME:${escapeText(opts.calName)}`], sorted, opts);
}
