/**
 * Handling marks beside TLP (機密性, 取扱制限) on incidents and advisories, and who ended a
 * rejected advisory (issue 18 items 4 and 8), through the command router: set at `report`,
 * `incident update` and `advisory draft`; shown in `incident show`, the exports and every
 * advisory view; bad or disguised marks refused with nothing written; an advisory never marked
 * less strictly than a source, also when the source changes between the steps.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, test } from 'vitest';
import { replyToText } from '../../src/core/reply.ts';
import type { Outcome } from '../../src/core/router.ts';
import { P, registerAdvisoryPeople } from '../helpers/advisory-fixtures.ts';
import { type TestApp, testApp } from '../helpers/app.ts';
import { tableCounts } from '../helpers/counts.ts';
import { mispProblems, stixProblems } from '../unit/domain/export-spec-checks.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
  await registerAdvisoryPeople(t);
});
afterAll(() => t.close());

const idOf = (text: string, prefix: 'INC' | 'ADV') => new RegExp(`${prefix}-\\d{4}-\\d{4}`).exec(text)?.[0] as string;
const attachment = (o: Outcome) => Buffer.from(o.reply.attachments?.[0]?.data ?? '', 'base64').toString('utf8');

/** Runs `cmd` as `who`, expecting a refusal matching `re` that writes nothing at all. */
async function refusedWritingNothing(who: string, cmd: string, re: RegExp): Promise<void> {
  const before = { audit: await t.auditCount(), tables: await tableCounts(t.app) };
  const o = await t.run(who, cmd);
  assert.equal(o.status, 'user_error', `${cmd}: ${replyToText(o.reply)}`);
  assert.match(replyToText(o.reply), re, cmd);
  assert.equal(await t.auditCount(), before.audit, cmd);
  assert.deepEqual(await tableCounts(t.app), before.tables, cmd);
}

async function report(args: string): Promise<string> {
  const o = await t.run(P.poc, `report category=malware summary="不審な通信" severity=high share=attributed ${args}`);
  assert.equal(o.status, 'ok', replyToText(o.reply));
  return idOf(replyToText(o.reply), 'INC');
}

test('handling marks: codes, labels, full-width and dash variants accepted; unknown marks and hidden characters refused, nothing written', async () => {
  const inc = await report('confidentiality=3 handling="ｎｅｅｄ‐ｔｏ‐ｋｎｏｗ、暗号化必須 no-copy no-copy"');
  const row = await t.app.db.prisma.incident.findUniqueOrThrow({ where: { id: inc } });
  // stored in the list's order, once each
  assert.equal(row.handling, 'need-to-know,no-copy,encryption-required');
  assert.equal(row.confidentiality, 3);
  const show = await t.say(P.poc, `incident show ${inc}`);
  assert.match(show, /TLP: TLP:AMBER\n機密性: 機密性3\n取扱制限: 関係者限り・複製禁止・暗号化必須/);

  const bad: [string, RegExp][] = [
    ['配布先限定', /取扱制限「配布先限定」は指定できません。関係者限り（need-to-know）、複製禁止（no-copy）/],
    ['極秘', /取扱制限「極秘」は指定できません/],
    ['関係者限り\u200b', /目に見えない文字または制御文字（U\+200B）は使用できません/],
    ['\u202e禁止製複', /目に見えない文字または制御文字（U\+202E）は使用できません/],
    ['複製\u00ad禁止', /目に見えない文字または制御文字（U\+00AD）は使用できません/],
    [',', /取扱制限「,」は指定できません/],
  ];
  for (const [value, re] of bad) {
    await refusedWritingNothing(P.poc, `report category=malware summary="x" handling="${value}"`, re);
    await refusedWritingNothing(P.poc, `incident update ${inc} handling="${value}"`, re);
    await refusedWritingNothing(
      P.coordinator,
      `advisory draft title="t" body="b" severity=low tlp=clear audience=all handling="${value}"`,
      re,
    );
  }
  await refusedWritingNothing(
    P.coordinator,
    'advisory draft title="t" body="b" severity=low tlp=clear audience=all kind=alert',
    /種類は 注意喚起（warning） または 情報提供（info） を指定してください/,
  );
  await refusedWritingNothing(
    P.coordinator,
    'advisory draft title="t" body="b" severity=low tlp=clear audience=all confidentiality=4',
    /confidentiality/,
  );
  await t.run(P.poc, 'lang en');
  await refusedWritingNothing(
    P.poc,
    `incident update ${inc} handling=secret`,
    /The handling mark "secret" is not one we know\. Give one or more of need-to-know \("Need-to-know only"\), no-copy \("No copying"\)/,
  );
  await t.run(P.poc, 'lang ja');
});

