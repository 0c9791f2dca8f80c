/**
 * An inspection through the real bot on the console, as its users would run it: the admin
 * registers people, NISC opens a campaign, the ministry's PoC registers two systems and
 * answers, NISC and the ministry read the status, and the PoC asks for a budget plan.
 * Sequential processes share one SQLite file; CONSOLE_USER says who is typing.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import pngjs from 'pngjs';
import { test } from 'vitest';
import { fiscalYearOf } from '../../src/domain/fiscal-year.ts';
import { heatmapSize } from '../../src/domain/heatmap.ts';
import { formatTokyoIsoDate } from '../../src/domain/tokyo-time.ts';
import { freshDbUrl } from '../helpers/console.ts';
import { runConsoleApp as runBot } from '../helpers/console-app.ts';

test('console: two systems, a campaign, answers, status for NISC and the ministry, a budget plan', async () => {
  const db = await freshDbUrl();
  const as = async (user: string, lines: string[]) => {
    const r = await runBot(`${lines.map((l) => `/csirt ${l}`).join('\n')}\n`, { DATABASE_URL: db, CONSOLE_USER: user });
    assert.equal(r.code, 0, `${user}\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };
  const now = new Date();
  const cmp = `CMP-${fiscalYearOf(now)}-0001`;
  const due = formatTokyoIsoDate(new Date(now.getTime() + 30 * 86_400_000));

  await as('admin', [
    'poc add console:nisc-coord org=nisc role=coordinator',
    'poc add console:maff-poc org=maff role=poc primary=yes',
    'poc add console:maff-ciso org=maff role=ciso',
  ]);
  const opened = await as('nisc-coord', [`check campaign open due=${due} audience=maff,mof`]);
  assert.match(opened, new RegExp(`点検 ${cmp} を開始しました`));
  assert.match(opened, /\[#maff\] ■ 【点検のお願い】/);
  assert.match(opened, /\[#mof\] ■ 【点検のお願い】/);

  const poc = await as('maff-poc', [
    'system add name="電子申請システム" confidentiality=3 exposure=internet',
    'system add name="人事給与システム" confidentiality=2 exposure=internal',
    `check answer ${cmp} system=SYS-maff-001 item=ENT-01 status=missing cost=2000000`,
    `check answer ${cmp} system=SYS-maff-001 item=EXT-02 status=missing cost=1500000`,
    `check answer ${cmp} system=SYS-maff-001 item=INT-05 status=missing cost=1500000 planned=2027-03-31`,
    `check answer ${cmp} system=SYS-maff-002 item=VIO-01 status=implemented note="USB 媒体は登録制"`,
    `check answer ${cmp} system=SYS-maff-002 item=TRN-01 status=na`,
    `check answer ${cmp} system=SYS-maff-002 item=ENT-03 status=partial`,
    'check status',
    'check plan budget=3000000',
  ]);
  console.log(poc);
  assert.match(poc, /重要システム SYS-maff-001「電子申請システム」（機密性3、インターネット接続）を登録しました/);
  assert.match(poc, /重要システム SYS-maff-002/);
  assert.match(poc, /貴組織の回答状況は 6\/102 です/);
  assert.match(poc, /農林水産省 の投資計画（案）（予算額: 3,000,000円）/);
  assert.match(poc, /SYS-maff-001\s+EXT-02\s+\S+\s+1,500,000円/);
  assert.match(poc, /費用合計／予算: 3,000,000円 \/ 3,000,000円/);
  assert.match(poc, /残存リスク（合計）: \d+\.\d → \d+\.\d/);
  assert.match(poc, /費用対効果の高い順に予算まで選ぶ方法では/);

  const ciso = await as('maff-ciso', ['check status']);
  console.log(ciso);
  assert.match(ciso, /農林水産省 の回答状況と残存リスク/);
  assert.match(ciso, /入口対策/);
  assert.doesNotMatch(ciso, /財務省|SYS-mof/);
  const own = pngOf(ciso);
  assert.deepEqual([own.width, own.height], [heatmapSize(1).width, heatmapSize(1).height]);

  const nisc = await as('nisc-coord', ['check status', 'check plan budget=3000000 org=maff', `check export ${cmp}`]);
  console.log(nisc);
  assert.match(nisc, new RegExp(`点検 ${cmp} の回答状況と残存リスク`));
  assert.match(nisc, /1\s+maff\s+農林水産省\s+2\s+6\/102 \(5%\)/);
  assert.match(nisc, /2\s+mof\s+財務省\s+0\s+0\/0/);
  const all = pngOf(nisc);
  assert.deepEqual([all.width, all.height], [heatmapSize(2).width, heatmapSize(2).height]);
  assert.match(nisc, /回答 6 件を CSV ファイルで出力しました/);
  const csvPath = /📎 (\S+\.csv)/.exec(nisc)?.[1];
  assert.ok(csvPath);
  assert.match(readFileSync(csvPath, 'utf8'), /^\uFEFF点検番号,組織コード,組織名,システム番号/);
});

function pngOf(stdout: string) {
  const path = /📎 (\S+\.png)/.exec(stdout)?.[1];
  assert.ok(path, 'a heatmap is attached');
  return pngjs.PNG.sync.read(readFileSync(path));
}
