import assert from 'node:assert/strict';
import { afterAll, beforeAll, test } from 'vitest';
import { type TestApp, testApp } from '../helpers/app.ts';

const ADMIN = 'console:admin';
const NISC = 'console:kato'; // coordinator
const MAFF = 'console:sato'; // maff poc
const MIC = 'console:ito'; // poc of an organisation that is not invited

let t: TestApp;
beforeAll(async () => {
  // Wed 25 Nov 2026 10:00 JST
  t = await testApp({ now: '2026-11-25T01:00:00Z' });
  await t.run(ADMIN, 'poc add console:kato org=nisc role=coordinator');
  await t.run(ADMIN, 'poc add console:sato org=maff role=poc primary=yes');
  await t.run(ADMIN, 'poc add console:suzuki org=mof role=poc primary=yes');
  await t.run(ADMIN, 'poc add console:ito org=mic role=poc primary=yes');
});
afterAll(() => t.close());

const posts = (channel: string, re: RegExp) => t.platform.in(channel).filter((x) => re.test(x));

test('schedule: MTG id, the invitation goes out at once with RSVP buttons, one job per reminder, audited', async () => {
  const audits = await t.auditCount();
  const o = await t.run(
    NISC,
    'meeting schedule title="第3回 CSIRT 窓口担当者会議" start="2027-01-12 10:00" place="中央合同庁舎 会議室" agenda="年度末の体制整備" invite=maff,mof',
  );
  const text = o.reply.blocks
    .map((b) => ('text' in b ? b.text : 'fields' in b ? b.fields.flat().join(' ') : ''))
    .join('\n');
  assert.equal(o.status, 'ok', text);
  assert.match(text, /会議 MTG-2026-0001 を登録し、開催通知を 2 組織に送付しました/);
  assert.match(text, /令和9年1月12日\(火\) 10:00（日本時間）/);
  assert.doesNotMatch(text, /ご注意/);
  assert.equal(await t.auditCount(), audits + 1);
  const invitation = t.platform.posts.find((p) => p.channel === 'maff' && /開催通知/.test(p.text));
  assert.ok(invitation, 'maff got the invitation');
  assert.match(invitation.text, /開催日時: 令和9年1月12日\(火\) 10:00（日本時間）/);
  assert.match(invitation.text, /場所: 中央合同庁舎 会議室/);
  assert.match(invitation.text, /議題: 年度末の体制整備/);
  assert.deepEqual(
    invitation.message.actions?.map((a) => [a.label, a.command]),
    [
      ['出席', 'meeting rsvp MTG-2026-0001 attend'],
      ['欠席', 'meeting rsvp MTG-2026-0001 absent'],
      ['代理出席', 'meeting rsvp MTG-2026-0001 proxy'],
    ],
  );
  assert.equal(posts('mof', /開催通知/).length, 1);
  assert.equal(posts('nisc', /開催通知/).length, 0, 'only invited organisations');
  const jobs = await t.app.db.prisma.job.findMany({ where: { refId: 'MTG-2026-0001' }, orderBy: { dueAt: 'asc' } });
  assert.deepEqual(
    jobs.map((j) => [j.id, j.dueAt.toISOString(), j.status]),
    [
      ['meeting:MTG-2026-0001:reminder:7d', '2027-01-05T01:00:00.000Z', 'pending'],
      ['meeting:MTG-2026-0001:reminder:1d', '2027-01-11T01:00:00.000Z', 'pending'],
      ['meeting:MTG-2026-0001:reminder:1h', '2027-01-12T00:00:00.000Z', 'pending'],
    ],
  );
});

