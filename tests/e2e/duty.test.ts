/**
 * The duty rota (当番, issue 20 item 1) through the console entry: a weekly pattern, a one-off
 * date, a swap, `duty show` (now, next, the week); the attacks: a person who is not an approver
 * of the coordinating organisation (a PoC of a ministry, an unknown user), a past date, unreadable
 * slots, full-width dates and Japanese weekday words, a caller outside the office, and a role
 * removed after `duty set` (nobody's duty officer then). Nothing is written on any refusal.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, test } from 'vitest';
import { replyToText } from '../../src/core/reply.ts';
import { dutyOfficer } from '../../src/services/duty.ts';
import { type TestApp, testApp } from '../helpers/app.ts';

const ADMIN = 'console:admin';
const KATO = 'console:kato'; // coordinator
const MORI = 'console:mori'; // approver
const ABE = 'console:abe'; // approver
const SATO = 'console:sato'; // maff PoC
const START = '2026-12-03T01:00:00Z'; // Thu 3 Dec 2026 10:00 JST
const DAY = 24 * 60 * 60_000;

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: START });
  await t.run(ADMIN, 'poc add console:kato org=nisc role=coordinator');
  await t.run(ADMIN, 'poc add console:mori org=nisc role=approver');
  await t.run(ADMIN, 'poc add console:abe org=nisc role=approver');
  await t.run(ADMIN, 'poc add console:sato org=maff role=poc primary=yes');
}, 120_000);
afterAll(() => t.close());

const slots = () => t.app.db.prisma.dutySlot.count();

async function refused(who: string, cmd: string, re: RegExp): Promise<void> {
  const audits = await t.auditCount();
  const before = await t.app.db.prisma.dutySlot.findMany({ orderBy: { slot: 'asc' } });
  const o = await t.run(who, cmd);
  const text = replyToText(o.reply);
  assert.notEqual(o.status, 'ok', `${cmd}: ${text}`);
  assert.match(text, re, cmd);
  assert.equal(await t.auditCount(), audits, `${cmd} wrote an audit record`);
  assert.deepEqual(
    await t.app.db.prisma.dutySlot.findMany({ orderBy: { slot: 'asc' } }),
    before,
    `${cmd} changed the rota`,
  );
}

test('a weekly rota in English and Japanese weekday words, audited; show gives now, next and the week', async () => {
  const audits = await t.auditCount();
  assert.match(await t.say(KATO, 'duty set thu console:mori'), /毎週木曜日の当番者を console:mori に設定しました/);
  assert.match(await t.say(KATO, 'duty set 金曜日 console:abe'), /毎週金曜日の当番者を console:abe に設定しました/);
  assert.match(await t.say(KATO, 'duty set ｓａｔ console:abe'), /毎週土曜日/);
  assert.equal(await t.auditCount(), audits + 3);
  assert.equal(await slots(), 3);
  const show = await t.say(MORI, 'duty show');
  assert.match(show, /現在の当番者: console:mori/);
  assert.match(show, /次の当番者: console:abe（.*12月4日.*から）/);
  assert.match(show, /日本時間の0時/);
  const officer = await dutyOfficer(t.app.db.prisma, t.clock.now());
  assert.equal(officer?.identity, MORI);
});

test('a one-off date (full-width) overrides its weekday; a swap names who it replaced', async () => {
  assert.match(
    await t.say(KATO, 'duty set ２０２６－１２－１０ console:abe'),
    /12月10日.*の当番者を console:abe に設定しました/,
  );
  const audits = await t.auditCount();
  assert.match(await t.say(KATO, 'duty swap 2026/12/11 console:mori'), /console:abe から console:mori に交代しました/);
  assert.equal(await t.auditCount(), audits + 1);
  const rec = await t.app.db.prisma.auditRecord.findFirst({ orderBy: { seq: 'desc' } });
  assert.equal(rec?.action, 'duty.swap');
  assert.match(rec?.data ?? '', /"before":"console:abe"/);
  t.clock.advance(7 * DAY); // Thu 10 Dec
  assert.equal((await dutyOfficer(t.app.db.prisma, t.clock.now()))?.identity, ABE);
  t.clock.advance(DAY); // Fri 11 Dec
  assert.equal((await dutyOfficer(t.app.db.prisma, t.clock.now()))?.identity, MORI);
  assert.match(await t.say(KATO, 'duty show'), /現在の当番者: console:mori/);
});

test('refusals write nothing: not an approver, unknown user, past date, unreadable slot, outsiders', async () => {
  await refused(KATO, 'duty set mon console:sato', /承認者ではないため、当番者に指定できません/);
  await refused(KATO, 'duty set mon console:kato', /承認者ではないため/);
  await refused(KATO, 'duty set mon console:nobody', /console:nobody/);
  await refused(KATO, 'duty swap 2026-12-01 console:mori', /過去の日付/);
  await refused(KATO, 'duty set 2026-12-10 console:mori', /過去の日付/);
  await refused(KATO, 'duty set someday console:mori', /曜日または日付として読み取れません/);
  await refused(KATO, 'duty swap mon console:mori', /日付として読み取れません/);
  await refused(KATO, 'duty set 2026-02-30 console:mori', /読み取れません/);
  await refused(KATO, 'duty set m\u200bon console:mori', /読み取れません|文字/);
  await refused(MORI, 'duty set mon console:abe', /権限がありません/);
  await refused(SATO, 'duty set mon console:mori', /権限がありません/);
  await refused(SATO, 'duty show', /権限がありません/);
});

test('the calendar feed lists the person’s own duty days (the whole Tokyo day)', async () => {
  const token = /calendar\/([A-Za-z0-9_-]+)\.ics/.exec(await t.say(MORI, 'meeting list'))?.[1];
  assert.ok(token, 'mori is shown a feed URL');
  const ics = (await t.app.services.meetings.feed(token)) ?? '';
  assert.match(ics, /UID:DUTY-2026-12-11@/); // the swap
  assert.match(ics, /UID:DUTY-2026-12-17@/); // the weekly Thursday
  assert.doesNotMatch(ics, /DUTY-2026-12-10|DUTY-2026-12-18/); // abe's
  assert.match(ics, /DTSTART:20261210T150000Z/); // 11 Dec 00:00 JST
});

test('the approver role removed after duty set: nobody is the duty officer that day', async () => {
  // Fri 11 Dec: mori by the swap
  const token = /calendar\/([A-Za-z0-9_-]+)\.ics/.exec(await t.say(MORI, 'meeting list'))?.[1] as string;
  await t.run(ADMIN, 'poc remove console:mori role=approver');
  assert.equal(await dutyOfficer(t.app.db.prisma, t.clock.now()), null);
  assert.doesNotMatch((await t.app.services.meetings.feed(token)) ?? '', /DUTY-/);
  await refused(KATO, 'duty swap 2026-12-12 console:mori', /承認者ではないため/);
});
