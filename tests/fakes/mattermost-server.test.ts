import assert from 'node:assert/strict';
import type { Post } from '@mattermost/types/posts';
import { test } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import { startFakeMattermost } from './mattermost-server.ts';
import { mattermostSpecLoaded } from './mattermost-spec.ts';
import { newCommand, rejection, withFake } from './mattermost-test-client.ts';

test('the spec is read when the fake starts, not in the first request (the bot under test shares the event loop)', async () => {
  // a first parse of the YAML takes seconds: inside a request's handler it outlasted the bot's
  // 5 s timeout on its first call (mattermost-commands 'the bot id is resolved once': 2 calls)
  const fake = await startFakeMattermost();
  try {
    assert.ok(mattermostSpecLoaded(), 'read before the first request');
    assert.equal(fake.calls.length, 0);
  } finally {
    await fake.close();
  }
});

test('getMe, getUser with locale, getProfilesByIds, getUserByUsername', async () => {
  await withFake({ users: [{ username: 'tanaka', locale: 'ja' }] }, async (fake, client) => {
    const me = await client.getMe();
    assert.equal(me.id, fake.bot.id);
    assert.equal(me.username, 'csirt-bot');
    assert.equal((me as unknown as { is_bot: boolean }).is_bot, true);
    const tanaka = await client.getUserByUsername('tanaka');
    assert.equal(tanaka.locale, 'ja');
    assert.equal((await client.getUser(tanaka.id)).username, 'tanaka');
    const both = await client.getProfilesByIds([tanaka.id, fake.bot.id, 'x'.repeat(26)]);
    assert.deepEqual(both.map((u) => u.username).sort(), ['csirt-bot', 'tanaka']);
    const missing = await rejection(client.getUserByUsername('nobody'));
    assert.equal(missing.status_code, 404);
    assert.deepEqual(fake.violations, []);
  });
});

test('createPost with props, read back with getPostsSince; integrations stripped from answers', async () => {
  await withFake({}, async (fake, client) => {
    const since = Date.now() - 1;
    const attachments = [
      {
        text: 'Advisory',
        actions: [{ id: 'ack', name: 'Ack', integration: { url: 'https://bot/act', context: { a: 1 } } }],
      },
    ];
    const created = await client.createPost({
      channel_id: fake.channel.id,
      message: 'hello',
      props: { delivery_id: 'd-1', attachments },
    } as Partial<Post> as Post);
    assert.equal(created.channel_id, fake.channel.id);
    assert.equal(created.user_id, fake.bot.id);
    assert.equal(created.props.delivery_id, 'd-1');
    assert.equal(created.props.from_bot, 'true');
    const answered = (created.props.attachments as { actions: Record<string, unknown>[] }[])[0]!.actions[0]!;
    assert.equal(answered.integration, undefined);

    const list = await client.getPostsSince(fake.channel.id, since);
    assert.deepEqual(list.order, [created.id]);
    assert.equal(list.posts[created.id]?.props.delivery_id, 'd-1');
    const stored = fake.posts(fake.channel.id);
    assert.equal(stored.length, 1);
    assert.ok(JSON.stringify(stored[0]!.props).includes('https://bot/act'), 'the store keeps the integration');
    assert.ok(typeof stored[0]!.create_at === 'number');
    assert.deepEqual(fake.violations, []);
  });
});

test('unknown channel: createPost 403, getChannel 404; channel by team and name', async () => {
  await withFake({}, async (fake, client) => {
    const unknown = 'q'.repeat(26);
    const post = await rejection(client.createPost({ channel_id: unknown, message: 'x' } as Post));
    assert.equal(post.status_code, 403);
    assert.equal(post.server_error_id, 'api.context.permissions.app_error');
    assert.equal((await rejection(client.getChannel(unknown))).status_code, 404);
    const ch = fake.addChannel({ name: 'poc-moj', team: 'csirt', type: 'P' });
    assert.equal((await client.getChannelByNameAndTeamName('csirt', 'poc-moj')).id, ch.id);
    assert.equal((await client.getTeamByName('csirt')).id, fake.team.id);
    const gone = fake.addChannel({ name: 'left', team: 'csirt', type: 'P', members: [] });
    assert.equal((await rejection(client.createPost({ channel_id: gone.id, message: 'x' } as Post))).status_code, 403);
    assert.deepEqual(fake.violations, []);
  });
});

