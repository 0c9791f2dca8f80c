/**
 * Escalation until acknowledged (issue 20 item 2), through the real commands, the scheduler and
 * the dispatcher, with the clock moved: an advisory nobody acknowledges goes to the primary
 * contact, the deputy, the CISO, then the duty officer, one step at a time, each once; it stops
 * at the first acknowledgement (also one that comes between the step's job and its message);
 * a role removed before its step is skipped and audited; TLP:RED reaches only named recipients
 * (and the duty officer); an exercise is marked; a withdrawal stops it; after ten days of
 * downtime the chain resumes one step at a time.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'vitest';
import { PlatformError } from '../../src/core/platform.ts';
import { DEFAULT_ESCALATION_CHAIN } from '../../src/domain/escalation.ts';
import { P } from '../helpers/advisory-fixtures.ts';
import type { TestApp } from '../helpers/app.ts';
import { DEPUTY, escalationApp, okIn, runAt } from '../helpers/escalation.ts';

const T0 = Date.parse('2026-11-25T01:00:00Z');
const H = 3_600_000;
const ESC = /段階のうち|This is step \d+ of/;

let t: TestApp;

const ok = (who: string, cmd: string) => okIn(t, who, cmd);

beforeEach(async () => {
  t = await escalationApp(new Date(T0).toISOString(), { ESCALATION_CHAIN: DEFAULT_ESCALATION_CHAIN });
});
afterEach(() => t.close());

/** Drafts, submits and approves an advisory (no sources) as the coordinator and the approver; returns its id. */
async function send(args: string): Promise<string> {
  const drafted = await ok(
    P.coordinator,
    `advisory draft title="VPN 装置の更新のお願い" body="本文は配信先のみ" severity=high ${args}`,
  );
  const id = /ADV-\d{4}-\d{4}/.exec(drafted)?.[0] as string;
  await ok(P.coordinator, `advisory submit ${id}`);
  await ok(P.approver, `advisory approve ${id}`);
  const a = await t.app.db.prisma.advisory.findUniqueOrThrow({ where: { id } });
  assert.equal(a.status, 'sent');
  return id;
}

/** Moves the clock to T0 + hours, runs the due jobs and delivers what they wrote. */
const at = (hours: number) => runAt(t, T0 + hours * H);

/** The escalation messages delivered so far: `@user org-name-in-heading`. */
function escalations(): string[] {
  return t.platform.posts
    .filter((p) => p.kind === 'dm' && ESC.test(p.text))
    .map((p) => {
      const m = /受領確認のお願い（([^）]+)）|Please acknowledge \(([^)]+)\)/.exec(p.text);
      return `${p.channel} ${m?.[1] ?? m?.[2]}`;
    });
}

async function escalateAudit(id: string): Promise<Record<string, unknown>[]> {
  const rows = await t.app.db.prisma.auditRecord.findMany({
    where: { action: 'advisory.escalate', subject: id },
    orderBy: { seq: 'asc' },
  });
  return rows.map((r) => JSON.parse(r.data) as Record<string, unknown>);
}

