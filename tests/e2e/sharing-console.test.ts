/**
 * Issue 15, items 1, 2 and the consent part of 3, through the real entry (`npm start` on the
 * console, one process per person and phase, one database). Each subtest is one example of the
 * issue (or another of its kind); every one of them failed on the main of 2026-11-26:
 *
 * - ADV1: a source changes its sharing (attributed → none) after consenting: the advisory goes
 *   back to the consent step and the drafter is told why; the approver cannot send it.
 * - ADV2: TLP:CLEAR to everyone from a TLP:RED report: refused until the source organisation
 *   agrees to that exact lower label (`consent … yes tlp=clear`), then sent.
 * - ADV3: every source consents, attributed or not, to the exact final text; another source
 *   choosing attribution changes that text (it now names them), so the first is asked again.
 * - ADV4: a source raises its report's TLP after consenting: back to consent, nothing sent.
 */
import assert from 'node:assert/strict';
import { beforeAll, test } from 'vitest';
import { openDatabase } from '../../src/db/client.ts';
import { fiscalYearOf } from '../../src/domain/fiscal-year.ts';
import { freshDbUrl } from '../helpers/console.ts';
import { runConsoleApp as runBot } from '../helpers/console-app.ts';
import { consolePosts, consoleReplies } from '../helpers/console-posts.ts';
import { COORD_ORG } from '../helpers/coordinating.ts';

const fy = fiscalYearOf(new Date());
const inc = (n: number) => `INC-${fy}-000${n}`;
const adv = (n: number) => `ADV-${fy}-000${n}`;
const out = {
  admin: '',
  maffReports: '',
  mofReports: '',
  coord: '',
  maff: '',
  mof: '',
  duty: '',
  maff2: '',
  duty2: '',
  coordStatus: '',
};
let url = '';

