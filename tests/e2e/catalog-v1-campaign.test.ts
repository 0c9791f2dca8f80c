/**
 * Issue 18 (Must show): a campaign opened on catalogue v1 — before v2 shipped and became the
 * default — keeps its answers readable after v2: its status, its CSV export and its answers
 * are v1's (43 items, v1's titles and area names), while a new campaign uses v2 (51 items).
 *
 * The v1 campaign is the row the bot wrote while v1 was the default: opened through the
 * command, then given `catalogVersion: 1` as that bot stored it (no command opens a v1
 * campaign any more).
 */
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, test } from 'vitest';
import type { Reply } from '../../src/core/reply.ts';
import { replyToText } from '../../src/core/reply.ts';
import { catalog } from '../../src/domain/catalog.ts';
import { type TestApp, testApp } from '../helpers/app.ts';
import { tableCounts } from '../helpers/counts.ts';
import { PERSONAS as P, registerPersonas } from '../helpers/personas.ts';

let t: TestApp;
const V1 = 'CMP-2026-0001';
const V2 = 'CMP-2026-0002';

async function ok(who: string, cmd: string): Promise<Reply> {
  const o = await t.run(who, cmd);
  assert.equal(o.status, 'ok', `${cmd}: ${replyToText(o.reply)}`);
  return o.reply;
}

function csvRows(r: Reply): string[][] {
  return parse(Buffer.from(r.attachments?.[0]?.data ?? '', 'base64').toString('utf8'), { bom: true }) as string[][];
}

beforeAll(async () => {
  t = await testApp({ now: '2026-11-25T01:00:00Z' });
  await registerPersonas(t);
  await ok(P.poc, 'system add name="電子申請システム" confidentiality=3 exposure=internet');
  await ok(P.coordinator, 'check campaign open due=2026-12-20 audience=maff');
  // the campaign as the bot stored it while v1 was the default
  await t.app.db.prisma.campaign.update({ where: { id: V1 }, data: { catalogVersion: 1 } });
  for (const [item, status] of [
    ['ENT-02', 'implemented'],
    ['DET-01', 'partial'],
    ['RSP-03', 'implemented'],
    ['VIO-01', 'missing'],
  ])
    await ok(P.poc, `check answer ${V1} system=SYS-maff-001 item=${item} status=${status}`);
});
afterAll(() => t.close());

test('catalogue v1 is still published beside v2, which is the default', () => {
  assert.equal(catalog().version, 2);
  assert.equal(catalog(1).items.length, 43);
  assert.equal(catalog(2).items.length, 51);
});

test("the v1 campaign's answers: v1's items only, its status counts v1's 43 items", async () => {
  // an item v2 added is not part of the v1 campaign: refused, nothing written
  const before = await tableCounts(t.app);
  assert.match(await t.say(P.poc, `check answer ${V1} system=SYS-maff-001 item=ENT-07 status=implemented`), /ENT-07/);
  assert.deepEqual(await tableCounts(t.app), before);
  const status = replyToText(await ok(P.coordinator, `check status ${V1}`));
  assert.match(status, /対策項目: 第1版/);
  assert.match(status, /4\/43/);
  assert.doesNotMatch(status, /\/51/);
});

test("the v1 campaign's CSV export: v1's titles and area names, the office named from the directory", async () => {
  const rows = csvRows(await ok(P.coordinator, `check export ${V1}`));
  assert.equal(rows.length - 1, 4);
  const row = (item: string) => rows.find((r) => r[7] === item);
  // v1's wording, not v2's (不正プログラム対策ソフトウェア…, ログの取得と保存期間の確保)
  assert.deepEqual(row('ENT-02')?.slice(7, 11), ['ENT-02', '入口対策', 'ウイルス対策ソフトの導入と更新', '実施済み']);
  assert.deepEqual(row('DET-01')?.slice(8, 11), ['検知・ログ', 'ログの取得と保存', '一部実施']);
  // v1 names the office: the name comes from the directory (issue 17), not the old text
  assert.equal(row('RSP-03')?.[9], '国家サイバー統括室への速やかな報告');
  // v1's own area name for its items
  assert.deepEqual(row('VIO-01')?.slice(8, 11), [
    catalog(1).areas.find((a) => a.id === 'violation')?.ja,
    'ファイル共有ソフトの使用禁止と検知',
    '未実施',
  ]);
});

test('a campaign opened now uses v2: 51 items, v2 titles', async () => {
  await ok(P.coordinator, 'check campaign open due=2026-12-21 audience=maff');
  const c = await t.app.db.prisma.campaign.findUniqueOrThrow({ where: { id: V2 } });
  assert.equal(c.catalogVersion, 2);
  await ok(P.poc, `check answer ${V2} system=SYS-maff-001 item=ENT-07 status=implemented`);
  await ok(P.poc, `check answer ${V2} system=SYS-maff-001 item=ENT-02 status=implemented`);
  const status = replyToText(await ok(P.coordinator, `check status ${V2}`));
  assert.match(status, /対策項目: 第2版/);
  assert.match(status, /2\/51/);
  const rows = csvRows(await ok(P.coordinator, `check export ${V2}`));
  assert.equal(rows.find((r) => r[7] === 'ENT-02')?.[9], '不正プログラム対策ソフトウェアの導入と更新');
  // and the v1 campaign still reads as before
  const v1 = csvRows(await ok(P.coordinator, `check export ${V1}`));
  assert.equal(v1.find((r) => r[7] === 'ENT-02')?.[9], 'ウイルス対策ソフトの導入と更新');
});
