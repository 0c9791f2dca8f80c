/** Slack adapter pieces: escaping, rendering, refs, the seam against the fake, settings, Socket Mode wiring. */
import assert from 'node:assert/strict';
import pino from 'pino';
import { afterAll, beforeAll, test } from 'vitest';
import { escapeText } from '../../../../src/adapters/slack/escape.ts';
import { createSlack } from '../../../../src/adapters/slack/index.ts';
import { slackLocaleToOurs } from '../../../../src/adapters/slack/locale.ts';
import { slackRefs } from '../../../../src/adapters/slack/refs.ts';
import { blockText, MAX_BLOCK_TEXT, renderMessage } from '../../../../src/adapters/slack/render.ts';
import { loadConfig } from '../../../../src/config.ts';
import { PlatformError } from '../../../../src/core/platform.ts';
import { translator } from '../../../../src/i18n/index.ts';
import { type FakeSlack, startFakeSlack } from '../../../fakes/slack-server.ts';
import { testApp } from '../../../helpers/app.ts';

const t = translator('en');
const sign = (c: string) => `signed:${c.length}`;
const NASTY = 'x <!channel> <!here> <!everyone> <!subteam^S123|@team> <https://evil.example|gov.example> <@U123> & y';

test('user text cannot mention anyone or disguise a link in any block kind', () => {
  const m = renderMessage(
    {
      blocks: [
        { kind: 'heading', text: 'h' },
        { kind: 'text', text: NASTY },
        { kind: 'fields', fields: [[NASTY, NASTY]] },
        { kind: 'table', head: ['a'], rows: [[NASTY]] },
        { kind: 'code', text: `${NASTY}\n\`\`\`` },
        { kind: 'context', text: NASTY },
      ],
      actions: [{ label: 'Go', command: 'help' }],
    },
    t,
    sign,
  );
  const mrkdwn = JSON.stringify(m.blocks.filter((b) => b.type !== 'header')) + m.text;
  assert.doesNotMatch(mrkdwn, /<!|<https?:|<@/);
  assert.match(mrkdwn, /&lt;!channel&gt;/);
  assert.equal(escapeText('a&b<c>'), 'a&amp;b&lt;c&gt;');
  const actions = m.blocks.at(-1) as { type: string; elements: { value: string }[] };
  assert.equal(actions.type, 'actions');
  assert.equal(actions.elements[0]?.value, 'signed:4');
});

test('long text is split into sections within Slack limits without cutting an escape', () => {
  const m = renderMessage({ blocks: [{ kind: 'text', text: '&'.repeat(1800) }] }, t, sign);
  const sections = m.blocks as { text: { text: string } }[];
  assert.equal(sections.length, 3);
  for (const s of sections) {
    assert.ok(s.text.text.length <= 3000);
    assert.match(s.text.text, /^(&amp;)+$/);
  }
  // beyond the blocks' text limit together: cut between escapes, then the note
  const cut = renderMessage(
    { blocks: [{ kind: 'text', text: '&'.repeat(7000) }], readMore: 'incident show INC-2026-0001' },
    t,
    sign,
  );
  const all = cut.blocks as { type: string; text?: { text: string }; elements?: { text: string }[] }[];
  assert.ok(blockText(all) <= MAX_BLOCK_TEXT);
  const secs = all.filter((b) => b.type === 'section');
  for (const s of secs) assert.match(s.text?.text ?? '', /^(&amp;)+…?$/);
  assert.match(secs.at(-1)?.text?.text ?? '', /…$/);
  assert.match(all.at(-1)?.elements?.[0]?.text ?? '', /incident show INC-2026-0001/);
  const many = renderMessage(
    { blocks: Array.from({ length: 80 }, () => ({ kind: 'text' as const, text: 'a' })) },
    t,
    sign,
  );
  assert.ok(many.blocks.length <= 50);
});

test('refs: mentions become identities and channels; bare names get a clear error', async () => {
  assert.equal(await slackRefs.user('<@U0123ABC|bob>'), 'slack:U0123ABC');
  assert.equal(await slackRefs.user('<@W0123ABC>'), 'slack:W0123ABC');
  assert.equal(await slackRefs.user('slack:U0123ABC'), 'slack:U0123ABC');
  await assert.rejects(slackRefs.user('@bob'), { code: 'slack.user_mention' });
  assert.deepEqual(await slackRefs.channel('<#C0123ABC|maff-csirt>'), { id: 'C0123ABC', name: 'maff-csirt' });
  assert.deepEqual(await slackRefs.channel('<#G0123ABC|>'), { id: 'G0123ABC', name: 'G0123ABC' });
  await assert.rejects(slackRefs.channel('#maff'), { code: 'slack.channel_mention' });
  assert.equal(slackLocaleToOurs('ja-JP'), 'ja');
  assert.equal(slackLocaleToOurs('en-GB'), 'en');
  assert.equal(slackLocaleToOurs('fr-FR'), null);
});

let fake: FakeSlack;
beforeAll(async () => {
  fake = await startFakeSlack({
    channels: { C0OK: { name: 'ok' }, C0ARCH: { archived: true }, C0OUT: { member: false } },
    users: { U0BOB: { name: 'bob' } },
  });
});
afterAll(() => fake.close());

