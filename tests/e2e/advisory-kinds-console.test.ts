/**
 * The seed's two kinds of outgoing message through the real entry (issue 18 item 4): 注意喚起
 * (a warning, acknowledgement expected) and 情報提供 (information, no acknowledgement), each
 * carrying the handling marks beside TLP (機密性, 取扱制限) inherited from its source report.
 * Bot runs per person on one database (SQLite file, or PostgreSQL when TEST_PROVIDER says so);
 * then a bot whose clock reads three days later: the warning's unacknowledged organisations
 * are reminded, the information is never mentioned.
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { fiscalYearOf } from '../../src/domain/fiscal-year.ts';
import { BotProcess } from '../helpers/bot-process.ts';
import { freshDbUrl } from '../helpers/console.ts';
import { runConsoleApp as runBot } from '../helpers/console-app.ts';

const DAY = 86_400_000;

test('console: a warning and an information, marks carried into the consent request and every copy; only the warning asks for and reminds of 受領確認', {
  timeout: 480_000,
}, async () => {
  const DATABASE_URL = await freshDbUrl();
  /** one bot run as `user`; `code` 1: the script holds a command that is refused */
  const as = async (user: string, script: string, code = 0) => {
    const r = await runBot(script, { DATABASE_URL, CONSOLE_USER: user, BOT_ADMINS: 'console:admin' });
    assert.equal(r.code, code, `${user}:\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };
  const fy = fiscalYearOf(new Date());
  const inc = `INC-${fy}-0001`;
  const warn = `ADV-${fy}-0001`;
  const info = `ADV-${fy}-0002`;
  await as(
    'admin',
    [
      'poc add console:nisc-coord org=nisc role=coordinator',
      'poc add console:nisc-duty org=nisc role=approver',
      'poc add console:maff-poc org=maff role=poc primary=yes',
      'poc add console:mlit-poc org=mlit role=poc primary=yes',
    ].join('\n'),
  );
  // full-width comma and letters as people type them: NFKC, then the marks of the fixed list
  const reported = await as(
    'maff-poc',
    'report category=malware summary="不審な通信を検知" severity=high share=attributed tlp=green confidentiality=2 handling="複製禁止，関係者限り"\n' +
      `incident show ${inc}\n`,
  );
  assert.match(reported, /機密性: 機密性2/);
  assert.match(reported, /取扱制限: 関係者限り・複製禁止/);

  // below the source's 機密性: refused, nothing written (the next draft gets the first number)
  const below = await as(
    'nisc-coord',
    `advisory draft title="t" body="b" severity=high tlp=green audience=maff,mlit sources=${inc} confidentiality=1\n`,
    1,
  );
  assert.match(
    below,
    new RegExp(
      `情報提供元のインシデント（${inc}）は機密性2です。この注意喚起の機密性をこれより低くすることはできません`,
    ),
  );
  const drafted = await as(
    'nisc-coord',
    [
      `advisory draft title="VPN 装置の更新のお願い" body="修正版を適用してください。" severity=high tlp=green audience=maff,mlit sources=${inc}`,
      `advisory submit ${warn}`,
      'advisory draft title="攻撃の傾向について" body="今月の傾向をお知らせします。" severity=low tlp=green audience=maff,mlit kind=情報提供 confidentiality=1 handling=need-to-know',
      `advisory submit ${info}`,
    ].join('\n'),
  );
  assert.match(drafted, new RegExp(`注意喚起 ${warn}（TLP:GREEN）を起案しました`));
  assert.match(drafted, new RegExp(`情報提供 ${info}（TLP:GREEN）を起案しました`));
  // the consent request shows the kind and the marks the source consents to
  const request = drafted.slice(drafted.indexOf('[@maff-poc] ■ 情報提供元の同意のお願い'));
  assert.match(request, /種類: 注意喚起/);
  assert.match(request, /機密性: 機密性2\n\s*取扱制限: 関係者限り・複製禁止/);

  await as('maff-poc', `advisory consent ${warn} yes\n`);
  const approved = await as('nisc-duty', `advisory approve ${warn}\nadvisory approve ${info}\n`);
  for (const ch of ['maff', 'mlit']) {
    const posts = approved.split('\n[').filter((p) => p.startsWith(`#${ch}] ■ 【`));
    const w = posts.filter((p) => p.startsWith(`#${ch}] ■ 【注意喚起】TLP:GREEN ${warn}「VPN 装置の更新のお願い」`));
    const i = posts.filter((p) => p.startsWith(`#${ch}] ■ 【情報提供】TLP:GREEN ${info}「攻撃の傾向について」`));
    assert.equal(w.length, 1, `${ch}: ${approved}`);
    assert.equal(i.length, 1, `${ch}: ${approved}`);
    assert.match(w[0] as string, /機密性: 機密性2\n\s*取扱制限: 関係者限り・複製禁止/);
    assert.match(w[0] as string, new RegExp(`操作: /csirt advisory ack ${warn}`));
    assert.match(i[0] as string, /機密性: 機密性1\n\s*取扱制限: 関係者限り/);
    assert.match(i[0] as string, /情報提供のため、受領確認は不要です。/);
    assert.doesNotMatch(i[0] as string, /advisory ack|受領確認をお願い/);
  }
  const status = await as('nisc-duty', `advisory status ${info}\n`);
  assert.match(status, /種類: 情報提供/);
  assert.match(status, /状態: 配信完了/);
  assert.match(status, /国土交通省 \(mlit\)\s+配信済み/);
  assert.doesNotMatch(status, /未確認|受領確認: /);
  const list = await as('nisc-coord', 'advisory list\n');
  assert.match(list, new RegExp(`${info}\\s+情報提供\\s+配信完了`));
  assert.match(list, new RegExp(`${warn}\\s+注意喚起\\s+配信完了`));

  const refused = await as('mlit-poc', `advisory ack ${info}\nadvisory status ${warn}\n`, 1);
  assert.match(refused, new RegExp(`${info} は情報提供のため、受領確認は不要です。何も記録していません。`));
  assert.match(refused, /国土交通省 \(mlit\)\s+配信済み \S+ \S+\s+未確認/);

  // three days later (first reminder after 24 h, then daily, three at most): the warning's two
  // organisations are reminded; the information is never mentioned again
  const all: BotProcess[] = [];
  try {
    const later = await BotProcess.start(
      { DATABASE_URL, BOT_CLOCK_OFFSET_MS: String(3 * DAY + 3_600_000), LOG_LEVEL: 'error' },
      all,
    );
    await later.waitFor(/受領確認のお願い（3 回目）[\s\S]*受領確認のお願い（3 回目）/, 30_000);
    await new Promise((r) => setTimeout(r, 3_000)); // a few more scheduler passes
    await later.stop();
    // one reminder per organisation that has not acknowledged (the stale ones are skipped)
    const reminders = later.stdout.split('\n[').filter((p) => /受領確認のお願い/.test(p));
    assert.deepEqual(reminders.map((r) => r.slice(0, r.indexOf(']'))).sort(), ['#maff', '#mlit'], later.stdout);
    for (const r of reminders)
      assert.match(r, new RegExp(`注意喚起 ${warn}「VPN 装置の更新のお願い」の受領確認がまだ`));
    assert.doesNotMatch(later.stdout, new RegExp(info));
  } finally {
    for (const b of all) await b.kill();
  }
});
