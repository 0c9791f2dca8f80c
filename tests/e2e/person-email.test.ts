/**
 * `person set <user> email=<address>|email=none` (issue 20 item 5: a person's address, where an
 * escalation goes when the bot does not run on their chat): an administrator for anyone, a
 * person for themself; stored in the organisation's form (NFKC, the domain in ASCII, lower
 * case), shown by `poc list`, audited `person.email`; a bad address (full-width is folded, a
 * zero-width or bidi character refused), an unknown person, someone else's address: refused
 * saying why, in Japanese and in English, with nothing written.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, test } from 'vitest';
import { replyToText } from '../../src/core/reply.ts';
import { P, registerAdvisoryPeople } from '../helpers/advisory-fixtures.ts';
import { type TestApp, testApp } from '../helpers/app.ts';
import { tableCounts } from '../helpers/counts.ts';

const SLACK = 'slack:U0MAFFCISO';
let t: TestApp;
beforeAll(async () => {
  t = await testApp();
  await registerAdvisoryPeople(t);
  assert.match(await t.say(P.admin, `poc add ${SLACK} org=maff role=ciso`), /./);
});
afterAll(async () => {
  await t.close();
});

async function refusedWritingNothing(identity: string, cmd: string, re: RegExp, status = 'user_error'): Promise<void> {
  const before = { audit: await t.auditCount(), tables: await tableCounts(t.app) };
  const o = await t.run(identity, cmd);
  assert.equal(o.status, status, `${cmd}: ${replyToText(o.reply)}`);
  assert.match(replyToText(o.reply), re, cmd);
  assert.equal(await t.auditCount(), before.audit, cmd);
  assert.deepEqual(await tableCounts(t.app), before.tables, cmd);
}

const stored = async (identity: string) =>
  (await t.app.db.prisma.person.findUniqueOrThrow({ where: { identity } })).email;

test('an administrator sets a person of another platform full-width: one form, shown, audited', async () => {
  assert.match(
    await t.say(P.admin, `person set ${SLACK} email=ＣＩＳＯ＠ＭＡＦＦ．ＧＯ．ＪＰ`),
    /slack:U0MAFFCISO のメールアドレスを CISO@maff\.go\.jp に設定しました/,
  );
  assert.equal(await stored(SLACK), 'CISO@maff.go.jp');
  assert.match(await t.say(P.admin, 'poc list org=maff'), /slack:U0MAFFCISO +ciso +CISO@maff\.go\.jp/);
  const a = await t.app.db.prisma.auditRecord.findFirst({
    where: { action: 'person.email' },
    orderBy: { seq: 'desc' },
  });
  assert.equal(a?.subject, SLACK);
  assert.equal(a?.actor, P.admin);
  assert.deepEqual(JSON.parse(a?.data ?? '{}'), { from: null, to: 'CISO@maff.go.jp' });
});

test('a person sets and removes their own address; not someone else’s', async () => {
  assert.match(await t.say(P.poc, `person set ${P.poc} email=poc@maff.go.jp`), /設定しました/);
  assert.equal(await stored(P.poc), 'poc@maff.go.jp');
  await refusedWritingNothing(P.poc, `person set ${P.ciso} email=x@maff.go.jp`, /管理者のみ/);
  await refusedWritingNothing(P.coordinator, `person set ${SLACK} email=x@maff.go.jp`, /管理者のみ/);
  assert.match(await t.say(P.poc, `person set ${P.poc} email=none`), /console:maff-poc のメールアドレスを削除しました/);
  assert.equal(await stored(P.poc), null);
  const a = await t.app.db.prisma.auditRecord.findFirst({
    where: { action: 'person.email' },
    orderBy: { seq: 'desc' },
  });
  assert.equal(a?.actor, P.poc);
  assert.deepEqual(JSON.parse(a?.data ?? '{}'), { from: 'poc@maff.go.jp', to: null });
  // someone the directory does not know at all: not a person, refused before anything
  await refusedWritingNothing(P.stranger, `person set ${P.stranger} email=x@example.jp`, /./, 'denied');
});

test('bad addresses and unknown people are refused saying why (ja, then en), nothing written', async () => {
  await refusedWritingNothing(
    P.admin,
    `person set ${SLACK} email=ci\u200Bso@maff.go.jp`,
    /目に見えない文字または制御文字（U\+200B）/,
  );
  await refusedWritingNothing(P.admin, `person set ${SLACK} email=ciso@maff.go.jp\u202E`, /U\+202E/);
  await refusedWritingNothing(P.admin, `person set ${SLACK} email="a@b.jp\r\nBcc: x@evil.example"`, /改行/);
  await refusedWritingNothing(P.admin, `person set ${SLACK} email=ciso`, /「名前@ドメイン」の形/);
  await refusedWritingNothing(P.admin, `person set ${SLACK} email=CISO@maff.go.jp`, /既に CISO@maff\.go\.jp です/);
  await refusedWritingNothing(P.admin, 'person set slack:U0NOBODY email=x@maff.go.jp', /登録されていません/);
  assert.match(await t.say(P.admin, 'lang en'), /./);
  await refusedWritingNothing(
    P.admin,
    `person set ${SLACK} email=ci\u200Bso@maff.go.jp`,
    /invisible or control character \(U\+200B\)/,
  );
  await refusedWritingNothing(P.admin, 'person set slack:U0NOBODY email=x@maff.go.jp', /is not registered/);
  await t.run(P.admin, 'lang ja');
  assert.match(await t.say(P.poc, 'lang en'), /./);
  await refusedWritingNothing(P.poc, `person set ${SLACK} email=x@maff.go.jp`, /Only an administrator/);
  await t.run(P.poc, 'lang ja');
  assert.equal(await stored(SLACK), 'CISO@maff.go.jp');
});
