/**
 * The real server's rules the fake Mattermost learned for issue #23, one test each, through the
 * real @mattermost/client where it has the call (raw fetch where it drops what the rule shows).
 * Sources are in the fake's code comments: api4/post.go (PostEditTimeLimit), model/
 * integration_action.go (dialog limits in bytes), app/command.go (Site URL, response_url),
 * api4/command.go (slash command permissions), app/ratelimit.go (per-token 429).
 */
import assert from 'node:assert/strict';
import type { Command } from '@mattermost/types/integrations';
import type { Post } from '@mattermost/types/posts';
import { test } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import { MmCommandRefused, slashCommandFor, startResponseUrlReceiver } from './mattermost-requests.ts';
import type { FakeMattermost } from './mattermost-server.ts';
import { fakeCommand } from './mattermost-state.ts';
import { rejection, withFake } from './mattermost-test-client.ts';

const TIME_LIMIT = 'api.post.update_post.permissions_time_limit.app_error';

test('PostEditTimeLimit: past it a message edit is refused (400), bots included; a props-only patch and edits in time pass', async () => {
  const clock = new ManualClock(new Date('2025-04-01T00:00:00Z'));
  await withFake({ clock, postEditTimeLimitSeconds: 300 }, async (fake, client) => {
    const post = await client.createPost({ channel_id: fake.channel.id, message: 'v1' } as Post);
    clock.advance(299_000);
    await client.patchPost({ id: post.id, message: 'v2' } as Post);
    clock.advance(2_000); // 301 s after creation
    const late = await rejection(client.patchPost({ id: post.id, message: 'v3' } as Post));
    assert.equal(late.status_code, 400);
    assert.equal(late.server_error_id, TIME_LIMIT);
    assert.match(late.message, /300 seconds/);
    const put = await rejection(client.updatePost({ id: post.id, message: 'v3' } as Post));
    assert.equal(put.server_error_id, TIME_LIMIT);
    // a patch without `message` is not checked (postPatchChecks looks at message only)
    await client.patchPost({ id: post.id, props: { note: 'x' } } as unknown as Post);
    assert.equal(fake.posts()[0]!.message, 'v2');
    // -1 (the default) is no limit
    fake.setPostEditTimeLimit(-1);
    await client.patchPost({ id: post.id, message: 'v4' } as Post);
    assert.equal(fake.posts()[0]!.message, 'v4');
    assert.deepEqual(fake.violations, []);
  });
});

