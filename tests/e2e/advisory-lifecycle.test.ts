/**
 * An advisory's whole life through the router, as different people: draft from two incidents
 * (one `share=none`, one `share=anonymized`), consent by both sources' PoCs to the exact text,
 * approval by a second person, one post in each audience channel, acknowledgements, reminders,
 * status.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, test } from 'vitest';
import { replyToText } from '../../src/core/reply.ts';
import { P, registerAdvisoryPeople, reportIncident } from '../helpers/advisory-fixtures.ts';
import { type TestApp, testApp } from '../helpers/app.ts';

let t: TestApp;
let incNone: string;
let incAnon: string;
let id: string;
/** everything that could reveal the anonymised source (財務省, reported with share=anonymized) */
let anonymous: RegExp;
let first = 0;

beforeAll(async () => {
  t = await testApp();
  await registerAdvisoryPeople(t);
  incNone = await reportIncident(t, P.poc, 'none');
  incAnon = await reportIncident(t, P.otherPoc, 'anonymized');
  // from here on, every post is caused by the advisory (the reports' notices to NISC came before)
  first = t.platform.posts.length;
  anonymous = new RegExp(`\\bmof\\b|財務省|Ministry of Finance|${incAnon}`, 'i');
});
afterAll(() => t.close());

const posts = () => t.platform.posts.slice(first);

