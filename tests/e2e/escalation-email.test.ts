/**
 * Escalation by e-mail (issue 20 item 5, the part for people): the bot runs on the console
 * only, and maff's deputy contact and the duty officer are people of another platform
 * (`slack:…`) with an address (`person set`). Through the real commands, the scheduler, the
 * dispatcher and a real SMTP server, with the clock moved:
 * - the advisory not acknowledged: the deputy's step arrives once by e-mail, the delivery id as
 *   Message-ID, Japanese then English, with the command to type; audited `email`; two
 *   processes taking the step at once still send one;
 * - acknowledged before the step: no mail; no address: skipped `no_chat` as before;
 * - the role removed, or the address changed, between the step and the send: no mail (the
 *   address the step chose is no longer theirs: nothing goes to the new one either);
 * - TLP:RED: an organisation's CISO who is not a named recipient gets no mail, not even from a
 *   row written by hand;
 * - the report deadline chase and the duty officer's approval request go the same way.
 * The SIGKILL case is the outbox's (tests/e2e/email-fallback-crash.test.ts): a mail to a person
 * is an ordinary `email` row, marked in flight by the same seam.
 */
import assert from 'node:assert/strict';
import { afterAll, afterEach, beforeAll, beforeEach, test } from 'vitest';
import { canonicalJson } from '../../src/audit/canonical-json.ts';
import { DEFAULT_ESCALATION_CHAIN } from '../../src/domain/escalation.ts';
import { deadlineAt } from '../../src/domain/report-clocks.ts';
import { loadReportPolicy } from '../../src/services/report-policy.ts';
import { P } from '../helpers/advisory-fixtures.ts';
import { type TestApp, testApp } from '../helpers/app.ts';
import { escalationApp, okIn, runAt } from '../helpers/escalation.ts';
import { startSmtp, type TestSmtp } from '../helpers/smtp.ts';

const T0 = Date.parse('2026-11-25T01:00:00Z');
const H = 3_600_000;
const FROM = 'csirt-bot@nisc.example.go.jp';
const DEP = 'slack:U0MAFFDEP';
const DEP_MAIL = 'DEP@maff.go.jp';
const CISO = 'slack:U0MAFFCISO';
const CISO_MAIL = 'ciso@maff.go.jp';

let smtp: TestSmtp;
let t: TestApp;
const ok = (who: string, cmd: string) => okIn(t, who, cmd);

beforeAll(async () => {
  smtp = await startSmtp();
});
afterAll(async () => {
  await smtp?.close();
});
beforeEach(async () => {
  smtp.mode = 'accept';
  smtp.received.length = 0;
  t = await escalationApp(new Date(T0).toISOString(), {
    ESCALATION_CHAIN: DEFAULT_ESCALATION_CHAIN,
    SMTP_URL: smtp.url,
    MAIL_FROM: FROM,
    DELIVERY_CLAIM_TTL_MS: '15000',
  });
  // maff's deputy is a Slack user; the bot runs on the console only
  await ok(P.admin, `poc add ${DEP} org=maff role=poc deputy=yes`);
  // typed full-width: stored in one form
  await ok(P.admin, `person set ${DEP} email=ＤＥＰ＠ＭＡＦＦ．ＧＯ．ＪＰ`);
});
afterEach(() => t.close());

async function send(args: string): Promise<string> {
  const drafted = await ok(
    P.coordinator,
    `advisory draft title="VPN 装置の更新のお願い" body="本文は配信先のみ" severity=high ${args}`,
  );
  const id = /ADV-\d{4}-\d{4}/.exec(drafted)?.[0] as string;
  await ok(P.coordinator, `advisory submit ${id}`);
  await ok(P.approver, `advisory approve ${id}`);
  return id;
}

const at = (hours: number) => runAt(t, T0 + hours * H);
const mailsTo = (address: string) => smtp.received.filter((m) => m.to.includes(address));
const mailRows = (refType = 'advisory-escalation') =>
  t.app.db.prisma.delivery.findMany({ where: { refType, platform: 'email' } });

async function escalateAudit(id: string): Promise<Record<string, unknown>[]> {
  const rows = await t.app.db.prisma.auditRecord.findMany({
    where: { action: 'advisory.escalate', subject: id },
    orderBy: { seq: 'asc' },
  });
  return rows.map((r) => JSON.parse(r.data) as Record<string, unknown>);
}

/** The step's job runs and writes the mail, which the SMTP server defers: the row waits. */
async function writtenNotSent(hours: number): Promise<void> {
  smtp.mode = 'defer';
  await at(hours);
  const [row] = await mailRows();
  assert.equal(row?.status, 'pending', JSON.stringify(row));
  smtp.mode = 'accept';
}

