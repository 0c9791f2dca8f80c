/**
 * Issue 15's examples through the real console entry (`npm start`, stdin a script), one bot
 * run per person on one database: an anonymised source named in a spelling the old check did
 * not know (full-width code, 農水省, a zero-width character inside the code, Unicode hyphens in
 * the incident id), and two organisations given the same channel. On the main branch before
 * this change each was accepted and the broadcast went out; each must now be refused, saying
 * what to fix, with nothing posted.
 */
import assert from 'node:assert/strict';
import { beforeAll, test } from 'vitest';
import { fiscalYearOf } from '../../src/domain/fiscal-year.ts';
import { freshDbUrl } from '../helpers/console.ts';
import { runConsoleApp as runBot } from '../helpers/console-app.ts';

let DATABASE_URL: string;
const fy = fiscalYearOf(new Date());
const INC = `INC-${fy}-0001`;

async function as(user: string, script: string): Promise<{ code: number; out: string }> {
  const r = await runBot(script, { DATABASE_URL, CONSOLE_USER: user, BOT_ADMINS: 'console:admin' });
  return { code: r.code, out: r.stdout };
}

beforeAll(async () => {
  DATABASE_URL = await freshDbUrl();
  const setup = await as(
    'admin',
    [
      'poc add console:nisc-coord org=nisc role=coordinator',
      'poc add console:nisc-duty org=nisc role=approver',
      'poc add console:maff-poc org=maff role=poc primary=yes',
      'poc add console:mof-poc org=mof role=poc primary=yes',
    ].join('\n'),
  );
  assert.equal(setup.code, 0, setup.out);
  const report = await as(
    'maff-poc',
    'report category=targeted-email summary="不審なメールの添付ファイル" severity=high share=anonymized\n',
  );
  assert.match(report.out, new RegExp(INC));
});

/**
 * Drafts an advisory from the anonymised maff report with `body`, submits it and, if that was
 * accepted, has it approved: returns the coordinator's output and every channel post.
 */
async function draftAndBroadcast(body: string): Promise<{ drafted: string; posts: string[] }> {
  const d = await as(
    'nisc-coord',
    `advisory draft title="標的型メールへの注意" body="${body}" severity=high tlp=green audience=all sources=${INC}\n`,
  );
  const id = /ADV-\d{4}-\d{4}/.exec(d.out)?.[0];
  let posts: string[] = [];
  if (id) {
    await as('nisc-coord', `advisory submit ${id}\n`);
    const approved = await as('nisc-duty', `advisory approve ${id}\n`);
    posts = approved.out.split('\n').filter((l) => l.startsWith('[#'));
  }
  return { drafted: d.out, posts };
}

const REFUSED = '件名または本文に、組織名の明示に同意していない情報提供元を特定できる記載';

for (const [what, body, reads] of [
  ['a full-width code', 'ＭＡＦＦで確認された攻撃です。', '「ＭＡＦＦ」は「maff」と読めます'],
  ['a short name (農水省)', '農水省で確認された攻撃です。', '「農水省」、'],
  [
    'a zero-width character inside the code',
    'MA\u200BFF で確認された攻撃です。',
    '「MA<U+200B>FF」は「maff」と読めます',
  ],
  [
    'Unicode hyphens in the incident id',
    `${INC.replace(/-/g, '\u2010')} と同種の攻撃です。`,
    `「${INC.replace(/-/g, '\u2010')}」は「${INC}」と読めます`,
  ],
] as const) {
  test(`an anonymised source named with ${what} is refused at draft, and nothing goes out`, async () => {
    const { drafted, posts } = await draftAndBroadcast(body);
    assert.deepEqual(posts, [], 'broadcast naming the anonymised source');
    assert.ok(drafted.includes(REFUSED), drafted);
    assert.ok(drafted.includes(reads), drafted);
    assert.ok(drafted.includes(INC), drafted);
  });
}

test('two organisations cannot be given the same channel; the holder is named; posts stay in their channel', async () => {
  const set = await as(
    'admin',
    'org set maff channel=#mof\norg set mof channel=#shared\norg set maff channel=#shared\n',
  );
  assert.notEqual(set.code, 0);
  const refusals = set.out.match(/console のチャンネル #\S+ は、既に組織 mof に割り当てられています/g) ?? [];
  assert.equal(refusals.length, 2, set.out);
  assert.match(set.out, /組織 mof の console のチャンネルを #shared に設定しました/);
  const d = await as(
    'nisc-coord',
    'advisory draft title="maff 宛て" body="確認してください。" severity=low tlp=amber audience=maff\n',
  );
  const id = /ADV-\d{4}-\d{4}/.exec(d.out)?.[0] as string;
  await as('nisc-coord', `advisory submit ${id}\n`);
  const approved = await as('nisc-duty', `advisory approve ${id}\n`);
  const posts = approved.out.split('\n').filter((l) => l.startsWith('[#') && l.includes(id));
  assert.deepEqual(
    posts.map((l) => /^\[#([^\]]+)\]/.exec(l)?.[1]),
    ['maff'],
  );
});
