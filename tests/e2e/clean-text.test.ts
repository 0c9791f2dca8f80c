/**
 * Text that cannot disguise itself (issue 15, item 6). People's text with C0/C1 control
 * characters (a terminal escape sequence, NUL, BEL, NEL, CSI) and bidi embeddings, overrides
 * and isolates is stored clean (free text) or refused naming the field (names, URLs); and every
 * renderer — console, Slack, Mattermost, iCalendar, CSV, STIX, MISP — draws only clean text,
 * also from rows stored before this rule (written here straight into the database).
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, test } from 'vitest';
import { renderConsole } from '../../src/adapters/console/render.ts';
import { renderMessage as renderMattermost } from '../../src/adapters/mattermost/render.ts';
import { renderMessage as renderSlack } from '../../src/adapters/slack/render.ts';
import { replyToText } from '../../src/core/reply.ts';
import type { Outcome } from '../../src/core/router.ts';
import { cleanText } from '../../src/domain/text.ts';
import { translator } from '../../src/i18n/index.ts';
import { P, registerAdvisoryPeople } from '../helpers/advisory-fixtures.ts';
import { PROVIDER, type TestApp, testApp } from '../helpers/app.ts';
import { tableCounts } from '../helpers/counts.ts';

/** every kind: NUL, BEL, a terminal escape sequence, DEL, NEL, CSI, RLO, LRE, PDF, LRI, RLI, FSI, PDI, CR LF, tab */
// PostgreSQL's text type cannot hold U+0000 at all (error 22021), so rows stored dirty there
// carry every other control character; SQLite keeps the NUL too.
const NUL = PROVIDER === 'postgresql' ? '' : '\u0000';
const DIRTY = `A${NUL}B\u0007C\u001b[2J\u001b]0;title\u0007D\u007fE\u0085F\u009b31mG\u202eH\u202aI\u202cJ\u2066K\u2067L\u2068M\u2069N\r\nO\tP`;
const CLEAN = cleanText(DIRTY);
/** what may never reach a reader (line ends of CSV and iCalendar are taken out before) */
const BAD = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

let t: TestApp;
let inc: string;
let mtg: string;
let cmp: string;
const out = mkdtempSync(join(tmpdir(), 'csirt-clean-'));
const tr = translator('ja');

beforeAll(async () => {
  t = await testApp();
  await registerAdvisoryPeople(t);
});
afterAll(async () => {
  await t.close();
});

const ok = async (who: string, cmd: string): Promise<Outcome> => {
  const o = await t.run(who, cmd);
  assert.equal(o.status, 'ok', `${cmd}\n${replyToText(o.reply)}`);
  return o;
};
const attachment = (o: Outcome) => Buffer.from(o.reply.attachments?.[0]?.data ?? '', 'base64').toString('utf8');
/** every string inside a JSON document */
const strings = (v: unknown): string[] =>
  typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.values(v).flatMap(strings) : [];
const noBad = (what: string, text: string) => assert.doesNotMatch(text, BAD, `${what}: ${JSON.stringify(text)}`);

test('free text is stored clean: reports, meetings, notes, inspection answers', async () => {
  assert.equal(CLEAN, 'ABC[2J]0;titleDEF31mGHIJKLMN\nO\tP');
  inc = /INC-\d{4}-\d{4}/.exec(
    replyToText((await ok(P.poc, `report category=malware summary="${DIRTY}" actions="${DIRTY}" severity=high`)).reply),
  )?.[0] as string;
  const i = await t.app.db.prisma.incident.findUniqueOrThrow({ where: { id: inc } });
  assert.equal(i.summary, CLEAN);
  assert.equal(i.actions, CLEAN);
  await ok(P.poc, `incident update ${inc} note="${DIRTY}"`);
  const s = await ok(
    P.coordinator,
    `meeting schedule title="${DIRTY}" start="2026-12-10 10:00" place="${DIRTY}" agenda="${DIRTY}"`,
  );
  mtg = /MTG-\d{4}-\d{4}/.exec(replyToText(s.reply))?.[0] as string;
  const m = await t.app.db.prisma.meeting.findUniqueOrThrow({ where: { id: mtg } });
  assert.deepEqual([m.title, m.place, m.agenda], [CLEAN, CLEAN, CLEAN]);
  await ok(P.poc, 'system add name="電子申請システム" confidentiality=3 exposure=internet');
  cmp = /CMP-\d{4}-\d{4}/.exec(
    replyToText((await ok(P.coordinator, 'check campaign open due=2026-12-20')).reply),
  )?.[0] as string;
  await ok(P.poc, `check answer ${cmp} system=SYS-maff-001 item=ENT-01 status=partial note="${DIRTY}"`);
  const a = await t.app.db.prisma.checkAnswer.findFirstOrThrow({ where: { campaignId: cmp } });
  assert.equal(a.note, CLEAN);
  for (const e of await t.app.db.prisma.incidentEvent.findMany({ where: { incidentId: inc } }))
    noBad('incident event', JSON.stringify(e));
});