async function as(user: string, lines: string[], url: string): Promise<string> {
  const r = await runBot(`${lines.join('\n')}\n`, {
    DATABASE_URL: url,
    CONSOLE_USER: user,
    BOT_ADMINS: 'console:admin',
  });
  assert.ok(r.code === 0 || r.code === 1, `${user}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Posts of an advisory's broadcast (its copies, not the workflow messages) in some output. */
const copies = (stdout: string, id: string) =>
  consolePosts(stdout).filter(
    (p) => p.to.startsWith('#') && new RegExp(`^【注意喚起】TLP:\\S+ ${id}「`).test(p.text.slice(2)),
  );

beforeAll(async () => {
  url = await freshDbUrl();
  out.admin = await as(
    'admin',
    [
      `poc add console:coord org=${COORD_ORG} role=coordinator`,
      `poc add console:duty org=${COORD_ORG} role=approver`,
      'poc add console:maff-poc org=maff role=poc primary=yes',
      'poc add console:mof-poc org=mof role=poc primary=yes',
      'poc add console:mlit-poc org=mlit role=poc primary=yes',
    ],
    url,
  );
  out.maffReports = await as(
    'maff-poc',
    [
      'report category=targeted-email summary="請求書を装うメール" severity=high share=attributed',
      'report category=malware summary="外部への不審な通信" severity=critical tlp=red share=attributed',
      'report category=unauthorized-access summary="VPN 装置への不正ログイン" severity=high share=none',
      'report category=phishing summary="偽のログイン画面" severity=medium share=anonymized',
    ],
    url,
  );
  out.mofReports = await as(
    'mof-poc',
    ['report category=unauthorized-access summary="同種の不正ログイン" severity=high share=anonymized'],
    url,
  );
  out.coord = await as(
    'coord',
    [
      `advisory draft title="請求書を装うメール" body="請求書を装うメールが確認されています。" severity=high tlp=amber audience=maff,mof,mlit sources=${inc(1)}`,
      `advisory submit ${adv(1)}`,
      `advisory draft title="不審な通信先" body="次の通信先への接続を確認してください。" severity=critical tlp=clear audience=all sources=${inc(2)}`,
      `advisory submit ${adv(2)}`,
      `advisory draft title="VPN 装置への不正ログイン" body="VPN 装置の認証記録を確認してください。" severity=high tlp=amber audience=maff,mof,mlit sources=${inc(3)},${inc(5)}`,
      `advisory submit ${adv(3)}`,
      `advisory draft title="偽のログイン画面" body="偽のログイン画面に注意してください。" severity=medium tlp=amber audience=mof,mlit sources=${inc(4)}`,
      `advisory submit ${adv(4)}`,
    ],
    url,
  );
  out.maff = await as(
    'maff-poc',
    [
      `advisory consent ${adv(1)} yes`,
      `incident update ${inc(1)} share=none`,
      `advisory consent ${adv(2)} yes`,
      `advisory consent ${adv(3)} yes`,
      `advisory consent ${adv(4)} yes`,
      `incident update ${inc(4)} tlp=red`,
    ],
    url,
  );
  out.mof = await as('mof-poc', [`incident update ${inc(5)} share=attributed`, `advisory consent ${adv(3)} yes`], url);
  out.duty = await as(
    'duty',
    [
      `advisory approve ${adv(1)}`,
      `advisory approve ${adv(2)}`,
      `advisory approve ${adv(3)}`,
      `advisory approve ${adv(4)}`,
    ],
    url,
  );
  out.maff2 = await as('maff-poc', [`advisory consent ${adv(2)} yes tlp=clear`], url);
  out.duty2 = await as('duty', [`advisory approve ${adv(2)}`], url);
  out.coordStatus = await as('coord', [`advisory status ${adv(1)}`, `advisory status ${adv(4)}`], url);
});

test('ADV1: a source that stops sharing after its consent sends the advisory back to consent; nothing goes out', () => {
  const all = Object.values(out).join('\n');
  assert.deepEqual(copies(all, adv(1)), [], 'no copy of ADV1 was delivered anywhere');
  const elsewhere = consolePosts(all).filter((p) => /^[#@](mof|mlit)/.test(p.to) && !p.text.includes(adv(2)));
  assert.doesNotMatch(
    elsewhere.map((p) => p.text).join('\n'),
    new RegExp(`${adv(1)}|${inc(1)}|農林水産省`),
    'mof and mlit never see ADV1 nor its source',
  );
  const told = consolePosts(out.maff).find((p) => p.to === '@coord' && p.text.includes(adv(1)));
  assert.ok(told, `the drafter is told:\n${out.maff}`);
  assert.match(told.text, /同意の確認に戻しました/);
  assert.match(
    told.text,
    new RegExp(`${inc(1)} の共有可否が「組織名を明示して共有可」から「共有不可」に変更されました`),
  );
  assert.match(consoleReplies(out.duty), new RegExp(`注意喚起 ${adv(1)} は情報提供元の同意確認中のため`));
  assert.match(out.coordStatus, /状態: 情報提供元の同意確認中/);
});

test('ADV2: TLP:CLEAR from a TLP:RED report waits for the source to agree to that exact label', () => {
  assert.deepEqual(copies(out.duty, adv(2)), [], 'not sent before the lower label was agreed');
  const first = consoleReplies(out.maff);
  assert.match(first, new RegExp(`${inc(2)}）は TLP:RED です。.*tlp=clear`), first);
  assert.match(consoleReplies(out.duty), new RegExp(`注意喚起 ${adv(2)} は情報提供元の同意確認中のため`));
  assert.match(consoleReplies(out.maff2), new RegExp(`注意喚起 ${adv(2)} への同意を記録しました`));
  const sent = copies(out.duty2, adv(2));
  assert.ok(sent.length >= 20, `sent to every organisation once agreed (${sent.length})`);
  assert.ok(
    sent.every((p) => p.text.includes('情報提供元: 農林水産省')),
    'attributed, as agreed',
  );
});

test('ADV2: the agreement to the lower label is recorded and audited, for that advisory and that label', async () => {
  const db = await openDatabase(url);
  try {
    const p = db.prisma;
    const source = await p.advisorySource.findFirstOrThrow({ where: { advisoryId: adv(2), incidentId: inc(2) } });
    assert.equal(source.consent, 'given');
    assert.equal(source.agreedTlp, 'clear');
    const audits = await p.auditRecord.findMany({
      where: { action: 'advisory.consent', subject: adv(2) },
      orderBy: { seq: 'asc' },
    });
    assert.equal(audits.length, 1, 'the refused answer (no label) recorded nothing');
    const data = JSON.parse(audits[0]?.data ?? '{}');
    assert.equal(data.org, 'maff');
    assert.equal(data.answer, 'yes');
    assert.equal(data.tlp, 'clear');
    assert.deepEqual(data.incidents, [inc(2)]);
  } finally {
    await db.close();
  }
});

test('ADV3: another source choosing attribution changes the final text, so the first source is asked again', () => {
  const asked = consolePosts(out.mof).filter(
    (p) => p.to === '@maff-poc' && p.text.includes(`情報提供元の同意のお願い（注意喚起 ${adv(3)}）`),
  );
  assert.equal(asked.length, 1, `maff is asked again, once:\n${out.mof}`);
  assert.match(asked[0]?.text ?? '', /情報提供元: 財務省/, 'showing the text as it will now go out');
  assert.deepEqual(copies(out.duty, adv(3)), []);
  assert.match(consoleReplies(out.duty), new RegExp(`注意喚起 ${adv(3)} は情報提供元の同意確認中のため`));
  // the first request went to maff for the text without any name: attributed sources consent too
  const first = consolePosts(out.coord).find(
    (p) => p.to === '@mof-poc' && p.text.includes(`情報提供元の同意のお願い（注意喚起 ${adv(3)}）`),
  );
  assert.ok(first, 'the anonymised source was asked as well');
});

test('ADV4: a source raising its report to TLP:RED after consenting sends the advisory back; nothing goes out', () => {
  assert.deepEqual(copies(out.duty, adv(4)), [], 'no copy of ADV4 was delivered');
  assert.match(consoleReplies(out.maff), new RegExp(`インシデント ${inc(4)} を更新しました`));
  const told = consolePosts(out.maff).find((p) => p.to === '@coord' && p.text.includes(adv(4)));
  assert.ok(told, 'the drafter is told');
  assert.match(told.text, /TLP が TLP:AMBER から TLP:RED に変更されました/);
  assert.match(out.coordStatus, /状態: 情報提供元の同意確認中/);
});
