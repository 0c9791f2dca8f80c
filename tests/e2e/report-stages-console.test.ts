/**
 * Report stages through the console as a ministry's PoC and the office's duty staff use them
 * (issue 17): 速報 → two 続報 (第1報, 第2報) → a 確報 refused while a required item is empty
 * (and nothing it carried written) → the 確報 accepted. The timeline lists each stage, the
 * clocks in `incident show` move with them, and a note by the coordinating office is no stage.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';
import { fiscalYearOf } from '../../src/domain/fiscal-year.ts';
import { freshDbUrl, runBot } from '../helpers/console.ts';
import { runConsoleApp } from '../helpers/console-app.ts';

/** The `■ 報告期限` block of an `incident show`, one line per clock. */
function clocks(show: string): string[] {
  const from = show.indexOf('■ 報告期限');
  assert.ok(from >= 0, show);
  return show
    .slice(from)
    .split('\n')
    .slice(1)
    .filter((l) => /^(速報|最初の続報|確報): 期限/.test(l));
}

/** Each `/csirt incident show` reply of one console run (up to the next reply or post). */
function shows(out: string): string[] {
  return out
    .split(/(?=■ INC-\d{4}-\d{4} — )/)
    .slice(1)
    .map((s) => s.split(/\n(?=インシデント |\[#)/)[0] ?? s);
}

test('console: 速報, 第1報, 第2報, a 確報 refused while an item is empty, then accepted; timeline and clocks follow', {
  timeout: 240_000,
}, async () => {
  const DATABASE_URL = await freshDbUrl();
  const id = `INC-${fiscalYearOf(new Date())}-0001`;
  const setup = await runConsoleApp(
    [
      '/csirt poc add console:sato org=maff role=poc primary=yes',
      '/csirt poc add console:kato org=nisc role=coordinator',
      '',
    ].join('\n'),
    { DATABASE_URL },
  );
  assert.equal(setup.code, 0, setup.stdout + setup.stderr);

  const first = await runConsoleApp(
    [
      '/csirt report category=不正アクセス summary="職員用ポータルへの不正ログインを検知" contact="農林水産省 情報管理課 佐藤 03-0000-0000"',
      `/csirt incident show ${id}`,
      `/csirt incident update ${id} damage="職員情報の閲覧の可能性" personal=yes records=120 hosts=2`,
      `/csirt incident show ${id}`,
      '',
    ].join('\n'),
    { DATABASE_URL, CONSOLE_USER: 'sato' },
  );
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.match(first.stdout, new RegExp(`${id} として受け付けました（速報）`));
  assert.match(first.stdout, /報告期限: 最初の続報 .+、確報 .+/);
  assert.match(first.stdout, /確報に必要な項目のうち未記入のもの: 発見の経緯、被害の内容、個人情報の漏えい等/);
  assert.match(
    first.stdout,
    /更新しました（被害の内容、個人情報の漏えい等、対象となる個人情報の件数、影響を受けた端末・サーバの台数）。第1報（続報）として記録しました/,
  );
  assert.match(first.stdout, new RegExp(`\\[#nisc\\] ■ 【第1報（続報）】インシデント ${id}`));
  const [quick, update1] = shows(first.stdout);
  assert.ok(quick && update1, first.stdout);
  assert.match(quick, /報告中・速報|報告受付・速報/);
  assert.match(clocks(quick).join('\n'), /最初の続報: 期限 .* — 残り/);
  assert.match(clocks(quick).join('\n'), /確報: 期限 .* — 残り/);
  assert.match(
    clocks(update1).join('\n'),
    /最初の続報: 期限 .* — 期限内に報告済み/,
    'the 第1報 meets the first update clock',
  );
  assert.match(clocks(update1).join('\n'), /確報: 期限 .* — 残り/);
  assert.match(update1, /■ 被害状況/);
  assert.match(update1, /対象となる個人情報の件数: 120 件/);

  // the office's note is not a stage; the reporter's second update is 第2報
  const office = await runConsoleApp(`/csirt incident update ${id} note="状況を確認しました"\n`, {
    DATABASE_URL,
    CONSOLE_USER: 'kato',
  });
  assert.match(office.stdout, new RegExp(`インシデント ${id} を更新しました（所見）。`));
  assert.doesNotMatch(office.stdout, /続報）として記録|確報として記録/);
  assert.match(
    (
      await runConsoleApp(`/csirt incident update ${id} final=yes cause="推測されやすいパスワード"\n`, {
        DATABASE_URL,
        CONSOLE_USER: 'kato',
      })
    ).stdout,
    /確報（final=yes）は、報告元の組織の方のみ指定できます。.*何も変更していません/,
  );

  const second = await runConsoleApp(
    [
      `/csirt incident update ${id} cause="推測されやすいパスワードの使用" plan="全職員のパスワード変更と多要素認証の導入"`,
      // refused: 業務・サービスへの影響, 通報・届出先, 公表の予定 are still empty; found= must not be kept
      `/csirt incident update ${id} found="ログイン監視の警告で担当者が気付いた" final=yes`,
      `/csirt incident show ${id}`,
      `/csirt incident update ${id} found="ログイン監視の警告で担当者が気付いた" impact="ポータルを半日停止" notified=警察、個人情報保護委員会 public=未定 final=yes`,
      `/csirt incident show ${id}`,
      `/csirt incident update ${id} final=yes`,
      '',
    ].join('\n'),
    { DATABASE_URL, CONSOLE_USER: 'sato' },
  );
  assert.equal(second.code, 1, `the two refusals make the console's exit status 1\n${second.stdout}${second.stderr}`);
  assert.equal(second.stdout.match(/何も変更していません/g)?.length, 2, second.stdout);
  const out = second.stdout;
  assert.match(out, /第2報（続報）として記録しました/);
  assert.match(
    out,
    new RegExp(
      `インシデント ${id} を確報とするには、次の項目が必要です: impact（業務・サービスへの影響）、notified（通報・届出先）、public（公表の予定）。.*何も変更していません`,
    ),
  );
  const [refused, final] = shows(out);
  assert.ok(refused && final, out);
  assert.match(refused, /・第2報（続報） TLP:AMBER/);
  assert.doesNotMatch(refused, /発見の経緯: /, 'the refused 確報 wrote nothing of what it carried');
  assert.match(out, /確報として記録しました/);
  assert.match(out, new RegExp(`\\[#nisc\\] ■ 【確報】インシデント ${id}`));
  assert.match(out, new RegExp(`\\[#maff\\] ■ 【確報】インシデント ${id}`));
  assert.match(out, new RegExp(`インシデント ${id} は既に確報として報告済みです`));

  assert.match(final, /・確報 TLP:AMBER/);
  assert.match(final, /通報・届出先: 警察、個人情報保護委員会/);
  assert.match(final, /公表の予定: 未定/);
  assert.doesNotMatch(final, /確報に必要な項目のうち未記入/);
  const c = clocks(final).join('\n');
  assert.match(c, /速報: 期限 .* — 期限内に報告済み/);
  assert.match(c, /最初の続報: 期限 .* — 期限内に報告済み/);
  assert.match(c, /確報: 期限 .* — 期限内に報告済み/);

  // the timeline lists each stage, in order, and the office's note as a note
  const timeline = final.slice(final.indexOf('■ 経過'));
  const order = [
    '報告を受け付けました（速報',
    '第1報（続報）: 被害の内容',
    '所見: 状況を確認しました',
    '第2報（続報）: 推定原因、今後の対応',
    '確報: 発見の経緯、業務・サービスへの影響、通報・届出先、公表の予定',
  ];
  let at = -1;
  for (const s of order) {
    const i = timeline.indexOf(s);
    assert.ok(i > at, `${s} after the previous step in:\n${timeline}`);
    at = i;
  }
  assert.equal(timeline.match(/確報: /g)?.length, 1, timeline);
});

test('REPORT_POLICY_FILE: a deployment’s own table is used; a bad one stops the start naming every problem', {
  timeout: 180_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'csirt-policy-'));
  const bad = join(dir, 'bad.json');
  writeFileSync(
    bad,
    JSON.stringify({ version: 1, deadlines: [{ stage: 'final', due: '2w' }], finalRequires: ['cause', 'phone'] }),
  );
  const refused = await runBot('/csirt help\n', { REPORT_POLICY_FILE: bad });
  assert.equal(refused.code, 2, refused.stdout + refused.stderr);
  assert.match(refused.stderr, /REPORT_POLICY_FILE: finalRequires\.1/);
  assert.doesNotMatch(refused.stdout, /csirt/);

  const own = join(dir, 'own.json');
  writeFileSync(
    own,
    JSON.stringify({
      version: 1,
      deadlines: [
        { stage: 'update', due: '2d', remind: '' },
        { stage: 'final', due: '10bd', remind: '1d' },
      ],
      finalRequires: ['cause'],
    }),
  );
  const DATABASE_URL = await freshDbUrl();
  await runBot('/csirt poc add console:sato org=maff role=poc primary=yes\n', { DATABASE_URL });
  const id = `INC-${fiscalYearOf(new Date())}-0001`;
  const r = await runBot(
    [
      '/csirt report category=malware summary="不審な通信"',
      `/csirt incident show ${id}`,
      `/csirt incident update ${id} cause="設定不備" final=yes`,
      '',
    ].join('\n'),
    { DATABASE_URL, CONSOLE_USER: 'sato', REPORT_POLICY_FILE: own },
  );
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /（最初の続報: 2日以内、確報: 10開庁日以内）/);
  assert.doesNotMatch(r.stdout, /^速報: 期限/m, 'no clock for a stage the table leaves out');
  assert.match(r.stdout, /確報として記録しました/);
});