test('draft: the coordinator names title, body, TLP, audience and sources; the reply lists the channels', async () => {
  const o = await t.run(
    P.coordinator,
    `advisory draft title="標的型メールによる不正プログラム感染への注意" body="業務連絡を装ったメールの添付ファイルに注意してください。" severity=high tlp=amber audience=maff,mlit,env sources=${incNone},${incAnon.toLowerCase()}`,
  );
  assert.equal(o.status, 'ok', replyToText(o.reply));
  const text = replyToText(o.reply);
  id = /ADV-\d{4}-\d{4}/.exec(text)?.[0] as string;
  assert.match(id, /^ADV-2026-0001$/);
  assert.match(text, /TLP:AMBER/);
  assert.match(text, /農林水産省 \(maff\): console #maff/);
  assert.match(text, /環境省 \(env\): console #env/);
  assert.deepEqual(
    o.reply.actions?.map((a) => a.command),
    [`advisory submit ${id}`],
  );
});

test('submit: every source is asked to consent to the exact text (DM to its PoC with Consent/Decline)', async () => {
  const o = await t.run(P.coordinator, `advisory submit ${id}`);
  assert.match(replyToText(o.reply), /情報提供元（maff, mof）の窓口担当者に同意を依頼しました/);
  for (const [who, inc] of [
    ['@maff-poc', incNone],
    ['@mof-poc', incAnon],
  ] as const) {
    const dm = posts().filter((p) => p.channel === who);
    assert.equal(dm.length, 1, who);
    assert.match(dm[0]?.text ?? '', /情報提供元の同意のお願い/);
    assert.match(dm[0]?.text ?? '', new RegExp(inc));
    assert.match(dm[0]?.text ?? '', /貴組織名やインシデント番号は、配信される内容には記載しません/);
    assert.match(dm[0]?.text ?? '', /業務連絡を装ったメールの添付ファイルに注意してください。/, 'the text itself');
    assert.deepEqual(
      dm[0]?.message.actions?.map((a) => a.command),
      [`advisory consent ${id} yes version=1`, `advisory consent ${id} no version=1`],
    );
  }
  assert.match(await t.say(P.coordinator, `advisory status ${id}`), /情報提供元の同意確認中/);
  // nobody may approve yet, and a PoC of another organisation learns nothing (not even that it exists)
  assert.match(await t.say(P.approver, `advisory approve ${id}`), /同意確認中のため、承認はできません/);
  assert.equal(
    (await t.say(P.mlit, `advisory consent ${id} yes`)).replace(id, '<id>'),
    (await t.say(P.mlit, 'advisory consent ADV-2026-0999 yes')).replace('ADV-2026-0999', '<id>'),
  );
});

test('consent by every source PoC moves it to review; NISC is shown the exact channels', async () => {
  assert.match(await t.say(P.poc, `advisory consent ${id} yes version=1`), /他の情報提供元の回答をお待ちしています/);
  const o = await t.run(P.otherPoc, `advisory consent ${id} yes`);
  assert.match(replyToText(o.reply), /必要な同意が揃ったため、承認待ち/);
  const prompt = posts()
    .filter((p) => p.channel === 'nisc')
    .map((p) => p.text);
  assert.equal(prompt.length, 1);
  assert.match(prompt[0] ?? '', /TLP:AMBER 注意喚起 ADV-2026-0001 の承認をお願いします/);
  assert.match(
    prompt[0] ?? '',
    /配信先 \(3\):\n農林水産省 \(maff\): console #maff\n国土交通省 \(mlit\): console #mlit\n環境省 \(env\): console #env/,
  );
  const status = await t.say(P.approver, `advisory status ${id}`);
  assert.match(status, /承認待ち/);
  assert.match(status, /配信先（3 件）:\n農林水産省 \(maff\): console #maff/);
});

test('four eyes: the drafter cannot approve, even holding the approver role; a second person approves', async () => {
  // the coordinator role alone may not approve at all
  assert.equal((await t.run(P.coordinator, `advisory approve ${id}`)).status, 'denied');
  // a NISC member with both roles drafts another advisory and cannot approve it
  const d = await t.say(P.both, 'advisory draft title="x" body="y" severity=low tlp=green audience=mlit,env');
  const own = /ADV-\d{4}-\d{4}/.exec(d)?.[0] as string;
  await t.run(P.both, `advisory submit ${own}`);
  const before = await t.auditCount();
  const self = await t.run(P.both, `advisory approve ${own}`);
  assert.equal(self.status, 'user_error');
  assert.match(replyToText(self.reply), /ご自身が起案したものです。起案者は承認・却下できません/);
  assert.match(await t.say(P.both, `advisory reject ${own} reason="r"`), /ご自身が起案したもの/);
  assert.equal(await t.auditCount(), before, 'refusals write nothing');
  // the admin drafts and is refused too
  const ad = await t.say(P.admin, 'advisory draft title="a" body="b" severity=low tlp=clear audience=mlit');
  const adminOwn = /ADV-\d{4}-\d{4}/.exec(ad)?.[0] as string;
  await t.run(P.admin, `advisory submit ${adminOwn}`);
  assert.match(await t.say(P.admin, `advisory approve ${adminOwn}`), /ご自身が起案したもの/);
  await t.run(P.admin, `advisory withdraw ${adminOwn}`);
  await t.run(P.both, `advisory withdraw ${own}`);

  const o = await t.run(P.approver, `advisory approve ${id}`);
  assert.equal(o.status, 'ok', replyToText(o.reply));
  assert.match(replyToText(o.reply), /次の配信先 3 件に配信します/);
});

test('delivery: exactly one post in each audience channel with TLP label, severity, title, body and 受領確認', async () => {
  for (const ch of ['maff', 'mlit', 'env']) {
    const mine = posts().filter((p) => p.channel === ch && p.kind === 'post' && p.text.includes(id));
    assert.equal(mine.length, 1, ch);
    const p = mine[0]!;
    assert.match(p.text, /^■ 【注意喚起】TLP:AMBER ADV-2026-0001「標的型メールによる不正プログラム感染への注意」/);
    assert.match(p.text, /重大度: 高/);
    assert.match(p.text, /業務連絡を装ったメールの添付ファイルに注意してください。/);
    assert.match(p.text, /TLP:AMBER: 貴組織内およびその委託先等に限り/);
    assert.deepEqual(p.message.actions, [{ label: '受領確認', command: `advisory ack ${id}`, style: 'primary' }]);
  }
  for (const ch of ['mof', 'mofa', 'cas', 'npa']) assert.equal(posts().filter((p) => p.channel === ch).length, 0, ch);
  const a = await t.app.db.prisma.advisory.findUniqueOrThrow({ where: { id } });
  assert.equal(a.status, 'sent');
  const keys = (await t.app.db.prisma.delivery.findMany({ where: { refType: 'advisory', refId: id } }))
    .map((d) => d.dedupeKey)
    .sort();
  assert.deepEqual(keys, [`advisory:${id}:console:env`, `advisory:${id}:console:maff`, `advisory:${id}:console:mlit`]);
});

test('acknowledgement by audience PoCs; outsiders and doubles are refused; status shows who and when', async () => {
  t.clock.advance(3_600_000);
  assert.match(await t.say(P.poc, `advisory ack ${id}`), /受領確認を記録しました（maff）/);
  assert.match(await t.say(P.mlit, `advisory ack ${id}`), /受領確認を記録しました（mlit）/);
  assert.match(await t.say(P.poc, `advisory ack ${id}`), /console:maff-poc により既に受領確認されています/);
  assert.match(await t.say(P.otherPoc, `advisory ack ${id}`), /見つかりません/);
  const status = await t.say(P.approver, `advisory status ${id}`);
  assert.match(status, /配信完了/);
  assert.match(
    status,
    /農林水産省 \(maff\)\s+配信済み 令和8年11月25日\(水\) 10:00（日本時間）\s+console:maff-poc 令和8年11月25日\(水\) 11:00（日本時間）/,
  );
  assert.match(status, /国土交通省 \(mlit\)\s+配信済み 令和8年11月25日\(水\) 10:00（日本時間）\s+console:mlit-poc/);
  assert.match(status, /環境省 \(env\)\s+配信済み 令和8年11月25日\(水\) 10:00（日本時間）\s+未確認/);
  assert.match(status, /受領確認: 3 件中 2 件/);
  console.log(`\n${status}\n`);
});

test('reminders: 24 h after sending, then daily, only to organisations without an ack, at most 3', async () => {
  const jobs = await t.app.db.prisma.job.findMany({ where: { refId: id }, orderBy: { id: 'asc' } });
  assert.deepEqual(
    jobs.map((j) => j.id),
    [`advisory:${id}:ack:1`, `advisory:${id}:ack:2`, `advisory:${id}:ack:3`],
  );
  const sentAt = (await t.app.db.prisma.advisory.findUniqueOrThrow({ where: { id } })).sentAt as Date;
  assert.equal(jobs[0]?.dueAt.getTime(), sentAt.getTime() + 24 * 3_600_000);
  const reminders = () => posts().filter((p) => /受領確認のお願い/.test(p.text));
  t.clock.set(new Date(sentAt.getTime() + 24 * 3_600_000));
  await t.app.scheduler.runDue();
  await t.app.dispatcher.drain();
  assert.deepEqual(
    reminders().map((p) => p.channel),
    ['env'],
  );
  assert.match(reminders()[0]?.text ?? '', /受領確認のお願い（1 回目）/);
  await t.app.scheduler.runDue();
  assert.equal(reminders().length, 1, 'fires once');
  // env acknowledges; the remaining reminders are cancelled
  assert.match(await t.say(P.env, `advisory ack ${id}`), /受領確認を記録しました/);
  const left = await t.app.db.prisma.job.findMany({ where: { refId: id, status: 'pending' } });
  assert.equal(left.length, 0);
  t.clock.advance(3 * 24 * 3_600_000);
  await t.app.scheduler.runDue();
  await t.app.dispatcher.drain();
  assert.equal(reminders().length, 1);
});

test('the anonymised source is named in no post, no reply to other organisations and no audience status', async () => {
  assert.ok(posts().length >= 6);
  // (the source's own PoC is asked for its consent about its own report: that one names it)
  for (const p of posts().filter((x) => x.channel !== '@mof-poc'))
    assert.doesNotMatch(p.text, anonymous, `post to ${p.channel}: ${p.text}`);
  for (const who of [P.poc, P.mlit, P.env]) {
    const s = await t.say(who, `advisory status ${id}`);
    assert.doesNotMatch(s, anonymous, s);
    assert.match(s, /TLP:AMBER/);
  }
  // an audience organisation sees only its own row
  const mlit = await t.say(P.mlit, `advisory status ${id}`);
  assert.doesNotMatch(mlit, /農林水産省 \(maff\)\s+配信済み/);
  // NISC sees the source (its own view), marked as never named outward
  const nisc = await t.say(P.coordinator, `advisory status ${id}`);
  assert.match(nisc, new RegExp(incAnon));
  assert.match(nisc, /配信物・受信組織向けの表示には一切記載しません/);
  // the anonymised source's own PoC sees its own report and the text it consented to, nothing of the audience
  const own = await t.say(P.otherPoc, `advisory status ${id}`);
  assert.match(own, new RegExp(`${incAnon}\\s+財務省 \\(mof\\)\\s+組織名を伏せて共有可 / TLP:AMBER\\s+同意済み`));
  assert.match(own, /業務連絡を装った/);
  assert.doesNotMatch(own, /maff|mlit|env/);
  // someone outside the audience and the sources learns nothing
  await t.run(P.admin, 'poc add console:mod-poc org=mod role=poc');
  assert.match(await t.say('console:mod-poc', `advisory status ${id}`), /見つかりません/);
});

test('withdraw marks every delivered copy withdrawn in place and cancels what is pending', async () => {
  const n = await t.auditCount();
  const o = await t.run(P.coordinator, `advisory withdraw ${id}`);
  assert.match(replyToText(o.reply), /配信済みの 3 件に取下げを表示/);
  const updates = posts().filter((p) => p.kind === 'update');
  assert.deepEqual(updates.map((u) => u.channel).sort(), ['env', 'maff', 'mlit']);
  for (const u of updates) assert.match(u.text, /【取下げ】注意喚起 ADV-2026-0001/);
  assert.equal(await t.auditCount(), n + 1);
  assert.match(await t.say(P.env, `advisory ack ${id}`), /取り下げられているため/);
  assert.match(await t.say(P.coordinator, `advisory status ${id}`), /取下げを表示済み/);
  const audit = await t.app.db.prisma.auditRecord.findMany({ where: { subject: id }, orderBy: { seq: 'asc' } });
  assert.deepEqual(
    audit.map((r) => r.action),
    [
      'advisory.draft',
      'advisory.submit',
      'advisory.consent',
      'advisory.consent',
      'advisory.review',
      'advisory.approve',
      'advisory.sent',
      'advisory.ack',
      'advisory.ack',
      'advisory.ack_reminder',
      'advisory.ack',
      'advisory.withdraw',
    ],
  );
});