test('nobody acknowledges: primary, deputy, CISO, duty officer in order, each once; an organisation without deputy or CISO skips them, audited', async () => {
  const id = await send('tlp=amber audience=maff,mof');
  await at(24 - 1 / 60);
  assert.deepEqual(escalations(), [], 'not before 24 h');
  await at(24);
  // one pass: the order between organisations is the dispatcher's
  assert.deepEqual(escalations().sort(), ['@maff-poc 農林水産省', '@mof-poc 財務省']);
  await at(27.9);
  assert.equal(escalations().length, 2, 'the deputy waits 4 h after the primary');
  await at(28);
  // mof has no deputy and no CISO: both skipped at once, the duty officer asked now
  assert.deepEqual(escalations().slice(2).sort(), ['@maff-deputy 農林水産省', '@nisc-duty 財務省']);
  // the office sees how far each organisation's chain has gone
  const status = await t.say(P.coordinator, `advisory status ${id}`);
  assert.match(status, /農林水産省 \(maff\)[^\n]*未確認（受領確認のお願い: 2 段階目・窓口担当（副）まで）/);
  assert.match(status, /財務省 \(mof\)[^\n]*未確認（受領確認のお願い: 4 段階目・当番者まで）/);
  await at(32);
  assert.deepEqual(escalations().slice(4), ['@maff-ciso 農林水産省']);
  await at(34);
  assert.deepEqual(escalations().slice(5), ['@nisc-duty 農林水産省']);
  for (const h of [40, 24 * 10, 24 * 40]) await at(h);
  assert.equal(escalations().length, 6, 'the chain ends: nobody is asked twice');

  const audit = await escalateAudit(id);
  assert.deepEqual(
    audit.map((d) => `${d.org}:${d.step}:${d.role}:${d.skipped ?? (d.to as string[]).join('+')}`),
    [
      'maff:1:primary:console:maff-poc',
      'mof:1:primary:console:mof-poc',
      'maff:2:deputy:console:maff-deputy',
      'mof:2:deputy:nobody',
      'mof:3:ciso:nobody',
      'mof:4:duty:console:nisc-duty',
      'maff:3:ciso:console:maff-ciso',
      'maff:4:duty:console:nisc-duty',
    ],
  );
  // what the messages say: the id, the title, that 受領確認 is awaited; never the body
  const dms = t.platform.posts.filter((p) => p.kind === 'dm' && ESC.test(p.text));
  const to = (who: string, org: string) =>
    dms.find((p) => p.channel === who && p.text.includes(`受領確認のお願い（${org}）`));
  for (const p of dms) {
    assert.match(p.text, /TLP:AMBER 受領確認のお願い/);
    assert.match(p.text, new RegExp(`注意喚起 ${id}「VPN 装置の更新のお願い」`));
    assert.doesNotMatch(p.text, /本文は配信先のみ/);
  }
  const [primary, deputy, duty, ciso] = [
    to('@maff-poc', '農林水産省'),
    to('@maff-deputy', '農林水産省'),
    to('@nisc-duty', '財務省'),
    to('@maff-ciso', '農林水産省'),
  ];
  assert.match(primary?.text ?? '', /窓口担当（正）として内容をご確認のうえ、受領確認をお願いいたします/);
  assert.match(primary?.text ?? '', /4 段階のうち 1 段階目/);
  assert.deepEqual(
    primary?.message.actions?.map((a) => a.command),
    [`advisory ack ${id}`],
  );
  assert.match(deputy?.text ?? '', /窓口担当（副）として/);
  assert.match(ciso?.text ?? '', /窓口担当者から受領確認を行うようご手配/);
  assert.deepEqual(ciso?.message.actions ?? [], [], 'a CISO cannot acknowledge: no button');
  assert.match(duty?.text ?? '', /財務省から、注意喚起 .*の受領確認がまだありません。.*当番者として、財務省へのご連絡/);
  assert.deepEqual(
    duty?.message.actions?.map((a) => a.command),
    [`advisory status ${id}`],
  );
});

