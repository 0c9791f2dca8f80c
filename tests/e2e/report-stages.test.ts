/**
 * Report stages and clocks through the router (issue 17), the attacks: several 続報 at once
 * (each gets its own number), a refused 確報 or a bad item writes nothing, full-width and
 * Japanese spellings of items, the awareness time never in the future, `incident list due=`
 * as the clock moves.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, test } from 'vitest';
import { type TestApp, testApp } from '../helpers/app.ts';
import { tableCounts } from '../helpers/counts.ts';
import { PERSONAS as P, registerPersonas } from '../helpers/personas.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
  await registerPersonas(t);
});
afterAll(() => t.close());

const report = async (extra = '') =>
  /INC-\d{4}-\d{4}/.exec(await t.say(P.poc, `report category=malware summary="不審な通信" ${extra}`))?.[0] as string;

test('four 続報 at once: each its own number, 第1報 to 第4報, none twice', async () => {
  const id = await report();
  const replies = await Promise.all(
    [1, 2, 3, 4].map((i) => t.say(P.poc, `incident update ${id} note="並行した続報 ${i}"`)),
  );
  const numbers = replies.map((r) => Number(/第(\d)報（続報）として記録しました/.exec(r)?.[1])).sort();
  assert.deepEqual(numbers, [1, 2, 3, 4], replies.join('\n'));
  const inc = await t.app.db.prisma.incident.findUniqueOrThrow({ where: { id } });
  assert.equal(inc.updates, 4);
  const stages = await t.app.db.prisma.incidentEvent.findMany({ where: { incidentId: id, kind: 'stage' } });
  assert.deepEqual(stages.map((e) => JSON.parse(e.data).n).sort(), [1, 2, 3, 4]);
});

test('a refused 確報, a bad item, a future awareness time: a clear error and nothing written', async () => {
  const id = await report('contact="情報管理課 03-0000-0000"');
  const before = await tableCounts(t.app);
  const cases: [string, RegExp][] = [
    [`incident update ${id} cause="x" final=yes`, /確報とするには、次の項目が必要です: found（発見の経緯）/],
    [`incident update ${id} final=maybe`, /final=yes/],
    [`incident update ${id} notified=警察、FBI`, /通報・届出先は/],
    [`incident update ${id} notified="none, police"`, /通報・届出先は/],
    [`incident update ${id} records=-1`, /0 以上の整数/],
    [`incident update ${id} personal=たぶん`, /personal/],
    // the range of plausible incident times (src/domain/plausible.ts): not in the future
    [
      `incident update ${id} awareness="2099-01-01 09:00"`,
      /awareness（認知日時）: 2000-01-01 00:00 から .* までの日時/,
    ],
    [`incident update ${id} final=yes`, /確報とするには/],
  ];
  for (const [cmd, re] of cases) assert.match(await t.say(P.poc, cmd), re, cmd);
  assert.match(await t.say(P.coordinator, `incident update ${id} final=yes`), /報告元の組織の方のみ/);
  assert.deepEqual(await tableCounts(t.app), before);
  const inc = await t.app.db.prisma.incident.findUniqueOrThrow({ where: { id } });
  assert.equal(inc.cause, null);
  assert.equal(inc.stage, 'quick');
});

test('items however written: full-width numbers, Japanese values, notifications in any order; the 確報 once', async () => {
  const id = await report();
  const r = await t.say(
    P.poc,
    `incident update ${id} personal=あり records=１，２００ hosts=３ notified="個情委，警察" public=未定 found="監視で検知" damage="閲覧の可能性" impact="なし" cause="設定不備" plan="設定変更"`,
  );
  assert.match(r, /第1報（続報）として記録しました/);
  const inc = await t.app.db.prisma.incident.findUniqueOrThrow({ where: { id } });
  assert.deepEqual(
    [inc.personal, inc.records, inc.hosts, inc.notified, inc.disclosure],
    ['yes', 1200, 3, 'police,ppc', 'undecided'],
  );
  assert.match(await t.say(P.poc, `incident update ${id} final=yes`), /contact（報告者の連絡先）/);
  assert.match(await t.say(P.poc, `incident update ${id} contact="情報管理課" final=yes`), /確報として記録しました/);
  const show = await t.say(P.coordinator, `incident show ${id}`);
  assert.match(show, /対象となる個人情報の件数: 1200 件/);
  assert.match(show, /通報・届出先: 警察、個人情報保護委員会/);
  assert.match(show, /確報: 期限 .* — 期限内に報告済み/);
  // after the 確報 the reporter's additions are notes, the coordinating office's too
  assert.match(await t.say(P.poc, `incident update ${id} note="追記"`), /を更新しました（所見）。$/);
  assert.equal((await t.app.db.prisma.incident.findUniqueOrThrow({ where: { id } })).updates, 1);
});

test('incident list due=: what is overdue or due within 24 hours, as the clock moves; a 続報 takes it off', async () => {
  const f = await testApp({ now: '2026-12-25T01:00:00Z' }); // Fri 25 Dec 10:00 JST
  try {
    await registerPersonas(f);
    const a = /INC-\d{4}-\d{4}/.exec(await f.say(P.poc, 'report category=dos summary="一件目"'))?.[0] as string;
    const b = /INC-\d{4}-\d{4}/.exec(await f.say(P.poc, 'report category=dos summary="二件目"'))?.[0] as string;
    assert.match(await f.say(P.coordinator, 'incident list due=overdue'), /条件に合うインシデントはありません/);
    // 3 business days from Fri 25 Dec skip the year-end closure: Mon 28, Mon 4 Jan, Tue 5 Jan
    f.clock.set('2027-01-04T16:00:00Z'); // Tue 5 Jan 01:00 JST: due within 24 hours
    const soon = await f.say(P.coordinator, 'incident list due=soon');
    assert.match(soon, new RegExp(a));
    assert.match(soon, /最初の続報 令和9年1月5日\(火\) 23:59（日本時間）/);
    await f.say(P.poc, `incident update ${a} cause="調査中"`);
    f.clock.set('2027-01-05T15:30:00Z'); // Wed 6 Jan 00:30 JST
    const overdue = await f.say(P.coordinator, 'incident list due=overdue');
    assert.match(overdue, new RegExp(b));
    assert.doesNotMatch(overdue, new RegExp(a), 'its 第1報 met the clock');
    assert.match(overdue, /（超過）/);
    assert.match(await f.say(P.coordinator, 'incident list due=late'), /期限超過（overdue）または/);
    const en = await f.run(P.coordinator, 'lang en');
    assert.equal(en.status, 'ok');
    assert.match(await f.say(P.coordinator, 'incident list due=overdue'), /first follow-up report .* \(overdue\)/);
  } finally {
    await f.close();
  }
});
