/**
 * The names an organisation goes by are data, editable by admins (`org set <org> short="…,…"`,
 * `org add … short=`), and the anonymity check reads them as they are now: names set a minute
 * ago, the organisation's channels and its people's platform ids count too.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, test } from 'vitest';
import { replyToText } from '../../src/core/reply.ts';
import { P, registerAdvisoryPeople, reportIncident } from '../helpers/advisory-fixtures.ts';
import { type TestApp, testApp } from '../helpers/app.ts';
import { tableCounts } from '../helpers/counts.ts';

let t: TestApp;
let inc: string;
beforeAll(async () => {
  t = await testApp();
  await registerAdvisoryPeople(t);
  inc = await reportIncident(t, P.poc, 'anonymized');
});
afterAll(async () => {
  await t.close();
});

const draft = (body: string) =>
  t.run(
    P.coordinator,
    `advisory draft title="注意喚起" body="${body}" severity=low tlp=green audience=all sources=${inc}`,
  );

async function refusedWritingNothing(identity: string, cmd: string, re: RegExp, status = 'user_error'): Promise<void> {
  const before = { audit: await t.auditCount(), tables: await tableCounts(t.app) };
  const o = await t.run(identity, cmd);
  assert.equal(o.status, status, cmd);
  assert.match(replyToText(o.reply), re, cmd);
  assert.equal(await t.auditCount(), before.audit, cmd);
  assert.deepEqual(await tableCounts(t.app), before.tables, cmd);
}

test('the shipped short names are in place and shown', async () => {
  assert.match(await t.say(P.admin, 'org show maff'), /略称: 農水省/);
  assert.match(await t.say(P.admin, 'org show mhlw'), /略称: 厚労省、Ministry of Health Labor and Welfare/);
  assert.match(await t.say(P.admin, 'org show mof'), /略称: -/);
});

test('org set short= replaces the short names; the check uses them at once, however spelt', async () => {
  assert.equal((await draft('ﾉｳｽｲの端末で確認')).status, 'ok');
  assert.match(
    await t.say(P.admin, 'org set maff short="農水省、ノウスイ,農水本省"'),
    /組織 maff の略称を設定しました: 農水省、ノウスイ、農水本省/,
  );
  const o = await draft('ﾉｳｽｲの端末で確認');
  assert.equal(o.status, 'user_error');
  assert.match(replyToText(o.reply), /「ﾉｳｽｲ」は「ノウスイ」と読めます/);
  const audit = await t.app.db.prisma.auditRecord.findFirst({
    where: { action: 'org.short' },
    orderBy: { seq: 'desc' },
  });
  assert.deepEqual(JSON.parse(audit?.data ?? '{}'), { short: ['農水省', 'ノウスイ', '農水本省'] });
  // the same name twice (once folded) is kept once
  assert.match(await t.say(P.admin, 'org set maff short="農水省,ＮＯＵＳＵＩ,nousui"'), /: 農水省、ＮＯＵＳＵＩ$/);
  assert.match(await t.say(P.admin, 'org set maff short=""'), /組織 maff の略称をすべて削除しました/);
  assert.equal((await draft('農水省の端末で確認')).status, 'ok');
  await t.run(P.admin, 'org set maff short="農水省"');
});

test('bad short names are refused naming the field, and nothing is written', async () => {
  await refusedWritingNothing(
    P.admin,
    'org set maff short="農水省,農\u200B林省"',
    /short[^:]*: 略称「農<U\+200B>林省」に、目に見えない文字または制御文字（U\+200B）が含まれています/,
  );
  await refusedWritingNothing(
    P.admin,
    'org set maff short="農"',
    /short[^:]*: 略称「農」は短すぎます。2 文字以上で指定してください/,
  );
  await refusedWritingNothing(
    P.admin,
    'org set maff short="2026"',
    /short[^:]*: 略称「2026」は数字だけのため使用できません/,
  );
  await refusedWritingNothing(
    P.admin,
    'org set mof short="財務本省,ＭＡＦＦ"',
    /略称「ＭＡＦＦ」は、組織 maff の名称・略称またはコードと同じため、設定できません/,
  );
  await refusedWritingNothing(
    P.admin,
    'org set mof short="厚労省"',
    /略称「厚労省」は、組織 mhlw の名称・略称またはコードと同じため/,
  );
  await refusedWritingNothing(P.admin, 'org set mof', /変更する項目を指定してください/);
  await refusedWritingNothing(P.poc, 'org set maff short="x1"', /権限/, 'denied');
});

test('org add takes short names; names with invisible or control characters are refused', async () => {
  await refusedWritingNothing(
    P.admin,
    'org add jaxa ja="宇宙航空\u202E研究開発機構" en="Japan Aerospace Exploration Agency"',
    /ja[^:]*: 目に見えない文字または制御文字（U\+202E）/,
  );
  await refusedWritingNothing(
    P.admin,
    'org add jaxa ja="宇宙航空研究開発機構" en="Japan\u0007 Aerospace Exploration Agency"',
    /en[^:]*: 目に見えない文字または制御文字（U\+0007）/,
  );
  assert.match(
    await t.say(
      P.admin,
      'org add jaxa ja="宇宙航空研究開発機構" en="Japan Aerospace Exploration Agency" short="JAXA,宇宙機構"',
    ),
    /組織「宇宙航空研究開発機構」（jaxa）を登録しました/,
  );
  assert.match(await t.say(P.admin, 'org show jaxa'), /略称: JAXA、宇宙機構/);
  // the coordinating office's short names are its own (issue 17: the shipped directory gives NCO)
  await refusedWritingNothing(
    P.admin,
    'org add ncoffice ja="統括室" en="Cybersecurity Office" short="NCO"',
    /略称「NCO」は、組織 nisc の名称・略称またはコードと同じため/,
  );
});

test("an organisation's channel and its people's platform ids name it too", async () => {
  await t.run(P.admin, 'org set maff channel=#nourin-room');
  const o = await draft('詳細は #nourin-room の投稿を参照');
  assert.equal(o.status, 'user_error');
  assert.match(replyToText(o.reply), /「nourin-room」/);
  await t.run(P.admin, 'poc add slack:U0NOURIN1 org=maff role=poc');
  const m = await draft('担当: <@U0NOURIN1>');
  assert.equal(m.status, 'user_error');
  assert.match(replyToText(m.reply), /「U0NOURIN1」/);
});

test("an organisation's official names are not another's name, short name or code, however spelt", async () => {
  // org add: the name of an organisation already registered, in full-width letters, with a
  // variant dash, or equal to another's short name or code
  await refusedWritingNothing(
    P.admin,
    'org add mof2 ja="財務省" en="Ministry of Finance 2"',
    /名称「財務省」は、組織 mof の名称・略称またはコードと同じため、使用できません/,
  );
  await refusedWritingNothing(
    P.admin,
    'org add mof3 ja="財務三庁" en="ＭＩＮＩＳＴＲＹ ＯＦ ＦＩＮＡＮＣＥ"',
    /名称「ＭＩＮＩＳＴＲＹ ＯＦ ＦＩＮＡＮＣＥ」は、組織 mof の名称・略称またはコードと同じため/,
  );
  await refusedWritingNothing(
    P.admin,
    'org add nsh ja="農水省" en="Nousui Agency"',
    /名称「農水省」は、組織 maff の名称・略称またはコードと同じため/,
  );
  await refusedWritingNothing(
    P.admin,
    'org add mff ja="農林水産四庁" en="MAFF"',
    /名称「MAFF」は、組織 maff の名称・略称またはコードと同じため/,
  );
  // org set: a rename onto another organisation's name
  await refusedWritingNothing(
    P.admin,
    'org set mlit ja="環境省"',
    /名称「環境省」は、組織 env の名称・略称またはコードと同じため/,
  );
  // its own names again are no conflict (a rename of the English name only)
  assert.match(await t.say(P.admin, 'org set mlit en="MLIT of Japan"'), /mlit/);
});
