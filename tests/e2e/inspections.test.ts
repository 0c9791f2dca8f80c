/**
 * Inspections through the router: campaign lifecycle, audited answers, the exact budget plan
 * against greedy, a ministry's isolation, the PNG heatmap and the CSV export.
 */
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import pngjs from 'pngjs';
import { afterAll, beforeAll, test } from 'vitest';
import type { Reply } from '../../src/core/reply.ts';
import { replyToText } from '../../src/core/reply.ts';
import { catalog } from '../../src/domain/catalog.ts';
import { heatmapSize } from '../../src/domain/heatmap.ts';
import { type TestApp, testApp } from '../helpers/app.ts';
import { tableCounts } from '../helpers/counts.ts';
import { PERSONAS as P, registerPersonas } from '../helpers/personas.ts';

let t: TestApp;
const CMP = 'CMP-2026-0001';

async function ok(who: string, cmd: string): Promise<Reply> {
  const o = await t.run(who, cmd);
  assert.equal(o.status, 'ok', `${cmd}: ${replyToText(o.reply)}`);
  return o.reply;
}

beforeAll(async () => {
  t = await testApp({ now: '2026-11-25T01:00:00Z' });
  await registerPersonas(t);
  await ok(P.poc, 'system add name="電子申請システム" confidentiality=3 exposure=internet');
  await ok(P.poc, 'system add org=maff name="人事給与システム" confidentiality=2 exposure=internal');
  await ok(P.otherPoc, 'system add name="予算編成支援システム" confidentiality=2 exposure=internal');
});
afterAll(() => t.close());

test('system ids are per organisation; a PoC registers only for their own organisation; NISC must name it', async () => {
  const ids = (await t.app.db.prisma.system.findMany({ orderBy: { id: 'asc' } })).map((s) => s.id);
  assert.deepEqual(ids, ['SYS-maff-001', 'SYS-maff-002', 'SYS-mof-001']);
  const before = await tableCounts(t.app);
  assert.match(await t.say(P.poc, 'system add org=mof name=x confidentiality=1 exposure=isolated'), /ご所属の組織/);
  assert.match(
    await t.say(P.coordinator, 'system add name=x confidentiality=1 exposure=isolated'),
    /org= で組織コード/,
  );
  assert.equal((await t.run(P.ciso, 'system add name=x confidentiality=1 exposure=isolated')).status, 'denied');
  assert.deepEqual(await tableCounts(t.app), before);
  assert.doesNotMatch(await t.say(P.poc, 'system list'), /SYS-mof/);
  const all = await t.say(P.coordinator, 'system list');
  for (const id of ids) assert.match(all, new RegExp(id));
});

test('opening a campaign posts to each audience channel, schedules two reminders and is audited', async () => {
  assert.equal((await t.run(P.poc, 'check campaign open due=2026-12-20')).status, 'denied');
  const audit = await t.auditCount();
  const posts = t.platform.posts.length;
  const r = replyToText(await ok(P.coordinator, 'check campaign open due=2026-12-20 audience=maff,mof'));
  assert.match(r, /点検 CMP-2026-0001 を開始しました。期限は 令和8年12月20日\(日\)、対象は 2 組織/);
  // reminders are announced as what they are: a request to answer, not 督促 (docs/glossary.md)
  assert.match(r, /回答のお願いの送信予定: 令和8年12月13日\(日\)、令和8年12月19日\(土\)/);
  assert.doesNotMatch(r, /督促/);
  assert.equal(await t.auditCount(), audit + 1);
  const sent = t.platform.posts.slice(posts);
  assert.deepEqual(sent.map((p) => p.channel).sort(), ['maff', 'mof']);
  assert.match(sent[0]?.text ?? '', /【点検のお願い】CMP-2026-0001/);
  const jobs = await t.app.db.prisma.job.findMany({ where: { refId: CMP }, orderBy: { dueAt: 'asc' } });
  assert.deepEqual(
    jobs.map((j) => [j.id, j.dueAt.toISOString()]),
    [
      [`campaign:${CMP}:7d`, '2026-12-13T01:00:00.000Z'],
      [`campaign:${CMP}:1d`, '2026-12-19T01:00:00.000Z'],
    ],
  );
  const c = await t.app.db.prisma.campaign.findUniqueOrThrow({ where: { id: CMP } });
  assert.equal(c.catalogVersion, catalog().version);
});

