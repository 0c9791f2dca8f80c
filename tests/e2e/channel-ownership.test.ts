/**
 * One channel belongs to one organisation per platform (issue 15, item 5): assigning a taken
 * channel is refused naming the holder (also the console's implicit channel, an organisation's
 * code), two processes cannot both win, and the dispatcher refuses a post whose channel has
 * been given to someone else since it was written — a permanent failure, shown in
 * `advisory status` — whatever the post (advisory, meeting notice).
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

const idOf = (text: string) => /ADV-\d{4}-\d{4}/.exec(text)?.[0] as string;

test('a channel held by another organisation is refused, naming it, and nothing is written', async () => {
  assert.match(await t.say(P.admin, 'org set env channel=#env-csirt'), /#env-csirt に設定しました/);
  for (const [cmd, holder] of [
    ['org set mlit channel=#env-csirt', 'env'],
    ['org set mlit channel=#mof', 'mof'], // mof's console channel is its code until one is set
  ] as const) {
    const before = { audit: await t.auditCount(), tables: await tableCounts(t.app) };
    const o = await t.run(P.admin, cmd);
    assert.equal(o.status, 'user_error', cmd);
    assert.match(replyToText(o.reply), new RegExp(`既に組織 ${holder} に割り当てられています`));
    assert.equal(await t.auditCount(), before.audit);
    assert.deepEqual(await tableCounts(t.app), before.tables);
  }
  // a refused channel= writes nothing else of the same command either
  const o = await t.run(P.admin, 'org set mlit channel=#env-csirt short="国土交通本省"');
  assert.equal(o.status, 'user_error');
  assert.doesNotMatch(await t.say(P.admin, 'org show mlit'), /国土交通本省/);
  // setting an organisation's own channel again is fine
  assert.match(await t.say(P.admin, 'org set env channel=#env-csirt'), /#env-csirt に設定しました/);
  await t.run(P.admin, 'lang en');
  assert.match(
    await t.say(P.admin, 'org set mlit channel=#env-csirt'),
    /The console channel #env-csirt already belongs to env\. A channel can belong to one organisation only\./,
  );
  await t.run(P.admin, 'lang ja');
});

test('two admins giving one channel to two organisations at once: exactly one wins', async () => {
  const [a, b] = await Promise.all([
    t.run(P.admin, 'org set cao channel=#race'),
    t.run(P.admin, 'org set cas channel=#race'),
  ]);
  assert.deepEqual([a.status, b.status].sort(), ['ok', 'user_error']);
  const rows = await t.app.db.prisma.orgChannel.findMany({ where: { platform: 'console', channelId: 'race' } });
  assert.equal(rows.length, 1);
});

test('a post whose channel was given to another organisation before it went out is failed, not sent', async () => {
  // mof is in the audience too: the TLP check lets a copy into its channel, this one does not
  const d = await t.say(
    P.coordinator,
    'advisory draft title="件名" body="本文" severity=low tlp=amber audience=maff,mlit,mof',
  );
  const id = idOf(d);
  await t.run(P.coordinator, `advisory submit ${id}`);
  // approve with the dispatcher held, then move maff's channel to mof before anything is sent
  await t.app.dispatcher.stop();
  await t.app.router.handle({
    platform: 'console',
    identity: P.approver,
    text: `advisory approve ${id}`,
    channelId: null,
    refs: { user: async (r) => r, channel: async () => null },
  });
  await new Promise((r) => setImmediate(r));
  await t.app.dispatcher.stop();
  assert.match(await t.say(P.admin, 'org set maff channel=#maff-new'), /#maff-new に設定しました/);
  assert.match(await t.say(P.admin, 'org set mof channel=#maff'), /#maff に設定しました/);
  t.app.dispatcher.start();
  await t.app.dispatcher.drain();
  assert.equal(t.platform.in('maff').filter((x) => x.includes(id)).length, 0, 'not in the channel mof now reads');
  assert.equal(t.platform.in('mlit').filter((x) => x.includes(id)).length, 1);
  assert.equal(t.platform.in('mof').filter((x) => x.includes(id)).length, 0, "mof's old channel is nobody's now");
  const row = await t.app.db.prisma.delivery.findUniqueOrThrow({ where: { dedupeKey: `advisory:${id}:console:maff` } });
  assert.equal(row.status, 'failed');
  assert.equal(row.error, 'channel_moved');
  const status = await t.say(P.approver, `advisory status ${id}`);
  assert.match(status, /農林水産省 \(maff\)\s+配信失敗（宛先の組織のチャンネルが変更されたため、送信を中止しました）/);
  assert.match(status, /配信完了/);
});

test('any post to an organisation is checked, not only advisories (a meeting notice)', async () => {
  await t.app.dispatcher.stop();
  await t.app.router.handle({
    platform: 'console',
    identity: P.coordinator,
    text: 'meeting schedule title="定例会" start="2026-12-10 10:00" invite=env',
    channelId: null,
    refs: { user: async (r) => r, channel: async () => null },
  });
  await new Promise((r) => setImmediate(r));
  await t.app.dispatcher.stop();
  await t.run(P.admin, 'org set env channel=#env-new');
  await t.run(P.admin, 'org set caa channel=#env-csirt');
  t.app.dispatcher.start();
  await t.app.dispatcher.drain();
  assert.equal(t.platform.in('env-csirt').filter((x) => x.includes('定例会')).length, 0);
  const rows = await t.app.db.prisma.delivery.findMany({ where: { target: 'env-csirt', status: 'failed' } });
  assert.ok(rows.some((r) => r.error === 'channel_moved'));
});
