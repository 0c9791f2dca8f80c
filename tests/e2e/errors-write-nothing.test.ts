import assert from 'node:assert/strict';
import { afterAll, beforeAll, test } from 'vitest';
import { type TestApp, testApp } from '../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
  await t.run('console:admin', 'poc add console:sato org=maff role=poc primary=yes');
});
afterAll(() => t.close());

const ADMIN = 'console:admin';

test('an unknown subcommand, a missing role and a bad value each get a specific localised error and write nothing', async () => {
  const before = await t.auditCount();
  const people = await t.app.db.prisma.person.count();
  const cases: [string, string, RegExp, string][] = [
    [ADMIN, 'org frobnicate', /「org frobnicate」というコマンドはありません/, 'unknown'],
    ['console:sato', 'org add x1 ja=あ en=a', /「\/csirt org add」を実行する権限がありません/, 'denied'],
    [
      ADMIN,
      'poc add console:kim org=maff role=boss',
      /役割は admin, coordinator, approver, poc, ciso から指定してください/,
      'user_error',
    ],
    [ADMIN, 'org add Bad_Code ja=あ en=a', /組織コード/, 'user_error'],
    [ADMIN, 'poc add console:kim org=nowhere role=poc', /組織「nowhere」は登録されていません/, 'user_error'],
    [ADMIN, 'org add x2 ja=あ', /必須の項目が入力されていません: en（英語の名称）/, 'user_error'],
    [ADMIN, 'org list extra', /余分な語句があります/, 'user_error'],
    [ADMIN, 'org add x3 ja=あ en=b colour=red', /「colour」という項目はありません/, 'user_error'],
  ];
  for (const [who, cmd, re, status] of cases) {
    const o = await t.run(who, cmd);
    assert.equal(o.status, status, cmd);
    assert.equal(o.reply.error, true, cmd);
    assert.match(o.reply.blocks.map((b) => ('text' in b ? b.text : '')).join('\n'), re, cmd);
  }
  assert.equal(await t.auditCount(), before, 'no audit record written');
  assert.equal(await t.app.db.prisma.person.count(), people, 'no person created');
});

test('the same errors in English for a person who chose English', async () => {
  await t.run('console:sato', 'lang en');
  const o = await t.say('console:sato', 'org add x1 ja=あ en=a');
  assert.match(o, /You are not allowed to run "\/csirt org add"/);
});

test('poc add, list and remove are audited; the last admin cannot be removed', async () => {
  const n = await t.auditCount();
  assert.match(
    await t.say(ADMIN, 'poc add @suzuki org=mof role=poc,ciso deputy=yes'),
    /console:suzuki を mof の担当者として登録/,
  );
  assert.equal(await t.auditCount(), n + 1);
  assert.match(await t.say(ADMIN, 'poc list org=mof'), /console:suzuki\s+poc, ciso\s+副/);
  assert.match(await t.say('console:suzuki', 'poc list org=maff'), /ご所属の組織の担当者のみ/);
  assert.match(await t.say(ADMIN, 'poc remove console:admin'), /ご自身の管理者権限は解除できません/);
  assert.match(await t.say(ADMIN, 'poc remove console:suzuki role=ciso'), /ciso を解除しました/);
});

test('help shows only what the caller may run', async () => {
  const admin = await t.say(ADMIN, 'help');
  const stranger = await t.say('console:nobody', 'help');
  assert.match(admin, /\/csirt org add/);
  assert.doesNotMatch(stranger, /\/csirt org add/);
  assert.doesNotMatch(stranger, /\/csirt org list/);
  assert.match(stranger, /\/csirt help/);
});