/** Later: the dispatcher tries the waiting row again (no job runs). */
async function retried(hours: number): Promise<void> {
  t.clock.set(new Date(T0 + hours * H).toISOString());
  await t.app.dispatcher.drain();
}

test('not acknowledged: the deputy without chat gets the step by e-mail once, Message-ID = delivery id, ja then en; two processes: still once', async () => {
  const id = await send('tlp=amber audience=maff');
  await at(24);
  assert.equal(smtp.received.length, 0, 'the primary contact is on the console: a direct message');
  // a second process on the same database takes the deputy's step at the same moment
  const u = await testApp({
    url: t.url,
    now: new Date(T0 + 28 * H).toISOString(),
    env: { ESCALATION_CHAIN: DEFAULT_ESCALATION_CHAIN, SMTP_URL: smtp.url, MAIL_FROM: FROM },
  });
  try {
    t.clock.set(new Date(T0 + 28 * H).toISOString());
    await Promise.all([t.app.scheduler.runDue(), u.app.scheduler.runDue()]);
    await Promise.all([t.app.dispatcher.drain(), u.app.dispatcher.drain()]);
  } finally {
    await u.close();
  }
  const rows = await mailRows();
  assert.equal(rows.length, 1);
  const row = rows[0] as (typeof rows)[number];
  assert.equal(`${row.status}:${row.kind}:${row.target}`, `sent:post:${DEP_MAIL}`);
  const got = mailsTo(DEP_MAIL);
  assert.equal(got.length, 1, 'one e-mail');
  const m = got[0] as (typeof got)[number];
  assert.equal(m.messageId, `<${row.id}@nisc.example.go.jp>`);
  assert.equal(m.subject, 'TLP:AMBER 受領確認のお願い（農林水産省）');
  assert.match(m.text, new RegExp(`${id}「VPN 装置の更新のお願い」`));
  const ja = m.text.indexOf(`「受領確認」は、チャットで次のコマンドを入力してください: /csirt advisory ack ${id}`);
  const en = m.text.indexOf(`type this command in the chat: /csirt advisory ack ${id}`);
  assert.ok(ja >= 0 && en > ja, m.text);
  assert.doesNotMatch(m.text, /本文は配信先のみ/, 'the step says the id and title, never the body');
  const audit = await escalateAudit(id);
  assert.deepEqual(audit[1], { org: 'maff', step: 2, role: 'deputy', to: [DEP], email: [DEP] });
  // the chain goes on by chat; nobody is mailed twice
  for (const h of [32, 34, 40, 24 * 10]) await at(h);
  assert.equal(mailsTo(DEP_MAIL).length, 1);
  assert.equal((await mailRows()).length, 1);
  assert.deepEqual(
    (await escalateAudit(id)).map((d) => `${d.step}:${d.role}:${d.skipped ?? d.email ?? 'chat'}`),
    ['1:primary:chat', `2:deputy:${DEP}`, '3:ciso:chat', '4:duty:chat'],
  );
});

test('acknowledged before the step: no mail; without an address the step is skipped no_chat as before', async () => {
  const id = await send('tlp=amber audience=maff');
  await at(24);
  await ok(P.poc, `advisory ack ${id}`);
  await at(28);
  assert.equal(smtp.received.length, 0);
  assert.equal((await mailRows()).length, 0);

  await ok(P.admin, `person set ${DEP} email=none`);
  // sent at 28 h: the primary at 52 h, the deputy's step at 56 h
  const other = await send('tlp=amber audience=maff');
  await at(52);
  await at(56);
  assert.equal(smtp.received.length, 0);
  const audit = await escalateAudit(other);
  assert.deepEqual(
    audit.slice(0, 3).map((d) => `${d.step}:${d.role}:${d.skipped ?? 'told'}`),
    ['1:primary:told', '2:deputy:no_chat', '3:ciso:told'],
  );
});

test('the role removed between the step and the send: no mail', async () => {
  await send('tlp=amber audience=maff');
  await at(24);
  await writtenNotSent(28);
  await ok(P.admin, `poc remove ${DEP}`);
  await retried(29);
  const [row] = await mailRows();
  assert.equal(`${row?.status}:${row?.error}`, 'failed:refused: no longer holds the role (deputy)');
  assert.equal(smtp.received.length, 0);
});

test('the address changed between the step and the send: no mail, not to the old address nor the new one', async () => {
  await send('tlp=amber audience=maff');
  await at(24);
  await writtenNotSent(28);
  await ok(DEP, `person set ${DEP} email=deputy-new@maff.go.jp`);
  await retried(29);
  const [row] = await mailRows();
  assert.equal(`${row?.status}:${row?.error}`, 'failed:refused: the address is no longer the person’s');
  assert.equal(smtp.received.length, 0);
});