test('dialogs/open: display name and help text are limited in UTF-8 bytes; no limit on the number of elements', async () => {
  await withFake({}, async (fake, client) => {
    const user = fake.addUser({ username: 'sato' });
    const open = (elements: unknown[], title = '報告') =>
      client.raw('/actions/dialogs/open', 'post', {
        trigger_id: fake.issueTriggerId(user.id),
        url: 'https://bot/dialog',
        dialog: { callback_id: 'cb', title, elements, state: 's' },
      });
    const text = (name: string, display_name: string, extra: Record<string, unknown> = {}) => ({
      name,
      display_name,
      type: 'text',
      optional: true,
      ...extra,
    });
    // 8 Japanese characters are 24 bytes: fine; 9 are 27 bytes: over the limit
    const many = Array.from({ length: 12 }, (_, i) => text(`f${i}`, '検知日時の入力欄'));
    assert.deepEqual(await open(many), { status: 'OK' });
    assert.equal(fake.violations.length, 0);
    await open(
      [text('a', '検知日時を入力します'), text('b', 'x', { help_text: 'あ'.repeat(51) })],
      'インシデント報告の入力',
    );
    assert.deepEqual(
      fake.violations.map((v) => [v.kind, v.detail]),
      [
        ['invalid_dialog', 'invalid dialog title "インシデント報告の入力"'],
        ['invalid_dialog', '"a" field is not valid: DisplayName cannot be longer than 24 characters, got 30'],
        ['invalid_dialog', '"b" field is not valid: HelpText cannot be longer than 150 characters, got 153'],
      ],
    );
    // the server opens it anyway (it only logs): the fake answers OK too
    assert.equal(fake.dialogs.length, 2);
    fake.violations.length = 0;
    await open([{ name: 's', display_name: 'S', type: 'select', options: [{ text: 'a', value: 'a' }], default: 'b' }]);
    assert.match(fake.violations[0]?.detail ?? '', /default value "b" doesn't exist in options/);
  });
});

test('Site URL: unset, a custom slash command never reaches the integration; set, response_url is built on it', async () => {
  await withFake({}, async (fake, client) => {
    const sato = fake.addUser({ username: 'sato' });
    await client.addCommand({
      team_id: fake.team.id,
      trigger: 'csirt',
      method: 'P',
      url: 'https://bot.example/mattermost/command',
    } as Command);
    const cfg = await client.raw<Record<string, string>>('/config/client?format=old', 'get');
    assert.equal(cfg.SiteURL, fake.url);
    assert.equal(cfg.PostEditTimeLimit, '-1');
    const built = slashCommandFor(fake, { trigger: '/csirt', user: sato });
    const form = new URLSearchParams(built.request.body ?? '');
    assert.match(form.get('response_url') ?? '', new RegExp(`^${fake.url}/hooks/commands/[a-z0-9]{26}$`));
    fake.setSiteUrl('');
    assert.equal((await client.raw<Record<string, string>>('/config/client?format=old', 'get')).SiteURL, '');
    assert.throws(
      () => slashCommandFor(fake, { trigger: '/csirt', user: sato }),
      (e: unknown) =>
        e instanceof MmCommandRefused &&
        e.status === 400 &&
        e.id === 'api.command.execute_command.site_url_required.app_error',
    );
    assert.deepEqual(fake.violations, []);
  });
});

test('slash command permissions: Team Admin (own + others) sees and edits every command; own only sees its own; a member none', async () => {
  const otherCommand = (fake: FakeMattermost) => {
    const human = fake.addUser({ username: 'admin-human' });
    const c = fakeCommand({
      id: 'cmdbyhuman0000000000000000',
      token: 'tokenbyhuman00000000000000',
      create_at: 1,
      creator_id: human.id,
      team_id: fake.team.id,
      trigger: 'csirt',
      method: 'P',
      url: 'https://old.example/command',
    });
    fake.store.commands.set(c.id, c);
    return c;
  };
  await withFake({ commandPermissions: 'others' }, async (fake, client) => {
    const theirs = otherCommand(fake);
    const list = await client.getCustomTeamCommands(fake.team.id);
    assert.deepEqual(
      list.map((c) => c.id),
      [theirs.id],
    );
    const edited = await client.editCommand({ ...(list[0] as Command), url: 'https://bot.example/c' });
    assert.equal(edited.url, 'https://bot.example/c');
    assert.equal(edited.token, theirs.token, 'the token is kept');
  });
  await withFake({ commandPermissions: 'own' }, async (fake, client) => {
    const theirs = otherCommand(fake);
    assert.deepEqual(await client.getCustomTeamCommands(fake.team.id), [], "another's command is not listed");
    const put = await rejection(client.editCommand({ ...(theirs as unknown as Command), url: 'https://x.example/c' }));
    assert.equal(put.status_code, 403);
    // creating its own /csirt clashes with the one it cannot see
    const dup = await rejection(
      client.addCommand({
        team_id: fake.team.id,
        trigger: 'csirt',
        method: 'P',
        url: 'https://b.example/c',
      } as Command),
    );
    assert.equal(dup.server_error_id, 'api.command.duplicate_trigger.app_error');
  });
  await withFake({ commandPermissions: 'none' }, async (fake, client) => {
    assert.equal((await rejection(client.getCustomTeamCommands(fake.team.id))).status_code, 403);
    const c = otherCommand(fake);
    // no manage_own_slash_commands: "not found", so that the command's existence does not leak
    assert.equal((await rejection(client.editCommand(c as unknown as Command))).status_code, 404);
  });
});

test('app-level 429 at random: any route of any token, repeatable by seed, nothing stored', async () => {
  await withFake({}, async (fake) => {
    const statuses = async () => {
      const out: number[] = [];
      for (let i = 0; i < 40; i++) {
        const r = await fetch(`${fake.url}/api/v4/posts`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${fake.botToken}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ channel_id: fake.channel.id, message: `m${i}` }),
        });
        if (r.status === 429) assert.ok(Number(r.headers.get('retry-after')) >= 1);
        out.push(r.status);
      }
      return out;
    };
    fake.rateLimitAtRandom(0.3, 2, 42);
    const first = await statuses();
    const limited = first.filter((s) => s === 429).length;
    assert.ok(limited > 3 && limited < 25, `${limited} of 40 limited`);
    assert.equal(fake.posts().length, 40 - limited, 'a refused request stored nothing');
    fake.rateLimitAtRandom(0.3, 2, 42);
    assert.deepEqual(await statuses(), first, 'the same seed, the same sequence');
    fake.rateLimitAtRandom(0);
    assert.ok((await statuses()).every((s) => s === 201));
  });
});

test('response_url: 5 uses within 30 minutes; the 6th and a late one are refused', async () => {
  const clock = new ManualClock(new Date('2025-04-01T00:00:00Z'));
  const receiver = await startResponseUrlReceiver(() => clock.now().getTime());
  try {
    const post = (url: string) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"x"}' });
    const url = receiver.newUrl();
    for (let i = 0; i < 5; i++) assert.equal((await post(url)).status, 200);
    const sixth = await post(url);
    assert.equal(sixth.status, 400);
    assert.equal(((await sixth.json()) as { id: string }).id, 'app.command_webhook.try_use.invalid');
    const late = receiver.newUrl();
    clock.advance(30 * 60_000 + 1);
    const expired = await post(late);
    assert.equal(expired.status, 404);
    assert.equal(((await expired.json()) as { id: string }).id, 'web.command_webhook.invalid.app_error');
  } finally {
    await receiver.close();
  }
});
