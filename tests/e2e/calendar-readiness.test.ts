import assert from 'node:assert/strict';
import ical, { type VEvent } from 'node-ical';
import { afterAll, beforeAll, test } from 'vitest';
import { type TestApp, testApp } from '../helpers/app.ts';

const NISC = 'console:kato';
let t: TestApp;
let base: string;

beforeAll(async () => {
  t = await testApp({ now: '2026-11-25T01:00:00Z', env: { PUBLIC_URL: 'https://csirt.example.go.jp' } });
  await t.run('console:admin', 'poc add console:kato org=nisc role=coordinator');
  await t.run('console:admin', 'poc add console:sato org=maff role=poc primary=yes');
  await t.run('console:admin', 'poc add console:sasaki org=maff role=poc deputy=yes');
  await t.run('console:admin', 'poc add console:suzuki org=mof role=poc primary=yes');
  await t.run(
    NISC,
    'meeting schedule title="予定表の会議; テスト" start="2027-01-12 10:00" duration=1h30m url=https://meet.example.go.jp/x invite=maff',
  );
  await t.run(NISC, 'meeting schedule title=中止する会議 start="2027-01-13 15:00" invite=maff');
  await t.run(NISC, 'meeting cancel MTG-2026-0002');
  await t.run(NISC, 'meeting schedule title=財務省のみ start="2027-01-14 09:30" invite=mof');
  base = `http://127.0.0.1:${await t.app.http.listen(0, '127.0.0.1')}`;
});
afterAll(async () => {
  await t.app.http.close();
  await t.close();
});

const events = (text: string) =>
  Object.values(ical.sync.parseICS(text))
    .filter((e): e is VEvent => e?.type === 'VEVENT')
    .sort((a, b) => +a.start - +b.start);

test('meeting ics: an .ics attachment that node-ical reads, with the start in UTC', async () => {
  const o = await t.run('console:sato', 'meeting ics MTG-2026-0001');
  const a = o.reply.attachments?.[0];
  assert.ok(a);
  assert.equal(a.filename, 'MTG-2026-0001.ics');
  assert.equal(a.mime, 'text/calendar');
  const [e] = events(Buffer.from(a.data, 'base64').toString('utf8'));
  assert.ok(e);
  assert.equal(e.start.toISOString(), '2027-01-12T01:00:00.000Z');
  assert.equal(e.end?.toISOString(), '2027-01-12T02:30:00.000Z');
  assert.equal(e.summary, '予定表の会議; テスト');
  assert.match(String(e.uid), /^MTG-2026-0001@csirt\.example\.go\.jp$/);
  assert.match(
    await t.say('console:suzuki', 'meeting ics MTG-2026-0001'),
    /見つかりませんでした/,
    'mof is not invited',
  );
});