test('answers are recorded and changed while open, each change audited; only own systems', async () => {
  const a0 = await t.auditCount();
  await ok(P.poc, `check answer ${CMP} system=SYS-maff-001 item=ENT-01 status=partial`);
  const changed = replyToText(
    await ok(P.poc, `check answer cmp-2026-0001 system=sys-maff-001 item=ent-01 status=missing cost=2,000,000`),
  );
  assert.match(changed, /一部実施から未実施に変更しました/);
  await ok(P.poc, `check answer ${CMP} system=SYS-maff-001 item=EXT-02 status=missing cost=1500000`);
  await ok(P.poc, `check answer ${CMP} system=SYS-maff-001 item=INT-05 status=missing cost=1500000 planned=2027-03-31`);
  await ok(
    P.poc,
    `check answer ${CMP} system=SYS-maff-002 item=VIO-01 status=implemented note=「=HYPERLINK("x"), 済」`,
  );
  await ok(P.otherPoc, `check answer ${CMP} system=SYS-mof-001 item=ENT-01 status=implemented`);
  assert.equal(await t.auditCount(), a0 + 6);
  const audits = await t.app.db.prisma.auditRecord.findMany({ where: { seq: { gt: a0 } }, orderBy: { seq: 'asc' } });
  assert.deepEqual(
    audits.slice(0, 2).map((a) => a.action),
    ['check.answer', 'check.answer.change'],
  );
  const bad = [
    `check answer ${CMP} system=SYS-maff-001 item=ZZZ-99 status=missing`,
    `check answer CMP-2026-0099 system=SYS-maff-001 item=ENT-01 status=missing`,
    `check answer ${CMP} system=SYS-maff-001 item=ENT-01 status=done`,
  ];
  const before = await tableCounts(t.app);
  for (const cmd of bad) assert.equal((await t.run(P.poc, cmd)).status, 'user_error', cmd);
  assert.equal((await t.run(P.ciso, `check answer ${CMP} system=SYS-maff-001 item=ENT-01 status=na`)).status, 'denied');
  assert.deepEqual(await tableCounts(t.app), before);
});

test("a ministry cannot see or touch another ministry's answers, plan or export: same errors as a non-existent id", async () => {
  const before = await tableCounts(t.app);
  const audit = await t.auditCount();
  const same = async (who: string, real: string, fake: string, realId: string, fakeId: string) => {
    const a = await t.run(who, real);
    const b = await t.run(who, fake);
    assert.equal(a.status, 'user_error', real);
    assert.equal(a.code, b.code, `${real} vs ${fake}`);
    assert.equal(replyToText(a.reply).replaceAll(realId, '<id>'), replyToText(b.reply).replaceAll(fakeId, '<id>'));
  };
  // mof's PoC on maff's system, status, plan
  await same(
    P.otherPoc,
    `check answer ${CMP} system=SYS-maff-001 item=ENT-01 status=implemented`,
    `check answer ${CMP} system=SYS-maff-999 item=ENT-01 status=implemented`,
    'SYS-maff-001',
    'SYS-maff-999',
  );
  await same(P.otherPoc, 'check status org=maff', 'check status org=nosuch', 'maff', 'nosuch');
  await same(
    P.otherPoc,
    'check plan budget=3000000 org=maff',
    'check plan budget=3000000 org=nosuch',
    'maff',
    'nosuch',
  );
  // a campaign mof is not part of is invisible to mof, in status, export and answers
  await ok(P.coordinator, 'check campaign open due=2027-01-15 audience=maff');
  const other = 'CMP-2026-0002';
  await same(P.otherPoc, `check status ${other}`, 'check status CMP-2026-9999', other, 'CMP-2026-9999');
  await same(P.otherPoc, `check export ${other}`, 'check export CMP-2026-9999', other, 'CMP-2026-9999');
  await same(
    P.otherPoc,
    `check answer ${other} system=SYS-mof-001 item=ENT-01 status=na`,
    'check answer CMP-2026-9999 system=SYS-mof-001 item=ENT-01 status=na',
    other,
    'CMP-2026-9999',
  );
  // own-org views show nothing of maff
  const status = replyToText(await ok(P.otherPoc, `check status ${CMP}`));
  assert.doesNotMatch(status, /maff|農林水産省/);
  const exp = await ok(P.otherPoc, `check export ${CMP}`);
  const csv = Buffer.from(exp.attachments?.[0]?.data ?? '', 'base64').toString('utf8');
  assert.doesNotMatch(csv, /maff/);
  assert.equal(parse(csv, { bom: true }).length, 2, 'header and mof row only');
  // nothing written by any of it, beyond the coordinator's second campaign
  const after = await tableCounts(t.app);
  assert.equal(await t.auditCount(), audit + 1);
  assert.equal(after.CheckAnswer, before.CheckAnswer);
  assert.equal(after.Campaign, (before.Campaign ?? 0) + 1);
});

