import assert from 'node:assert/strict';
import fc from 'fast-check';
import ical, { type VEvent } from 'node-ical';
import { test } from 'vitest';
import { escapeText, foldLine, type IcsMeeting, meetingIcs, meetingsFeedIcs } from '../../../src/domain/ics.ts';
import { parseTokyoDateTime } from '../../../src/domain/tokyo-time.ts';

const FC = { seed: 424242, numRuns: 1000 } as const;
const HOST = 'csirt-bot.example.go.jp';

function at(input: string): Date {
  const r = parseTokyoDateTime(input);
  assert.ok(r.ok, input);
  return r.value;
}

function meeting(over: Partial<IcsMeeting> = {}): IcsMeeting {
  return {
    id: 'MTG-2026-0001',
    title: '第3回 CSIRT連絡会議',
    start: at('2027-01-12 10:00'),
    durationMin: 90,
    place: '中央合同庁舎第4号館 11階',
    url: null,
    agenda: '1. 開会\n2. 最近のインシデント動向',
    status: 'scheduled',
    sequence: 0,
    updatedAt: new Date('2026-12-01T03:04:05.678Z'),
    ...over,
  };
}

function events(text: string): VEvent[] {
  return Object.values(ical.sync.parseICS(text)).filter((c): c is VEvent => c?.type === 'VEVENT');
}

/** node-ical gives TEXT values as a string, or { val, params } when the property had parameters. */
function str(v: unknown): string {
  return typeof v === 'string' ? v : String((v as { val: unknown }).val);
}

function assertWellFormed(text: string): void {
  assert.ok(text.endsWith('\r\n'), 'ends with CRLF');
  assert.ok(!/[^\r]\n/.test(text) && !/\r[^\n]/.test(text), 'every line ends with CRLF');
  for (const line of text.slice(0, -2).split('\r\n')) {
    assert.ok(Buffer.byteLength(line, 'utf8') <= 75, `over 75 octets: ${line}`);
    assert.ok(!line.includes('\uFFFD'), 'no broken character');
  }
}

test('one meeting: calendar headers, UID, start and end in UTC', () => {
  const text = meetingIcs(meeting(), { host: HOST });
  assertWellFormed(text);
  for (const l of ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//csirt-poc-bot//JA', 'CALSCALE:GREGORIAN']) {
    assert.ok(text.includes(`${l}\r\n`), l);
  }
  assert.match(text, /\r\nDTSTART:20270112T010000Z\r\n/);
  assert.match(text, /\r\nDTEND:20270112T023000Z\r\n/);
  assert.match(text, /\r\nDTSTAMP:20261201T030405Z\r\n/);
  const [ev, ...rest] = events(text);
  assert.equal(rest.length, 0);
  assert.ok(ev);
  assert.equal(ev.uid, `MTG-2026-0001@${HOST}`);
  assert.equal(ev.start.toISOString(), '2027-01-12T01:00:00.000Z');
  assert.equal(ev.end?.toISOString(), '2027-01-12T02:30:00.000Z');
  assert.equal(str(ev.summary), '第3回 CSIRT連絡会議');
  assert.equal(str(ev.location), '中央合同庁舎第4号館 11階');
  assert.equal(str(ev.description), '1. 開会\n2. 最近のインシデント動向');
  assert.equal(ev.status, 'CONFIRMED');
  assert.equal(Number(ev.sequence), 0);
});

test('TEXT escaping: Japanese, commas, semicolons, backslashes and newlines round-trip', () => {
  const title = '定例会議; 議題A, 議題B\\C\n二行目、三行目；';
  const agenda = 'a,b;c\\d\r\ne\rf\n\ng';
  const text = meetingIcs(meeting({ title, agenda, place: '会議室A,B;C' }), { host: HOST });
  assertWellFormed(text);
  assert.ok(text.includes('SUMMARY:定例会議\\; 議題A\\, 議題B\\\\C\\n二行目、三行目；'));
  const [ev] = events(text);
  assert.ok(ev);
  assert.equal(str(ev.summary), title);
  assert.equal(str(ev.description), 'a,b;c\\d\ne\nf\n\ng');
  assert.equal(str(ev.location), '会議室A,B;C');
  assert.equal(
    escapeText('x\u0007y\tz'),
    'xy z',
    'a tab becomes a space; control characters other than tab are dropped',
  );
});

