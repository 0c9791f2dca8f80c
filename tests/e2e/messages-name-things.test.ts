/**
 * Messages that name things (issue 16, item 8): a too-long value names its field, a number out
 * of range says the range, list items are counted from 1, a date field says "date",
 * `/csirt help poc add` shows that subcommand, and the console's action hint is in the
 * person's language.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, test } from 'vitest';
import { z } from 'zod';
import { runConsole } from '../../src/adapters/console/console.ts';
import { issueText } from '../../src/core/schema-info.ts';
import { translator } from '../../src/i18n/index.ts';
import { type TestApp, testApp } from '../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
  await t.run('console:admin', 'poc add console:kato org=nisc role=coordinator');
  await t.run('console:admin', 'poc add console:sato org=maff role=poc');
});
afterAll(async () => {
  await t.close();
});

test('a too-long value names its field and its label; nothing is written', async () => {
  const before = await t.auditCount();
  const r = await t.say('console:sato', `report category=malware summary="${'あ'.repeat(2001)}"`);
  assert.match(r, /・summary（概要）: 長すぎます（2000 文字以内で入力してください）/);
  assert.doesNotMatch(r, /summary: +が/);
  assert.equal(await t.auditCount(), before);
});

test("a value past the bot's length limit names its field, its label and the field's own limit", async () => {
  const before = await t.auditCount();
  // system name: at most 200 characters (it said 「name が長すぎます（4000 文字以内…）」)
  const name = await t.say(
    'console:sato',
    `system add name="${'あ'.repeat(5000)}" confidentiality=2 exposure=internet`,
  );
  assert.match(name, /・name（[^）]*）: 長すぎます（200 文字以内で入力してください）/, name);
  // a note as long as the bot takes at most: the bot's limit
  const note = await t.say('console:kato', `incident update INC-2026-0001 note="${'x'.repeat(5000)}"`);
  assert.match(note, /・note（[^）]*）: 長すぎます（4000 文字以内で入力してください）/, note);
  assert.equal(await t.auditCount(), before, 'nothing written');
  // in English for an English speaker
  await t.run('console:sato', 'lang en');
  try {
    const en = await t.say('console:sato', `system add name="${'x'.repeat(5000)}" confidentiality=2 exposure=internet`);
    assert.match(en, /・name \([^)]*\): too long \(at most 200 characters\)/, en);
  } finally {
    await t.run('console:sato', 'lang ja');
  }
});

test('list items are counted from 1 and named with their field', async () => {
  const r = await t.say('console:sato', 'report category=malware summary=x ioc=1.2.3.4 ioc=');
  assert.match(r, /・ioc（[^）]*） 2: 入力されていません/);
  assert.doesNotMatch(r, /ioc\.1/);
});

test('a number given in the wrong form or out of range says so, not "missing" or "characters"', async () => {
  assert.match(await t.say('console:kato', 'incident list page=abc'), /・page: 整数で指定してください/);
  const t_ = translator('ja');
  const big = z.number().max(10).safeParse(11);
  assert.equal(big.success, false);
  assert.equal(issueText(big.error?.issues[0] as z.core.$ZodIssue, t_), '10 以下を指定してください');
});

test('a date field says "date" (日付), not "time"', async () => {
  const r = await t.say('console:sato', 'csirt set established=2026-13-01');
  assert.match(r, /日付「2026-13-01」を読み取れませんでした。YYYY-MM-DD の形式/);
  assert.doesNotMatch(r, /日時/);
});

test('/csirt help poc add shows that subcommand alone; an unknown one is named', async () => {
  const r = await t.say('console:admin', 'help poc add');
  assert.match(r, /\/csirt poc add <user> org=<org>/);
  assert.doesNotMatch(r, /poc remove|poc list/);
  assert.match(await t.say('console:admin', 'ヘルプ 窓口 追加'), /\/csirt poc add/);
  assert.match(await t.say('console:admin', 'help poc nosuch'), /「poc nosuch」のヘルプはありません/);
});

test("the console's action hint follows the person's language", async () => {
  const out: string[] = [];
  const lines = [
    'lang en',
    'advisory draft title=T body=B severity=high tlp=green audience=maff',
    'lang ja',
    'advisory draft title=T2 body=B severity=high tlp=green audience=maff',
  ];
  // as the coordinator (CONSOLE_USER=kato)
  const app = { ...t.app, config: { ...t.app.config, CONSOLE_USER: 'kato' } };
  await runConsole(app, { input: Readable.from([`${lines.join('\n')}\n`]), write: (s) => out.push(s) });
  const text = out.join('\n');
  assert.match(text, /→ Action: \/csirt advisory submit ADV-2026-0001 {2}\[Submit/);
  assert.match(text, /→ 操作: \/csirt advisory submit ADV-2026-0002/);
});
