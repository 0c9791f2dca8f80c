/**
 * Issue #23 on Slack, end to end against the fake's real rules: replies whose response_url is
 * spent, expired or unreachable still reach the person; Slack's 3-second windows are kept with
 * slow look-ups behind them; the dispatcher's 429 scope, permanent errors, long messages and
 * edits refused by the platform.
 */
import assert from 'node:assert/strict';
import { afterAll, afterEach, beforeAll, test } from 'vitest';
import { ManualClock } from '../../../src/core/clock.ts';
import type { OutMessage } from '../../../src/core/platform.ts';
import { enqueue } from '../../../src/outbox/outbox.ts';
import { blockText, MAX_BLOCK_TEXT } from '../../fakes/slack-chat.ts';
import { closedPort } from '../../helpers/closed-port.ts';
import { ADMIN, type SlackBot, startSlackBot } from '../../helpers/slack.ts';

const CHANNEL = 'C0MAFF';
const OTHER = 'C0MOF';
const OUTSIDE = 'C0OUTSIDE';
const channels = { [CHANNEL]: { name: 'maff-csirt' }, [OTHER]: { name: 'mof-csirt' }, [OUTSIDE]: { member: false } };

const clock = new ManualClock(new Date('2026-05-11T09:00:00+09:00'));
/** a bot on a clock the test moves (expiry, Retry-After) */
let manual: SlackBot;
/** a bot on the real clock (the 3-second windows are real time) */
let live: SlackBot;

beforeAll(async () => {
  // 10 s: nothing here tests the dispatcher's timeout, and a loaded machine answered a long post
  // after the helper's 2 s (a row left pending, then a history search in the next test)
  manual = await startSlackBot({
    clock,
    fake: { clock, channels, users: { U0STRANGER: { name: 'stranger' } } },
    deliveryTimeoutMs: 10_000,
  });
  live = await startSlackBot({ fake: { channels, users: { U0STRANGER: { name: 'stranger' } } } });
});
afterAll(async () => {
  await manual.close();
  await live.close();
});
afterEach(() => {
  for (const b of [manual, live]) {
    assert.deepEqual(
      b.fake.violations.filter((v) => v.method !== 'response_url'),
      [],
    );
    b.fake.reset();
  }
});

const textOf = (v: unknown) => JSON.stringify(v);

/** Uses a response_url up (Slack: 5 uses). */
async function spend(url: string): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"x"}' });
  }
}

test('a spent response_url: the reply comes as an ephemeral message in the channel (chat.postEphemeral)', async () => {
  const url = manual.fake.responseUrl();
  await spend(url);
  await manual.command(ADMIN, 'help', { response_url: url, channel_id: CHANNEL });
  await manual.until(() => manual.fake.ephemerals(CHANNEL).length === 1);
  const e = manual.fake.ephemerals(CHANNEL)[0]!;
  assert.equal(e.user, ADMIN);
  assert.match(textOf(e.blocks), /org/);
  assert.equal(manual.fake.posts().length, 0, 'nothing in the channel for everyone');
});

test('a form submitted after 30 minutes: its response_url has expired, and the reporter still sees the outcome', async () => {
  const cmd = await manual.command(ADMIN, 'qa form ee', { channel_id: CHANNEL });
  await manual.until(() => manual.fake.views().length === 1);
  const view = manual.fake.views()[0]!.view;
  clock.advance(31 * 60_000);
  const res = await manual.submit({
    callbackId: String(view.callback_id),
    view,
    values: {
      org: { value: { type: 'plain_text_input', value: 'ee' } },
      name: { value: { type: 'plain_text_input', value: 'Ee' } },
      level: { value: { type: 'static_select', selected_option: { value: 'low' } } },
      count: { value: { type: 'plain_text_input', value: '3' } },
    },
    user: { id: ADMIN },
  });
  assert.equal(await res.text(), '');
  await manual.until(() => manual.fake.ephemerals(CHANNEL).length === 1);
  assert.match(textOf(manual.fake.ephemerals(CHANNEL)[0]!.blocks), /created ee \(low, 3\)/);
  assert.equal(manual.fake.responses(cmd.responseUrl).length, 0, 'the expired response_url took nothing');
});