test('TLP:RED: the CISO of an organisation, not a named recipient, gets no mail, not even from a row written by hand', async () => {
  await ok(P.admin, `poc add ${CISO} org=maff role=ciso`);
  await ok(P.admin, `person set ${CISO} email=${CISO_MAIL}`);
  const id = await send(`tlp=red recipients=${P.poc}`);
  for (const h of [24, 28, 32, 34, 24 * 10]) await at(h);
  assert.equal(smtp.received.length, 0);
  assert.deepEqual(
    (await escalateAudit(id)).map((d) => `${d.step}:${d.skipped ?? 'told'}`),
    ['1:told', '2:not_a_recipient', '3:not_a_recipient', '4:told'],
  );
  // a bug (or a hand) writes the CISO's step as a mail: the dispatcher refuses it
  const rowId = '00000000-0000-4000-8000-0000000000e5';
  await t.app.db.prisma.delivery.create({
    data: {
      id: rowId,
      kind: 'post',
      platform: 'email',
      target: CISO_MAIL,
      message: canonicalJson({ blocks: [{ kind: 'heading', text: 'leak' }] }),
      dedupeKey: `advisory:${id}:esc:maff:3:ciso:${CISO}`,
      status: 'pending',
      notBefore: t.clock.now(),
      refType: 'advisory-escalation',
      refId: id,
      createdAt: t.clock.now(),
    },
  });
  await t.app.dispatcher.drain();
  const row = await t.app.db.prisma.delivery.findUniqueOrThrow({ where: { id: rowId } });
  assert.equal(`${row.status}:${row.error}`, 'failed:refused (TLP): not a named recipient');
  assert.equal(smtp.received.length, 0);
});

test('the duty officer without chat gets the approval request by e-mail, with the command to approve', async () => {
  const DUTY = 'slack:U0NISCDUTY';
  await ok(P.admin, `poc add ${DUTY} org=nisc role=approver`);
  await ok(DUTY, `person set ${DUTY} email=duty@nisc.go.jp`);
  for (const d of ['日', '月', '火', '水', '木', '金', '土']) await ok(P.coordinator, `duty set ${d} ${DUTY}`);
  const drafted = await ok(
    P.coordinator,
    'advisory draft title="当番確認" body="本文" severity=low tlp=green audience=maff',
  );
  const id = /ADV-\d{4}-\d{4}/.exec(drafted)?.[0] as string;
  await ok(P.coordinator, `advisory submit ${id}`);
  const got = mailsTo('duty@nisc.go.jp');
  assert.equal(got.length, 1);
  const [row] = await mailRows('advisory-notice');
  assert.equal(got[0]?.messageId, `<${row?.id}@nisc.example.go.jp>`);
  assert.match(got[0]?.text ?? '', new RegExp(`/csirt advisory approve ${id}`));
});

test('the report deadline chase: the deputy without chat is chased by e-mail, once', async () => {
  await t.close();
  t = await escalationApp('2027-01-04T00:00:00Z', {
    REPORT_ESCALATION_CHAIN: 'primary:1h,deputy:2h,duty:2h',
    SMTP_URL: smtp.url,
    MAIL_FROM: FROM,
  });
  await ok(P.admin, `poc add ${DEP} org=maff role=poc deputy=yes`);
  await ok(P.admin, `person set ${DEP} email=${DEP_MAIL}`);
  const inc = /INC-\d{4}-\d{4}/.exec(
    await ok(P.poc, 'report category=malware summary="不審な通信を検知" severity=high'),
  )?.[0] as string;
  const row = await t.app.db.prisma.incident.findUniqueOrThrow({ where: { id: inc } });
  const update = loadReportPolicy(undefined).deadlines.find((d) => d.stage === 'update');
  assert.ok(update);
  const due = deadlineAt(row.awareAt ?? row.detectedAt, update.due).getTime();
  for (const ms of [due, due + 1 * H, due + 3 * H, due + 5 * H, due + 48 * H]) await runAt(t, ms);
  const got = mailsTo(DEP_MAIL);
  assert.equal(got.length, 1);
  const [mail] = await mailRows('incident-chase');
  assert.equal(got[0]?.messageId, `<${mail?.id}@nisc.example.go.jp>`);
  assert.match(got[0]?.text ?? '', new RegExp(`/csirt incident show ${inc}`));
  const audit = await t.app.db.prisma.auditRecord.findMany({
    where: { action: 'incident.chase', subject: inc },
    orderBy: { seq: 'asc' },
  });
  assert.deepEqual(
    audit
      .map((r) => JSON.parse(r.data) as { step: number; email?: string[] })
      .map((d) => `${d.step}:${d.email ?? '-'}`),
    ['1:-', `2:${DEP}`, '3:-'],
  );
});
