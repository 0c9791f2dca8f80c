/**
 * `org set <org> email=<address>` (admin): stored in one form (NFKC, the domain in ASCII and
 * lower case), shown by `org show`, audited; a bad address is refused saying why, with nothing
 * written; `email=-` removes it; a person without the admin role is refused.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, test } from 'vitest';
import { replyToText } from '../../src/core/reply.ts';
import { P, registerAdvisoryPeople } from '../helpers/advisory-fixtures.ts';
import { type TestApp, testApp } from '../helpers/app.ts';
import { tableCounts } from '../helpers/counts.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
  await registerAdvisoryPeople(t);
});
afterAll(async () => {
  await t.close();
});

async function refusedWritingNothing(identity: string, cmd: string, re: RegExp, status = 'user_error'): Promise<void> {
  const before = { audit: await t.auditCount(), tables: await tableCounts(t.app) };
  const o = await t.run(identity, cmd);
  assert.equal(o.status, status, cmd);
  assert.match(replyToText(o.reply), re, cmd);
  assert.equal(await t.auditCount(), before.audit, cmd);
  assert.deepEqual(await tableCounts(t.app), before.tables, cmd);
}

const stored = async (code: string) =>
  (await t.app.db.prisma.organization.findUniqueOrThrow({ where: { code } })).email;

test('an address typed full-width is stored in one form, shown and audited', async () => {
  assert.match(
    await t.say(P.admin, 'org set maff email=ＣＳＩＲＴ＠ＭＡＦＦ．ＧＯ．ＪＰ'),
    /組織 maff のメールアドレスを CSIRT@maff\.go\.jp に設定しました/,
  );
  assert.equal(await stored('maff'), 'CSIRT@maff.go.jp');
  assert.match(await t.say(P.admin, 'org show maff'), /メールアドレス: CSIRT@maff\.go\.jp/);
  const a = await t.app.db.prisma.auditRecord.findFirst({ where: { action: 'org.email' }, orderBy: { seq: 'desc' } });
  assert.deepEqual(JSON.parse(a?.data ?? '{}'), { from: null, to: 'CSIRT@maff.go.jp' });
  // an internationalised domain is kept in its ASCII form; English reply
  assert.match(await t.say(P.admin, 'lang en'), /./);
  assert.match(
    await t.say(P.admin, 'org set mlit email=csirt@国土交通省.jp'),
    /Set the e-mail address of mlit to csirt@xn--/,
  );
  await t.run(P.admin, 'lang ja');
});

test('bad addresses are refused saying why, and nothing is written', async () => {
  await refusedWritingNothing(P.admin, 'org set maff email="a@b.jp\r\nBcc: x@evil.example"', /改行/);
  await refusedWritingNothing(
    P.admin,
    'org set maff email=cs\u200Birt@maff.go.jp',
    /目に見えない文字または制御文字（U\+200B）/,
  );
  await refusedWritingNothing(P.admin, 'org set maff email=csirt@maff.go.jp\u202E', /U\+202E/);
  await refusedWritingNothing(P.admin, 'org set maff email=csirt', /「名前@ドメイン」の形/);
  await refusedWritingNothing(P.admin, 'org set maff email=csirt@localhost', /ドメイン名が正しくありません/);
  await refusedWritingNothing(P.admin, 'org set maff email=担当@maff.go.jp', /半角英数字と記号のみ/);
  await refusedWritingNothing(P.admin, 'org set maff email=CSIRT@maff.go.jp', /既に CSIRT@maff\.go\.jp です/);
  // not an admin
  await refusedWritingNothing(P.coordinator, 'org set maff email=x@maff.go.jp', /./, 'denied');
  assert.equal(await stored('maff'), 'CSIRT@maff.go.jp');
});

test('email=- removes the address', async () => {
  assert.match(await t.say(P.admin, 'org set maff email=-'), /組織 maff のメールアドレスを削除しました/);
  assert.equal(await stored('maff'), null);
  assert.match(await t.say(P.admin, 'org show maff'), /メールアドレス: -/);
});