test('the seam posts with the delivery id, finds it again, DMs, updates, and maps errors', async () => {
  const env = { SLACK_BOT_TOKEN: fake.botToken, SLACK_SIGNING_SECRET: 'sssssssssss', SLACK_API_URL: fake.apiUrl };
  const ta = await testApp({ env });
  try {
    const slack = createSlack(ta.app.config, pino({ level: 'silent' }), { deliveryTimeoutMs: 500 });
    await slack.mount(ta.app);
    const seam = slack.seam;
    const msg = { blocks: [{ kind: 'text' as const, text: 'hello' }] };
    const since = new Date(Date.now() - 1000);
    const { ref } = await seam.post('C0OK', msg, 'd-1');
    assert.deepEqual(await seam.findByDeliveryId('post', 'C0OK', 'd-1', since), { ref, channel: 'C0OK' });
    assert.equal(await seam.findByDeliveryId('post', 'C0OK', 'd-2', since), null);
    await seam.update('C0OK', ref, { blocks: [{ kind: 'text', text: 'withdrawn' }] }, 'd-1');
    const dm = await seam.dm('U0BOB', msg, 'd-3');
    assert.match(dm.channel, /^D/);
    assert.deepEqual(await seam.findByDeliveryId('dm', 'U0BOB', 'd-3', since), { ref: dm.ref, channel: dm.channel });

    const kind = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (e) {
        assert.ok(e instanceof PlatformError);
        return [e.kind, e.retryAfterMs];
      }
      return null;
    };
    assert.deepEqual(await kind(seam.post('C0NONE', msg, 'x')), ['permanent', undefined]);
    assert.deepEqual(await kind(seam.post('C0ARCH', msg, 'x')), ['permanent', undefined]);
    assert.deepEqual(await kind(seam.post('C0OUT', msg, 'x')), ['permanent', undefined]);
    fake.rateLimitNext('chat.postMessage', 1, 7);
    assert.deepEqual(await kind(seam.post('C0OK', msg, 'x')), ['rate_limited', 7000]);
    fake.failNext('chat.postMessage', { kind: 'http', status: 503 });
    assert.deepEqual(await kind(seam.post('C0OK', msg, 'x')), ['transient', undefined]);
    fake.setDelay('chat.postMessage', 1500);
    assert.deepEqual(await kind(seam.post('C0OK', msg, 'x')), ['transient', undefined]);
    fake.setDelay('chat.postMessage', 0);
    const posts = fake.callsTo('chat.postMessage');
    assert.equal(posts.length, 8, 'the dispatcher client never retries by itself');
    assert.deepEqual(fake.violations, []);
  } finally {
    await ta.close();
  }
});

test('the action secret is generated once and shared; ACTION_SECRET wins', async () => {
  const ta = await testApp();
  try {
    const s = ta.app.services.settings;
    const all = await Promise.all(Array.from({ length: 8 }, () => s.actionSecret(undefined)));
    assert.equal(new Set(all).size, 1);
    assert.ok((all[0] ?? '').length >= 32);
    assert.equal(await s.actionSecret('configured-secret-1234'), 'configured-secret-1234');
  } finally {
    await ta.close();
  }
});

test('Socket Mode: with SLACK_APP_TOKEN the app mounts a SocketModeReceiver and no HTTP route', async () => {
  const env = { SLACK_BOT_TOKEN: fake.botToken, SLACK_APP_TOKEN: fake.appToken, SLACK_API_URL: fake.apiUrl };
  assert.equal(loadConfig(env).platforms.slack, true);
  const ta = await testApp({ env });
  try {
    const m = await createSlack(ta.app.config, pino({ level: 'silent' })).mount(ta.app);
    assert.equal(m.mode, 'socket');
    const port = await ta.app.http.listen(0, '127.0.0.1');
    const res = await fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', body: 'x' });
    assert.equal(res.status, 404);
    await ta.app.http.close();
  } finally {
    await ta.close();
  }
});

test('the seam reads back the bot posts since a time: every page, only the bot, with what they show (restore)', async () => {
  const env = { SLACK_BOT_TOKEN: fake.botToken, SLACK_SIGNING_SECRET: 'sssssssssss', SLACK_API_URL: fake.apiUrl };
  const ta = await testApp({ env });
  try {
    const seam = createSlack(ta.app.config, pino({ level: 'silent' }), { deliveryTimeoutMs: 2000 }).seam;
    fake.setChannel('C0HIST', { name: 'hist' });
    const since = new Date(Date.now() - 1000);
    await seam.post('C0HIST', { blocks: [{ kind: 'heading', text: 'ADV-2026-0042 approved' }] }, 'd-42');
    fake.addMessage('C0HIST', { text: 'ADV-2026-0999 typed by a person' });
    for (let i = 0; i < 205; i++)
      await seam.post('C0HIST', { blocks: [{ kind: 'text', text: `bulk ${i}` }] }, `b-${i}`);
    const mine = await seam.botPostsSince('C0HIST', since);
    assert.equal(mine.length, 1 + 205, 'over two pages of 200');
    assert.match(mine.find((p) => p.deliveryId === 'd-42')?.text ?? '', /ADV-2026-0042/);
    assert.ok(!mine.some((p) => p.text.includes('ADV-2026-0999')));
    assert.deepEqual(await seam.botPostsSince('C0HIST', new Date(Date.now() + 60_000)), []);
    // the search for one delivery reads the same pages, newest first, and stops at the page it is on
    const history = () => fake.callsTo('conversations.history').length;
    let before = history();
    assert.ok(await seam.findByDeliveryId('post', 'C0HIST', 'b-204', since));
    assert.equal(history() - before, 1, 'the newest post: one page');
    before = history();
    assert.ok(await seam.findByDeliveryId('post', 'C0HIST', 'd-42', since));
    assert.equal(history() - before, 2, 'the oldest post: on the second page');
    before = history();
    assert.equal(await seam.findByDeliveryId('post', 'C0HIST', 'b-none', since), null);
    assert.equal(history() - before, 2, 'none: every page since, two');
  } finally {
    await ta.close();
  }
});
