import assert from 'node:assert/strict';
import { isValidSlackRequest } from '@slack/bolt';
import { ErrorCode, LogLevel, WebClient, type WebClientOptions } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, test } from 'vitest';
import {
  blockActionsPayload,
  interactionBody,
  signSlackRequest,
  slashCommandBody,
  viewSubmissionPayload,
} from './slack-requests.ts';
import { type FakeSlack, startFakeSlack } from './slack-server.ts';
import { checkCall, loadSlackSpec } from './slack-spec.ts';

let fake: FakeSlack;
const C = 'C0ADVISORY';

function client(token = fake.botToken, extra: WebClientOptions = {}): WebClient {
  return new WebClient(token, {
    slackApiUrl: fake.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logLevel: LogLevel.ERROR,
    ...extra,
  });
}

/** Runs `fn`, expecting the WebClient to throw; returns the error. */
async function rejection(fn: () => Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await fn();
  } catch (e) {
    return e as Record<string, unknown>;
  }
  assert.fail('expected the call to throw');
}

const modal = (title = 'Approve') => ({
  type: 'modal',
  title: { type: 'plain_text', text: title },
  submit: { type: 'plain_text', text: 'OK' },
  blocks: [
    {
      type: 'input',
      block_id: 'b',
      label: { type: 'plain_text', text: 'x' },
      element: { type: 'plain_text_input', action_id: 'a' },
    },
  ],
});

beforeAll(async () => {
  fake = await startFakeSlack({
    channels: { [C]: { name: 'advisories' }, C0ARCHIVED: { archived: true }, C0OUTSIDE: { member: false } },
    users: { U0ALICE: { name: 'alice', locale: 'ja-JP', tz: 'Asia/Tokyo' } },
  });
});
afterAll(() => fake.close());
afterEach(() => fake.reset());

test('spec is found beside the repo and knows the methods the fake implements', () => {
  const spec = loadSlackSpec();
  for (const m of ['chat.postMessage', 'conversations.history', 'views.open', 'apps.connections.open']) {
    assert.ok(spec.has(m), m);
  }
  assert.deepEqual(checkCall('chat.postMessage', { channel: C, text: 'x', metadata: '{}' }), []);
  assert.equal(checkCall('conversations.history', { channel: C, limit: 'ten' })[0]?.kind, 'bad_type');
});

test('post with metadata round-trips through conversations.history', async () => {
  const web = client();
  const metadata = { event_type: 'advisory_delivery', event_payload: { delivery_id: 'd-1' } };
  const res = await web.chat.postMessage({ channel: C, text: 'Advisory 1', metadata });
  assert.equal(res.ok, true);
  assert.equal(res.channel, C);
  assert.match(String(res.ts), /^\d{10}\.\d{6}$/);
  await web.chat.postMessage({ channel: C, text: 'Advisory 2' });

  const posts = fake.posts(C);
  assert.equal(posts.length, 2);
  assert.deepEqual(posts[0]?.metadata, metadata);

  const withMd = await web.conversations.history({ channel: C, oldest: '0', include_all_metadata: true });
  assert.deepEqual(
    withMd.messages?.map((m) => m.text),
    ['Advisory 2', 'Advisory 1'],
  );
  assert.deepEqual(withMd.messages?.[1]?.metadata, metadata);
  const plain = await web.conversations.history({ channel: C });
  assert.equal(plain.messages?.[1]?.metadata, undefined);
  const since = await web.conversations.history({ channel: C, oldest: String(res.ts), limit: 10 });
  assert.deepEqual(
    since.messages?.map((m) => m.text),
    ['Advisory 2'],
  );
  assert.deepEqual(fake.violations, []);
});

test('history pages with a cursor', async () => {
  const web = client();
  for (const n of [1, 2, 3]) await web.chat.postMessage({ channel: C, text: `m${n}` });
  const p1 = await web.conversations.history({ channel: C, limit: 2 });
  assert.equal(p1.has_more, true);
  const p2 = await web.conversations.history({ channel: C, limit: 2, cursor: p1.response_metadata?.next_cursor });
  assert.deepEqual(
    [...(p1.messages ?? []), ...(p2.messages ?? [])].map((m) => m.text),
    ['m3', 'm2', 'm1'],
  );
  assert.equal(p2.has_more, false);
});

test('channel errors are platform errors', async () => {
  const web = client();
  for (const [channel, error] of [
    ['C0MISSING', 'channel_not_found'],
    ['C0ARCHIVED', 'is_archived'],
    ['C0OUTSIDE', 'not_in_channel'],
  ]) {
    const e = await rejection(() => web.chat.postMessage({ channel: String(channel), text: 'x' }));
    assert.equal(e.code, ErrorCode.PlatformError);
    assert.equal((e.data as { error: string }).error, error);
  }
  assert.deepEqual(fake.violations, []);
});

