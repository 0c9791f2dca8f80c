/**
 * The rules around the happy path: TLP refused at draft, TLP:RED to named people only, the
 * dispatch-time re-check, a declining source, 429 with Retry-After, permanent failures.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, test } from 'vitest';
import { PlatformError } from '../../src/core/platform.ts';
import { replyToText } from '../../src/core/reply.ts';
import { P, registerAdvisoryPeople, reportIncident } from '../helpers/advisory-fixtures.ts';
import { type TestApp, testApp } from '../helpers/app.ts';
import { tableCounts } from '../helpers/counts.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
  await registerAdvisoryPeople(t);
});
afterAll(() => t.close());

const idOf = (text: string) => /ADV-\d{4}-\d{4}/.exec(text)?.[0] as string;

/** Drafts and submits as the coordinator (no sources → straight to review). */
async function toReview(args: string, lead = P.coordinator): Promise<string> {
  const d = await t.run(
    lead,
    `advisory draft severity=medium ${args.includes('title=') ? '' : 'title="t" body="b" '}${args}`,
  );
  assert.equal(d.status, 'ok', replyToText(d.reply));
  const id = idOf(replyToText(d.reply));
  assert.match(await t.say(lead, `advisory submit ${id}`), /承認待ちとなりました/);
  return id;
}

test('TLP:AMBER (and AMBER+STRICT) to audience=all is refused at draft, saying why, and writes nothing', async () => {
  for (const tlp of ['amber', 'amber+strict']) {
    const before = { audit: await t.auditCount(), tables: await tableCounts(t.app) };
    const o = await t.run(P.coordinator, `advisory draft title="t" body="b" severity=high tlp=${tlp} audience=all`);
    assert.equal(o.status, 'user_error');
    assert.match(
      replyToText(o.reply),
      new RegExp(
        `TLP:${tlp.toUpperCase().replace('+', '\\+')} の情報は、知る必要のある組織に限って共有するものです。audience=all（全組織）は指定できません`,
      ),
    );
    assert.equal(await t.auditCount(), before.audit);
    assert.deepEqual(await tableCounts(t.app), before.tables);
  }
  await t.run(P.coordinator, 'lang en');
  assert.match(
    await t.say(P.coordinator, 'advisory draft title="t" body="b" severity=high tlp=amber audience=all'),
    /TLP:AMBER information is shared only with the organisations that need to know: audience=all is not allowed/,
  );
  await t.run(P.coordinator, 'lang ja');
});

test('other refusals at draft: RED with a channel audience, RED without recipients, unknown org, recipients off RED', async () => {
  const cases: [string, RegExp][] = [
    ['tlp=red audience=maff recipients=@maff-poc', /TLP:RED の情報はチャンネルには配信できません/],
    ['tlp=red', /TLP:RED の注意喚起には、受信者（recipients）を個別に指定してください/],
    ['tlp=amber audience=maff,nowhere', /配信先の組織「nowhere」は登録されていません/],
    ['tlp=green audience=maff recipients=@maff-poc', /個人宛ての配信（recipients=）は TLP:RED の場合のみ/],
    ['tlp=red recipients=@ghost', /受信者 console:ghost は担当者として登録されていません/],
    ['tlp=white audience=all', /TLP は clear, green, amber, amber\+strict, red のいずれか/],
    ['tlp=green audience=all sources=INC-2026-0999', /インシデント INC-2026-0999 は見つかりません/],
  ];
  const n = await t.auditCount();
  for (const [args, re] of cases) {
    const o = await t.run(P.coordinator, `advisory draft title="t" body="b" severity=low ${args}`);
    assert.equal(o.status, 'user_error', args);
    assert.match(replyToText(o.reply), re, args);
  }
  assert.equal(await t.auditCount(), n);
});

test('a title or body naming a source without consent to attribution is refused', async () => {
  const inc = await reportIncident(t, P.otherPoc, 'anonymized');
  const o = await t.run(
    P.coordinator,
    `advisory draft title="財務省で確認された攻撃" body="b" severity=low tlp=green audience=all sources=${inc}`,
  );
  assert.match(replyToText(o.reply), /情報提供元を特定できる記載（「財務省」/);
  const code = await t.say(
    P.coordinator,
    `advisory draft title="t" body="seen at MOF" severity=low tlp=green audience=all sources=${inc}`,
  );
  assert.match(code, /「MOF」/);
  // "mofa" is another organisation, not a mention of mof
  const ok = await t.run(
    P.coordinator,
    `advisory draft title="t" body="mofa" severity=low tlp=green audience=mlit sources=${inc}`,
  );
  assert.equal(ok.status, 'ok');
});

