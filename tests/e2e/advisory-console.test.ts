/**
 * The same life through the real entry (`npm start` on the console, stdin a script), one bot
 * run per person on one database: what each of them would see on their terminal.
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { fiscalYearOf } from '../../src/domain/fiscal-year.ts';
import { freshDbUrl } from '../helpers/console.ts';
import { runConsoleApp as runBot } from '../helpers/console-app.ts';

test('console: report ×2, draft, consent of both sources, approval by a second person, one post per channel, acks, status', async () => {
  const DATABASE_URL = await freshDbUrl();
  const as = async (user: string, script: string) => {
    const r = await runBot(script, { DATABASE_URL, CONSOLE_USER: user, BOT_ADMINS: 'console:admin' });
    assert.equal(r.code, 0, `${user}:\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };
  const fy = fiscalYearOf(new Date());
  const adv = `ADV-${fy}-0001`;
  await as(
    'admin',
    [
      'poc add console:nisc-coord org=nisc role=coordinator',
      'poc add console:nisc-duty org=nisc role=approver',
      'poc add console:maff-poc org=maff role=poc primary=yes',
      'poc add console:mof-poc org=mof role=poc primary=yes',
      'poc add console:mlit-poc org=mlit role=poc primary=yes',
      'poc add console:env-poc org=env role=poc primary=yes',
    ].join('\n'),
  );
  await as(
    'maff-poc',
    'report category=targeted-email summary="不審なメールの添付ファイル" severity=high share=none\n',
  );
  await as('mof-poc', 'report category=targeted-email summary="同種のメール" severity=high share=anonymized\n');
  const drafted = await as(
    'nisc-coord',
    `advisory draft title="標的型メールへの注意" body="業務連絡を装ったメールに注意してください。" severity=high tlp=amber audience=maff,mlit,env sources=INC-${fy}-0001,INC-${fy}-0002\nadvisory submit ${adv}\n`,
  );
  assert.match(drafted, new RegExp(`注意喚起 ${adv}（TLP:AMBER）を起案しました`));
  assert.match(drafted, /\[@maff-poc\] ■ 情報提供元の同意のお願い/);
  assert.match(drafted, new RegExp(`操作: /csirt advisory consent ${adv} yes`));
  await as('mof-poc', `advisory consent ${adv} yes\n`);
  const consented = await as('maff-poc', `advisory consent ${adv} yes\n`);
  assert.match(consented, new RegExp(`\\[#nisc\\] ■ TLP:AMBER 注意喚起 ${adv} の承認をお願いします`));
  const approved = await as('nisc-duty', `advisory status ${adv}\nadvisory approve ${adv}\n`);
  for (const ch of ['maff', 'mlit', 'env']) {
    const lines = approved.split('\n').filter((l) => l.startsWith(`[#${ch}] ■ 【注意喚起】TLP:AMBER ${adv}「`));
    assert.equal(lines.length, 1, ch);
  }
  assert.match(approved, new RegExp(`操作: /csirt advisory ack ${adv}  \\[受領確認\\]`));
  await as('maff-poc', `advisory ack ${adv}\n`);
  await as('mlit-poc', `advisory ack ${adv}\n`);
  const status = await as('nisc-duty', `advisory status ${adv}\n`);
  assert.match(status, /状態: 配信完了/);
  assert.match(status, /農林水産省 \(maff\)\s+配信済み 令和.*\s+console:maff-poc 令和/);
  assert.match(status, /環境省 \(env\)\s+配信済み 令和\S+ \d\d:\d\d（日本時間）\s+未確認/);
  assert.match(status, /受領確認: 3 件中 2 件/);
  for (const out of [drafted, consented, approved]) {
    // mof is asked for its consent in its own direct message; nowhere else is it named
    const posted = out.split('\n').filter((l) => /^\[[#@]/.test(l) && !l.startsWith('[@mof-poc]'));
    for (const l of posted) assert.doesNotMatch(l, /\bmof\b|財務省|INC-\d{4}-0002/, l);
  }
  console.log(`\n--- nisc-duty: advisory status / approve ---\n${approved}\n--- status ---\n${status}`);
});