test('an unreachable response_url in a channel the bot is not in: the reply comes as a direct message, saying why', async () => {
  await manual.command(ADMIN, 'help', {
    response_url: `http://127.0.0.1:${await closedPort()}/unreachable`,
    channel_id: OUTSIDE,
  });
  await manual.until(() => manual.fake.posts().length === 1);
  const dm = manual.fake.posts()[0]!;
  assert.match(dm.channel, /^D/);
  assert.equal(manual.fake.workspace.channels.get(dm.channel)?.user, ADMIN);
  assert.match(textOf(dm.blocks), /could not be shown where you ran the command/);
  assert.match(textOf(dm.blocks), /org/);
});

test("views.open comes before any slow look-up: users.info taking 4 s and the database 1.5 s, the form still opens within Slack's 3 s", async () => {
  live.fake.setDelay('users.info', 4000);
  const directory = live.app.services.directory;
  const caller = directory.caller.bind(directory);
  directory.caller = async (...a) => {
    await new Promise((r) => setTimeout(r, 1500));
    return caller(...a);
  };
  try {
    const started = Date.now();
    await live.command(ADMIN, 'qa form zz', { channel_id: CHANNEL });
    await live.until(() => live.fake.callsTo('views.open').length === 1, 10_000);
    const open = live.fake.callsTo('views.open')[0]!;
    assert.equal(open.ok, true, `views.open answered ${open.error ?? 'ok'}`);
    assert.ok(open.at - started < 1500, `views.open ${open.at - started} ms after the command`);
    // the caller turns out to read English (users.info): the form is redrawn in it
    await live.until(() => live.fake.callsTo('views.update').length === 1, 15_000);
    assert.equal(live.fake.callsTo('views.update')[0]!.ok, true);
    assert.match(textOf(live.fake.views()[0]!.view), /Submit/);
    // the next form of the same person opens in English at once, with nothing to redraw
    await live.command(ADMIN, 'qa form zy', { channel_id: CHANNEL });
    await live.until(() => live.fake.callsTo('views.open').length === 2, 15_000);
    assert.match(textOf(live.fake.callsTo('views.open')[1]!.args.view), /Submit/);
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(live.fake.callsTo('views.update').length, 1);
  } finally {
    directory.caller = caller;
  }
});

test('a form opened for someone who may not use it becomes the reason why', async () => {
  await live.command('U0STRANGER', 'qa form zx', { channel_id: CHANNEL });
  await live.until(() => live.fake.callsTo('views.update').length === 1, 15_000);
  const shown = textOf(live.fake.views()[0]!.view);
  assert.match(shown, /qa form/);
  assert.doesNotMatch(shown, /"type":"input"/, 'no fields left to fill in');
});

test('a submission with a bad value gets its errors in the ack even when the database is slow; the rest runs after', async () => {
  const cmd = await live.command(ADMIN, 'qa form zw', { channel_id: CHANNEL });
  await live.until(() => live.fake.views().length === 1, 10_000);
  const view = live.fake.views()[0]!.view;
  const directory = live.app.services.directory;
  const caller = directory.caller.bind(directory);
  directory.caller = async (...a) => {
    await new Promise((r) => setTimeout(r, 3000));
    return caller(...a);
  };
  try {
    const values = (count: string) => ({
      org: { value: { type: 'plain_text_input', value: 'zw' } },
      name: { value: { type: 'plain_text_input', value: 'Zw' } },
      level: { value: { type: 'static_select', selected_option: { value: 'high' } } },
      count: { value: { type: 'plain_text_input', value: count } },
    });
    const started = Date.now();
    const bad = await live.submit({
      callbackId: String(view.callback_id),
      view,
      values: values('many'),
      user: { id: ADMIN },
    });
    const ack = (await bad.json()) as { response_action?: string; errors?: Record<string, string> };
    assert.equal(ack.response_action, 'errors', 'the errors came back before the 2.5 s fallback ack');
    assert.deepEqual(Object.keys(ack.errors ?? {}), ['count']);
    assert.ok(Date.now() - started < 2000, `acked after ${Date.now() - started} ms`);
    const good = await live.submit({
      callbackId: String(view.callback_id),
      view,
      values: values('7'),
      user: { id: ADMIN },
    });
    assert.equal(await good.text(), '');
    await live.until(() => live.fake.responses(cmd.responseUrl).length === 1, 15_000);
    assert.match(textOf(live.fake.responses(cmd.responseUrl)[0]!.body), /created zw \(high, 7\)/);
  } finally {
    directory.caller = caller;
  }
});