test('English labels with spaces typed on the command line: quoted, unquoted or in key form; full-width; anything else refused listing the values', async () => {
  const inc = await report('tlp=green');
  await t.run(P.poc, 'lang en');
  const stored = async () => (await t.app.db.prisma.incident.findUniqueOrThrow({ where: { id: inc } })).handling;
  const ok: [string, string][] = [
    ['handling=「"Need-to-know only", "No copying"」', 'need-to-know,no-copy'],
    ['handling="“Encryption required” no-forwarding"', 'no-forwarding,encryption-required'],
    ['handling="No distribution, Need-to-know only"', 'need-to-know,no-distribution'],
    ['handling="no-copying need-to-know-only"', 'need-to-know,no-copy'],
    ['handling="ＮＯ　ＣＯＰＹＩＮＧ"', 'no-copy'],
    ['handling="\'No forwarding\'"', 'no-forwarding'],
  ];
  for (const [arg, want] of ok) {
    const o = await t.run(P.poc, `incident update ${inc} ${arg}`);
    assert.equal(o.status, 'ok', `${arg}: ${replyToText(o.reply)}`);
    assert.equal(await stored(), want, arg);
  }
  const listed =
    /Give one or more of need-to-know \("Need-to-know only"\), no-copy \("No copying"\), no-distribution \("No distribution"\), no-forwarding \("No forwarding"\), encryption-required \("Encryption required"\)/;
  for (const [arg, value] of [
    ['handling="No copyin"', 'No copyin'],
    ['handling=「"No copying」', '"No copying'],
    ['handling="Need-to-know only please"', 'please'],
    ['handling="only"', 'only'],
  ] as const) {
    await refusedWritingNothing(
      P.poc,
      `incident update ${inc} ${arg}`,
      new RegExp(`The handling mark "${value}" is not one we know`),
    );
    await refusedWritingNothing(P.poc, `incident update ${inc} ${arg}`, listed);
  }
  // a hidden character inside a quoted label is refused like one anywhere else
  await refusedWritingNothing(P.poc, `incident update ${inc} handling=「"No\u200bcopying"」`, /U\+200B/);
  await refusedWritingNothing(P.poc, `incident update ${inc} handling=「"No\u202ecopying"」`, /U\+202E/);
  await t.run(P.poc, 'lang ja');
  await refusedWritingNothing(
    P.poc,
    `incident update ${inc} handling="No copyin"`,
    /取扱制限「No copyin」は指定できません。関係者限り（need-to-know）/,
  );
});

test('incident update changes the marks (reporting organisation only), the timeline says it in words, the exports carry them', async () => {
  const inc = await report('tlp=green');
  await refusedWritingNothing(
    P.coordinator,
    `incident update ${inc} confidentiality=2`,
    /機密性を変更できるのは、報告元の組織の窓口担当者のみです/,
  );
  await refusedWritingNothing(
    P.coordinator,
    `incident update ${inc} handling=no-copy`,
    /取扱制限を変更できるのは、報告元の組織の窓口担当者のみです/,
  );
  assert.match(
    await t.say(P.poc, `incident update ${inc} confidentiality=2 handling="転送禁止,関係者限り"`),
    /機密性、取扱制限/,
  );
  const show = await t.say(P.coordinator, `incident show ${inc}`);
  assert.match(show, /機密性: 機密性2\n取扱制限: 関係者限り・転送禁止/);
  assert.match(show, /取扱制限を変更: なし → 関係者限り・転送禁止/);
  assert.doesNotMatch(show, /need-to-know|no-forwarding/);
  // the update post to the channels carries them beside TLP
  assert.match(t.platform.in('maff').at(-1) ?? '', /TLP: TLP:GREEN\n機密性: 機密性2\n取扱制限: 関係者限り・転送禁止/);

  const stix = JSON.parse(attachment(await t.run(P.coordinator, `incident export ${inc} format=stix`)));
  assert.deepEqual(stixProblems(stix), []);
  const statements = stix.objects
    .filter((o: { definition_type?: string }) => o.definition_type === 'statement')
    .map((o: { definition: { statement: string } }) => o.definition.statement);
  assert.deepEqual(statements, [
    '機密性2 (Confidentiality class 2, Japanese government unified standards)',
    '取扱制限: 関係者限り (Handling: Need-to-know only)',
    '取扱制限: 転送禁止 (Handling: No forwarding)',
  ]);
  const incident = stix.objects.find((o: { type: string }) => o.type === 'incident');
  assert.equal(incident.object_marking_refs.length, 4, 'TLP and the three marks');
  const misp = JSON.parse(attachment(await t.run(P.coordinator, `incident export ${inc} format=misp`)));
  assert.deepEqual(mispProblems(misp), []);
  assert.deepEqual(
    misp.Event.Tag.map((x: { name: string }) => x.name).filter((n: string) => n.startsWith('jp-gov')),
    [
      'jp-gov-unified-standards:confidentiality="2"',
      'jp-gov-unified-standards:handling="need-to-know"',
      'jp-gov-unified-standards:handling="no-forwarding"',
    ],
  );
  // cleared again: `none`
  await t.say(P.poc, `incident update ${inc} handling=なし`);
  assert.equal((await t.app.db.prisma.incident.findUniqueOrThrow({ where: { id: inc } })).handling, null);
});