test('the deputy acknowledges: no CISO, no duty officer; an acknowledgement between the job and its message wins', async () => {
  const id = await send('tlp=green audience=maff,mof');
  await at(24);
  await at(28);
  assert.deepEqual(escalations().sort(), [
    '@maff-deputy 農林水産省',
    '@maff-poc 農林水産省',
    '@mof-poc 財務省',
    '@nisc-duty 財務省',
  ]);
  await ok(DEPUTY, `advisory ack ${id}`);
  for (const h of [32, 34, 24 * 10]) await at(h);
  assert.equal(escalations().length, 4, 'maff acknowledged: its chain stopped');
  const maffJobs = await t.app.db.prisma.job.findMany({ where: { id: { startsWith: `advisory:${id}:esc:maff:` } } });
  assert.deepEqual(maffJobs.map((j) => `${j.id.slice(-1)}=${j.status}`).sort(), ['0=done', '1=done', '2=skipped']);

  // a second advisory: its first message is written, then maff acknowledges before it is sent
  // (the platform holds every call back until then; the ack reminder is due at the same time)
  const id2 = await send('tlp=green audience=maff');
  for (let k = 0; k < 10; k++) t.platform.failures.push(new PlatformError('rate_limited', 'slow down', 1_000));
  t.clock.set(new Date(T0 + (24 * 10 + 24) * H).toISOString());
  await t.app.scheduler.runDue();
  await ok(P.poc, `advisory ack ${id2}`);
  t.clock.set(new Date(T0 + (24 * 10 + 24) * H + 120_000).toISOString());
  await t.app.dispatcher.drain();
  t.platform.failures.length = 0;
  const rows = await t.app.db.prisma.delivery.findMany({
    where: { refType: 'advisory-escalation', refId: id2 },
    orderBy: { dedupeKey: 'asc' },
  });
  assert.deepEqual(
    rows.map((r) => `${r.target}=${r.status}:${r.error ?? ''}`),
    ['maff-poc=failed:refused: acknowledged meanwhile'],
  );
  assert.equal(escalations().filter((e) => e.startsWith('@maff-poc')).length, 1, 'only the first advisory’s');
});

test('a role removed between scheduling and firing is skipped and audited; the next step is taken at once', async () => {
  const id = await send('tlp=amber audience=maff');
  await at(24);
  await ok(P.admin, `poc remove ${DEPUTY}`);
  await at(28);
  // no deputy now: skipped, and the CISO is asked at once (not 4 h later)
  assert.deepEqual(escalations(), ['@maff-poc 農林水産省', '@maff-ciso 農林水産省']);
  // the duty officer loses approver before their step: skipped, the chain ends
  await ok(P.admin, `poc remove ${P.approver} role=approver`);
  await ok(P.admin, `poc add ${P.approver} org=nisc role=coordinator`);
  for (const h of [30, 32, 24 * 5]) await at(h);
  assert.equal(escalations().length, 2);
  const audit = await escalateAudit(id);
  assert.deepEqual(
    audit.map((d) => `${d.step}:${d.role}:${d.skipped ?? (d.to as string[]).join('+')}`),
    ['1:primary:console:maff-poc', '2:deputy:nobody', '3:ciso:console:maff-ciso', '4:duty:nobody'],
  );
});

test('the role is checked again just before sending: a CISO removed after the message was written gets nothing', async () => {
  await send('tlp=amber audience=maff');
  await at(24);
  await at(28);
  for (let k = 0; k < 10; k++) t.platform.failures.push(new PlatformError('rate_limited', 'slow down', 1_000));
  t.clock.set(new Date(T0 + 32 * H).toISOString());
  await t.app.scheduler.runDue();
  await ok(P.admin, `poc remove ${P.ciso}`);
  t.clock.set(new Date(T0 + 32 * H + 120_000).toISOString());
  await t.app.dispatcher.drain();
  t.platform.failures.length = 0;
  const row = await t.app.db.prisma.delivery.findFirstOrThrow({
    where: { refType: 'advisory-escalation', target: 'maff-ciso' },
  });
  assert.equal(`${row.status}:${row.error}`, 'failed:refused: no longer holds the role (ciso)');
  assert.ok(!escalations().includes('@maff-ciso 農林水産省'));
});

test('TLP:RED: only named recipients of the organisation and the duty officer are asked; the others are skipped', async () => {
  const id = await send(`tlp=red recipients=${P.poc},${P.otherPoc}`);
  await at(24);
  assert.deepEqual(escalations().sort(), ['@maff-poc 農林水産省', '@mof-poc 財務省']);
  // at 28 h both chains skip to the duty officer, in one pass
  await at(28);
  assert.deepEqual(escalations().slice(2).sort(), ['@nisc-duty 財務省', '@nisc-duty 農林水産省']);
  for (const h of [32, 34, 24 * 10]) await at(h);
  assert.equal(escalations().length, 4);
  const audit = await escalateAudit(id);
  assert.deepEqual(
    audit.filter((d) => d.org === 'maff').map((d) => `${d.step}:${d.skipped ?? 'told'}`),
    ['1:told', '2:not_a_recipient', '3:not_a_recipient', '4:told'],
  );
  for (const p of t.platform.posts.filter((x) => x.kind === 'dm' && ESC.test(x.text)))
    assert.match(p.text, /TLP:RED 受領確認のお願い/, p.text);
});

