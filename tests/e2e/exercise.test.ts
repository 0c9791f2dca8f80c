/**
 * Exercise mode (訓練, issue 20 item 4) for incident reports, through the console entry: an
 * exercise report that shares an indicator with a real one raises no correlation alert; every
 * post, reply and export about it is marked; it is left out of the list and the indicator
 * lookup; `exercise purge` removes it and `audit:verify` (verifyChain) still passes. The same for
 * an exercise PoC meeting: every notice, reply and calendar entry marked, purge after the drill.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, test } from 'vitest';
import { verifyChain } from '../../src/audit/chain.ts';
import { replyToText } from '../../src/core/reply.ts';
import { auditFigures } from '../../src/services/figures.ts';
import { type TestApp, testApp } from '../helpers/app.ts';

const ADMIN = 'console:admin';
const NISC = 'console:kato';
const MAFF = 'console:sato';
const MOF = 'console:suzuki';
const IOC = '198.51.100.77';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: '2026-12-03T01:00:00Z' });
  await t.run(ADMIN, 'poc add console:kato org=nisc role=coordinator');
  await t.run(ADMIN, 'poc add console:sato org=maff role=poc primary=yes');
  await t.run(ADMIN, 'poc add console:suzuki org=mof role=poc primary=yes');
}, 120_000);
afterAll(() => t.close());

const correlations = () => t.app.db.prisma.delivery.count({ where: { dedupeKey: { startsWith: 'correlation:' } } });
const postsAbout = (id: string) => t.platform.posts.filter((p) => p.text.includes(id));

test('an exercise sharing an indicator with a real report: no correlation alert; every post and reply marked', async () => {
  const real = await t.say(MAFF, `report category=malware summary="実際の不審通信" ioc=${IOC}`);
  assert.match(real, /INC-2026-0001 として受け付けました/);
  assert.doesNotMatch(real, /訓練/);
  const ex = await t.run(MOF, `report category=malware summary="訓練用の不審通信" ioc=${IOC} exercise=yes`);
  const exText = replyToText(ex.reply);
  assert.equal(ex.status, 'ok', exText);
  assert.match(exText, /^【訓練】これは訓練です。実際のインシデントではありません。/);
  assert.match(exText, /INC-2026-0002 として受け付けました/);
  assert.equal(await correlations(), 0, 'an exercise never correlates with a real report');
  const posts = postsAbout('INC-2026-0002');
  assert.ok(posts.length >= 2, 'posted to the office and to mof');
  for (const p of posts) assert.match(p.text, /^【訓練】これは訓練です。[\s\S]*■ 【訓練】 /, p.text);
  assert.ok(
    postsAbout('INC-2026-0001').every((p) => !/訓練/.test(p.text)),
    'the real report is not marked',
  );
  // an update of the exercise: the reply and the post marked too
  const up = await t.say(NISC, 'incident update INC-2026-0002 status=triaging');
  assert.match(up, /^【訓練】/);
  const status = t.platform.posts.filter((p) => /状態の変更/.test(p.text) && p.text.includes('INC-2026-0002'));
  assert.ok(status.length > 0 && status.every((p) => /^【訓練】/.test(p.text)));
  // a second real report of the indicator correlates with the real one only
  await t.say(MOF, `report category=malware summary="実際の不審通信（財務省）" ioc=${IOC}`);
  assert.equal(await correlations(), 1);
  const alert = t.platform.posts.find((p) => /【相関】/.test(p.text));
  assert.ok(alert);
  assert.match(alert.text, /INC-2026-0001 \(maff\), INC-2026-0003 \(mof\)/);
  assert.doesNotMatch(alert.text, /INC-2026-0002/);
});

test('an exercise is in no figure and no lookup; show and export are marked; not a source of an advisory', async () => {
  const list = await t.say(NISC, 'incident list');
  assert.match(list, /INC-2026-0001/);
  assert.match(list, /INC-2026-0003/);
  assert.doesNotMatch(list, /INC-2026-0002/);
  assert.match(list, /2 件/);
  const exercises = await t.say(NISC, 'incident list exercise=yes');
  assert.match(exercises, /■ 【訓練】/);
  assert.match(exercises, /【訓練】 INC-2026-0002/);
  assert.doesNotMatch(exercises, /INC-2026-0001/);
  // the dashboard's figures (from the audit log) measure the real reports only
  const nisc = await t.app.db.prisma.organization.findUniqueOrThrow({ where: { code: 'nisc' } });
  const office = {
    identity: NISC,
    personId: 1,
    displayName: null,
    roles: new Set(['coordinator'] as const),
    org: { id: nisc.id, code: 'nisc', nameJa: nisc.nameJa, nameEn: nisc.nameEn, coordinator: true },
    locale: 'ja' as const,
    calendar: 'wareki' as const,
  };
  const measured = (await auditFigures(t.app.services.deps, office)).intervals.map((i) => i.subject);
  assert.ok(measured.includes('INC-2026-0001'), JSON.stringify(measured));
  assert.ok(!measured.includes('INC-2026-0002'), 'an exercise is in no figure');
  const ioc = await t.say(NISC, `ioc check ${IOC}`);
  assert.match(ioc, /INC-2026-0001/);
  assert.doesNotMatch(ioc, /INC-2026-0002/);
  const show = await t.say(NISC, 'incident show INC-2026-0002');
  assert.match(show, /^【訓練】これは訓練です。[\s\S]*■ 【訓練】 /);
  const o = await t.run(NISC, 'incident export INC-2026-0002 format=stix');
  assert.match(replyToText(o.reply), /^【訓練】/);
  const file = o.reply.attachments?.[0];
  assert.equal(file?.filename, 'EXERCISE-INC-2026-0002.stix.json');
  assert.match(Buffer.from(file?.data ?? '', 'base64').toString('utf8'), /\[EXERCISE\] 【訓練】 訓練用の不審通信/);
  await t.run(NISC, 'lang en');
  const en = await t.say(NISC, 'incident show INC-2026-0002');
  await t.run(NISC, 'lang ja');
  assert.match(en, /^\[EXERCISE\] This is an exercise, not a real incident\./);
  const audits = await t.auditCount();
  const adv = await t.say(
    NISC,
    'advisory draft title="訓練" body="本文です。" severity=high tlp=amber audience=maff sources=INC-2026-0002',
  );
  assert.match(adv, /INC-2026-0002 は訓練の報告のため、注意喚起等の情報提供元にはできません/);
  assert.equal(await t.auditCount(), audits);
});

test('exercise purge: refused for a real incident and for a PoC; removes the exercise; the chain still verifies', async () => {
  const before = await t.auditCount();
  const refusals: [string, string, RegExp][] = [
    [NISC, 'exercise purge INC-2026-0001', /INC-2026-0001 は訓練として作成されたものではないため、削除できません/],
    [MOF, 'exercise purge INC-2026-0002', /権限がありません/],
    [NISC, 'exercise purge ADV-2026-0001', /ADV-2026-0001 は見つかりません/],
    [NISC, 'exercise purge MTG-2026-0001', /会合「MTG-2026-0001」は見つかりませんでした/],
    [NISC, 'exercise purge INC-2026-0099', /見つかりませんでした/],
    [NISC, 'exercise purge CMP-2026-0001', /INC-2026-0001/],
  ];
  for (const [who, cmd, re] of refusals) {
    const o = await t.run(who, cmd);
    assert.notEqual(o.status, 'ok', cmd);
    assert.match(replyToText(o.reply), re, cmd);
  }
  assert.equal(await t.auditCount(), before, 'nothing written');
  const subjectRecords = await t.app.db.prisma.auditRecord.count({ where: { subject: 'INC-2026-0002' } });
  assert.ok(subjectRecords >= 2);
  // full-width id, as typed with an IME
  const done = await t.say(NISC, 'exercise purge ＩＮＣ－２０２６－０００２');
  assert.match(done, /訓練の記録 INC-2026-0002 を削除しました/);
  assert.equal(await t.app.db.prisma.incident.count({ where: { id: 'INC-2026-0002' } }), 0);
  assert.equal(await t.app.db.prisma.incidentIndicator.count({ where: { incidentId: 'INC-2026-0002' } }), 0);
  assert.equal(await t.app.db.prisma.delivery.count({ where: { refType: 'incident', refId: 'INC-2026-0002' } }), 0);
  assert.equal(await t.app.db.prisma.indicator.count({ where: { value: IOC } }), 1, 'still named by real reports');
  assert.match(await t.say(NISC, 'incident show INC-2026-0002'), /見つかりませんでした/);
  // its audit records stay, redacted; the chain records the purge and still verifies
  const left = await t.app.db.prisma.auditRecord.findMany({
    where: { subject: 'INC-2026-0002' },
    orderBy: { seq: 'asc' },
  });
  assert.equal(left.length, subjectRecords + 1);
  for (const r of left.filter((x) => x.action !== 'exercise.purge')) assert.equal(r.data, '{"redacted":"exercise"}');
  assert.ok(left.some((r) => r.action === 'exercise.purge' && r.actor === NISC));
  assert.equal(await t.app.db.prisma.auditRecord.count({ where: { action: 'audit.redact', subject: 'exercise' } }), 1);
  const v = await verifyChain(t.app.db.prisma);
  assert.ok(v.ok, JSON.stringify(v));
  // a second purge: not found, nothing written
  const n = await t.auditCount();
  assert.match(await t.say(NISC, 'exercise purge INC-2026-0002'), /見つかりませんでした/);
  assert.equal(await t.auditCount(), n);
});

test('an exercise meeting: every notice, reply and calendar entry marked; purge removes it, the chain verifies', async () => {
  const real = await t.say(
    NISC,
    'meeting schedule title="定例の PoC 会合" start="2027-01-12 10:00" invite=maff reminders=1d',
  );
  assert.doesNotMatch(real, /訓練/);
  const o = await t.run(
    NISC,
    'meeting schedule title="訓練の会合" start="2027-01-13 10:00" invite=maff,mof reminders=1d exercise=yes',
  );
  const text = replyToText(o.reply);
  assert.equal(o.status, 'ok', text);
  assert.match(
    text,
    /^【訓練】これは訓練です。実際の PoC 会合ではありません。\n■ 【訓練】 PoC 会合 MTG-2026-0002 を登録/,
  );
  const invitations = t.platform.posts.filter((p) => p.text.includes('MTG-2026-0002'));
  assert.equal(invitations.length, 2);
  for (const p of invitations) assert.match(p.text, /^【訓練】これは訓練です。[\s\S]*■ 【訓練】 開催通知: 訓練の会合/);
  assert.ok(t.platform.posts.filter((p) => p.text.includes('MTG-2026-0001')).every((p) => !/訓練/.test(p.text)));
  assert.match(await t.say(MAFF, 'meeting rsvp MTG-2026-0002 attend'), /^【訓練】/);
  const list = await t.say(MAFF, 'meeting list');
  assert.match(list, /■ 【訓練】 MTG-2026-0002 訓練の会合/);
  assert.match(list, /■ MTG-2026-0001 定例の PoC 会合/);
  const ics = await t.run(MAFF, 'meeting ics MTG-2026-0002');
  assert.match(replyToText(ics.reply), /^【訓練】/);
  assert.match(
    Buffer.from(ics.reply.attachments?.[0]?.data ?? '', 'base64').toString('utf8'),
    /SUMMARY:\[EXERCISE\] 【訓練】 訓練の会合/,
  );
  // the reminder, a day before, is marked too
  t.clock.set('2027-01-12T01:00:00Z');
  await t.app.scheduler.runDue();
  await t.app.dispatcher.drain();
  const reminders = t.platform.posts.filter((p) => /開催のご案内/.test(p.text) && p.text.includes('MTG-2026-0002'));
  assert.equal(reminders.length, 2);
  for (const p of reminders) assert.match(p.text, /^【訓練】/);
  // a real meeting is refused; the exercise is purged
  assert.match(await t.say(NISC, 'exercise purge MTG-2026-0001'), /MTG-2026-0001 は訓練として作成されたものではない/);
  assert.match(await t.say(NISC, 'exercise purge mtg-2026-0002'), /訓練の記録 MTG-2026-0002 を削除しました/);
  assert.equal(await t.app.db.prisma.meeting.count({ where: { id: 'MTG-2026-0002' } }), 0);
  assert.equal(await t.app.db.prisma.meetingRsvp.count({ where: { meetingId: 'MTG-2026-0002' } }), 0);
  assert.equal(await t.app.db.prisma.delivery.count({ where: { refType: 'meeting', refId: 'MTG-2026-0002' } }), 0);
  assert.equal(await t.app.db.prisma.meeting.count({ where: { id: 'MTG-2026-0001' } }), 1);
  const left = await t.app.db.prisma.auditRecord.findMany({ where: { subject: 'MTG-2026-0002' } });
  for (const r of left.filter((x) => x.action !== 'exercise.purge')) assert.equal(r.data, '{"redacted":"exercise"}');
  const v = await verifyChain(t.app.db.prisma);
  assert.ok(v.ok, JSON.stringify(v));
});

test('an exercise advisory: exercise sources only; every copy, prompt and reply marked; purged before its source', async () => {
  await t.run(ADMIN, 'poc add console:duty org=nisc role=approver');
  const inc = await t.say(MAFF, `report category=malware summary="訓練の報告" ioc=${IOC} exercise=yes`);
  assert.match(inc, /INC-2026-0004 として受け付けました/);
  const real = await t.say(
    NISC,
    'advisory draft title="訓練" body="本文です。" severity=high tlp=amber audience=maff sources=INC-2026-0001 exercise=yes',
  );
  assert.match(real, /INC-2026-0001 は訓練ではない実際の報告のため、訓練の注意喚起等の情報提供元にはできません/);
  const drafted = await t.say(
    NISC,
    'advisory draft title="訓練の注意喚起" body="訓練のための本文です。" severity=high tlp=amber audience=maff,mof sources=INC-2026-0004 exercise=yes',
  );
  assert.match(drafted, /^【訓練】これは訓練です。実際の注意喚起ではありません。/);
  assert.match(drafted, /ADV-2026-0001/);
  assert.match(await t.say(NISC, 'advisory submit ADV-2026-0001'), /^【訓練】/);
  assert.match(await t.say(MAFF, 'advisory consent ADV-2026-0001 yes'), /^【訓練】/);
  assert.match(await t.say('console:duty', 'advisory approve ADV-2026-0001'), /^【訓練】/);
  assert.match(await t.say(MOF, 'advisory ack ADV-2026-0001'), /^【訓練】/);
  const status = await t.say(NISC, 'advisory status ADV-2026-0001');
  assert.match(
    status,
    /^【訓練】これは訓練です。[\s\S]*■ 【訓練】 【注意喚起】TLP:AMBER ADV-2026-0001「訓練の注意喚起」/,
  );
  assert.match(await t.say(NISC, 'advisory list'), /【訓練】 ADV-2026-0001/);
  const posts = t.platform.posts.filter((p) => p.text.includes('ADV-2026-0001'));
  assert.ok(posts.length >= 4, `consent request, approval prompt, two copies: ${posts.length}`);
  for (const p of posts) assert.match(p.text, /^【訓練】これは訓練です。実際の注意喚起ではありません。/, p.text);
  assert.ok(posts.some((p) => p.channel === 'maff' && /■ 【訓練】 【注意喚起】TLP:AMBER ADV-2026-0001/.test(p.text)));
  // the source goes after the advisory, not before
  assert.match(
    await t.say(NISC, 'exercise purge INC-2026-0004'),
    /注意喚起等の情報提供元になっているため、削除できません/,
  );
  assert.match(await t.say(NISC, 'exercise purge ADV-2026-0001'), /訓練の記録 ADV-2026-0001 を削除しました/);
  assert.equal(await t.app.db.prisma.advisory.count(), 0);
  assert.equal(
    await t.app.db.prisma.delivery.count({ where: { refType: { startsWith: 'advisory' }, refId: 'ADV-2026-0001' } }),
    0,
  );
  assert.match(await t.say(NISC, 'exercise purge INC-2026-0004'), /訓練の記録 INC-2026-0004 を削除しました/);
  const v = await verifyChain(t.app.db.prisma);
  assert.ok(v.ok, JSON.stringify(v));
});
