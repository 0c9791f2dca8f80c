/**
 * Laggard reminders: 7 days and 1 day before the due date, each fired once, posted only to the
 * audience organisations still incomplete at fire time; a closed campaign's reminder is skipped.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, test } from 'vitest';
import { catalog } from '../../src/domain/catalog.ts';
import { type TestApp, testApp } from '../helpers/app.ts';
import { PERSONAS as P, registerPersonas } from '../helpers/personas.ts';

let t: TestApp;
const CMP = 'CMP-2026-0001';

async function ok(who: string, cmd: string): Promise<void> {
  const o = await t.run(who, cmd);
  assert.equal(o.status, 'ok', `${cmd}: ${JSON.stringify(o.reply.blocks)}`);
}

// a reminder asks (【回答のお願い】); it does not press (督促: docs/glossary.md)
const reminders = () => t.platform.posts.filter((p) => /【回答のお願い】/.test(p.text));

beforeAll(async () => {
  t = await testApp({ now: '2026-11-25T01:00:00Z' });
  await registerPersonas(t);
  await ok(P.poc, 'system add name="電子申請システム" confidentiality=3 exposure=internet');
  await ok(P.otherPoc, 'system add name="予算編成支援システム" confidentiality=2 exposure=internal');
  // maff (one answer), mof (will finish), mext (no system registered)
  await ok(P.coordinator, 'check campaign open due=2026-12-20 audience=maff,mof,mext');
  await ok(P.poc, `check answer ${CMP} system=SYS-maff-001 item=ENT-01 status=implemented`);
  for (const it of catalog().items) {
    await ok(P.otherPoc, `check answer ${CMP} system=SYS-mof-001 item=${it.id} status=implemented`);
  }
});
afterAll(() => t.close());

test('the 7-day reminder fires once, only to the organisations that have not finished', async () => {
  t.clock.set('2026-12-13T00:59:00Z');
  assert.equal(await t.app.scheduler.runDue(), 0, 'not yet due');
  t.clock.set('2026-12-13T01:00:00Z');
  assert.equal(await t.app.scheduler.runDue(), 1);
  await t.app.dispatcher.drain();
  const sent = reminders();
  assert.deepEqual(sent.map((p) => p.channel).sort(), ['maff', 'mext']);
  const maff = sent.find((p) => p.channel === 'maff');
  assert.match(maff?.text ?? '', /【回答のお願い】点検 CMP-2026-0001 の回答期限まであと 7 日です/);
  assert.match(maff?.text ?? '', /現在の回答状況は 1\/51 です/);
  assert.match(sent.find((p) => p.channel === 'mext')?.text ?? '', /重要システムが登録されていない/);

  // a second pass, or a later one, fires nothing more
  assert.equal(await t.app.scheduler.runDue(), 0);
  t.clock.set('2026-12-15T00:00:00Z');
  assert.equal(await t.app.scheduler.runDue(), 0);
  await t.app.dispatcher.drain();
  assert.equal(reminders().length, 2);
  const job = await t.app.db.prisma.job.findUniqueOrThrow({ where: { id: `campaign:${CMP}:7d` } });
  assert.equal(job.status, 'done');
});

test('the 1-day reminder goes to whoever is still incomplete then; a closed campaign skips', async () => {
  // mext registers nothing; maff finishes before the last reminder
  for (const it of catalog().items) {
    await ok(P.poc, `check answer ${CMP} system=SYS-maff-001 item=${it.id} status=partial`);
  }
  t.clock.set('2026-12-19T01:00:05Z');
  assert.equal(await t.app.scheduler.runDue(), 1);
  await t.app.dispatcher.drain();
  const last = reminders().slice(2);
  assert.deepEqual(
    last.map((p) => p.channel),
    ['mext'],
  );
  assert.match(last[0]?.text ?? '', /あと 1 日です/);

  // a second campaign closed behind the scheduler's back: its due reminder is skipped, not sent
  t.clock.set('2026-12-20T01:00:00Z');
  await ok(P.coordinator, 'check campaign open due=2027-01-20 audience=maff');
  await t.app.db.prisma.campaign.update({ where: { id: 'CMP-2026-0002' }, data: { status: 'closed' } });
  t.clock.set('2027-01-13T01:00:00Z');
  assert.equal(await t.app.scheduler.runDue(), 1);
  await t.app.dispatcher.drain();
  const job = await t.app.db.prisma.job.findUniqueOrThrow({ where: { id: 'campaign:CMP-2026-0002:7d' } });
  assert.equal(job.status, 'skipped');
  assert.equal(reminders().length, 3);
});
