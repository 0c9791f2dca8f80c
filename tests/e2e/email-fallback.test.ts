/**
 * E-mail as the second channel (issue #20 item 5, docs/email.md), through the console commands
 * against a real SMTP server (smtp-server, started here): an advisory whose organisation's
 * channel is gone goes by e-mail once, with the delivery id as Message-ID, Japanese first; an
 * organisation with no channel on a platform gets it by e-mail at approval; a lost answer is not
 * sent again (uncertain, for an administrator); TLP:RED never goes to an organisation's address,
 * not even from a row written by hand.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, onTestFinished, test } from 'vitest';
import { canonicalJson } from '../../src/audit/canonical-json.ts';
import { PlatformError, type PlatformName, type PlatformSeam } from '../../src/core/platform.ts';
import { replyToText } from '../../src/core/reply.ts';
import { MemoryPlatform } from '../fakes/memory-platform.ts';
import { P, registerAdvisoryPeople } from '../helpers/advisory-fixtures.ts';
import { type TestApp, testApp, testDb } from '../helpers/app.ts';
import { startSmtp, type TestSmtp } from '../helpers/smtp.ts';

const FROM = 'csirt-bot@nisc.example.go.jp';
const MAFF = 'csirt@maff.example.go.jp';
let smtp: TestSmtp;
let t: TestApp;

beforeAll(async () => {
  smtp = await startSmtp();
  // a short claim: an SMTP conversation may stay silent a third of it (5 s)
  t = await testApp({ env: { SMTP_URL: smtp.url, MAIL_FROM: FROM, DELIVERY_CLAIM_TTL_MS: '15000' } });
  await registerAdvisoryPeople(t);
  assert.match(await t.say(P.admin, `org set maff email=${MAFF}`), /設定しました/);
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

async function ok(app: TestApp, who: string, cmd: string): Promise<string> {
  const o = await app.run(who, cmd);
  assert.equal(o.status, 'ok', `${cmd}: ${replyToText(o.reply)}`);
  return replyToText(o.reply);
}

/** Drafts and submits an advisory; returns its id (approval is the caller's). */
async function submitted(app: TestApp, args: string): Promise<string> {
  const d = await ok(
    app,
    P.coordinator,
    `advisory draft title="メール試験" body="予備経路の確認" severity=low ${args}`,
  );
  const id = /ADV-\d{4}-\d{4}/.exec(d)?.[0] as string;
  await ok(app, P.coordinator, `advisory submit ${id}`);
  return id;
}

const rows = (app: TestApp, id: string) =>
  app.app.db.prisma.delivery.findMany({ where: { refType: 'advisory', refId: id }, orderBy: { createdAt: 'asc' } });

test('the channel is gone: the post fails for good and the e-mail arrives once, the delivery id as Message-ID', async () => {
  const id = await submitted(t, 'tlp=green audience=maff');
  // the organisation's channel was deleted: the platform refuses the post for good
  t.platform.failures.push(new PlatformError('permanent', 'channel_not_found'));
  await ok(t, P.approver, `advisory approve ${id}`);
  await t.app.dispatcher.drain();
  const ds = await rows(t, id);
  const chat = ds.find((d) => d.platform === 'console');
  const mail = ds.find((d) => d.platform === 'email');
  assert.equal(chat?.status, 'failed');
  assert.equal(chat?.error, 'channel_not_found');
  assert.equal(mail?.status, 'sent', JSON.stringify(mail));
  assert.equal(mail?.target, MAFF);
  const got = smtp.received.filter((m) => m.subject.includes(id));
  assert.equal(got.length, 1, 'one e-mail');
  const m = got[0] as (typeof got)[number];
  assert.equal(m.messageId, `<${mail?.id}@nisc.example.go.jp>`);
  assert.deepEqual(m.to, [MAFF]);
  assert.equal(m.from, FROM);
  assert.match(m.subject, /TLP:GREEN/);
  assert.match(m.headers, new RegExp(`^X-CSIRT-Delivery-Id: ${mail?.id}$`, 'im'));
  // Japanese first, then English; how to acknowledge without a button
  const ja = m.text.indexOf('予備経路の確認');
  const en = m.text.indexOf('To acknowledge it, run this command in the chat');
  assert.ok(ja >= 0 && en > ja, m.text);
  assert.match(m.text, new RegExp(`受領の連絡は、チャットで次のコマンドを実行してください: /csirt advisory ack ${id}`));
  // the advisory is sent once the mail settled; the fallback is audited
  assert.equal((await t.app.db.prisma.advisory.findUniqueOrThrow({ where: { id } })).status, 'sent');
  const a = await t.app.db.prisma.auditRecord.findFirst({ where: { action: 'delivery.email_fallback', subject: id } });
  const data = JSON.parse(a?.data ?? '{}');
  assert.equal(data.why, 'chat_failed');
  assert.equal(data.to, MAFF);
  assert.equal(data.chat.delivery, chat?.id);
  // draining again sends nothing more
  await t.app.dispatcher.drain();
  assert.equal(smtp.received.filter((x) => x.subject.includes(id)).length, 1);
  // withdrawn: a mail cannot be edited, so the notice goes as a reply to it
  await ok(t, P.coordinator, `advisory withdraw ${id}`);
  await t.app.dispatcher.drain();
  const reply = smtp.received.at(-1);
  assert.notEqual(reply?.messageId, m.messageId);
  assert.match(reply?.headers ?? '', new RegExp(`^In-Reply-To: ${m.messageId}$`, 'im'));
  assert.match(reply?.subject ?? '', new RegExp(id));
});