test('11 January 2027 (成人の日) warns and is still scheduled; 12 January 2027 does not warn', async () => {
  const holiday = await t.say(
    NISC,
    'meeting schedule title=祝日の会議 start="2027-01-11 14:00" invite=maff reminders=1d',
  );
  assert.match(holiday, /MTG-2026-0002 を登録/);
  assert.match(holiday, /ご注意: 開催日 令和9年1月11日\(月\) は祝日（成人の日）です/);
  const weekday = await t.say(
    NISC,
    'meeting schedule title=平日の会議 start="2027-01-12 14:00" invite=maff reminders=1d',
  );
  assert.match(weekday, /MTG-2026-0003 を登録/);
  assert.doesNotMatch(weekday, /ご注意/);
  await t.run('console:admin', 'lang en');
  const en = await t.say(ADMIN, 'meeting schedule title=Saturday start="2027-01-16 10:00" invite=maff reminders=1d');
  assert.match(en, /Note: Sat 16 Jan 2027 is a Saturday/);
  await t.run('console:admin', 'lang ja');
  for (const id of ['MTG-2026-0002', 'MTG-2026-0003', 'MTG-2026-0004']) await t.run(NISC, `meeting cancel ${id}`);
});

test('29 December 2026 (year-end closure, a Tuesday) warns as a 行政機関の休日; it got no warning before', async () => {
  const ja = await t.say(NISC, 'meeting schedule title=年末の会議 start="2026-12-29 14:00" invite=maff reminders=1d');
  assert.match(ja, /ご注意: 開催日 令和8年12月29日\(火\) は年末年始の行政機関の休日（12月29日〜1月3日）です/);
  await t.run('console:admin', 'lang en');
  const en = await t.say(ADMIN, 'meeting schedule title=Year-end start="2027-01-02 10:00" invite=maff reminders=1d');
  assert.match(en, /Note: Sat 2 Jan 2027 falls in the year-end closure of government offices/);
  await t.run('console:admin', 'lang ja');
  const rows = await t.app.db.prisma.meeting.findMany({ where: { title: { in: ['年末の会議', 'Year-end'] } } });
  for (const m of rows) await t.run(NISC, `meeting cancel ${m.id}`);
});

test('bad input is refused with a specific message and writes nothing (past start, bad time, reminders, duration, roles)', async () => {
  const audits = await t.auditCount();
  const meetings = await t.app.db.prisma.meeting.count();
  const cases: [string, string, RegExp][] = [
    // a past start is outside the plausible range (src/domain/plausible.ts), named with it
    [
      NISC,
      'meeting schedule title=x start="2026-11-24 10:00"',
      /・start: 2026-11-25 10:00 から 2028-11-25 10:00 までの日時（日本時間）/,
    ],
    [NISC, 'meeting schedule title=x start="2027-02-30 10:00"', /日時「2027-02-30 10:00」を読み取れませんでした/],
    [NISC, 'meeting schedule title=x start="2027-02-03 10:00" reminders=7x', /事前通知「7x」を読み取れませんでした/],
    [NISC, 'meeting schedule title=x start="2027-02-03 10:00" duration=25h', /所要時間「25h」を読み取れませんでした/],
    [NISC, 'meeting schedule title=x start="2027-02-03 10:00" place=A url=https://example.jp/m', /どちらか一方のみ/],
    [
      NISC,
      'meeting schedule title=x start="2027-02-03 10:00" invite=maff,nowhere',
      /組織「nowhere」は登録されていません/,
    ],
    [MAFF, 'meeting schedule title=x start="2027-02-03 10:00"', /権限がありません/],
    [MAFF, 'meeting cancel MTG-2026-0001', /権限がありません/],
    [MIC, 'meeting rsvp MTG-2026-0001 attend', /会議「MTG-2026-0001」は見つかりませんでした/],
    [MAFF, 'meeting rsvp MTG-2026-0001 attend proxy=@tanaka', /代理出席者（proxy=）は/],
    ['console:nobody', 'meeting list', /権限がありません/],
  ];
  for (const [who, cmd, re] of cases) {
    const o = await t.run(who, cmd);
    assert.equal(o.reply.error, true, cmd);
    assert.match(o.reply.blocks.map((b) => ('text' in b ? b.text : '')).join('\n'), re, cmd);
  }
  assert.equal(await t.auditCount(), audits);
  assert.equal(await t.app.db.prisma.meeting.count(), meetings);
  const en = await t.app.router.handle({
    platform: 'console',
    identity: NISC,
    text: 'meeting schedule title=x start=tomorrow',
    channelId: null,
    localeHint: 'en',
    refs: (await import('../../src/adapters/console/refs.ts')).consoleRefs,
  });
  assert.equal(en.code, 'time.invalid');
});

