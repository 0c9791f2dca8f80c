/**
 * The other messages to a person by e-mail (issue 20 item 5): a TLP:RED copy to a named
 * recipient, a consent request to a source organisation's PoC, an incident clock's message to
 * the CISO. The bot runs on the console only; the person is of another platform (`slack:…`)
 * with an address. Through the real commands, the dispatcher and a real SMTP server: the mail
 * arrives once, its Message-ID the delivery id, Japanese then English; and the attack — the
 * recipient no longer named / the role removed / the address changed between writing and
 * sending (the SMTP server defers, the row waits) — sends nothing.
 */
import assert from 'node:assert/strict';
import { afterAll, afterEach, beforeAll, beforeEach, test } from 'vitest';
import { canonicalJson } from '../../src/audit/canonical-json.ts';
import { P } from '../helpers/advisory-fixtures.ts';
import type { TestApp } from '../helpers/app.ts';
import { escalationApp, okIn } from '../helpers/escalation.ts';
import { startSmtp, type TestSmtp } from '../helpers/smtp.ts';

const T0 = Date.parse('2026-11-25T01:00:00Z');
const H = 3_600_000;
const FROM = 'csirt-bot@nisc.example.go.jp';
const RED = 'slack:U0MAFFRED';
const RED_MAIL = 'red@maff.go.jp';

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
    SMTP_URL: smtp.url,
    MAIL_FROM: FROM,
    DELIVERY_CLAIM_TTL_MS: '15000',
  });
  await ok(P.admin, `poc add ${RED} org=maff role=ciso`);
  await ok(P.admin, `person set ${RED} email=${RED_MAIL}`);
});
afterEach(() => t.close());

const mailsTo = (address: string) => smtp.received.filter((m) => m.to.includes(address));
const mailRows = (refType: string) => t.app.db.prisma.delivery.findMany({ where: { refType, platform: 'email' } });

async function draft(args: string): Promise<string> {
  const drafted = await ok(
    P.coordinator,
    `advisory draft title="VPN 装置の更新のお願い" body="本文は配信先のみ" severity=high ${args}`,
  );
  return /ADV-\d{4}-\d{4}/.exec(drafted)?.[0] as string;
}

/** Drafted, submitted, approved; with `deferred` the SMTP server defers, so the copies wait. */
async function approved(args: string, deferred = false): Promise<string> {
  const id = await draft(args);
  await ok(P.coordinator, `advisory submit ${id}`);
  if (deferred) smtp.mode = 'defer';
  await ok(P.approver, `advisory approve ${id}`);
  await t.app.dispatcher.drain();
  smtp.mode = 'accept';
  return id;
}

/** Later: the dispatcher tries the waiting rows again. */
async function retried(hours: number): Promise<void> {
  t.clock.set(new Date(T0 + hours * H).toISOString());
  await t.app.dispatcher.drain();
}

test('TLP:RED: a named recipient without chat gets the copy by e-mail once, Message-ID = delivery id, ja then en', async () => {
  const id = await approved(`tlp=red recipients=${P.poc},${RED}`);
  await retried(1);
  const rows = await mailRows('advisory');
  assert.equal(rows.length, 1);
  const row = rows[0] as (typeof rows)[number];
  assert.equal(`${row.status}:${row.kind}:${row.target}:${row.orgId}`, `sent:post:${RED_MAIL}:null`);
  const got = mailsTo(RED_MAIL);
  assert.equal(got.length, 1, 'one e-mail');
  const m = got[0] as (typeof got)[number];
  assert.equal(m.messageId, `<${row.id}@nisc.example.go.jp>`);
  assert.match(m.text, /本文は配信先のみ/, 'a named recipient gets the advisory itself');
  const ja = m.text.indexOf('チャットで次のコマンドを入力してください');
  const en = m.text.indexOf('type this command in the chat');
  assert.ok(ja >= 0 && en > ja, m.text);
  // the named recipient on the console still gets a direct message, and only that
  const dms = await t.app.db.prisma.delivery.findMany({ where: { refType: 'advisory', kind: 'dm' } });
  assert.deepEqual(
    dms.map((d) => `${d.platform}:${d.target}:${d.status}`),
    [`${P.poc}:sent`],
  );
  const a = await t.app.db.prisma.advisory.findUniqueOrThrow({ where: { id } });
  assert.equal(a.status, 'sent');
});

test('TLP:RED: the role removed between writing and sending: no mail', async () => {
  await approved(`tlp=red recipients=${P.poc},${RED}`, true);
  const [row] = await mailRows('advisory');
  assert.equal(row?.status, 'pending', JSON.stringify(row));
  await ok(P.admin, `poc remove ${RED}`);
  await retried(1);
  const [after] = await mailRows('advisory');
  assert.equal(`${after?.status}:${after?.error}`, `failed:refused (TLP): ${RED} no longer holds a role`);
  assert.equal(smtp.received.length, 0);
});

test('TLP:RED: the address changed between writing and sending: nothing to either address', async () => {
  await approved(`tlp=red recipients=${P.poc},${RED}`, true);
  await ok(RED, `person set ${RED} email=red-new@maff.go.jp`);
  await retried(1);
  const [row] = await mailRows('advisory');
  assert.equal(`${row?.status}:${row?.error}`, 'failed:refused: the address is no longer the person’s');
  assert.equal(smtp.received.length, 0);
});

test('TLP:RED: a copy by e-mail to a person not named (a row written by hand): refused, no mail', async () => {
  const OTHER = 'slack:U0MAFFOTHER';
  await ok(P.admin, `poc add ${OTHER} org=maff role=poc`);
  await ok(P.admin, `person set ${OTHER} email=other@maff.go.jp`);
  const id = await approved(`tlp=red recipients=${P.poc},${RED}`);
  smtp.received.length = 0;
  const rowId = '00000000-0000-4000-8000-0000000000e6';
  await t.app.db.prisma.delivery.create({
    data: {
      id: rowId,
      kind: 'post',
      platform: 'email',
      target: 'other@maff.go.jp',
      message: canonicalJson({ blocks: [{ kind: 'heading', text: 'leak' }] }),
      dedupeKey: `advisory:${id}:${OTHER}`,
      status: 'pending',
      notBefore: t.clock.now(),
      refType: 'advisory',
      refId: id,
      createdAt: t.clock.now(),
    },
  });
  await t.app.dispatcher.drain();
  const row = await t.app.db.prisma.delivery.findUniqueOrThrow({ where: { id: rowId } });
  assert.equal(row.status, 'failed');
  assert.match(row.error ?? '', /^refused \(TLP\): .*named recipients \(slack:U0MAFFOTHER\)/);
  assert.equal(smtp.received.length, 0);
});
