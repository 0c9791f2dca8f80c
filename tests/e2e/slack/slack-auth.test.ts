/**
 * Request authenticity on POST /slack/events: every refused request is a 401, counted, and
 * changes nothing; a retried request never runs twice.
 */
import assert from 'node:assert/strict';
import { afterAll, afterEach, beforeAll, test } from 'vitest';
import { type SlackSignatureHeaders, signSlackRequest, slashCommandBody } from '../../fakes/slack-requests.ts';
import { ADMIN, SIGNING_SECRET, type SlackBot, startSlackBot } from '../../helpers/slack.ts';

let bot: SlackBot;
beforeAll(async () => {
  bot = await startSlackBot();
});
afterAll(() => bot.close());
afterEach(() => {
  assert.deepEqual(bot.fake.violations, []);
  bot.fake.reset();
});

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const nowS = () => Math.floor(Date.now() / 1000);
const addOrg = (code: string) =>
  slashCommandBody({
    user_id: ADMIN,
    text: `org add ${code} ja="テスト${code}" en="Test ${code}"`,
    response_url: bot.fake.responseUrl(),
  });

async function authFailures(): Promise<number> {
  const m = await bot.app.metrics.authFailures.get();
  return m.values.reduce((s, v) => s + v.value, 0);
}

async function refused(name: string, body: string, headers: Record<string, string> | SlackSignatureHeaders) {
  const audit = await bot.auditCount();
  const fails = await authFailures();
  const answered = bot.fake.responses().length;
  const res = await bot.post(body, { ...FORM, ...headers });
  assert.equal(res.status, 401, name);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(await bot.auditCount(), audit, `${name}: nothing written`);
  assert.equal(await authFailures(), fails + 1, `${name}: counted`);
  assert.equal(bot.fake.responses().length, answered, `${name}: nothing answered`);
}

test('bad, stale, future, missing signatures and timestamps and re-encoded bodies get 401', async () => {
  const body = addOrg('aa');
  const good = signSlackRequest(SIGNING_SECRET, body, nowS());
  await refused('bad signature', body, { ...good, 'X-Slack-Signature': `v0=${'0'.repeat(64)}` });
  await refused('wrong secret', body, signSlackRequest('another-secret-000000', body, nowS()));
  await refused('stale timestamp', body, signSlackRequest(SIGNING_SECRET, body, nowS() - 400));
  await refused('future timestamp', body, signSlackRequest(SIGNING_SECRET, body, nowS() + 400));
  await refused('missing signature', body, { 'X-Slack-Request-Timestamp': String(nowS()) });
  await refused('missing timestamp', body, { 'X-Slack-Signature': good['X-Slack-Signature'] });
  const ts = 'abc';
  const mac = signSlackRequest(SIGNING_SECRET, body, nowS())['X-Slack-Signature'];
  await refused('non-numeric timestamp', body, { 'X-Slack-Signature': mac, 'X-Slack-Request-Timestamp': ts });
  const reencoded = body.replace(/%20/g, '+').replace(/%3D/g, '=');
  assert.notEqual(reencoded, body);
  await refused('re-encoded body', reencoded, good);
  assert.equal(await bot.app.db.prisma.organization.count({ where: { code: 'aa' } }), 0);
});

test('a replayed signature is refused', async () => {
  const body = addOrg('bb');
  const headers = signSlackRequest(SIGNING_SECRET, body, nowS());
  const first = await bot.post(body, { ...FORM, ...headers });
  assert.equal(first.status, 200);
  await bot.until(() => bot.fake.responses().length === 1);
  await refused('replay', body, headers);
  assert.equal(await bot.app.db.prisma.organization.count({ where: { code: 'bb' } }), 1);
});

test('a retried request (same body, X-Slack-Retry-Num: 1) does not run twice', async () => {
  const body = addOrg('cc');
  const first = await bot.post(body, { ...FORM, ...signSlackRequest(SIGNING_SECRET, body, nowS() - 2) });
  assert.equal(first.status, 200);
  const retry = await bot.post(body, {
    ...FORM,
    ...signSlackRequest(SIGNING_SECRET, body, nowS()),
    'X-Slack-Retry-Num': '1',
    'X-Slack-Retry-Reason': 'http_timeout',
  });
  assert.equal(retry.status, 200, 'a retry is acked');
  await bot.until(() => bot.fake.responses().length >= 1);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(bot.fake.responses().length, 1, 'answered once');
  const audits = await bot.app.db.prisma.auditRecord.count({ where: { action: 'org.add', subject: 'cc' } });
  assert.equal(audits, 1, 'ran once');
});

test('the ack is fast: p50/p99 over 200 signed commands (printed, not asserted)', async () => {
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const body = slashCommandBody({ user_id: ADMIN, text: 'org list', response_url: bot.fake.responseUrl() });
    const headers = { ...FORM, ...signSlackRequest(SIGNING_SECRET, body, nowS()) };
    const t0 = performance.now();
    const res = await bot.post(body, headers);
    await res.text();
    times.push(performance.now() - t0);
    assert.equal(res.status, 200);
  }
  times.sort((a, b) => a - b);
  const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(1);
  console.log(`slack ack latency over 200 commands: p50 ${p(0.5)} ms, p99 ${p(0.99)} ms, max ${p(1)} ms`);
  await bot.until(() => bot.fake.responses().length >= 200, 30_000);
});