test('createDirectChannel, patchPost and updatePost', async () => {
  await withFake({}, async (fake, client) => {
    const human = fake.addUser({ username: 'sato', locale: 'ja' });
    const dm = await client.createDirectChannel([fake.bot.id, human.id]);
    assert.equal(dm.type, 'D');
    assert.equal((await client.createDirectChannel([human.id, fake.bot.id])).id, dm.id);
    const p = await client.createPost({
      channel_id: dm.id,
      message: 'v1',
      props: { delivery_id: 'd' },
    } as Partial<Post> as Post);
    const patched = await client.patchPost({ id: p.id, message: 'v2' });
    assert.equal(patched.message, 'v2');
    assert.equal(patched.props.delivery_id, 'd');
    assert.ok(patched.edit_at > 0);
    const updated = await client.updatePost({
      id: p.id,
      message: 'v3',
      props: { delivery_id: 'd' },
    } as Partial<Post> as Post);
    assert.equal(updated.message, 'v3');
    assert.deepEqual(fake.violations, []);
  });
});

test('a command created twice via the API: second is a duplicate trigger; list and edit', async () => {
  await withFake({}, async (fake, client) => {
    const first = await client.addCommand(newCommand(fake.team.id, 'POC'));
    assert.equal(first.trigger, 'poc');
    assert.equal(first.token.length, 26);
    const again = await rejection(client.addCommand(newCommand(fake.team.id, 'poc')));
    assert.equal(again.status_code, 400);
    assert.equal(again.server_error_id, 'api.command.duplicate_trigger.app_error');
    const builtin = await rejection(client.addCommand(newCommand(fake.team.id, 'echo')));
    assert.equal(builtin.server_error_id, 'api.command.duplicate_trigger.app_error');
    const list = await client.getCustomTeamCommands(fake.team.id);
    assert.deepEqual(
      list.map((c) => c.id),
      [first.id],
    );
    const edited = await client.editCommand({ ...first, url: 'https://bot.example/v2' });
    assert.equal(edited.url, 'https://bot.example/v2');
    assert.equal(edited.token, first.token);
    assert.equal(fake.commands().length, 1);
    assert.deepEqual(fake.violations, []);
  });
});

test('429 surfaces with X-RateLimit-* and Retry-After (forced, then per-token limit)', async () => {
  const clock = new ManualClock(new Date('2025-04-01T00:00:00Z'));
  await withFake({ clock }, async (fake, client) => {
    fake.rateLimitNextPosts(1, 7);
    const forced = await fetch(`${fake.url}/api/v4/posts`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${fake.botToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ channel_id: fake.channel.id, message: 'x' }),
    });
    assert.equal(forced.status, 429);
    assert.equal(forced.headers.get('retry-after'), '7');
    assert.equal(forced.headers.get('x-ratelimit-remaining'), '0');
    assert.equal(forced.headers.get('x-ratelimit-reset'), '7');
    assert.ok(forced.headers.has('x-ratelimit-limit'));
    assert.equal(await forced.text(), 'limit exceeded\n');
    assert.equal(fake.posts().length, 0);

    fake.setRateLimit({ perSecond: 2, burst: 2 });
    await client.getMe();
    await client.getMe();
    const limited = await rejection(client.getMe()); // Client4 loses the headers: text body, no status_code
    assert.equal(limited.status_code, undefined);
    const raw = await fetch(`${fake.url}/api/v4/users/me`, { headers: { Authorization: `Bearer ${fake.botToken}` } });
    assert.equal(raw.status, 429);
    assert.equal(raw.headers.get('retry-after'), '1');
    assert.equal(raw.headers.get('x-ratelimit-limit'), '2');
    clock.advance(1000);
    const after = await fetch(`${fake.url}/api/v4/users/me`, { headers: { Authorization: `Bearer ${fake.botToken}` } });
    assert.equal(after.status, 200);
    assert.equal(after.headers.get('x-ratelimit-remaining'), '1');
    assert.deepEqual(fake.violations, []);
  });
});