test('an exercise is marked 【訓練】; a withdrawal stops the chain; after ten days of downtime one step at a time', async () => {
  const ex = await send('tlp=green audience=mof exercise=yes');
  await at(24);
  const [dm] = t.platform.posts.filter((p) => p.kind === 'dm' && ESC.test(p.text));
  assert.match(dm?.text ?? '', /【訓練】/);

  const w = await send('tlp=green audience=maff');
  await ok(P.coordinator, `advisory withdraw ${w}`);
  // the clock jumps ten days: the exercise's next step (duty, mof has no deputy or CISO) goes once;
  // the withdrawn advisory asks nobody
  await at(24 * 10);
  assert.deepEqual(escalations(), ['@mof-poc 財務省', '@nisc-duty 財務省']);
  assert.deepEqual(await escalateAudit(w), []);

  // a third advisory, nobody running for ten days after it was sent: its steps resume one at a time
  t.clock.set(new Date(T0 + 24 * 11 * H).toISOString());
  const late = await send('tlp=green audience=maff');
  await at(24 * 21);
  const mine = () => escalations().slice(2);
  assert.deepEqual(mine(), ['@maff-poc 農林水産省'], 'only the first step, not all four at once');
  await at(24 * 21 + 3.9);
  assert.equal(mine().length, 1);
  await at(24 * 21 + 4);
  assert.deepEqual(mine(), ['@maff-poc 農林水産省', '@maff-deputy 農林水産省']);
  assert.equal((await escalateAudit(late)).length, 2);
  assert.equal((await escalateAudit(ex)).length, 4);
});

test('the CSIRT record names the deputy when no PoC holds deputy=yes (while they hold poc); each person in their own language', async () => {
  const second = 'console:mlit-second';
  await ok(P.admin, `poc add ${second} org=mlit role=poc`);
  await ok(P.coordinator, `csirt set org=mlit deputy=${second}`);
  await ok(second, 'lang en');
  const id = await send('tlp=amber audience=mlit');
  await at(24);
  await at(28);
  assert.deepEqual(escalations(), [
    '@mlit-poc 国土交通省',
    '@mlit-second Ministry of Land, Infrastructure, Transport and Tourism',
  ]);
  const en = t.platform.posts.find((p) => p.channel === '@mlit-second');
  assert.match(
    en?.text ?? '',
    /TLP:AMBER Please acknowledge \(Ministry of Land, Infrastructure, Transport and Tourism\)/,
  );
  assert.match(en?.text ?? '', /As its deputy contact, please read it and acknowledge it/);
  assert.match(en?.text ?? '', /This is step 2 of 4/);
  // the record's person without poc any more: nobody for the step
  const id2 = await send('tlp=amber audience=mlit');
  await ok(P.admin, `poc remove ${second} role=poc`);
  await ok(P.admin, `poc add ${second} org=mlit role=ciso`);
  // sent at 28 h: its steps at 52 h and 56 h
  await at(52);
  await at(56);
  const audit = await escalateAudit(id2);
  assert.deepEqual(
    audit.map((d) => `${d.step}:${d.role}:${d.skipped ?? (d.to as string[]).join('+')}`),
    ['1:primary:console:mlit-poc', '2:deputy:nobody', '3:ciso:console:mlit-second'],
  );
  // the first advisory's chain went on meanwhile: its CISO step found the person it had asked as
  // deputy (now the CISO): skipped as already asked, the duty officer asked at once
  assert.deepEqual(
    (await escalateAudit(id)).map((d) => `${d.step}:${d.role}:${d.skipped ?? (d.to as string[]).join('+')}`),
    ['1:primary:console:mlit-poc', '2:deputy:console:mlit-second', '3:ciso:already_told', '4:duty:console:nisc-duty'],
  );
});