test('TLP:RED goes only to the named people, by direct message, and to no channel', async () => {
  const id = await toReview('title="赤の件名" body="赤の本文" tlp=red recipients=@maff-poc,console:mlit-poc');
  const prompt = t.platform.in('nisc').at(-1) ?? '';
  assert.match(prompt, /TLP:RED の注意喚起 ADV-\d{4}-\d{4}（受信者 2 名）が承認待ちです/);
  assert.doesNotMatch(
    prompt,
    /赤の件名|赤の本文|maff-poc/,
    'no title, body or recipient of a RED advisory in a channel',
  );
  assert.match(
    await t.say(P.approver, `advisory status ${id}`),
    /@console:maff-poc \(個人宛て\)\n@console:mlit-poc \(個人宛て\)/,
  );
  const before = t.platform.posts.length;
  await t.run(P.approver, `advisory approve ${id}`);
  const fresh = t.platform.posts.slice(before).filter((p) => p.text.includes(id));
  assert.deepEqual(fresh.map((p) => `${p.kind} ${p.channel}`).sort(), ['dm @maff-poc', 'dm @mlit-poc']);
  for (const p of fresh) assert.match(p.text, /^■ 【注意喚起】TLP:RED /);
  assert.match(await t.say(P.poc, `advisory ack ${id}`), /受領確認を記録しました/);
  assert.match(await t.say(P.env, `advisory ack ${id}`), /見つかりません/);
  const status = await t.say(P.approver, `advisory status ${id}`);
  assert.match(status, /@console:maff-poc\s+コンソール: 配信済み.*console:maff-poc 令和/);
  assert.match(status, /@console:mlit-poc\s+コンソール: 配信済み.*未確認/);
});

test('dispatch-time guard: a copy whose target breaks the TLP is failed with the reason, never sent', async () => {
  const id = await toReview('tlp=amber audience=maff,env');
  // approve without delivering, then tamper with one row as a bug or an operator might. The
  // approval kicks the dispatcher, and that pass may run before handle() returns (SQLite
  // answers a transaction only once its fsync is done, and lets the next one run meanwhile):
  // hold the dispatcher, so that the kicked pass puts back what it claims
  await t.app.dispatcher.stop();
  await t.app.router.handle({
    platform: 'console',
    identity: P.approver,
    text: `advisory approve ${id}`,
    channelId: null,
    refs: { user: async (r) => r, channel: async () => null },
  });
  await new Promise((r) => setImmediate(r)); // the kick's pass has started
  await t.app.dispatcher.stop();
  await t.app.db.prisma.delivery.updateMany({
    where: { dedupeKey: `advisory:${id}:console:env` },
    data: { target: 'mofa' },
  });
  t.app.dispatcher.start();
  await t.app.dispatcher.drain();
  assert.equal(t.platform.in('mofa').filter((x) => x.includes(id)).length, 0);
  assert.equal(t.platform.in('maff').filter((x) => x.includes(id)).length, 1);
  const row = await t.app.db.prisma.delivery.findUniqueOrThrow({ where: { dedupeKey: `advisory:${id}:console:env` } });
  assert.equal(row.status, 'failed');
  assert.match(row.error ?? '', /refused \(TLP\): A TLP:AMBER warning advisory cannot go to the channel of mofa/);
  const status = await t.say(P.approver, `advisory status ${id}`);
  assert.match(status, /環境省 \(env\)\s+配信失敗（refused \(TLP\)/);
  assert.match(status, /配信完了/, 'every copy settled (one failed) → sent');
});