test('an unknown body property and an unknown route are recorded as violations', async () => {
  await withFake({}, async (fake, client) => {
    const bad = await rejection(
      client.createPost({ channel_id: fake.channel.id, message: 'x', delivery_id: 'd' } as unknown as Post),
    );
    assert.equal(bad.status_code, 400);
    assert.equal(bad.server_error_id, 'api.context.invalid_body_param.app_error');
    assert.deepEqual(
      fake.violations.map((v) => [v.kind, v.detail]),
      [['unknown_property', 'unknown property delivery_id']],
    );
    assert.equal(fake.posts().length, 0);
    await rejection(client.raw('/no/such/route', 'get'));
    assert.equal(fake.violations[1]?.kind, 'unknown_route');
  });
});

test('wrong or missing token → 401 with the session error JSON', async () => {
  await withFake({}, async (fake, client) => {
    client.setToken('wrongtoken');
    const e = await rejection(client.getMe());
    assert.equal(e.status_code, 401);
    assert.equal(e.server_error_id, 'api.context.session_expired.app_error');
    const res = await fetch(`${fake.url}/api/v4/users/me`);
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('content-type'), 'application/json');
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.id, 'api.context.session_expired.app_error');
    assert.equal(body.detailed_error, '');
    assert.equal(body.status_code, 401);
    assert.equal(typeof body.request_id, 'string');
    assert.deepEqual(fake.violations, []);
  });
});

test('lost response: the post is stored; a retry with the same pending_post_id returns it', async () => {
  await withFake({}, async (fake, client) => {
    fake.loseResponseNextPosts();
    const post = { channel_id: fake.channel.id, message: 'once', pending_post_id: 'p1' } as Partial<Post> as Post;
    await assert.rejects(client.createPost(post));
    assert.equal(fake.posts().length, 1);
    const retried = await client.createPost(post);
    assert.equal(retried.id, fake.posts()[0]!.id);
    assert.equal(fake.posts().length, 1);
    assert.deepEqual(fake.violations, []);
  });
});

test('dialogs/open: known fresh trigger ids only; ephemeral posts need a permission', async () => {
  const clock = new ManualClock(new Date('2025-04-01T00:00:00Z'));
  await withFake({ clock }, async (fake, client) => {
    const user = fake.addUser({ username: 'suzuki' });
    const open = (trigger_id: string) =>
      client.raw('/actions/dialogs/open', 'post', {
        trigger_id,
        url: 'https://bot/dialog',
        dialog: { callback_id: 'cb', title: 'T', elements: [], state: 's' },
      });
    assert.deepEqual(await open(fake.issueTriggerId(user.id)), { status: 'OK' });
    assert.equal(fake.dialogs.length, 1);
    assert.equal(fake.dialogs[0]!.user_id, user.id);
    const old = fake.issueTriggerId(user.id);
    clock.advance(30_001);
    assert.equal((await rejection(open(old))).server_error_id, 'interactive_message.decode_trigger_id.expired');
    const forged = Buffer.from(`abc:${user.id}:${clock.now().getTime()}:sig`).toString('base64');
    assert.equal((await rejection(open(forged))).status_code, 400);
    const eph = await rejection(
      client.createPostEphemeral(user.id, { channel_id: fake.channel.id, message: 'x' } as Post),
    );
    assert.equal(eph.status_code, 403);
    assert.deepEqual(fake.violations, []);
  });
});
