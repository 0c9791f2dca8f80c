/**
 * SIGKILL during sending does not send an e-mail twice (issue #20 item 5, docs/email.md). A real
 * bot process (tests/helpers/email-crash-child.ts) approves an advisory to maff, whose Slack
 * channel is gone: the post fails for good (channel_not_found, the fake Slack) and the copy goes
 * by e-mail to a real SMTP server started here, which reads the message and never answers (a
 * lost answer, deterministic: the kill lands while the DATA reply is awaited). The process is
 * killed with SIGKILL there; a second process (its clock past the dead one's claim) finds the row
 * marked in flight and does not send it again: the mail arrived once, with the delivery id as
 * Message-ID, the row is `mail_uncertain` for an administrator, the office is told in its
 * channel, and the advisory is `sent`.
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { ROOT } from '../../src/app.ts';
import { openDatabase } from '../../src/db/client.ts';
import { startFakeSlack } from '../fakes/slack-server.ts';
import { PROVIDER, testApp, testDb } from '../helpers/app.ts';
import { registerPersonas } from '../helpers/personas.ts';
import { startSmtp } from '../helpers/smtp.ts';
import { tsxChild } from '../helpers/tsx-child.ts';

const FROM = 'csirt-bot@nisc.example.go.jp';
const MAFF = 'csirt@maff.example.go.jp';
// an SMTP conversation may stay silent a third of the claim (10 s): the kill comes long before
const CLAIM_TTL_MS = 30_000;

function child(env: Record<string, string>) {
  const p = tsxChild('tests/helpers/email-crash-child.ts', [], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  let out = '';
  let err = '';
  p.stdout.on('data', (d) => (out += d));
  p.stderr.on('data', (d) => (err += d));
  const limit = setTimeout(() => p.kill('SIGKILL'), 240_000);
  const done = new Promise<{ code: number | null; signal: string | null; out: string; err: string }>((resolve) =>
    p.on('close', (code, signal) => {
      clearTimeout(limit);
      resolve({ code, signal, out, err });
    }),
  );
  return { done, kill: () => p.kill('SIGKILL'), out: () => out };
}

test('SIGKILL while the SMTP server holds the DATA answer: the e-mail is not sent twice', async () => {
  const db = await testDb();
  const slack = await startFakeSlack({ channels: { CNISC: { name: 'nisc' } } });
  const smtp = await startSmtp('stall');
  const shared = await openDatabase(db.url);
  try {
    const t = await testApp({ url: db.url });
    try {
      await registerPersonas(t);
      assert.equal((await t.run('console:admin', `org set maff email=${MAFF}`)).status, 'ok');
      await t.app.services.directory.setChannel('console:admin', 'nisc', 'slack', { id: 'CNISC', name: 'nisc' });
      // maff's channel was set, then deleted in Slack: the fake does not know it
      await t.app.services.directory.setChannel('console:admin', 'maff', 'slack', { id: 'CMAFFGONE', name: 'maff' });
    } finally {
      await t.close();
    }
    const base = {
      DATABASE_URL: db.url,
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_API_URL: slack.apiUrl,
      SLACK_SIGNING_SECRET: 'mail-crash-signing-secret',
      SMTP_URL: smtp.url,
      MAIL_FROM: FROM,
      DELIVERY_CLAIM_TTL_MS: String(CLAIM_TTL_MS),
    };
    const started = performance.now();
    const first = child({ ...base, MODE: 'broadcast' });
    // the server has read the whole message; its answer is held: kill now
    await Promise.race([
      smtp.dataRead(),
      first.done.then((r) => Promise.reject(new Error(`the first process ended: ${r.out} ${r.err}`))),
    ]);
    const readAt = performance.now();
    first.kill();
    const r1 = await first.done;
    assert.equal(r1.signal, 'SIGKILL');
    const id = /ADV (ADV-\d{4}-\d{4})/.exec(r1.out)?.[1] as string;
    assert.ok(id, r1.out);
    const rows = () => shared.prisma.delivery.findMany({ where: { refType: 'advisory', refId: id } });
    const mailRow = async () => (await rows()).find((d) => d.platform === 'email');
    const dead = await mailRow();
    assert.equal(dead?.status, 'sending');
    assert.equal(dead?.error, 'mail_in_flight', 'marked before the envelope');
    assert.equal(smtp.received.length, 1);
    // from now on the server would accept anything: a second send would show
    smtp.mode = 'accept';
    const second = child({ ...base, MODE: 'resume', ADV_ID: id, CLOCK_OFFSET_MS: String(CLAIM_TTL_MS + 10_000) });
    const r2 = await second.done;
    assert.equal(r2.code, 0, `${r2.signal ?? ''} ${r2.err}`);
    const resolvedMs = Math.round(performance.now() - readAt);
    // once, with the delivery id as Message-ID
    assert.equal(smtp.received.length, 1, 'the e-mail arrived once');
    const mail = await mailRow();
    assert.equal(smtp.received[0]?.messageId, `<${mail?.id}@nisc.example.go.jp>`);
    assert.deepEqual(smtp.received[0]?.to, [MAFF]);
    assert.match(smtp.received[0]?.subject ?? '', new RegExp(`TLP:GREEN.*${id}`));
    assert.equal(mail?.status, 'failed');
    assert.match(mail?.error ?? '', /^mail_uncertain: /);
    assert.equal(mail?.attempts, 2);
    const chat = (await rows()).find((d) => d.platform === 'slack');
    assert.equal(chat?.status, 'failed');
    assert.equal(chat?.error, 'channel_not_found');
    assert.equal((await shared.prisma.advisory.findUniqueOrThrow({ where: { id } })).status, 'sent');
    // the office is told in its Slack channel (the notice is written when the row fails; the
    // process stops once the advisory is sent, so the notice may still wait for the next one)
    const notice = await shared.prisma.delivery.findFirst({ where: { refType: 'delivery.failure', refId: mail?.id } });
    assert.equal(notice?.platform, 'slack');
    assert.equal(notice?.target, 'CNISC');
    assert.match(notice?.message ?? '', /メール/);
    const audit = await shared.prisma.auditRecord.findFirst({ where: { action: 'delivery.email_fallback' } });
    assert.equal(JSON.parse(audit?.data ?? '{}').why, 'chat_failed');
    console.log(
      `e-mail crash test (${PROVIDER}): message read by the server ${Math.round(readAt - started)} ms after start; ` +
        `killed, restarted, resolved as uncertain ${resolvedMs} ms after the read; 1 mail received`,
    );
  } finally {
    await shared.close();
    await smtp.close();
    await slack.close();
    await db.drop();
  }
}, 300_000);
