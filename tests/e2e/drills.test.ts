/**
 * Reachability drills (疎通確認, issue 20 item 3) through the console entry: a drill over five
 * organisations (one with two PoCs, one with none), three answering at different times, the
 * reach rate within 15 and 60 minutes in `drill status` and the CSV export; the attacks: a role
 * removed after the send, Unicode forms of the id, two answers at once, a closed drill, a
 * wrong id, someone the check was not sent to.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, test } from 'vitest';
import { verifyChain } from '../../src/audit/chain.ts';
import { replyToText } from '../../src/core/reply.ts';
import { type TestApp, testApp } from '../helpers/app.ts';

const ADMIN = 'console:admin';
const NISC = 'console:kato'; // coordinator
const MAFF1 = 'console:sato'; // maff primary
const MAFF2 = 'console:tanaka'; // maff deputy
const MOF = 'console:suzuki';
const MIC = 'console:ito';
const METI = 'console:yamada'; // role removed after the send
const MIN = 60_000;
const START = '2026-12-03T01:00:00Z'; // Thu 3 Dec 2026 10:00 JST

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: START });
  await t.run(ADMIN, 'poc add console:kato org=nisc role=coordinator');
  await t.run(ADMIN, 'poc add console:sato org=maff role=poc primary=yes');
  await t.run(ADMIN, 'poc add console:tanaka org=maff role=poc deputy=yes');
  await t.run(ADMIN, 'poc add console:suzuki org=mof role=poc primary=yes');
  await t.run(ADMIN, 'poc add console:ito org=mic role=poc primary=yes');
  await t.run(ADMIN, 'poc add console:yamada org=meti role=poc primary=yes');
  // env: no PoC registered
}, 120_000);
afterAll(() => t.close());

const drillCount = () => t.app.db.prisma.drillCheck.count({ where: { answeredAt: { not: null } } });

async function refused(who: string, cmd: string, re: RegExp): Promise<void> {
  const audits = await t.auditCount();
  const answered = await drillCount();
  const o = await t.run(who, cmd);
  const text = replyToText(o.reply);
  assert.notEqual(o.status, 'ok', `${cmd}: ${text}`);
  assert.match(text, re, cmd);
  assert.equal(await t.auditCount(), audits, `${cmd} wrote an audit record`);
  assert.equal(await drillCount(), answered, `${cmd} wrote an answer`);
}

test('a drill over 5 organisations: a check with a one-click answer to each PoC, audited; the org with no PoC named', async () => {
  const audits = await t.auditCount();
  const o = await t.run(NISC, 'drill reach orgs=maff,mof,mic,meti,env');
  const text = replyToText(o.reply);
  assert.equal(o.status, 'ok', text);
  assert.match(text, /疎通確認 DRL-2026-0001 を開始し、5 組織の窓口担当者 5 名に確認のメッセージを送付しました/);
  assert.match(text, /送付できなかった組織: env/);
  assert.equal(await t.auditCount(), audits + 1);
  for (const who of [MAFF1, MAFF2, MOF, MIC, METI]) {
    const dm = t.platform.posts.filter((p) => p.kind === 'dm' && p.channel === `@${who.slice('console:'.length)}`);
    assert.equal(dm.length, 1, `${who} got one check`);
    assert.match(dm[0]?.text ?? '', /疎通確認（DRL-2026-0001）/);
    assert.deepEqual(
      dm[0]?.message.actions?.map((a) => [a.label, a.command]),
      [['受信しました', 'drill answer DRL-2026-0001']],
    );
  }
  assert.equal(t.platform.posts.filter((p) => p.kind === 'dm').length, 5, 'nobody else');
});

test('the role removed after the send: refused, nothing written', async () => {
  await t.run(ADMIN, 'poc remove console:yamada role=poc');
  await refused(METI, 'drill answer DRL-2026-0001', /権限がありません/);
  // the same person given another role meanwhile is still not the PoC the check was sent to
  await t.run(ADMIN, 'poc add console:yamada org=meti role=ciso');
  await refused(METI, 'drill answer DRL-2026-0001', /権限がありません/);
});

test('three organisations answer at different times; Unicode forms of the id; a second answer changes nothing', async () => {
  t.clock.advance(4 * MIN + 30_000);
  // full-width letters, digits and dash, as an IME writes them
  const a = await t.say(MAFF2, 'drill answer ＤＲＬ－２０２６－０００１');
  assert.match(a, /DRL-2026-0001 への受信のご回答を承りました（開始から 4:30）/);
  t.clock.advance(16 * MIN);
  // a second answer by the same person (another dash variant, a zero-width space): the first time stands
  const audits = await t.auditCount();
  const again = await t.say(MAFF2, 'drill answer drl\u20102026\u2212\u200b0001');
  assert.match(again, /既にご回答いただいております（開始から 4:30）/);
  assert.equal(await t.auditCount(), audits, 'the second answer writes nothing');
  // mof at 20:30, after the 15-minute window
  assert.match(await t.say(MOF, 'drill answer DRL-2026-0001'), /開始から 20:30/);
  t.clock.advance(30 * MIN);
  // mic at 50:30; its two answers at once write one answer and one audit record
  const before = await t.auditCount();
  const both = await Promise.all([t.run(MIC, 'drill answer DRL-2026-0001'), t.run(MIC, 'drill answer DRL-2026-0001')]);
  const texts = both.map((o) => replyToText(o.reply));
  assert.ok(
    texts.every((x) => /開始から 50:30/.test(x)),
    texts.join('\n'),
  );
  assert.equal(await t.auditCount(), before + 1, 'one answer recorded');
  const mic = await t.app.db.prisma.drillCheck.findMany({ where: { identity: MIC } });
  assert.equal(mic.length, 1);
  assert.equal(mic[0]?.answeredAt?.toISOString(), new Date(Date.parse(START) + 50 * MIN + 30_000).toISOString());
  // the maff primary answers too, later: maff's first answer (the deputy's) decides its time
  t.clock.advance(5 * MIN);
  assert.match(await t.say(MAFF1, 'drill answer DRL-2026-0001'), /開始から 55:30/);
});

test('drill status: per organisation who answered and how fast, reach rate within 15 and 60 minutes', async () => {
  const s = await t.say(NISC, 'drill status');
  assert.match(s, /疎通確認 DRL-2026-0001 の回答状況（開始: 令和8年12月3日\(木\) 10:00（日本時間）、受付中）/);
  assert.match(s, /15分以内の到達率: 20%（1\/5 組織）/);
  assert.match(s, /60分以内の到達率: 60%（3\/5 組織）/);
  const row = (code: string) => s.split('\n').find((l) => l.includes(` ${code} `) || l.startsWith(`${code} `)) ?? '';
  assert.match(row('maff'), /4:30\s+○\s+○\s+console:tanaka \(4:30\), console:sato \(55:30\)/);
  assert.match(row('mof'), /20:30\s+×\s+○\s+console:suzuki \(20:30\)/);
  assert.match(row('mic'), /50:30\s+×\s+○/);
  assert.match(row('meti'), /未回答\s+×\s+×/);
  assert.match(row('env'), /到達不能（窓口担当者の登録なし）\s+×\s+×/);
  assert.doesNotMatch(s, /過去の疎通確認との比較/, 'no earlier drill yet');
  // English, the same content
  await t.run(NISC, 'lang en');
  const en = await t.say(NISC, 'drill status DRL-2026-0001');
  await t.run(NISC, 'lang ja');
  assert.match(en, /Reach rate within 15 minutes: 20% \(1 of 5 organisations\)/);
  assert.match(en, /Reach rate within 60 minutes: 60% \(3 of 5 organisations\)/);
  assert.match(en, /unreachable \(no PoC registered\)/);
});

test('drill export: a CSV with every PoC, every organisation and the rates', async () => {
  const o = await t.run(NISC, 'drill export ｄｒｌ－2026－0001');
  assert.equal(o.status, 'ok', replyToText(o.reply));
  const file = o.reply.attachments?.[0];
  assert.equal(file?.filename, 'DRL-2026-0001.csv');
  assert.equal(file?.mime, 'text/csv');
  const csv = Buffer.from(file?.data ?? '', 'base64').toString('utf8');
  assert.ok(csv.startsWith('\uFEFF'), 'BOM for Excel');
  const lines = csv.slice(1).split('\r\n').filter(Boolean);
  assert.equal(
    lines[0],
    '疎通確認番号,行の種類,組織コード,組織名,窓口担当者,区分,開始日時,回答日時,開始からの秒数,15分以内,60分以内,備考',
  );
  assert.equal(lines.length, 1 + 5 + 5 + 1, 'header, 5 PoCs, 5 organisations, total');
  assert.ok(
    lines.some((l) => /^DRL-2026-0001,窓口担当者,maff,農林水産省,console:tanaka,副,.*,270,○,○,$/.test(l)),
    csv,
  );
  assert.ok(
    lines.some((l) => /^DRL-2026-0001,窓口担当者,meti,経済産業省,console:yamada,正,.*,,,×,×,未回答$/.test(l)),
    csv,
  );
  assert.ok(
    lines.some((l) => /^DRL-2026-0001,組織,mof,財務省,,,.*,1230,×,○,$/.test(l)),
    csv,
  );
  assert.ok(
    lines.some((l) => /^DRL-2026-0001,組織,env,環境省,.*,×,×,到達不能（窓口担当者の登録なし）$/.test(l)),
    csv,
  );
  const total = lines.at(-1) ?? '';
  assert.match(total, /^DRL-2026-0001,全体,.*,20% \(1\/5\),60% \(3\/5\),/);
});

test('bad input is refused, clearly, writing nothing', async () => {
  await refused(MOF, 'drill answer DRL-2026-0099', /疎通確認「DRL-2026-0099」は見つかりませんでした/);
  await refused(MOF, 'drill answer INC-2026-0001', /DRL-2026-0001/);
  await refused(MOF, 'drill reach', /権限がありません/);
  await refused(MOF, 'drill status', /権限がありません/);
  await refused(MOF, 'drill export DRL-2026-0001', /権限がありません/);
  await refused(NISC, 'drill answer DRL-2026-0001', /権限がありません/);
  await refused(NISC, 'drill reach orgs=maff,nowhere', /組織「nowhere」は登録されていません/);
  await refused(NISC, 'drill status DRL-2026-0077', /見つかりませんでした/);
  assert.equal(await t.app.db.prisma.drill.count(), 1, 'no drill made');
});

test('a second drill: only the organisations named; answers close after 24 hours; status compares the drills', async () => {
  t.clock.advance(2 * 60 * MIN);
  assert.match(await t.say(NISC, 'drill reach orgs=mof,env'), /DRL-2026-0002 を開始し、2 組織の窓口担当者 1 名/);
  // maff was not sent this one: it does not exist for them
  await refused(MAFF1, 'drill answer DRL-2026-0002', /疎通確認「DRL-2026-0002」は見つかりませんでした/);
  t.clock.advance(24 * 60 * MIN + MIN);
  await refused(
    MOF,
    'drill answer DRL-2026-0002',
    /回答の受付期限（令和8年12月4日\(金\) 12:55（日本時間））を過ぎている/,
  );
  const s = await t.say(NISC, 'drill status');
  assert.match(s, /疎通確認 DRL-2026-0002 の回答状況（開始: .*、受付終了）/);
  assert.match(s, /15分以内の到達率: 0%（0\/2 組織）/);
  assert.match(s, /過去の疎通確認との比較/);
  assert.match(s, /DRL-2026-0002 .* 2\s+0% \(0\/2\)\s+0% \(0\/2\)/);
  assert.match(s, /DRL-2026-0001 .* 5\s+20% \(1\/5\)\s+60% \(3\/5\)/);
  // every change was audited and the chain verifies
  const actions = await t.app.db.prisma.auditRecord.findMany({
    where: { action: { startsWith: 'drill.' } },
    orderBy: { seq: 'asc' },
  });
  assert.deepEqual(
    actions.map((a) => a.action),
    ['drill.reach', 'drill.answer', 'drill.answer', 'drill.answer', 'drill.answer', 'drill.reach'],
  );
  assert.ok((await verifyChain(t.app.db.prisma)).ok);
});