const msg = (text: string): OutMessage => ({ blocks: [{ kind: 'text', text }] });
async function put(bot: SlackBot, target: string, m: OutMessage, key: string, extra: Record<string, unknown> = {}) {
  return bot.app.db.tx((tx) =>
    enqueue(tx, { platform: 'slack', kind: 'post', target, message: m, dedupeKey: key, ...extra }, clock.now()),
  );
}
const row = (bot: SlackBot, id: string) => bot.app.db.prisma.delivery.findUniqueOrThrow({ where: { id } });

test('an app-level 429 holds every Slack channel until Retry-After, spends no attempt and searches no history', async () => {
  manual.fake.rateLimitNext('chat.postMessage', 1, 2);
  const a = await put(manual, CHANNEL, msg('first'), 'rl:a');
  await manual.app.dispatcher.drain();
  let r = await row(manual, a);
  assert.equal(r.status, 'pending');
  assert.equal(r.attempts, 0);
  const b = await put(manual, OTHER, msg('second'), 'rl:b');
  await manual.app.dispatcher.drain();
  assert.equal(manual.fake.posts(OTHER).length, 0, 'the other channel waits too');
  clock.advance(2000);
  await manual.app.dispatcher.drain();
  assert.equal(manual.fake.posts(CHANNEL).length, 1);
  assert.equal(manual.fake.posts(OTHER).length, 1);
  r = await row(manual, a);
  assert.equal(r.attempts, 1);
  assert.equal((await row(manual, b)).attempts, 1);
  assert.equal(manual.fake.callsTo('conversations.history').length, 0, 'no history search');
});

test('a long message is clipped below the blocks limit, ending with where to read it all', async () => {
  const long: OutMessage = {
    blocks: [
      { kind: 'heading', text: 'INC-2026-0042' },
      ...Array.from({ length: 6 }, (_, i) => ({ kind: 'text' as const, text: `${i}:${'被害の詳細'.repeat(600)}` })),
    ],
    readMore: 'incident show INC-2026-0042',
  };
  const id = await put(manual, CHANNEL, long, 'long:1');
  await manual.app.dispatcher.drain();
  // Once in a full run (quiet machine, 21:48 UTC) this post came back uncertain (the row pending,
  // then a history search in the next test); alone it never did. An uncertain post is retried
  // after a search of the channel, by design: finish it here, so that this test checks the
  // clipping and that the retry did not post twice, and leaves nothing to the next test.
  const first = await row(manual, id);
  for (let i = 0; i < 3 && (await row(manual, id)).status === 'pending'; i++) {
    clock.advance(3_600_000);
    await manual.app.dispatcher.drain();
  }
  const sent = await row(manual, id);
  assert.equal(sent.status, 'sent', `the row: ${JSON.stringify(sent)}; after the first try: ${JSON.stringify(first)}`);
  assert.equal(manual.fake.posts(CHANNEL).length, 1, `posted once (first try: ${first.status} ${first.error})`);
  const post = manual.fake.posts(CHANNEL)[0]!;
  const blocks = post.blocks as { type: string; elements?: { text: string }[] }[];
  const last = blocks.at(-1)!;
  assert.equal(last.type, 'context');
  assert.match(last.elements?.[0]?.text ?? '', /\/csirt incident show INC-2026-0042/);
  const count = (v: unknown): number =>
    Array.isArray(v)
      ? v.reduce((n: number, x) => n + count(x), 0)
      : typeof v === 'object' && v !== null
        ? Object.entries(v).reduce(
            (n, [k, x]) => n + (k === 'text' && typeof x === 'string' ? [...x].length : count(x)),
            0,
          )
        : 0;
  assert.ok(count(blocks) <= MAX_BLOCK_TEXT, `${count(blocks)} characters of block text`);
  assert.match(textOf(blocks), /2:被害の詳細/, 'the first blocks are kept whole');
});

