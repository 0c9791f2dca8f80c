/**
 * Failures are seen (issue 22 item 1): a delivery failed for good is shown to the coordinating
 * office in its channel (once; a notice that fails is not announced again); `delivery list`
 * and `delivery resend` (administrators, audited, nothing written on bad input); a resend
 * whose post had in fact landed is found in the channel history and not posted twice.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, test } from 'vitest';
import { PlatformError } from '../../src/core/platform.ts';
import { enqueue } from '../../src/outbox/outbox.ts';
import { type TestApp, testApp } from '../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
  await t.run('console:admin', 'org add ops1 ja=運用確認庁 en="Ops Agency"');
});
afterAll(() => t.close());

async function put(target: string, key: string, ref?: { type: string; id: string }): Promise<string> {
  return t.app.db.tx((tx) =>
    enqueue(
      tx,
      {
        platform: 'console',
        kind: 'post',
        target,
        message: { blocks: [{ kind: 'text', text: `post ${key}` }] },
        dedupeKey: key,
        refType: ref?.type,
        refId: ref?.id,
      },
      t.clock.now(),
    ),
  );
}
const row = (id: string) => t.app.db.prisma.delivery.findUniqueOrThrow({ where: { id } });
const sentWith = (id: string) => t.platform.posts.filter((p) => p.deliveryId === id && p.kind !== 'update').length;

let failedId = '';

test('a permanent failure is shown once in the office channel, with the reason and how to resend', async () => {
  const notices = t.platform.in('nisc').length;
  t.platform.failures.push(new PlatformError('permanent', 'channel_not_found'));
  failedId = await put('ops1', 'adm:1', { type: 'incident', id: 'INC-2026-0007' });
  await t.app.dispatcher.drain();
  assert.equal((await row(failedId)).status, 'failed');
  const posted = t.platform.in('nisc').slice(notices);
  assert.equal(posted.length, 1);
  assert.match(posted[0] ?? '', /送信できなかった通知があります/);
  assert.match(posted[0] ?? '', /incident INC-2026-0007/);
  assert.match(posted[0] ?? '', /チャットサービスが受け付けませんでした（応答: channel_not_found）/);
  assert.match(posted[0] ?? '', new RegExp(`/csirt delivery resend ${failedId}`));
  await t.app.dispatcher.drain();
  assert.equal(t.platform.in('nisc').length, notices + 1, 'one notice');
});

test('a notice that itself fails is not announced again', async () => {
  const before = await t.app.db.prisma.delivery.count();
  t.platform.failures.push(new PlatformError('permanent', 'channel_not_found')); // the post
  t.platform.failures.push(new PlatformError('permanent', 'is_archived')); // its notice to the office
  const id = await put('ops1', 'adm:2');
  await t.app.dispatcher.drain();
  assert.equal((await row(id)).status, 'failed');
  const notice = await t.app.db.prisma.delivery.findFirstOrThrow({ where: { refType: 'delivery.failure', refId: id } });
  assert.equal(notice.status, 'failed');
  assert.equal(await t.app.db.prisma.delivery.count(), before + 2, 'the post and one notice, nothing more');
});

test('delivery list: administrators only; failed by default, pending on request', async () => {
  assert.match(await t.say('console:someone', 'delivery list'), /権限|permission/);
  const failed = await t.say('console:admin', 'delivery list');
  assert.match(failed, /送信できなかった通知（\d+ 件）/);
  assert.ok(failed.includes(failedId));
  assert.match(failed, /incident INC-2026-0007/);
  assert.match(await t.say('console:admin', 'delivery list pending'), /送信待ちの通知はありません/);
  assert.match(await t.say('console:admin', 'delivery list sent'), /failed|pending/);
});

test('delivery resend: bad input, unknown and not-failed ids are refused with nothing written', async () => {
  const sent = await put('ops1', 'adm:3');
  await t.app.dispatcher.drain();
  const audits = await t.auditCount();
  const rows = await t.app.db.prisma.delivery.findMany({ orderBy: { id: 'asc' } });
  assert.match(await t.say('console:admin', 'delivery resend xyz'), /通知番号（先頭 8 文字以上）/);
  assert.match(await t.say('console:admin', 'delivery resend 0000000000'), /見つかりませんでした/);
  assert.match(await t.say('console:admin', `delivery resend ${sent}`), /送信失敗の状態ではないため/);
  assert.match(await t.say('console:someone', `delivery resend ${failedId}`), /権限|permission/);
  assert.equal(await t.auditCount(), audits);
  assert.deepEqual(await t.app.db.prisma.delivery.findMany({ orderBy: { id: 'asc' } }), rows);
});

test('delivery resend <id> (full-width, 8 characters): a post that had landed after all is found in the history, not posted twice; audited', async () => {
  // the platform stored the post although the bot recorded a failure (its answer was lost, then a 4xx)
  t.platform.posts.push({
    kind: 'post',
    channel: 'ops1',
    ref: 'landed-1',
    deliveryId: failedId,
    message: { blocks: [] },
    text: 'post adm:1',
  });
  const typed = failedId.slice(0, 8).replace(/[0-9a-f]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
  const audits = await t.auditCount();
  assert.match(await t.say('console:admin', `delivery resend ${typed}`), /1 件の通知を再送の対象にしました/);
  const r = await row(failedId);
  assert.equal(r.status, 'sent');
  assert.equal(r.messageRef, 'ops1|landed-1');
  assert.equal(sentWith(failedId), 1, 'not posted a second time');
  assert.equal(r.resentBy, 'console:admin');
  assert.equal(await t.auditCount(), audits + 1);
  const rec = await t.app.db.prisma.auditRecord.findFirstOrThrow({ where: { action: 'delivery.resend' } });
  assert.equal(rec.subject, failedId);
  assert.equal(rec.actor, 'console:admin');
});

test('delivery resend failed: every failed delivery but the notices is sent again, each once, with a new retry horizon', async () => {
  t.platform.failures.push(new PlatformError('permanent', 'not_in_channel'));
  const a = await put('ops1', 'adm:4');
  await t.app.dispatcher.drain();
  assert.equal((await row(a)).status, 'failed');
  t.clock.advance(100 * 3_600_000); // long after: the 72 h horizon counts from the resend
  const said = await t.say('console:admin', 'delivery resend failed');
  assert.match(said, /件の通知を再送の対象にしました/, said);
  assert.equal((await row(a)).status, 'sent');
  assert.equal((await row(a)).retryFrom?.getTime(), t.clock.now().getTime(), 'the horizon counts from the resend');
  assert.equal(sentWith(a), 1);
  const stillFailed = await t.app.db.prisma.delivery.findMany({ where: { status: 'failed' } });
  assert.ok(
    stillFailed.every((d) => d.refType === 'delivery.failure'),
    'only failed notices stay failed',
  );
  assert.match(await t.say('console:admin', 'delivery resend failed'), /送信できなかった通知はありません/);
});