test('an advisory takes its sources marks by default, is refused below them, and is refused at approval when a source was raised since', async () => {
  const inc = await report('tlp=green confidentiality=2 handling=no-copy');
  await refusedWritingNothing(
    P.coordinator,
    `advisory draft title="t" body="b" severity=low tlp=green audience=mlit sources=${inc} confidentiality=1`,
    new RegExp(
      `情報提供元のインシデント（${inc}）は機密性2です。この注意喚起の機密性をこれより低くすることはできません。confidentiality=2 以上`,
    ),
  );
  await refusedWritingNothing(
    P.coordinator,
    `advisory draft title="t" body="b" severity=low tlp=green audience=mlit sources=${inc} handling=need-to-know`,
    new RegExp(
      `情報提供元のインシデント（${inc}）には取扱制限（複製禁止）が付されています。.*handling=need-to-know,no-copy`,
    ),
  );
  const d = await t.say(
    P.coordinator,
    `advisory draft title="t" body="b" severity=low tlp=green audience=mlit sources=${inc}`,
  );
  const adv = idOf(d, 'ADV');
  assert.match(d, /機密性: 機密性2\n取扱制限: 複製禁止/);
  await t.say(P.coordinator, `advisory submit ${adv}`);
  assert.match(await t.say(P.poc, `advisory consent ${adv} yes`), /承認待ちとなりました/);
  // the source raises its 機密性 after consenting: approval is refused, nothing goes out
  await t.say(P.poc, `incident update ${inc} confidentiality=3`);
  await refusedWritingNothing(
    P.approver,
    `advisory approve ${adv}`,
    /機密性3です。この注意喚起の機密性をこれより低くすることはできません/,
  );
  assert.equal(t.platform.in('mlit').filter((x) => x.includes(adv)).length, 0);
});

test('the kind is part of the text consented to: changed by hand after consent, approval goes back to the consent step', async () => {
  const inc = await report('tlp=green');
  const adv = idOf(
    await t.say(P.coordinator, `advisory draft title="t" body="b" severity=low tlp=green audience=mlit sources=${inc}`),
    'ADV',
  );
  await t.say(P.coordinator, `advisory submit ${adv}`);
  await t.say(P.poc, `advisory consent ${adv} yes`);
  await t.app.db.prisma.advisory.update({ where: { id: adv }, data: { kind: 'info' } });
  assert.match(await t.say(P.approver, `advisory approve ${adv}`), /配信される内容が同意の後に変わりました/);
  const a = await t.app.db.prisma.advisory.findUniqueOrThrow({ where: { id: adv } });
  assert.equal(a.status, 'consent');
  assert.equal(t.platform.in('mlit').filter((x) => x.includes(adv)).length, 0);
});

test('information: no ack button, no reminder job, ack refused; a warning keeps all three', async () => {
  const draft = async (kind: string) =>
    idOf(
      await t.say(P.coordinator, `advisory draft title="t" body="b" severity=low tlp=clear audience=mlit,env ${kind}`),
      'ADV',
    );
  const info = await draft('kind=info');
  const warn = await draft('');
  for (const id of [info, warn]) {
    await t.say(P.coordinator, `advisory submit ${id}`);
    assert.match(await t.say(P.approver, `advisory approve ${id}`), /承認しました/);
  }
  const jobs = async (id: string) => t.app.db.prisma.job.count({ where: { refId: id } });
  assert.equal(await jobs(info), 0);
  assert.equal(await jobs(warn), 3);
  const post = t.platform.posts.find((p) => p.channel === 'mlit' && p.text.includes(info));
  assert.ok(post);
  assert.match(post.text, new RegExp(`^■ 【情報提供】TLP:CLEAR ${info}「t」`));
  assert.equal(post.message.actions, undefined);
  assert.ok(t.platform.posts.find((p) => p.channel === 'mlit' && p.text.includes(warn))?.message.actions?.length);
  await refusedWritingNothing(P.mlit, `advisory ack ${info}`, /情報提供のため、受領確認は不要です/);
  await t.run(P.mlit, 'lang en');
  assert.match(await t.say(P.mlit, `advisory status ${info}`), /^■ \[Information\] TLP:CLEAR ADV-\d{4}-\d{4} "t"/);
  assert.doesNotMatch(await t.say(P.mlit, `advisory status ${info}`), /not yet|Acknowledge/);
  assert.match(await t.say(P.mlit, `advisory status ${warn}`), /^■ \[Warning\] TLP:CLEAR/);
  await t.run(P.mlit, 'lang ja');
});

