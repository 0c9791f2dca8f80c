/**
 * Every kick names the channels of the rows it wrote (src/services, `ServiceDeps.kick`): a kick
 * that names none makes the dispatcher claim over every channel, even while all of them are in
 * hand or paced (dispatcher-kick.test.ts). The operator paths: an advisory's withdrawal (its
 * `update` rows), `delivery resend` (the rows sent again), the e-mail copy of a chat copy that
 * failed for good. Each is checked as dispatcher-kick.test.ts checks the report's: the kicks seen
 * by `runOnce` while the step runs name lists, holding the channels of the rows it made
 * claimable, and no other channel.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, test } from 'vitest';
import { consoleRefs } from '../../../src/adapters/console/refs.ts';
import { PlatformError } from '../../../src/core/platform.ts';
import { replyToText } from '../../../src/core/reply.ts';
import { channelKey, enqueue } from '../../../src/outbox/outbox.ts';
import { P, registerAdvisoryPeople } from '../../helpers/advisory-fixtures.ts';
import { type TestApp, testApp } from '../../helpers/app.ts';
import { startSmtp, type TestSmtp } from '../../helpers/smtp.ts';

const MAFF = 'csirt@maff.example.go.jp';
let smtp: TestSmtp;
let t: TestApp;

beforeAll(async () => {
  smtp = await startSmtp();
  t = await testApp({ env: { SMTP_URL: smtp.url, MAIL_FROM: 'csirt-bot@nisc.example.go.jp' } });
  await registerAdvisoryPeople(t);
  assert.match(await t.say(P.admin, `org set maff email=${MAFF}`), /設定しました/);
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ALL = '(every channel)';

type Row = Awaited<ReturnType<TestApp['app']['db']['prisma']['delivery']['findMany']>>[number];

/**
 * Runs `step` with the dispatcher's `runOnce` watched (no drain inside: drain's own looks name no
 * channel), until `done` holds and the kicks queued after the commits have run; returns each
 * call's channels (`ALL` for a call that named none) and the rows written meanwhile that a claim
 * may take (a failure notice to the office among them).
 */
async function kicksOf(
  step: () => Promise<unknown>,
  done: () => Promise<boolean>,
): Promise<{ calls: string[][]; written: Row[] }> {
  const old = new Set((await t.app.db.prisma.delivery.findMany({ select: { id: true } })).map((r) => r.id));
  const d = t.app.dispatcher;
  const runOnce = d.runOnce;
  const calls: string[][] = [];
  d.runOnce = (channels) => {
    calls.push(channels ? [...channels] : [ALL]);
    return runOnce.call(d, channels);
  };
  try {
    await step();
    const end = Date.now() + 10_000;
    while (!(await done())) {
      assert.ok(Date.now() < end, 'the step did not finish in 10 s');
      await sleep(10);
    }
    await sleep(50); // kicks run after the commit, on setImmediate
  } finally {
    d.runOnce = runOnce;
  }
  const written = (await t.app.db.prisma.delivery.findMany()).filter((r) => !old.has(r.id) && r.error !== 'no_channel');
  await d.drain();
  return { calls, written };
}

/** The command, without the drain of `t.run` (whose looks name no channel). */
async function command(who: string, text: string): Promise<string> {
  const o = await t.app.router.handle({ platform: 'console', identity: who, text, channelId: null, refs: consoleRefs });
  assert.equal(o.status, 'ok', `${text}: ${replyToText(o.reply)}`);
  return replyToText(o.reply);
}

function assertNamed(calls: string[][], rows: { platform: string; target: string }[]) {
  const expected = new Set(rows.map(channelKey));
  assert.ok(expected.size > 0, 'the step made rows to deliver');
  const named = new Set(calls.flat());
  assert.ok(!named.has(ALL), `a kick named no channel: ${JSON.stringify(calls)}`);
  for (const key of expected) assert.ok(named.has(key), `no kick named ${key}: ${JSON.stringify(calls)}`);
  for (const key of named) assert.ok(expected.has(key), `a kick named ${key}, not a channel of the rows written`);
}

async function approved(audience: string): Promise<string> {
  const d = await t.say(
    P.coordinator,
    `advisory draft title="呼出試験" body="確認" severity=low tlp=green audience=${audience}`,
  );
  const id = /ADV-\d{4}-\d{4}/.exec(d)?.[0] as string;
  assert.ok(id, d);
  assert.match(await t.say(P.coordinator, `advisory submit ${id}`), new RegExp(id));
  return id;
}

test('an advisory withdrawn: the kick names the channels of its update rows', async () => {
  const id = await approved('maff,mlit');
  assert.equal((await t.run(P.approver, `advisory approve ${id}`)).status, 'ok');
  const updates = () => t.app.db.prisma.delivery.findMany({ where: { refId: id, kind: 'update' } });
  const { calls, written } = await kicksOf(
    () => command(P.coordinator, `advisory withdraw ${id}`),
    async () => (await updates()).length > 0,
  );
  assert.equal((await updates()).length, 2, 'an update for each delivered copy');
  assertNamed(calls, written);
});

test('delivery resend: the kick names the channel of the row sent again', async () => {
  t.platform.failures.push(new PlatformError('permanent', 'channel_not_found'));
  const id = await t.app.db.tx((tx) =>
    enqueue(
      tx,
      {
        platform: 'console',
        kind: 'post',
        target: 'resend-ch',
        message: { blocks: [{ kind: 'text', text: 'resend me' }] },
        dedupeKey: 'kick-named:resend',
      },
      t.clock.now(),
    ),
  );
  await t.app.dispatcher.drain();
  const row = () => t.app.db.prisma.delivery.findUniqueOrThrow({ where: { id } });
  assert.equal((await row()).status, 'failed');
  const { calls, written } = await kicksOf(
    () => command('console:admin', `delivery resend ${id}`),
    async () => (await row()).status !== 'failed',
  );
  assertNamed(calls, [...written, await row()]);
});

test('a chat copy failed for good: the kick of its e-mail copy names the e-mail channel', async () => {
  const id = await approved('maff');
  t.platform.failures.push(new PlatformError('permanent', 'channel_not_found'));
  const mail = () => t.app.db.prisma.delivery.findFirst({ where: { refId: id, platform: 'email' } });
  const { calls, written } = await kicksOf(
    () => command(P.approver, `advisory approve ${id}`),
    async () => (await mail()) !== null,
  );
  assert.ok(
    written.some((r) => r.refId === id && r.platform === 'console' && r.error === 'channel_not_found'),
    'the chat copy failed for good',
  );
  assert.equal((await mail())?.target, MAFF);
  assertNamed(calls, written);
});
