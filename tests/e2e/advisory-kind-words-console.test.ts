/**
 * Issue 18: an advisory is named by its kind in everything a person sees. A 情報提供 (kind=info)
 * walked through draft → submit → consent → approve → delivery → status on the real console
 * (`npm start`'s entry, one run per person) never says 注意喚起 — not in a reply, a consent
 * request, a copy, a direct message or a status view — and a 注意喚起 never says 情報提供 (apart
 * from 情報提供元, the source). The same walk in English: an information advisory never says
 * "warning", a warning never "information advisory" / [Information].
 *
 * Before this change the consent request's heading and body, the submitted, consented and
 * approved replies (and every error naming one advisory) said 注意喚起 for both kinds.
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { fiscalYearOf } from '../../src/domain/fiscal-year.ts';
import { freshDbUrl } from '../helpers/console.ts';
import { runConsoleApp as runBot } from '../helpers/console-app.ts';

const SETUP = [
  'poc add console:nisc-coord org=nisc role=coordinator',
  'poc add console:nisc-duty org=nisc role=approver',
  'poc add console:maff-poc org=maff role=poc primary=yes',
  'poc add console:mlit-poc org=mlit role=poc primary=yes',
].join('\n');

/** Every person's console output of one advisory's walk, in order. */
async function walk(locale: 'ja' | 'en', kind: 'info' | 'warning'): Promise<{ seen: string; id: string }> {
  const DATABASE_URL = await freshDbUrl();
  const env = { DATABASE_URL, BOT_ADMINS: 'console:admin', BOT_LOCALE: locale };
  /** `code` 1: the script repeats a step, which is refused (its message names the kind too) */
  const as = async (user: string, script: string, code = 0) => {
    const r = await runBot(script, { ...env, CONSOLE_USER: user });
    assert.equal(r.code, code, `${user}:\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };
  const fy = fiscalYearOf(new Date());
  const inc = `INC-${fy}-0001`;
  const id = `ADV-${fy}-0001`;
  await as('admin', SETUP);
  await as(
    'maff-poc',
    'report category=malware summary="suspicious traffic" severity=high share=attributed tlp=green\n',
  );
  const seen: string[] = [];
  seen.push(
    await as(
      'nisc-coord',
      `advisory draft ${locale === 'ja' ? 'title="攻撃の傾向" body="今月の傾向をお知らせします。"' : 'title="Attack trends" body="This month\'s trends."'} severity=low tlp=green audience=maff,mlit sources=${inc} kind=${kind}\n` +
        `advisory submit ${id}\n`,
    ),
  );
  seen.push(await as('maff-poc', `advisory consent ${id} yes\nadvisory consent ${id} yes\n`, 1));
  seen.push(await as('nisc-duty', `advisory approve ${id}\nadvisory approve ${id}\nadvisory status ${id}\n`, 1));
  for (const who of ['nisc-coord', 'maff-poc', 'mlit-poc']) seen.push(await as(who, `advisory status ${id}\n`));
  return { seen: seen.join('\n'), id };
}

const hits = (text: string, re: RegExp) => text.split('\n').filter((l) => re.test(l));

test('console, Japanese: a 情報提供 never says 注意喚起, a 注意喚起 never says 情報提供', {
  timeout: 600_000,
}, async () => {
  const info = await walk('ja', 'info');
  assert.deepEqual(hits(info.seen, /注意喚起/), [], 'no 注意喚起 in what anyone saw of the information');
  // each step's reply and notice names it 情報提供
  for (const re of [
    new RegExp(`情報提供 ${info.id}（TLP:GREEN）を起案しました`),
    new RegExp(`情報提供 ${info.id} を提出しました`),
    new RegExp(`情報提供元の同意のお願い（情報提供 ${info.id}）`),
    /次の情報提供に利用することについて/,
    new RegExp(`情報提供 ${info.id} への同意を記録しました`),
    new RegExp(`情報提供 ${info.id} は承認待ちのため`),
    new RegExp(`情報提供 ${info.id} を承認しました`),
    new RegExp(`情報提供 ${info.id} は既に配信が完了しているため、承認はできません`),
    new RegExp(`情報提供 ${info.id} は承認待ちのため、同意の回答はできません`),
    new RegExp(`【情報提供】TLP:GREEN ${info.id}`),
    /種類: 情報提供/,
  ])
    assert.match(info.seen, re);

  const warn = await walk('ja', 'warning');
  assert.deepEqual(
    hits(warn.seen.replaceAll('情報提供元', ''), /情報提供/),
    [],
    'no 情報提供 as a kind for the warning',
  );
  assert.match(warn.seen, new RegExp(`注意喚起 ${warn.id} を承認しました`));
  assert.match(warn.seen, new RegExp(`情報提供元の同意のお願い（注意喚起 ${warn.id}）`));
});

test('console, English: an information advisory never says warning, a warning never information', {
  timeout: 600_000,
}, async () => {
  const info = await walk('en', 'info');
  assert.deepEqual(hits(info.seen, /\bwarning\b/i), [], 'no "warning" in what anyone saw of the information');
  assert.deepEqual(hits(info.seen, /[\u3040-\u30ff]/), [], 'no Japanese in the English walk');
  for (const re of [
    new RegExp(`Submitted the information advisory ${info.id}`),
    new RegExp(`Consent requested as a source \\(information advisory ${info.id}\\)`),
    new RegExp(`Recorded your consent to the information advisory ${info.id}`),
    new RegExp(`Approved the information advisory ${info.id}`),
    new RegExp(`\\[Information\\] TLP:GREEN ${info.id}`),
  ])
    assert.match(info.seen, re);

  const warn = await walk('en', 'warning');
  assert.deepEqual(hits(warn.seen, /information advisory|\[Information\]|Kind: Information/), []);
  assert.match(warn.seen, new RegExp(`Approved the warning advisory ${warn.id}`));
});