test('a rejected advisory says who ended it, in status and list, in both languages', async () => {
  const inc = await report('tlp=green');
  const declined = idOf(
    await t.say(
      P.coordinator,
      `advisory draft title="却下1" body="b" severity=low tlp=green audience=mlit sources=${inc}`,
    ),
    'ADV',
  );
  await t.say(P.coordinator, `advisory submit ${declined}`);
  await t.say(P.poc, `advisory consent ${declined} no`);
  const rejected = idOf(
    await t.say(P.coordinator, 'advisory draft title="却下2" body="b" severity=low tlp=clear audience=all'),
    'ADV',
  );
  await t.say(P.coordinator, `advisory submit ${rejected}`);
  await t.say(P.approver, `advisory reject ${rejected} reason="根拠が不足しています"`);

  const s1 = await t.say(P.coordinator, `advisory status ${declined}`);
  assert.match(s1, /状態: 同意が得られなかったため中止/);
  assert.match(s1, /理由: 農林水産省 が同意しませんでした/);
  assert.doesNotMatch(s1, /declined by/);
  const s2 = await t.say(P.coordinator, `advisory status ${rejected}`);
  assert.match(s2, /状態: 承認者が却下/);
  assert.match(s2, /理由: 根拠が不足しています/);
  const list = await t.say(P.coordinator, 'advisory list status=rejected');
  assert.match(list, new RegExp(`${rejected}\\s+注意喚起\\s+承認者が却下`));
  assert.match(list, new RegExp(`${declined}\\s+注意喚起\\s+同意が得られなかったため中止`));
  // the source organisation sees that it ended, not the words of another source
  assert.match(await t.say(P.poc, `advisory status ${declined}`), /状態: 同意が得られなかったため中止/);

  await t.run(P.coordinator, 'lang en');
  assert.match(await t.say(P.coordinator, `advisory status ${declined}`), /Status: declined by a source/);
  assert.match(await t.say(P.coordinator, `advisory status ${rejected}`), /Status: rejected by the approver/);
  const en = await t.say(P.coordinator, 'advisory list');
  assert.match(en, new RegExp(`${declined}\\s+Warning\\s+declined by a source`));
  assert.match(en, new RegExp(`${rejected}\\s+Warning\\s+rejected by the approver`));
  await t.run(P.coordinator, 'lang ja');
  // a person outside the coordinating office's roles does not list advisories
  assert.equal((await t.run(P.poc, 'advisory list')).status, 'denied');
});

test("a decline is stored as a neutral code, shown in the reader's language; rows stored in English before still read right", async () => {
  const inc = await report('tlp=green');
  const adv = idOf(
    await t.say(
      P.coordinator,
      `advisory draft title="中止" body="b" severity=low tlp=green audience=mlit sources=${inc}`,
    ),
    'ADV',
  );
  await t.say(P.coordinator, `advisory submit ${adv}`);
  await t.say(P.poc, `advisory consent ${adv} no`);
  const row = () => t.app.db.prisma.advisory.findUniqueOrThrow({ where: { id: adv } });
  assert.equal((await row()).reason, 'declined:maff', 'a code, not English words');
  const ja = /理由: 農林水産省 が同意しませんでした/;
  const en = /Reason: Ministry of Agriculture, Forestry and Fisheries did not consent/;
  const shows = async (re: RegExp, lang: 'ja' | 'en') => {
    await t.run(P.coordinator, `lang ${lang}`);
    const s = await t.say(P.coordinator, `advisory status ${adv}`);
    assert.match(s, re);
    assert.doesNotMatch(s, /declined:|declined by maff/);
  };
  await shows(ja, 'ja');
  await shows(en, 'en');
  // the source row no longer says declined (asked again by hand): the code still names the organisation
  await t.app.db.prisma.advisorySource.updateMany({ where: { advisoryId: adv }, data: { consent: 'pending' } });
  await shows(ja, 'ja');
  await shows(en, 'en');
  // a row written before the code (English reason, no endedBy): still a source's decline, in words
  await t.app.db.prisma.advisory.update({ where: { id: adv }, data: { reason: 'declined by maff', endedBy: null } });
  await shows(/状態: 同意が得られなかったため中止\n[\s\S]*理由: 農林水産省 が同意しませんでした/, 'ja');
  await shows(
    /Status: declined by a source\n[\s\S]*Reason: Ministry of Agriculture, Forestry and Fisheries did not consent/,
    'en',
  );
  await t.run(P.coordinator, 'lang ja');
  // the source itself sees that it ended, no code
  assert.doesNotMatch(await t.say(P.poc, `advisory status ${adv}`), /declined/);
});