test('forced 429 surfaces as a rate-limited error with retryAfter', async () => {
  fake.rateLimitNext('chat.postMessage', 1, 7);
  const e = await rejection(() => client().chat.postMessage({ channel: C, text: 'x' }));
  assert.equal(e.code, ErrorCode.RateLimitedError);
  assert.equal(e.retryAfter, 7);
  assert.equal(fake.posts().length, 0);
  await client().chat.postMessage({ channel: C, text: 'x' });
  assert.equal(fake.posts().length, 1);
});

test('per-channel pacing answers 429 with Retry-After', async () => {
  fake.setRateLimits({ perChannel: { limit: 1, windowMs: 1000 }, workspacePerMinute: 2 });
  const web = client();
  await web.chat.postMessage({ channel: C, text: 'a' });
  const e = await rejection(() => web.chat.postMessage({ channel: C, text: 'b' }));
  assert.equal(e.retryAfter, 1);
  await web.chat.postMessage({ channel: 'U0ALICE', text: 'dm' });
  const w = await rejection(() => web.chat.postMessage({ channel: 'U0ALICE', text: 'dm2' }));
  assert.equal(w.code, ErrorCode.RateLimitedError);
  assert.equal(fake.calls.filter((c) => c.status === 429).length, 2);
  fake.setRateLimits({});
});

test('an unknown argument is a violation answered invalid_arguments', async () => {
  const e = await rejection(() => client().apiCall('chat.postMessage', { channel: C, text: 'x', colour: 'red' }));
  assert.equal((e.data as { error: string }).error, 'invalid_arguments');
  assert.equal(fake.violations.length, 1);
  assert.equal(fake.violations[0]?.kind, 'unknown_param');
  assert.equal(fake.posts().length, 0);
});

test('missing and wrong tokens', async () => {
  const wrong = await rejection(() => client('xoxb-wrong').auth.test());
  assert.equal((wrong.data as { error: string }).error, 'invalid_auth');
  const res = await fetch(`${fake.apiUrl}auth.test`, { method: 'POST' });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { ok: false, error: 'not_authed' });
  const me = await client().auth.test();
  assert.equal(me.user_id, fake.identity.botUserId);
  const app = await client(fake.appToken).apps.connections.open();
  assert.match(String(app.url), /^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=/);
  const botOnApp = await rejection(() => client().apps.connections.open());
  assert.equal((botOnApp.data as { error: string }).error, 'not_allowed_token_type');
});

test('JSON bodies are accepted', async () => {
  const res = await fetch(`${fake.apiUrl}chat.postMessage`, {
    method: 'POST',
    headers: { authorization: `Bearer ${fake.botToken}`, 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({
      channel: C,
      text: 'json',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'hi' } }],
    }),
  });
  const body = (await res.json()) as { ok: boolean };
  assert.equal(body.ok, true);
  assert.equal(fake.posts(C)[0]?.blocks?.length, 1);
  assert.deepEqual(fake.violations, []);
});

test('a lost response leaves the post stored (crash window)', async () => {
  fake.loseResponseNext('chat.postMessage');
  const e = await rejection(() => client().chat.postMessage({ channel: C, text: 'maybe' }));
  assert.equal(e.code, ErrorCode.RequestError);
  assert.equal(fake.posts(C).length, 1);
  assert.equal(fake.calls[0]?.lost, true);
});

test('a slow answer times the client out after the post is stored', async () => {
  // the answer waits 20 s after the post is stored; the client gives up after 3 s (long enough
  // for the request to reach the fake on a loaded machine, where 50 ms was not)
  fake.setDelay('chat.postMessage', 20_000);
  const e = await rejection(() =>
    client(fake.botToken, { timeout: 3000 }).chat.postMessage({ channel: C, text: 'slow' }),
  );
  assert.equal(e.code, ErrorCode.RequestError);
  assert.equal(fake.posts(C).length, 1);
});

test('chat.update and chat.postEphemeral', async () => {
  const web = client();
  const { ts } = await web.chat.postMessage({ channel: C, text: 'v1' });
  const upd = await web.chat.update({ channel: C, ts: String(ts), text: 'v2' });
  assert.equal(upd.text, 'v2');
  assert.equal(fake.posts(C)[0]?.text, 'v2');
  const missing = await rejection(() => web.chat.update({ channel: C, ts: '1.000001', text: 'x' }));
  assert.equal((missing.data as { error: string }).error, 'message_not_found');
  const eph = await web.chat.postEphemeral({ channel: C, user: 'U0ALICE', text: 'only you' });
  assert.match(String(eph.message_ts), /^\d+\.\d{6}$/);
  assert.equal(fake.ephemerals(C).length, 1);
});