test('RSVP per organisation: the buttons work as typed, list shows who answered, the caller sees their feed URL', async () => {
  assert.match(await t.say(MAFF, 'meeting rsvp mtg-2026-0001 attend'), /maff の出欠を「出席」として承りました/);
  assert.match(
    await t.say(MAFF, 'meeting rsvp MTG-2026-0001 proxy proxy=@tanaka'),
    /「代理出席」.*\n代理出席者: console:tanaka/,
  );
  const list = await t.say(MAFF, 'meeting list');
  assert.match(list, /MTG-2026-0001 第3回 CSIRT 窓口担当者会議/);
  assert.match(list, /maff\s+農林水産省\s+代理出席 \(console:tanaka\)\s+console:sato/);
  assert.match(list, /mof\s+財務省\s+未回答/);
  assert.match(list, /回答状況: 出席 0・欠席 0・代理出席 1・未回答 1/);
  const people = await t.app.db.prisma.person.findMany();
  const own = people.find((p) => p.identity === MAFF)?.calendarToken as string;
  assert.ok(list.includes(`/calendar/${own}.ics`), 'own feed URL shown');
  for (const p of people.filter((x) => x.identity !== MAFF))
    assert.ok(!list.includes(p.calendarToken as string), "nobody else's token is ever shown");
  assert.doesNotMatch(await t.say(MIC, 'meeting list'), /MTG-2026-0001/, 'not invited: not listed');
});

test('reminders fire once each at their time, one per invited channel; RSVP buttons only where no answer was given', async () => {
  t.clock.set('2027-01-05T01:00:00Z');
  assert.equal(await t.app.scheduler.runDue(), 1);
  await t.app.dispatcher.drain();
  assert.equal(await t.app.scheduler.runDue(), 0, 'a second pass fires nothing');
  await t.app.dispatcher.drain();
  for (const [ch, buttons] of [
    ['maff', undefined], // answered (proxy) above: reminded without being asked again
    ['mof', 3],
  ] as const) {
    const r = t.platform.posts.filter((p) => p.channel === ch && /開催のご案内（開催の7日前）/.test(p.text));
    assert.equal(r.length, 1, ch);
    assert.equal(r[0]?.message.actions?.length, buttons, ch);
  }
  assert.equal(posts('nisc', /開催のご案内/).length, 0);
});

test('cancel tells every invited channel, withdraws pending reminders; the meeting stays listed as cancelled', async () => {
  assert.match(
    await t.say(NISC, 'meeting cancel MTG-2026-0001'),
    /MTG-2026-0001 を中止とし、2 組織に通知しました（未送付の事前通知 2 件を取り消しました）/,
  );
  assert.equal(posts('maff', /開催中止のお知らせ.*MTG-2026-0001/).length, 1);
  assert.equal(posts('mof', /開催中止のお知らせ.*MTG-2026-0001/).length, 1);
  assert.match(await t.say(NISC, 'meeting list'), /MTG-2026-0001 第3回 CSIRT 窓口担当者会議 \[中止\]/);
  assert.match(await t.say(MAFF, 'meeting rsvp MTG-2026-0001 attend'), /中止となったため/);
  assert.match(await t.say(NISC, 'meeting cancel MTG-2026-0001'), /既に中止/);
  t.clock.set('2027-01-12T00:30:00Z');
  assert.equal(await t.app.scheduler.runDue(), 0);
  const before = t.platform.posts.length;
  await t.app.dispatcher.drain();
  assert.equal(t.platform.posts.length, before);
});