test('msg_blocks_too_long is permanent: the row fails at once, with no retry and no history search', async () => {
  manual.fake.failNext('chat.postMessage', { kind: 'error', error: 'msg_blocks_too_long' });
  const id = await put(manual, CHANNEL, msg('x'), 'perm:1');
  await manual.app.dispatcher.drain();
  clock.advance(3_600_000);
  await manual.app.dispatcher.drain();
  const r = await row(manual, id);
  assert.equal(r.status, 'failed');
  assert.equal(r.error, 'msg_blocks_too_long');
  assert.equal(r.attempts, 1);
  assert.equal(manual.fake.callsTo('conversations.history').length, 0);
});

test('an edit Slack refuses (edit_window_closed) becomes a reply in the thread, also sent to the channel', async () => {
  const id = await put(manual, CHANNEL, msg('advisory'), 'edit:1');
  await manual.app.dispatcher.drain();
  const original = manual.fake.posts(CHANNEL)[0]!;
  manual.fake.failNext('chat.update', { kind: 'error', error: 'edit_window_closed' });
  const upd = await manual.app.db.tx((tx) =>
    enqueue(
      tx,
      {
        platform: 'slack',
        kind: 'update',
        target: CHANNEL,
        message: msg('withdrawn'),
        dedupeKey: 'edit:1:w',
        updatesId: id,
      },
      clock.now(),
    ),
  );
  await manual.app.dispatcher.drain();
  const follow = manual.fake.posts(CHANNEL).find((p) => p.threadTs === original.ts);
  assert.ok(follow, 'a reply in the thread');
  assert.equal(follow.replyBroadcast, true);
  assert.match(follow.text, /withdrawn/);
  assert.equal(follow.metadata?.event_payload.delivery_id, upd);
  assert.equal(original.text, 'advisory', 'the original is unchanged');
  assert.equal((await row(manual, upd)).messageRef, `${CHANNEL}|${follow.ts}`);
});

test('a reply longer than one message (incident show with a long timeline) comes as several, in order, nothing left out', async () => {
  const bob = 'U0BOB';
  manual.fake.setUser(bob, { name: 'bob', locale: 'en-US' });
  const answer = async (user: string, text: string) => {
    const { responseUrl } = await manual.command(user, text, { channel_id: CHANNEL });
    await manual.until(() => manual.fake.responses(responseUrl).length >= 1);
    return textOf(manual.fake.responses(responseUrl)[0]!.body);
  };
  assert.match(await answer(ADMIN, `poc add <@${bob}|bob> org=maff role=poc primary=yes`), /slack:U0BOB/);
  const id = /INC-\d{4}-\d{4}/.exec(
    await answer(bob, 'report category=malware summary="long timeline" severity=low'),
  )?.[0];
  assert.ok(id);
  for (let i = 0; i < 20; i++) {
    const note = `note-${String(i).padStart(2, '0')} ${'経過を記録します。'.repeat(100)}`;
    assert.match(await answer(bob, `incident update ${id} note="${note}"`), new RegExp(id));
  }
  const show = await manual.command(bob, `incident show ${id}`, { channel_id: CHANNEL });
  await manual.until(() => manual.fake.responses(show.responseUrl).some((r) => textOf(r.body).includes('note-19')));
  const parts = manual.fake
    .responses(show.responseUrl)
    .map((r) => r.body as { response_type: string; blocks: unknown });
  assert.ok(parts.length >= 2 && parts.length <= 4, `${parts.length} messages`);
  for (const p of parts) {
    assert.equal(p.response_type, 'ephemeral');
    assert.ok(blockText(p.blocks) <= MAX_BLOCK_TEXT, `${blockText(p.blocks)} characters of block text`);
  }
  const all = parts.map((p) => textOf(p.blocks)).join('');
  const order = [...all.matchAll(/note-(\d\d)/g)].map((m) => Number(m[1]));
  assert.deepEqual(
    order,
    Array.from({ length: 20 }, (_, i) => i),
    'every note once, in order',
  );
  assert.doesNotMatch(all, /Shortened/);
  assert.match(textOf(parts[0]!.blocks), new RegExp(`${id}`), 'the heading comes first');
});