test('check plan: the exact plan within budget, and the greedy alternative that removes less', async () => {
  const r = await ok(P.poc, 'check plan budget=3000000');
  const text = replyToText(r);
  const tables = r.blocks.filter((b) => b.kind === 'table');
  assert.equal(tables.length, 2, text);
  const ids = (i: number) => (tables[i]?.kind === 'table' ? tables[i].rows.map((row) => row[1]).sort() : []);
  assert.deepEqual(ids(0), ['EXT-02', 'INT-05']);
  assert.deepEqual(ids(1), ['ENT-01']);
  assert.match(text, /費用合計／予算: 3,000,000円 \/ 3,000,000円/);
  assert.match(text, /低減リスク合計: 9\.7/);
  assert.match(
    text,
    /費用対効果の高い順に予算まで選ぶ方法では次の 1 件となり、低減リスクは 7\.5（上記の組合せでは 9\.7）/,
  );
  assert.match(text, /脆弱性修正プログラムの適用/);
  // 投資計画（案）, the seed's word (予算案 is the Cabinet's budget bill: docs/glossary.md)
  assert.match(text, /農林水産省 の投資計画（案）（予算額: 3,000,000円）/);
  assert.doesNotMatch(text, /予算案/);
  // NISC gives org=; in English the titles are English
  await t.run(P.coordinator, 'lang en');
  const en = replyToText(await ok(P.coordinator, 'check plan budget=3000000 org=maff'));
  assert.match(
    en,
    /Investment plan \(draft\) for Ministry of Agriculture, Forestry and Fisheries \(budget: ¥3,000,000\)/,
  );
  assert.match(en, /removing only 7\.5 \(the combination above removes 9\.7\)/);
  await t.run(P.coordinator, 'lang ja');
  assert.match(await t.say(P.coordinator, 'check plan budget=3000000'), /org= で組織コード/);
});

test('check status: NISC sees every audience organisation by risk with a heatmap; a ministry its own row', async () => {
  const nisc = await ok(P.coordinator, `check status ${CMP}`);
  const table = nisc.blocks.find((b) => b.kind === 'table');
  assert.ok(table?.kind === 'table');
  assert.deepEqual(
    table.rows.map((r) => r[1]),
    ['maff', 'mof'],
    'sorted by residual risk, worst first',
  );
  // maff has two systems, each asked every item of the campaign's catalogue (v2: 51); four answered
  assert.equal(catalog().items.length, 51);
  assert.equal(table.rows[0]?.[4], '4/102 (3%)');
  const png = (r: Reply) => pngjs.PNG.sync.read(Buffer.from(r.attachments?.[0]?.data ?? '', 'base64'));
  const img = png(nisc);
  assert.deepEqual({ width: img.width, height: img.height }, heatmapSize(2));
  assert.equal(nisc.attachments?.[0]?.mime, 'image/png');

  const ciso = await ok(P.ciso, 'check status');
  const text = replyToText(ciso);
  assert.match(text, /農林水産省 の回答状況と残存リスク/);
  assert.match(text, /SYS-maff-001\s+電子申請システム\s+3/);
  assert.match(text, /入口対策\s+\d+\.\d/);
  assert.doesNotMatch(text, /mof|財務省/);
  const own = png(ciso);
  assert.deepEqual({ width: own.width, height: own.height }, heatmapSize(1));
});