test('names and URLs with control or bidi characters are refused naming the field; nothing written', async () => {
  for (const [cmd, field, ch] of [
    ['system add name="人事\u202eシステム" confidentiality=1 exposure=internal', 'name', 'U\\+202E'],
    ['org set maff short="農水省,農\u2066水"', 'short', 'U\\+2066'],
    ['meeting schedule title="t" start="2026-12-11 10:00" url=https://meet.example/\u202etxt.exe', 'url', 'U\\+202E'],
  ] as const) {
    const who = cmd.startsWith('org') ? P.admin : cmd.startsWith('meeting') ? P.coordinator : P.poc;
    const before = { audit: await t.auditCount(), tables: await tableCounts(t.app) };
    const o = await t.run(who, cmd);
    assert.equal(o.status, 'user_error', cmd);
    assert.match(replyToText(o.reply), new RegExp(`・${field}(（[^）]*）)?: .*（${ch}）`), cmd);
    noBad('the refusal itself', replyToText(o.reply));
    assert.equal(await t.auditCount(), before.audit);
    assert.deepEqual(await tableCounts(t.app), before.tables);
  }
});

/** Rows stored before the rule (or by another tool): dirty text straight into the database. */
async function dirtyTheRows(): Promise<void> {
  const db = t.app.db.prisma;
  await db.incident.update({ where: { id: inc }, data: { summary: DIRTY, actions: DIRTY } });
  await db.meeting.update({ where: { id: mtg }, data: { title: DIRTY, place: DIRTY, agenda: DIRTY } });
  await db.checkAnswer.updateMany({ where: { campaignId: cmp }, data: { note: DIRTY } });
  await db.system.updateMany({ where: { id: 'SYS-maff-001' }, data: { name: DIRTY } });
  await db.organization.update({ where: { code: 'maff' }, data: { nameJa: `農林水産省${DIRTY}` } });
}

test('iCalendar, CSV, STIX and MISP files carry clean text, from rows stored dirty', async () => {
  await dirtyTheRows();
  const ics = attachment(await ok(P.poc, `meeting ics ${mtg}`));
  assert.match(ics, /BEGIN:VCALENDAR/);
  noBad('iCalendar', ics.replace(/\r\n/g, ''));
  assert.match(ics.replace(/\r\n /g, ''), /SUMMARY:ABC\[2J\]0\\;titleDEF31mGHIJKLMN\\nO P/);
  const csv = attachment(await ok(P.poc, `check export ${cmp}`));
  noBad('CSV', csv.replace(/\r\n/g, ''));
  assert.ok(csv.includes('ABC[2J]0;titleDEF31mGHIJKLMN'), csv);
  for (const format of ['stix', 'misp']) {
    const doc = JSON.parse(attachment(await ok(P.poc, `incident export ${inc} format=${format}`)));
    const all = strings(doc);
    for (const s of all) noBad(format, s);
    assert.ok(
      all.some((s) => s.includes('ABC[2J]0;titleDEF31mGHIJKLMN')),
      format,
    );
  }
});

test('every renderer draws clean text, also from rows stored dirty', async () => {
  await dirtyTheRows();
  const replies: [string, Outcome][] = [
    ['incident show', await ok(P.poc, `incident show ${inc}`)],
    ['meeting list', await ok(P.poc, 'meeting list')],
    ['check status', await ok(P.poc, `check status ${cmp}`)],
    ['system list', await ok(P.poc, 'system list')],
    ['org list', await ok(P.poc, 'org list')],
  ];
  for (const [what, o] of replies) {
    assert.ok(
      BAD.test(JSON.stringify(o.reply).replace(/\\u([0-9a-f]{4})/g, (_m, h) => String.fromCharCode(parseInt(h, 16)))),
      `${what}: the reply model still carries the stored text`,
    );
    // console
    noBad(`console ${what}`, renderConsole(o.reply, tr, out));
    // Slack Block Kit: every string of the payload
    for (const s of strings(renderSlack(o.reply, tr, () => 'signed'))) noBad(`slack ${what}`, s);
    // Mattermost markdown and attachments
    for (const s of strings(renderMattermost(o.reply, tr, () => 'signed', 'https://bot.example/mattermost/action')))
      noBad(`mattermost ${what}`, s);
  }
  // and the posts the bot makes from it (the outbox holds the portable message as written)
  const posts = t.platform.posts.length;
  await ok(P.coordinator, `meeting cancel ${mtg}`);
  const fresh = t.platform.posts.slice(posts);
  assert.ok(fresh.length > 0);
  for (const p of fresh) {
    assert.ok(BAD.test(p.text), 'the post carries the stored title');
    noBad('console post', renderConsole(p.message, tr, out));
    for (const s of strings(renderSlack(p.message, tr, () => 'signed'))) noBad('slack post', s);
    for (const s of strings(renderMattermost(p.message, tr, () => 'signed', 'https://bot.example/a')))
      noBad('mattermost post', s);
  }
});
