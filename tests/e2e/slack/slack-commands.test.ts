/**
 * Slack end to end: the bot's own HTTP server with Slack wired as main.ts does, signed
 * requests sent with fetch, the real WebClient talking to the fake Slack.
 */
import assert from 'node:assert/strict';
import { afterAll, afterEach, beforeAll, test } from 'vitest';
import { ADMIN, type SlackBot, startSlackBot } from '../../helpers/slack.ts';

/** The command that reaches a channel. When the incidents branch lands, switch to
 * `report category=malware summary="…"` and the channel to NISC's. */
const CHANNEL_COMMAND = (text: string) => `qa notify org=maff text="${text}"`;
const ORG = 'maff';
const ORG_CHANNEL = 'C0MAFF';

let bot: SlackBot;

beforeAll(async () => {
  bot = await startSlackBot({ fake: { channels: { [ORG_CHANNEL]: { name: 'maff-csirt' } } } });
});
afterAll(() => bot.close());
afterEach(() => {
  assert.deepEqual(bot.fake.violations, [], 'every request the bot sent matches the Slack spec');
});

const lastResponse = async (url: string, n = 1) => {
  await bot.until(() => bot.fake.responses(url).length >= n);
  return bot.fake.responses(url)[n - 1]!.body;
};
const textOf = (body: Record<string, unknown>) => JSON.stringify(body.blocks ?? []) + String(body.text ?? '');

test('a command is acked at once and answered on its response_url, ephemeral', async () => {
  const { res, responseUrl } = await bot.command(ADMIN, 'help');
  assert.equal(res.status, 200);
  assert.equal(await res.text(), '');
  const body = await lastResponse(responseUrl);
  assert.equal(body.response_type, 'ephemeral');
  assert.match(textOf(body), /org/);
  assert.equal(bot.fake.callsTo('auth.test').length, 1, 'auth.test only once, at start');
});

test("Slack unavailable at start (503s past the client's own retry): the bot waits and comes up; a bad token fails at once", async () => {
  const slow = await startSlackBot({
    beforeStart: (fake) => fake.failNext('auth.test', { kind: 'http', status: 503 }, 3),
  });
  try {
    // the client's one retry, then ours: 503, 503, 503, 200
    assert.equal(slow.fake.callsTo('auth.test').length, 4);
    const { res } = await slow.command(ADMIN, 'help');
    assert.equal(res.status, 200);
  } finally {
    await slow.close();
  }
  let asked = 0;
  const e = (await startSlackBot({
    beforeStart: (fake) => {
      fake.failNext('auth.test', { kind: 'error', error: 'invalid_auth' }, 5);
      asked = fake.callsTo('auth.test').length;
    },
  }).then(
    () => assert.fail('expected the start to fail'),
    (x: unknown) => x,
  )) as { data?: { error?: string } };
  assert.equal(e.data?.error, 'invalid_auth');
  assert.equal(asked, 0);
});

test('the admin sets an org channel with a channel mention, and a command posts there', async () => {
  const set = await bot.command(ADMIN, `org set ${ORG} channel=<#${ORG_CHANNEL}|maff-csirt>`);
  assert.equal(set.res.status, 200);
  assert.match(textOf(await lastResponse(set.responseUrl)), /maff-csirt/);
  const ch = await bot.app.db.prisma.orgChannel.findFirst({ where: { platform: 'slack' } });
  assert.equal(ch?.channelId, ORG_CHANNEL);

  const { responseUrl } = await bot.command(
    ADMIN,
    CHANNEL_COMMAND('Phishing wave <!channel> <https://evil.example|gov.example>'),
  );
  const reply = await lastResponse(responseUrl);
  assert.equal(reply.response_type, 'in_channel');
  await bot.app.dispatcher.drain();
  await bot.until(() => bot.fake.posts(ORG_CHANNEL).length === 1);
  const post = bot.fake.posts(ORG_CHANNEL)[0]!;
  assert.equal(post.metadata?.event_type, 'csirt_delivery');
  const delivery = await bot.app.db.prisma.delivery.findFirst({ where: { platform: 'slack' } });
  assert.equal(post.metadata?.event_payload.delivery_id, delivery?.id);
  assert.equal(delivery?.status, 'sent');
  // user text cannot ping the channel or disguise a link
  const all = JSON.stringify(post.blocks) + post.text;
  assert.doesNotMatch(all, /<!channel>|<https:/);
  assert.match(all, /&lt;!channel&gt;/);
});

test('a plain #name gets a clear error asking for the picked form, and writes nothing', async () => {
  const before = await bot.auditCount();
  const { responseUrl } = await bot.command(ADMIN, `org set ${ORG} channel=#maff-csirt`);
  assert.match(textOf(await lastResponse(responseUrl)), /pick the channel/);
  assert.equal(await bot.auditCount(), before);
});

test('a user mention registers that Slack identity', async () => {
  const { responseUrl } = await bot.command(ADMIN, `poc add <@U0BOB|bob> org=${ORG} role=poc primary=yes`);
  assert.match(textOf(await lastResponse(responseUrl)), /slack:U0BOB/);
  const p = await bot.app.db.prisma.person.findUnique({ where: { identity: 'slack:U0BOB' } });
  assert.ok(p);
});

test("the reply is in the person's Slack language unless they chose one", async () => {
  bot.fake.setUser('U0TARO', { name: 'taro', locale: 'ja-JP' });
  const { responseUrl } = await bot.command('U0TARO', 'help');
  assert.match(textOf(await lastResponse(responseUrl)), /コマンド/);
  assert.equal(bot.fake.callsTo('users.info').filter((c) => c.args.user === 'U0TARO').length, 1);
  const again = await bot.command('U0TARO', 'help');
  await lastResponse(again.responseUrl);
  assert.equal(bot.fake.callsTo('users.info').filter((c) => c.args.user === 'U0TARO').length, 1, 'cached');
});