test('a declining source stops the advisory and the drafter is told by direct message', async () => {
  const inc = await reportIncident(t, P.poc, 'none');
  const d = await t.say(
    P.coordinator,
    `advisory draft title="t" body="b" severity=low tlp=green audience=mlit sources=${inc}`,
  );
  const id = idOf(d);
  await t.run(P.coordinator, `advisory submit ${id}`);
  assert.match(await t.say(P.poc, `advisory consent ${id} no`), /不同意を記録しました。この注意喚起は配信されません/);
  const a = await t.app.db.prisma.advisory.findUniqueOrThrow({ where: { id } });
  assert.equal(a.status, 'rejected');
  assert.equal(a.reason, 'declined:maff');
  const dm = t.platform.in('@nisc-coord').at(-1) ?? '';
  assert.match(dm, new RegExp(`${id}.*情報提供元（農林水産省）の同意が得られなかったため中止しました`));
  assert.match(await t.say(P.approver, `advisory approve ${id}`), /却下されているため、承認はできません/);
  assert.equal(t.platform.in('mlit').filter((x) => x.includes(id)).length, 0);
});

test('an approver rejects with a reason; the drafter is told', async () => {
  const id = await toReview('tlp=clear audience=all');
  assert.match(await t.say(P.approver, `advisory reject ${id} reason="根拠の記載が不足しています"`), /却下しました/);
  assert.match(t.platform.in('@nisc-coord').at(-1) ?? '', /承認者が却下しました。理由: 根拠の記載が不足しています/);
});

test('429 with Retry-After: 2 — the copy waits, nothing is lost or doubled', async () => {
  const id = await toReview('tlp=green audience=env,mlit');
  t.platform.failures.push(new PlatformError('rate_limited', 'ratelimited', 2000));
  await t.run(P.approver, `advisory approve ${id}`);
  const rows = await t.app.db.prisma.delivery.findMany({ where: { refType: 'advisory', refId: id } });
  const waiting = rows.filter((r) => r.status === 'pending');
  assert.equal(waiting.length, 1);
  assert.equal(waiting[0]?.notBefore.getTime(), t.clock.now().getTime() + 2000);
  assert.equal((await t.app.db.prisma.advisory.findUniqueOrThrow({ where: { id } })).status, 'approved');
  await t.app.dispatcher.drain();
  t.clock.advance(1999);
  await t.app.dispatcher.drain();
  assert.equal(rows.length, 2);
  const count = () => ['env', 'mlit'].map((c) => t.platform.in(c).filter((x) => x.includes(id)).length);
  assert.equal(
    count().reduce((a, b) => a + b),
    1,
    'not before Retry-After',
  );
  t.clock.advance(1);
  await t.app.dispatcher.drain();
  assert.deepEqual(count(), [1, 1]);
  assert.equal((await t.app.db.prisma.advisory.findUniqueOrThrow({ where: { id } })).status, 'sent');
});

test('a permanent error fails that copy (shown in status), is not retried, and the rest still go', async () => {
  const id = await toReview('tlp=green audience=env,mlit');
  t.platform.failures.push(new PlatformError('permanent', 'channel_not_found'));
  await t.run(P.approver, `advisory approve ${id}`);
  t.clock.advance(3_600_000);
  await t.app.dispatcher.drain();
  const rows = await t.app.db.prisma.delivery.findMany({ where: { refType: 'advisory', refId: id } });
  assert.deepEqual(rows.map((r) => r.status).sort(), ['failed', 'sent']);
  assert.equal(rows.find((r) => r.status === 'failed')?.attempts, 1);
  assert.match(await t.say(P.approver, `advisory status ${id}`), /配信失敗（channel_not_found）/);
});

test('withdrawing while copies wait cancels them and the reminder jobs', async () => {
  const id = await toReview('tlp=green audience=env,mlit');
  t.platform.failures.push(new PlatformError('rate_limited', 'ratelimited', 60_000));
  await t.run(P.approver, `advisory approve ${id}`);
  const o = await t.run(P.coordinator, `advisory withdraw ${id}`);
  assert.match(replyToText(o.reply), /配信済みの 1 件に取下げを表示し、未配信の 1 件の配信を取り消しました/);
  t.clock.advance(120_000);
  await t.app.dispatcher.drain();
  const rows = await t.app.db.prisma.delivery.findMany({ where: { refType: 'advisory', refId: id } });
  assert.deepEqual(rows.map((r) => r.status).sort(), ['cancelled', 'sent']);
  assert.equal(await t.app.db.prisma.job.count({ where: { refId: id, status: 'pending' } }), 0);
});