test('a lost answer is not sent twice: the row is uncertain, the office told; resend keeps the Message-ID', async () => {
  smtp.mode = 'stall';
  onTestFinished(() => {
    smtp.mode = 'accept';
  });
  const id = await submitted(t, 'tlp=green audience=maff');
  t.platform.failures.push(new PlatformError('permanent', 'is_archived'));
  const before = smtp.received.length;
  await ok(t, P.approver, `advisory approve ${id}`);
  await t.app.dispatcher.drain();
  // the server read the message and never answered: the client timed out after DATA
  const mail = (await rows(t, id)).find((d) => d.platform === 'email');
  assert.equal(mail?.status, 'failed');
  assert.match(mail?.error ?? '', /^mail_uncertain: /);
  assert.equal(smtp.received.length, before + 1);
  await t.app.dispatcher.drain();
  assert.equal(smtp.received.length, before + 1, 'not sent again by itself');
  // the coordinating office is told in its channel, as for every failed delivery
  assert.ok(
    t.platform.posts.some((p) => p.channel === 'nisc' && p.text.includes(mail?.id ?? '?') && /メール/.test(p.text)),
    'the office is told',
  );
  assert.match(await t.say(P.coordinator, `advisory status ${id}`), /メール: .*届いたかどうか確認できません/);
  const list = await t.say(P.admin, 'delivery list failed');
  assert.match(list, /メール/);
  assert.match(list, /届いたかどうか確認できません/);
  // an administrator who checked sends it again: the same Message-ID
  smtp.mode = 'accept';
  assert.equal((await t.run(P.admin, `delivery resend ${mail?.id}`)).status, 'ok');
  await t.app.dispatcher.drain();
  const again = smtp.received.slice(before);
  assert.equal(again.length, 2);
  assert.equal(again[1]?.messageId, again[0]?.messageId);
  assert.equal((await t.app.db.prisma.delivery.findUniqueOrThrow({ where: { id: mail?.id } })).status, 'sent');
});

test('a mail the server refuses (5yz) fails for good as refused, not as uncertain', async () => {
  smtp.mode = 'reject';
  onTestFinished(() => {
    smtp.mode = 'accept';
  });
  const id = await submitted(t, 'tlp=green audience=maff');
  t.platform.failures.push(new PlatformError('permanent', 'channel_not_found'));
  await ok(t, P.approver, `advisory approve ${id}`);
  await t.app.dispatcher.drain();
  const mail = (await rows(t, id)).find((d) => d.platform === 'email');
  assert.equal(mail?.status, 'failed');
  assert.match(mail?.error ?? '', /^smtp: .*554/);
  assert.equal(mail?.attempts, 1);
  assert.match(await t.say(P.admin, 'delivery list failed'), /554/);
});

test('TLP:RED never goes to an organisation address, not even from a row written by hand', async () => {
  const id = await submitted(t, 'tlp=red recipients=@maff-poc');
  await ok(t, P.approver, `advisory approve ${id}`);
  const ds = await rows(t, id);
  assert.deepEqual(
    ds.map((d) => [d.kind, d.platform]),
    [['dm', 'console']],
  );
  // a bug (or a hand) writes an e-mail copy to maff's address: the dispatcher refuses it
  const before = smtp.received.length;
  const row = await handWritten(id, MAFF, 'e3a1');
  assert.equal(row.status, 'failed');
  assert.match(row.error ?? '', /^refused \(TLP\)/);
  assert.equal(smtp.received.length, before, 'nothing sent');
});