test('conversations.open, conversations.info, users.info', async () => {
  const web = client();
  const dm = await web.conversations.open({ users: 'U0ALICE' });
  assert.match(String(dm.channel?.id), /^D/);
  const again = await web.conversations.open({ users: 'U0ALICE' });
  assert.equal(again.channel?.id, dm.channel?.id);
  assert.equal(again.already_open, true);
  const info = await web.conversations.info({ channel: C });
  assert.equal(info.channel?.name, 'advisories');
  assert.equal(info.channel?.is_member, true);
  const u = await web.users.info({ user: 'U0ALICE', include_locale: true });
  assert.equal(u.user?.locale, 'ja-JP');
  assert.equal(u.user?.tz_offset, 32400);
  const noLocale = await web.users.info({ user: 'U0ALICE' });
  assert.equal(noLocale.user?.locale, undefined);
  const nobody = await rejection(() => web.users.info({ user: 'U0NOBODY' }));
  assert.equal((nobody.data as { error: string }).error, 'user_not_found');
});

test('views: open, push, update, trigger expiry and reuse', async () => {
  const web = client();
  const trigger = fake.newTriggerId();
  const opened = await web.views.open({ trigger_id: trigger, view: modal() as never });
  const id = String(opened.view?.id);
  assert.match(id, /^V/);
  const reused = await rejection(() => web.views.open({ trigger_id: trigger, view: modal() as never }));
  assert.equal((reused.data as { error: string }).error, 'exchanged_trigger_id');
  const pushed = await web.views.push({ trigger_id: fake.newTriggerId(), view: modal('Step 2') as never });
  assert.equal(pushed.view?.root_view_id, id);
  const upd = await web.views.update({ view_id: id, hash: opened.view?.hash, view: modal('Done') as never });
  assert.equal((upd.view?.title as { text: string } | undefined)?.text, 'Done');
  const stale = await rejection(() =>
    web.views.update({ view_id: id, hash: opened.view?.hash, view: modal() as never }),
  );
  assert.equal((stale.data as { error: string }).error, 'hash_conflict');
  const late = fake.newTriggerId();
  fake.expireTrigger(late);
  const expired = await rejection(() => web.views.open({ trigger_id: late, view: modal() as never }));
  assert.equal((expired.data as { error: string }).error, 'expired_trigger_id');
  assert.deepEqual(fake.violations, []);
  const bad = await rejection(() =>
    web.views.open({ trigger_id: fake.newTriggerId(), view: { type: 'modal' } as never }),
  );
  assert.equal((bad.data as { error: string }).error, 'invalid_arguments');
  assert.ok(fake.violations.length > 0);
});

test('signSlackRequest and payload builders pass bolt verification', () => {
  const secret = 'test-signing-secret';
  const body = slashCommandBody({ text: 'help', command: '/csirt' });
  const h = signSlackRequest(secret, body);
  const ok = isValidSlackRequest({
    signingSecret: secret,
    body,
    headers: {
      'x-slack-signature': h['X-Slack-Signature'],
      'x-slack-request-timestamp': Number(h['X-Slack-Request-Timestamp']),
    },
  });
  assert.equal(ok, true);
  assert.equal(new URLSearchParams(body).get('text'), 'help');
  // Independent vector (openssl dgst -sha256 -hmac secret).
  assert.deepEqual(signSlackRequest('secret', 'token=xyz&text=hi', 1531420618), {
    'X-Slack-Signature': 'v0=43be0b75fc7fc3c929028c5848dca99541a1b90916d1533f798b3a84e329628f',
    'X-Slack-Request-Timestamp': '1531420618',
  });
  const click = JSON.parse(
    new URLSearchParams(interactionBody(blockActionsPayload({ actionId: 'approve', value: 'adv-1' }))).get('payload') ??
      '',
  );
  assert.equal(click.type, 'block_actions');
  assert.equal(click.actions[0].action_id, 'approve');
  const sub = viewSubmissionPayload({ callbackId: 'approve_modal', values: { b: { a: 'typed' } } });
  assert.equal(
    (sub.view as { state: { values: Record<string, Record<string, { value: string }>> } }).state.values.b?.a?.value,
    'typed',
  );
});

test('spec methods the fake lacks, and unknown methods, are violations', async () => {
  const web = client();
  const e = await rejection(() => web.conversations.replies({ channel: C, ts: '1.000001' }));
  assert.equal((e.data as { error: string }).error, 'fake_not_implemented');
  const u = await rejection(() => web.apiCall('chat.postMessages', { channel: C, text: 'x' }));
  assert.equal((u.data as { error: string }).error, 'unknown_method');
  assert.deepEqual(
    fake.violations.map((v) => v.kind),
    ['not_implemented', 'unknown_method'],
  );
});

test('GET with query parameters and a token form field also work', async () => {
  const q = new URLSearchParams({ channel: C });
  const get = await fetch(`${fake.apiUrl}conversations.info?${q}`, {
    headers: { authorization: `Bearer ${fake.botToken}` },
  });
  assert.equal(((await get.json()) as { ok: boolean }).ok, true);
  const form = await fetch(`${fake.apiUrl}auth.test`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: fake.botToken }).toString(),
  });
  assert.equal(((await form.json()) as { ok: boolean }).ok, true);
  assert.equal(fake.calls.at(-1)?.args.token, undefined);
});