test('GET /calendar/<token>.ics: the person’s meetings, cancelled ones marked; the coordinating organisation sees all; bad tokens 404 alike', async () => {
  const token = async (identity: string) =>
    (await t.app.db.prisma.person.findUniqueOrThrow({ where: { identity } })).calendarToken as string;
  const maff = { calendarToken: await token('console:sato') };
  const nisc = { calendarToken: await token(NISC) };
  const res = await fetch(`${base}/calendar/${maff.calendarToken}.ics`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/calendar; charset=utf-8');
  const list = events(await res.text());
  assert.deepEqual(
    list.map((e) => [e.uid, e.start.toISOString(), e.status]),
    [
      ['MTG-2026-0001@csirt.example.go.jp', '2027-01-12T01:00:00.000Z', 'CONFIRMED'],
      ['MTG-2026-0002@csirt.example.go.jp', '2027-01-13T06:00:00.000Z', 'CANCELLED'],
    ],
  );
  const all = events(await (await fetch(`${base}/calendar/${nisc.calendarToken}.ics`)).text());
  assert.equal(all.length, 3);
  const bodies = new Set<string>();
  const wrongLast = maff.calendarToken.slice(0, -1) + (maff.calendarToken.endsWith('A') ? 'B' : 'A');
  for (const p of [
    `/calendar/${wrongLast}.ics`,
    '/calendar/x.ics',
    `/calendar/${maff.calendarToken}`,
    '/calendar/../healthz.ics',
  ]) {
    const r = await fetch(`${base}${p}`);
    assert.equal(r.status, 404, p);
    bodies.add(await r.text());
  }
  assert.equal(bodies.size, 1, 'the same body for every bad token');
  assert.match(
    await t.say('console:sato', 'meeting list'),
    new RegExp(`https://csirt\\.example\\.go\\.jp/calendar/${maff.calendarToken}\\.ics`),
  );
});

test('csirt set: a PoC sets their own organisation, NISC any; status shows readiness against 31 March', async () => {
  const audits = await t.auditCount();
  assert.match(
    await t.say(
      'console:sato',
      'csirt set established=2026-04-01 primary=@sato deputy=@sasaki contact="03-0000-0000" hours="平日 9:30-18:15"',
    ),
    /maff の CSIRT 体制を更新しました（整備状況は「整備済み」です）/,
  );
  assert.match(await t.say('console:sato', 'csirt set org=mof hours=24h'), /ご所属の組織の CSIRT 体制のみ/);
  assert.match(
    await t.say('console:sato', 'csirt set primary=@suzuki'),
    /console:suzuki は maff の担当者として登録されていません/,
  );
  assert.match(
    await t.say('console:sato', 'csirt set established=2027-01-01'),
    /・established: 2000-01-01 から \d{4}-\d{2}-\d{2} までの日付/,
  );
  assert.match(
    await t.say('console:sato', 'csirt set established=2026-13-01'),
    /日付「2026-13-01」を読み取れませんでした/,
  );
  assert.match(
    await t.say(NISC, 'csirt set org=mof established=2026-10-01 primary=@suzuki'),
    /mof の CSIRT 体制を更新しました（整備状況は「未整備」です）/,
  );
  assert.equal(await t.auditCount(), audits + 2);
  const status = await t.say(NISC, 'csirt status');
  assert.match(status, /CSIRT 体制の整備状況（整備期限: 令和9年3月31日\(水\)、残り 126 日）/);
  assert.match(status, /整備済み 1 \/ 27 組織/);
  assert.match(
    status,
    /maff\s+令和8年4月1日\(水\)\s+console:sato\s+console:sasaki\s+03-0000-0000\s+平日 9:30-18:15\s+整備済み/,
  );
  assert.match(status, /mof\s+令和8年10月1日\(木\)\s+console:suzuki\s+-\s+-\s+-\s+未整備/);
  assert.match(status, /nisc\s+未設置/);
  const own = await t.say('console:suzuki', 'csirt status');
  assert.doesNotMatch(own, /maff/);
});

test('readiness reminders: jobs for 30 and 7 days before; at fire time only organisations not ready are reminded', async () => {
  const jobs = await t.app.db.prisma.job.findMany({ where: { kind: 'readiness.reminder' }, orderBy: { dueAt: 'asc' } });
  assert.deepEqual(
    jobs.slice(0, 2).map((j) => [j.id, j.dueAt.toISOString()]),
    [
      ['readiness:2026:30d', '2027-03-01T01:00:00.000Z'],
      ['readiness:2026:7d', '2027-03-24T01:00:00.000Z'],
    ],
  );
  await t.app.services.readiness.ensureReminders();
  assert.equal(await t.app.db.prisma.job.count({ where: { kind: 'readiness.reminder' } }), jobs.length, 'idempotent');
  assert.match(await t.say(NISC, 'csirt set org=mof deputy=@suzuki'), /正と副には、別の方を/);
  t.clock.set('2027-03-01T01:00:00Z');
  await t.app.scheduler.runDue(); // also skips the meetings' reminders, long past
  const fired = await t.app.db.prisma.job.findUniqueOrThrow({ where: { id: 'readiness:2026:30d' } });
  assert.equal(fired.status, 'done');
  await t.app.dispatcher.drain();
  const reminder = /CSIRT 体制の整備期限（令和9年3月31日\(水\)）まで残り 30 日です/;
  assert.equal(t.platform.in('maff').filter((x) => reminder.test(x)).length, 0, 'maff is ready');
  const mof = t.platform.in('mof').filter((x) => reminder.test(x));
  assert.equal(mof.length, 1);
  assert.match(mof[0] ?? '', /次の項目が未登録のため整備済みとなっておりません: 窓口担当（副）/);
  assert.equal(t.platform.in('mod').filter((x) => reminder.test(x)).length, 1);
  assert.equal(await t.app.scheduler.runDue(), 0);
});
