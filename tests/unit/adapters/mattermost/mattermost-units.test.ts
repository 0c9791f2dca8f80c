/**
 * Mattermost pieces against the fake server (checked against the spec) or a bare HTTP server:
 * the seam (post, patch, DM, find by delivery id, error kinds), dialogs, registration, refs,
 * locale mapping.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { test } from 'vitest';
import { MmApi } from '../../../../src/adapters/mattermost/api.ts';
import { buildDialog, verifyState } from '../../../../src/adapters/mattermost/dialog.ts';
import { mattermostLocaleToOurs } from '../../../../src/adapters/mattermost/locale.ts';
import { mattermostRefs } from '../../../../src/adapters/mattermost/refs.ts';
import { registerCommand } from '../../../../src/adapters/mattermost/register.ts';
import { MattermostSeam } from '../../../../src/adapters/mattermost/seam.ts';
import { isUserError } from '../../../../src/core/errors.ts';
import type { Form } from '../../../../src/core/forms.ts';
import { PlatformError } from '../../../../src/core/platform.ts';
import { translator } from '../../../../src/i18n/index.ts';
import { type FakeMattermost, startFakeMattermost } from '../../../fakes/mattermost-server.ts';

const t = translator('en');
const msg = { blocks: [{ kind: 'text' as const, text: 'hello' }] };

async function withFake(fn: (fake: FakeMattermost, seam: MattermostSeam, api: MmApi) => Promise<void>) {
  const fake = await startFakeMattermost({ users: [{ username: 'tanaka', locale: 'ja' }] });
  const api = new MmApi({ baseUrl: fake.url, token: fake.botToken, timeoutMs: 15_000 }); // loaded test machines
  const seam = new MattermostSeam(api, t, (c) => `tok:${c}`, 'https://bot.example/mattermost/action');
  seam.setBotId(fake.bot.id);
  try {
    await fn(fake, seam, api);
    assert.deepEqual(fake.violations, []);
  } finally {
    await fake.close();
  }
}

async function rejects(p: Promise<unknown>): Promise<PlatformError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof PlatformError, String(e));
    return e;
  }
  assert.fail('expected a failure');
}

test('seam: post with delivery_id in props, patch in place, DM, find by delivery id', async () => {
  await withFake(async (fake, seam) => {
    const { ref } = await seam.post(fake.channel.id, { ...msg, actions: [{ label: 'Go', command: 'help' }] }, 'd-1');
    const stored = fake.posts(fake.channel.id)[0]!;
    assert.equal(stored.id, ref);
    assert.equal(stored.props.delivery_id, 'd-1');
    await seam.update(fake.channel.id, ref, { blocks: [{ kind: 'text', text: 'withdrawn' }] }, 'd-1');
    assert.equal(fake.posts(fake.channel.id)[0]!.message, 'withdrawn');
    assert.ok(fake.calls.some((c) => c.template === '/api/v4/posts/{post_id}/patch'));
    const since = new Date(Date.now() - 60_000);
    assert.deepEqual(await seam.findByDeliveryId('post', fake.channel.id, 'd-1', since), {
      ref,
      channel: fake.channel.id,
    });
    assert.equal(await seam.findByDeliveryId('post', fake.channel.id, 'd-2', since), null);

    const tanaka = [...fake.store.users.values()].find((u) => u.username === 'tanaka')!;
    const dm = await seam.dm(tanaka.id, msg, 'd-3');
    assert.ok(fake.store.isMember(dm.channel, tanaka.id));
    assert.deepEqual(await seam.findByDeliveryId('dm', tanaka.id, 'd-3', since), { ref: dm.ref, channel: dm.channel });
    assert.equal(fake.calls.filter((c) => c.path === '/api/v4/channels/direct').length, 1, 'DM channel cached');
  });
});

test('seam: the bot posts since a time, with what they show, read back past 1000 posts (restore)', async () => {
  await withFake(async (fake, seam) => {
    const since = new Date(Date.now() - 60_000);
    fake.addPost(fake.channel.id, { message: 'INC-2026-0999 typed by a person', create_at: Date.now() });
    fake.addPost(fake.channel.id, {
      message: 'older',
      props: { delivery_id: 'd-old' },
      create_at: since.getTime() - 1,
    });
    await seam.post(fake.channel.id, { blocks: [{ kind: 'heading', text: 'INC-2026-0007 reported' }] }, 'd-7');
    const t0 = Date.now();
    for (let i = 0; i < 1005; i++)
      fake.addPost(fake.channel.id, { message: `bulk ${i}`, props: { delivery_id: `b-${i}` }, create_at: t0 + i });
    const posts = await seam.botPostsSince(fake.channel.id, since);
    assert.equal(posts.length, 1006, 'every bot post after the time, none of a person, none before');
    const mine = posts.find((p) => p.deliveryId === 'd-7');
    assert.match(mine?.text ?? '', /INC-2026-0007/);
    assert.ok(!posts.some((p) => p.text.includes('INC-2026-0999') || p.deliveryId === 'd-old'));
  });
});

test('seam: 429 → rate_limited with Retry-After; 403/404/400 → permanent', async () => {
  await withFake(async (fake, seam) => {
    fake.rateLimitNextPosts(1, 7);
    const e = await rejects(seam.post(fake.channel.id, msg, 'd-1'));
    assert.equal(e.kind, 'rate_limited');
    assert.equal(e.retryAfterMs, 7000);
    const notMember = fake.addChannel({ name: 'secret', team: fake.team.id, members: [] });
    assert.equal((await rejects(seam.post(notMember.id, msg, 'd-2'))).kind, 'permanent');
    assert.equal((await rejects(seam.dm('x'.repeat(26), msg, 'd-3'))).kind, 'permanent');
  });
});

test('seam: 5xx and timeouts → transient; X-RateLimit-Reset when Retry-After is missing', async () => {
  let mode: 'down' | 'hang' | 'limit' = 'down';
  const server = createServer((_req, res) => {
    if (mode === 'down') res.writeHead(503).end('{"id":"down","status_code":503}');
    else if (mode === 'limit') res.writeHead(429, { 'X-RateLimit-Reset': '3' }).end('limit exceeded');
    // hang: never answer
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const seam = new MattermostSeam(new MmApi({ baseUrl: url, token: 'x', timeoutMs: 200 }), t, () => null, '');
  try {
    assert.equal((await rejects(seam.post('c', msg, 'd'))).kind, 'transient');
    mode = 'hang';
    assert.equal((await rejects(seam.post('c', msg, 'd'))).kind, 'transient');
    mode = 'limit';
    const e = await rejects(seam.post('c', msg, 'd'));
    assert.equal(e.kind, 'rate_limited');
    assert.equal(e.retryAfterMs, 3000);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('registration is idempotent and updates a changed URL in place', async () => {
  await withFake(async (fake, _seam, api) => {
    const groups = [{ name: 'help', summary: { ja: '使い方', en: 'Help' } }];
    const a = await registerCommand(api, {
      team: fake.team.name,
      url: 'https://a.example/mattermost/command',
      locale: 'ja',
      groups,
    });
    const b = await registerCommand(api, {
      team: fake.team.name,
      url: 'https://a.example/mattermost/command',
      locale: 'ja',
      groups,
    });
    const c = await registerCommand(api, {
      team: fake.team.name,
      url: 'https://b.example/mattermost/command',
      locale: 'ja',
      groups,
    });
    assert.equal(fake.commands().length, 1);
    assert.deepEqual([a.created, b.created, c.created], [true, false, false]);
    assert.equal(a.token, c.token);
    assert.equal(fake.commands()[0]!.url, 'https://b.example/mattermost/command');
    assert.equal(fake.calls.filter((x) => x.method === 'PUT').length, 1, 'unchanged: no update sent');
  });
});

test('refs: @username, ~channel, identities; unknown ones are user errors', async () => {
  await withFake(async (fake, _seam, api) => {
    const tanaka = [...fake.store.users.values()].find((u) => u.username === 'tanaka')!;
    const refs = mattermostRefs(api, fake.team.name);
    assert.equal(await refs.user('@tanaka'), `mattermost:${tanaka.id}`);
    assert.equal(await refs.user(`mattermost:${tanaka.id}`), `mattermost:${tanaka.id}`);
    assert.deepEqual(await refs.channel('~town-square'), { id: fake.channel.id, name: 'town-square' });
    const bad = [
      () => refs.user('@nobody'),
      () => refs.channel('~nowhere'),
      () => mattermostRefs(api, null).channel('~x'),
    ];
    for (const p of bad) await assert.rejects(p, (e) => isUserError(e));
  });
});

test('dialogs: required fields first, every field shown (the server has no element limit); state signed', () => {
  const form: Form = {
    command: 'report',
    title: 'Report an incident to NISC now',
    fields: [
      {
        name: 'category',
        label: 'Category',
        optional: false,
        kind: 'select',
        options: ['malware', 'phishing'],
        value: 'malware',
      },
      { name: 'summary', label: 'Summary of what happened here', optional: false, kind: 'textarea' },
      ...['severity', 'tlp', 'share', 'system', 'detected'].map((name) => ({
        name,
        label: name,
        optional: true,
        kind: 'text' as const,
      })),
    ],
  };
  const now = new Date('2026-11-25T01:00:00Z');
  const state = {
    c: 'report',
    x: 'report category=malware',
    ch: 'c1',
    l: 'en' as const,
    r: 'https://mm/hooks/commands/x',
  };
  const d = buildDialog(form, state, t, 'secret-0123456789', now, 4000) as {
    title: string;
    elements: { name: string; display_name: string; type: string; default?: string; max_length?: number }[];
    introduction_text?: string;
    state: string;
  };
  assert.equal(d.elements.length, 7);
  assert.deepEqual(
    d.elements.slice(0, 2).map((e) => e.name),
    ['category', 'summary'],
  );
  assert.equal(d.elements[0]!.default, 'malware');
  assert.equal(d.elements[1]!.type, 'textarea');
  assert.ok(d.title.length <= 24 && d.elements.every((e) => [...e.display_name].length <= 24));
  assert.equal(d.introduction_text, undefined);
  assert.deepEqual(verifyState('secret-0123456789', d.state, now), state);
  assert.equal(verifyState('another-secret-000', d.state, now), null);
  assert.equal(verifyState('secret-0123456789', `${d.state}x`, now), null);
});

test('dialogs: title, labels, help texts and defaults are cut in UTF-8 bytes, as the server counts them', () => {
  const form: Form = {
    command: 'report',
    title: 'インシデントを報告します',
    fields: [
      {
        name: 'detected',
        label: '検知日時（発見した日時）',
        hint: `検知日時（発見した日時）。${'例'.repeat(60)}`,
        optional: true,
        kind: 'text',
        value: '値'.repeat(60),
      },
    ],
  };
  const d = buildDialog(
    form,
    { c: 'report', x: 'report', ch: null, l: 'ja' },
    t,
    'secret-0123456789',
    new Date(),
    4000,
  ) as {
    title: string;
    elements: { display_name: string; help_text?: string; default?: string }[];
  };
  const bytes = (s = '') => Buffer.byteLength(s, 'utf8');
  const el = d.elements[0]!;
  assert.ok(bytes(d.title) <= 24, d.title);
  assert.ok(bytes(el.display_name) <= 24, el.display_name);
  assert.ok(bytes(el.help_text) <= 150);
  assert.ok(bytes(el.default) <= 150);
  assert.match(el.display_name, /^検知日時（発見…$/);
  assert.match(el.help_text ?? '', /^検知日時（発見した日時）/, 'the whole label is in the help text');
});

test('locale: ja… → ja, anything else → en, nothing → null', () => {
  assert.equal(mattermostLocaleToOurs('ja'), 'ja');
  assert.equal(mattermostLocaleToOurs('ja-JP'), 'ja');
  assert.equal(mattermostLocaleToOurs('en'), 'en');
  assert.equal(mattermostLocaleToOurs('de'), 'en');
  assert.equal(mattermostLocaleToOurs(''), null);
});