test('a cancelled meeting says STATUS:CANCELLED with its sequence', () => {
  const text = meetingIcs(meeting({ status: 'cancelled', sequence: 2 }), { host: HOST });
  const [ev] = events(text);
  assert.ok(ev);
  assert.equal(ev.status, 'CANCELLED');
  assert.equal(Number(ev.sequence), 2);
  assert.ok(!text.includes('STATUS:CONFIRMED'));
});

test('URL instead of place; empty optional fields are left out', () => {
  const text = meetingIcs(meeting({ place: null, agenda: '', url: 'https://meet.example.jp/j/123?pwd=a,b' }), {
    host: HOST,
  });
  assert.ok(text.includes('\r\nURL:https://meet.example.jp/j/123?pwd=a,b\r\n'), 'URI values are not TEXT-escaped');
  assert.ok(!text.includes('LOCATION'));
  assert.ok(!text.includes('DESCRIPTION'));
  const [ev] = events(text);
  assert.ok(ev);
  assert.equal(str(ev.url), 'https://meet.example.jp/j/123?pwd=a,b');
});

test('a long Japanese agenda folds at 75 octets without breaking a character', () => {
  const agenda = '政府機関等のサイバーセキュリティ対策のための統一基準群に基づく点検結果の共有🛡️と、'.repeat(20);
  const text = meetingIcs(meeting({ agenda }), { host: HOST });
  assertWellFormed(text);
  const lines = text.split('\r\n');
  const i = lines.findIndex((l) => l.startsWith('DESCRIPTION:'));
  assert.ok(lines[i + 1]!.startsWith(' '), 'continuation lines start with a space');
  // Each physical line decodes cleanly on its own: no multi-byte character was split.
  for (const line of lines) {
    const bytes = Buffer.from(line, 'utf8');
    assert.equal(new TextDecoder('utf-8', { fatal: true }).decode(bytes), line);
    assert.ok(bytes.length <= 75);
  }
  const [ev] = events(text);
  assert.ok(ev);
  assert.equal(str(ev.description), agenda);
});

test('property: folding keeps every line ≤ 75 octets, whole characters, and unfolds to the input', () => {
  fc.assert(
    fc.property(
      fc.string({ unit: 'grapheme', maxLength: 300 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
      (a, b) => {
        const line = `DESCRIPTION:${escapeText(a + b)}`;
        const folded = foldLine(line);
        const physical = folded.split('\r\n');
        return (
          physical.every((p, i) => Buffer.byteLength(p, 'utf8') <= 75 && (i === 0 || p.startsWith(' '))) &&
          physical.every((p) => !/^[\uDC00-\uDFFF]/.test(p) && !/[\uD800-\uDBFF]$/.test(p)) &&
          folded.replace(/\r\n /g, '') === line
        );
      },
    ),
    FC,
  );
});

test('feed: METHOD:PUBLISH, X-WR-CALNAME, every meeting in start order', () => {
  const a = meeting({ id: 'MTG-2026-0002', title: '2月会議', start: at('2027-02-09 14:00') });
  const b = meeting({ id: 'MTG-2026-0001', title: '1月会議', start: at('2027-01-12 10:00'), status: 'cancelled' });
  const text = meetingsFeedIcs([a, b], { host: HOST, calName: 'CSIRT 連絡会議, NISC' });
  assertWellFormed(text);
  assert.ok(text.includes('\r\nMETHOD:PUBLISH\r\n'));
  assert.ok(text.includes('\r\nX-WR-CALNAME:CSIRT 連絡会議\\, NISC\r\n'));
  assert.ok(text.indexOf('MTG-2026-0001@') < text.indexOf('MTG-2026-0002@'));
  const evs = events(text);
  assert.deepEqual(evs.map((e) => [e.uid, e.start.toISOString(), e.status]).sort(), [
    [`MTG-2026-0001@${HOST}`, '2027-01-12T01:00:00.000Z', 'CANCELLED'],
    [`MTG-2026-0002@${HOST}`, '2027-02-09T05:00:00.000Z', 'CONFIRMED'],
  ]);
  const empty = meetingsFeedIcs([], { host: HOST, calName: 'empty' });
  assertWellFormed(empty);
  assert.ok(!empty.includes('VEVENT'));
});

test('output is deterministic and independent of the process time zone', () => {
  const m = meeting();
  assert.equal(meetingIcs(m, { host: HOST }), meetingIcs({ ...m }, { host: HOST }));
  assert.ok(!meetingIcs(m, { host: HOST }).includes('TZID'), 'UTC times need no VTIMEZONE');
});