test("a copy to an address that is not (or no longer) the organisation's is refused, nothing sent", async () => {
  smtp.mode = 'accept';
  const id = await submitted(t, 'tlp=green audience=maff');
  await ok(t, P.approver, `advisory approve ${id}`);
  const before = smtp.received.length;
  const row = await handWritten(id, 'someone@elsewhere.example.com', 'e3a2');
  assert.equal(row.status, 'failed');
  assert.match(row.error ?? '', /^refused/);
  assert.equal(smtp.received.length, before, 'nothing sent');
});

/** An e-mail copy of advisory `id` to maff written straight into the outbox, then the dispatcher's verdict. */
async function handWritten(id: string, to: string, tag: string) {
  const rowId = `00000000-0000-4000-8000-00000000${tag}`;
  await t.app.db.prisma.delivery.create({
    data: {
      id: rowId,
      kind: 'post',
      platform: 'email',
      target: to,
      orgId: (await t.app.db.prisma.organization.findUniqueOrThrow({ where: { code: 'maff' } })).id,
      message: canonicalJson({ blocks: [{ kind: 'heading', text: 'leak' }] }),
      dedupeKey: `advisory:${id}:email:maff:${tag}`,
      status: 'pending',
      notBefore: t.clock.now(),
      refType: 'advisory',
      refId: id,
      createdAt: t.clock.now(),
    },
  });
  await t.app.dispatcher.drain();
  return t.app.db.prisma.delivery.findUniqueOrThrow({ where: { id: rowId } });
}

test('an organisation with no channel on a platform gets the advisory by e-mail at approval', async () => {
  const consolePlatform = new MemoryPlatform('console');
  const slack = new MemoryPlatform('slack');
  const u = await testApp({
    env: { SMTP_URL: smtp.url, MAIL_FROM: FROM },
    seams: new Map<PlatformName, PlatformSeam>([
      ['console', consolePlatform],
      ['slack', slack],
    ]),
  });
  try {
    await registerAdvisoryPeople(u);
    await ok(u, P.admin, `org set mof email=ＣＳＩＲＴ＠ＭＯＦ．ＥＸＡＭＰＬＥ．ＧＯ．ＪＰ`);
    const id = await submitted(u, 'tlp=clear audience=mof');
    const before = smtp.received.length;
    await ok(u, P.approver, `advisory approve ${id}`);
    await u.app.dispatcher.drain();
    const ds = await rows(u, id);
    assert.deepEqual(ds.map((d) => [d.platform, d.status, d.error]).sort(), [
      ['console', 'sent', null],
      ['email', 'sent', null],
      ['slack', 'failed', 'no_channel'],
    ]);
    const got = smtp.received.slice(before);
    assert.equal(got.length, 1);
    assert.deepEqual(got[0]?.to, ['CSIRT@mof.example.go.jp']);
    const a = await u.app.db.prisma.auditRecord.findFirst({
      where: { action: 'delivery.email_fallback', subject: id },
    });
    assert.equal(JSON.parse(a?.data ?? '{}').why, 'no_channel');
  } finally {
    await u.close();
  }
});

test('a login the SMTP server refuses stops e-mail (not the row): nothing marked, nothing sent, then sent once the login is right', async () => {
  const locked = await startSmtp('accept', { user: 'csirt-bot', pass: 'right-pw' });
  const db = await testDb();
  onTestFinished(() => db.drop());
  const u = await testApp({
    url: db.url,
    env: { SMTP_URL: locked.url.replace('//', '//csirt-bot:wrong-pw@'), MAIL_FROM: FROM },
  });
  try {
    await registerAdvisoryPeople(u);
    await ok(u, P.admin, `org set maff email=${MAFF}`);
    const id = await submitted(u, 'tlp=green audience=maff');
    u.platform.failures.push(new PlatformError('permanent', 'channel_not_found'));
    await ok(u, P.approver, `advisory approve ${id}`);
    await u.app.dispatcher.drain();
    const mail = (await rows(u, id)).find((d) => d.platform === 'email');
    assert.equal(mail?.status, 'pending', 'the row goes back as it was');
    assert.equal(mail?.attempts, 0);
    assert.equal(mail?.error, null, 'not marked: nothing was handed over');
    assert.equal(locked.received.length, 0);
    assert.deepEqual(
      u.app.dispatcher.authFailures().map((f) => f.platform),
      ['email'],
    );
  } finally {
    await u.close();
  }
  // the same database with the right password: sent once
  const v = await testApp({
    url: db.url,
    env: { SMTP_URL: locked.url.replace('//', '//csirt-bot:right-pw@'), MAIL_FROM: FROM },
  });
  try {
    await v.app.dispatcher.drain();
    assert.equal(locked.received.length, 1);
    assert.equal((await v.app.db.prisma.delivery.findFirstOrThrow({ where: { platform: 'email' } })).status, 'sent');
  } finally {
    await v.close();
    await locked.close();
  }
});