test('check export: CSV with BOM that round-trips through csv-parse, formula text neutralised', async () => {
  const r = await ok(P.coordinator, `check export ${CMP}`);
  const a = r.attachments?.[0];
  assert.equal(a?.mime, 'text/csv');
  assert.equal(a?.filename, `${CMP}.csv`);
  const bytes = Buffer.from(a?.data ?? '', 'base64');
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const rows = parse(bytes.toString('utf8'), { bom: true }) as string[][];
  // headers and values in the reader's language, dates in their style (issue 18)
  assert.deepEqual(rows[0], [
    '点検番号',
    '組織コード',
    '組織名',
    'システム番号',
    'システム名',
    '機密性',
    '接続形態',
    '項目番号',
    '対策区分',
    '対策項目',
    '回答',
    '実施予定日',
    '費用（円）',
    '備考',
    '回答者',
    '回答日時',
  ]);
  assert.equal(rows.length - 1, await t.app.db.prisma.checkAnswer.count({ where: { campaignId: CMP } }));
  const ent = rows.find((x) => x[3] === 'SYS-maff-001' && x[7] === 'ENT-01');
  assert.deepEqual(ent?.slice(0, 13), [
    CMP,
    'maff',
    '農林水産省',
    'SYS-maff-001',
    '電子申請システム',
    '機密性3',
    'インターネット接続',
    'ENT-01',
    '入口対策',
    '脆弱性修正プログラムの適用',
    '未実施',
    '',
    '2000000',
  ]);
  assert.equal(ent?.[14], P.poc);
  assert.match(ent?.[15] ?? '', /^令和8年\d+月\d+日\(.\) \d\d:\d\d（日本時間）$/);
  const vio = rows.find((x) => x[7] === 'VIO-01');
  assert.equal(vio?.[13], `'=HYPERLINK("x"), 済`);
  assert.equal(rows.find((x) => x[7] === 'INT-05')?.[11], '令和9年3月31日(水)');
  // no English code left among the values of a Japanese export
  for (const row of rows.slice(1))
    for (const cell of [row[5], row[6], row[8], row[10]]) assert.doesNotMatch(cell ?? '', /^[a-z]+$/, row.join(','));
});

test('check export in English: English headers, names and labels, Western dates with JST', async () => {
  await ok(P.coordinator, 'lang en');
  try {
    const r = await ok(P.coordinator, `check export ${CMP}`);
    const rows = parse(Buffer.from(r.attachments?.[0]?.data ?? '', 'base64').toString('utf8'), {
      bom: true,
    }) as string[][];
    assert.deepEqual(rows[0]?.slice(0, 4), ['Inspection ID', 'Organisation code', 'Organisation', 'System ID']);
    const ent = rows.find((x) => x[3] === 'SYS-maff-001' && x[7] === 'ENT-01');
    assert.deepEqual(ent?.slice(5, 11), [
      'level 3',
      'internet-facing',
      'ENT-01',
      'Entry countermeasures',
      'Applying security patches',
      'missing',
    ]);
    assert.equal(rows.find((x) => x[7] === 'INT-05')?.[11], 'Wed 31 Mar 2027');
    assert.match(ent?.[15] ?? '', /^\w{3} \d{1,2} \w{3} 2026 \d\d:\d\d JST$/);
    // everything but what people typed (system name, note) is English
    for (const row of rows)
      assert.doesNotMatch(row.filter((_, i) => i !== 4 && i !== 13).join(','), /[\u3040-\u30ff\u4e00-\u9faf]/);
  } finally {
    await ok(P.coordinator, 'lang ja');
  }
});

test('a closed campaign refuses answers and cancels its reminders', async () => {
  await ok(P.coordinator, 'check campaign close CMP-2026-0002');
  const jobs = await t.app.db.prisma.job.findMany({ where: { refId: 'CMP-2026-0002' } });
  assert.ok(jobs.length > 0 && jobs.every((j) => j.status === 'cancelled'));
  const before = await tableCounts(t.app);
  const o = await t.run(P.poc, 'check answer CMP-2026-0002 system=SYS-maff-001 item=ENT-01 status=implemented');
  assert.equal(o.code, 'check.campaign_closed');
  assert.equal((await t.run(P.coordinator, 'check campaign close CMP-2026-0002')).code, 'check.campaign_closed');
  assert.deepEqual(await tableCounts(t.app), before);
  assert.match(await t.say(P.poc, 'check campaign list'), /CMP-2026-0002\s+終了/);
});
