/**
 * Outages are waited out, failures are seen (issue 22 item 1), through the real Slack client
 * against the fake Slack, on a clock the test moves.
 * Must show: the platform down for 2 hours — nothing fails, every post arrives once when it
 * returns; a revoked token — one alert (metric, /healthz, dispatcher state), the rows untouched,
 * deliveries resumed once the token is accepted again.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, test } from 'vitest';
import { ManualClock } from '../../../src/core/clock.ts';
import type { OutMessage } from '../../../src/core/platform.ts';
import { enqueue } from '../../../src/outbox/outbox.ts';
import { metricsAuth, type SlackBot, startSlackBot } from '../../helpers/slack.ts';

const A = 'C0OUTAGEA';
const B = 'C0OUTAGEB';
const C = 'C0OUTAGEC';
const channels = { [A]: { name: 'nisc-csirt' }, [B]: { name: 'maff-csirt' }, [C]: { name: 'mof-csirt' } };
const clock = new ManualClock(new Date('2026-05-11T09:00:00+09:00'));
let bot: SlackBot;

beforeAll(async () => {
  bot = await startSlackBot({ clock, fake: { clock, channels } });
});
afterAll(() => bot.close());

const msg = (text: string): OutMessage => ({ blocks: [{ kind: 'text', text }] });
async function put(target: string, text: string, key: string): Promise<string> {
  return bot.app.db.tx((tx) =>
    enqueue(tx, { platform: 'slack', kind: 'post', target, message: msg(text), dedupeKey: key }, clock.now()),
  );
}
const rows = (ids: string[]) =>
  bot.app.db.prisma.delivery.findMany({ where: { id: { in: ids } }, orderBy: { dedupeKey: 'asc' } });
/** how many posts in the fake carry each delivery id (the bot tags every post with it) */
function postsPerDelivery(): Map<string, number> {
  const n = new Map<string, number>();
  for (const p of [...bot.fake.posts(A), ...bot.fake.posts(B), ...bot.fake.posts(C)]) {
    const id = (p.metadata as { event_payload?: { delivery_id?: string } } | undefined)?.event_payload?.delivery_id;
    if (id) n.set(id, (n.get(id) ?? 0) + 1);
  }
  return n;
}
async function metric(name: string): Promise<string> {
  const text = await (await fetch(`${bot.url}/metrics`, { headers: metricsAuth })).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(name))
    .join('\n');
}
const health = async () => (await (await fetch(`${bot.url}/healthz`)).json()) as Record<string, unknown>;

test('Slack down for 2 hours (clock moved a minute at a time): nothing fails; every post arrives once when it returns', async () => {
  // a post whose answer was lost just as the outage began: stored on Slack, the bot does not know
  bot.fake.loseResponseNext('chat.postMessage', 1);
  const ids = [await put(C, '速報 lost answer', 'outage:lost')];
  await bot.app.dispatcher.drain();
  assert.equal((await rows(ids))[0]?.status, 'pending');
  bot.fake.setDown(true);
  for (const [i, ch] of [A, B, C, A, B].entries()) ids.push(await put(ch, `速報 ${i}`, `outage:${i}`));
  const callsAtStart = bot.fake.calls.length;
  for (let minute = 1; minute <= 120; minute++) {
    clock.advance(60_000);
    await bot.app.dispatcher.drain();
    if (minute % 10 === 0) {
      const now = await rows(ids);
      assert.deepEqual(
        now.filter((r) => r.status !== 'pending').map((r) => [r.id, r.status, r.error]),
        [],
        `minute ${minute}: every row still waits`,
      );
    }
  }
  const during = bot.fake.calls.slice(callsAtStart);
  assert.ok(during.length >= 6 * 10, `kept trying during the outage (${during.length} calls)`);
  assert.ok(
    during.every((c) => c.status === 503),
    'every call during the outage was answered 503',
  );
  // backoff: at most one try per row every 5 minutes once it has grown (not a busy loop)
  assert.ok(during.length <= 6 * (120 / 5 + 12), `backed off (${during.length} calls in 2 h)`);

  bot.fake.setDown(false);
  // the longest backoff: 5 minutes with up to 30 % jitter
  clock.advance(7 * 60_000);
  await bot.app.dispatcher.drain();
  const after = await rows(ids);
  assert.deepEqual(
    after.map((r) => r.status),
    ids.map(() => 'sent'),
  );
  const per = postsPerDelivery();
  assert.deepEqual(
    ids.map((id) => per.get(id) ?? 0),
    ids.map(() => 1),
    'each post exactly once (the lost answer was found in the history, not posted again)',
  );
});

test('a revoked token: one alert, rows untouched, the platform stopped and probed; resumed once the token works', async () => {
  bot.fake.setRevoked(true);
  const ids = [
    await put(A, '速報 r1', 'revoked:1'),
    await put(B, '速報 r2', 'revoked:2'),
    await put(A, '続報 r3', 'revoked:3'),
  ];
  const state = async () =>
    (await rows(ids)).map((r) => ({
      status: r.status,
      attempts: r.attempts,
      error: r.error,
      notBefore: r.notBefore,
      message: r.message,
      sentAt: r.sentAt,
      messageRef: r.messageRef,
    }));
  const before = await state();
  await bot.app.dispatcher.drain();
  for (let i = 0; i < 10; i++) {
    clock.advance(61_000);
    await bot.app.dispatcher.drain();
  }
  assert.deepEqual(await state(), before, 'the rows are exactly as they were (pending, no attempt spent, no error)');
  assert.match(await metric('csirt_platform_credential_alerts_total'), /\{platform="slack"\} 1$/m);
  assert.match(await metric('csirt_platform_credentials_refused'), /\{platform="slack"\} 1$/m);
  const h = await health();
  assert.equal(h.ok, true, 'the process still serves commands');
  assert.deepEqual(Object.keys(h.deliveriesStopped as object), ['slack']);
  assert.equal((h.deliveriesStopped as { slack: { reason: string } }).slack.reason, 'token_revoked');
  // probed once a minute (one claim round: a row per channel), not hammered
  const tries = bot.fake.calls.filter((c) => c.error === 'token_revoked').length;
  assert.ok(tries <= 2 * 11, `${tries} calls while stopped`);

  bot.fake.setRevoked(false);
  clock.advance(61_000);
  await bot.app.dispatcher.drain();
  assert.deepEqual(
    (await rows(ids)).map((r) => r.status),
    ['sent', 'sent', 'sent'],
  );
  const per = postsPerDelivery();
  assert.deepEqual(
    ids.map((id) => per.get(id)),
    [1, 1, 1],
  );
  assert.match(await metric('csirt_platform_credentials_refused'), /\{platform="slack"\} 0$/m);
  assert.match(await metric('csirt_platform_credential_alerts_total'), /\{platform="slack"\} 1$/m);
  assert.equal((await health()).deliveriesStopped, undefined);
});

test('a transient failure past the retry horizon (72 h) fails the row', async () => {
  bot.fake.setDown(true);
  const id = await put(B, '速報 too late', 'horizon:1');
  await bot.app.dispatcher.drain();
  clock.advance(71 * 3_600_000);
  await bot.app.dispatcher.drain();
  assert.equal((await rows([id]))[0]?.status, 'pending');
  clock.advance(2 * 3_600_000);
  await bot.app.dispatcher.drain();
  const r = (await rows([id]))[0];
  assert.equal(r?.status, 'failed');
  assert.match(r?.error ?? '', /^gave_up_after_72h: /);
  bot.fake.setDown(false);
});
