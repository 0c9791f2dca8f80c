import assert from 'node:assert/strict';
import { test } from 'vitest';
import { runBot } from '../helpers/console.ts';

test('console: help and the directory in Japanese, then in English with BOT_LOCALE=en', async () => {
  const ja = await runBot('/csirt help\n/csirt org list\n');
  assert.equal(ja.code, 0, ja.stderr);
  assert.match(ja.stdout, /ご利用いただけるコマンド/);
  assert.match(ja.stdout, /農林水産省/);
  // the coordinating organisation and the 26 府省庁 under the unified standards (docs/directory.md)
  assert.match(ja.stdout, /登録組織一覧（27 組織）/);
  assert.match(ja.stdout, /人事院/);
  assert.match(ja.stdout, /カジノ管理委員会/);
  const en = await runBot('/csirt help\n/csirt org list\n', { BOT_LOCALE: 'en' });
  assert.equal(en.code, 0, en.stderr);
  assert.match(en.stdout, /Commands you can use/);
  assert.match(en.stdout, /Registered organisations \(27\)/);
  assert.doesNotMatch(en.stdout, /ご利用いただけるコマンド/);
});

test('console: a failed line makes the exit status non-zero', async () => {
  const r = await runBot('/csirt help\n/csirt nosuchthing\n');
  assert.equal(r.code, 1);
  assert.match(r.stdout, /「nosuchthing」というコマンドはありません/);
});

test('console: PORT=abc stops the start and names PORT', async () => {
  const r = await runBot('', { PORT: 'abc' });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /PORT/);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
});

test('console: CONSOLE_USER acts as another person, who has no roles until granted', async () => {
  const r = await runBot('/csirt org add test ja="テスト庁" en="Test Agency"\n', {
    CONSOLE_USER: 'tanaka',
    BOT_ADMINS: 'console:admin',
  });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /権限がありません/);
});
