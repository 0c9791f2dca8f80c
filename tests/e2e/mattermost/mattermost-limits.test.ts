/**
 * Issue #23 on Mattermost, end to end against the fake's real rules: a withdrawal after the
 * server's edit time limit; replies whose response_url is spent or unreachable (network, TLS);
 * dialog limits in bytes; Site URL; registration as a Team Admin; 429s of the app's token.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, test } from 'vitest';
import { consoleRefs } from '../../../src/adapters/console/refs.ts';
import { ROOT } from '../../../src/app.ts';
import { ManualClock } from '../../../src/core/clock.ts';
import { replyToText } from '../../../src/core/reply.ts';
import { enqueue } from '../../../src/outbox/outbox.ts';
import type { MmBotRequest } from '../../fakes/mattermost-requests.ts';
import { type FakeMmChannel, type FakeMmUser, startFakeMattermost } from '../../fakes/mattermost-server.ts';
import { fakeCommand } from '../../fakes/mattermost-state.ts';
import { closedPort } from '../../helpers/closed-port.ts';
import { type MattermostBot, MM_ADMIN, mmid, shownText, startMattermostBot } from '../../helpers/mattermost.ts';
import { PERSONAS } from '../../helpers/personas.ts';

const clock = new ManualClock(new Date('2026-05-11T09:00:00+09:00'));
let bot: MattermostBot;
let taro: FakeMmUser;
let maff: FakeMmChannel;
let mof: FakeMmChannel;

beforeAll(async () => {
  bot = await startMattermostBot({
    clock,
    fakeOptions: { clock, postEditTimeLimitSeconds: 300 },
    env: { BOT_ADMINS: `mattermost:${MM_ADMIN},console:admin` },
    // every reply after the request, through the response_url
    directReplyMs: 0,
  });
  taro = bot.fake.addUser({ id: mmid('taro'), username: 'taro', locale: 'ja' });
  maff = bot.fake.addChannel({ name: 'maff-csirt', team: bot.fake.team.id, members: [bot.fake.bot.id] });
  mof = bot.fake.addChannel({ name: 'mof-csirt', team: bot.fake.team.id, members: [bot.fake.bot.id] });
  for (const [code, ch] of [
    ['maff', maff],
    ['mof', mof],
  ] as const) {
    await bot.app.services.directory.setChannel('console:admin', code, 'mattermost', { id: ch.id, name: ch.name });
  }
  for (const cmd of [
    `poc add ${PERSONAS.coordinator} org=nisc role=coordinator`,
    `poc add ${PERSONAS.approver} org=nisc role=approver`,
  ]) {
    assert.equal((await run('console:admin', cmd)).status, 'ok', cmd);
  }
});
afterAll(async () => {
  await bot.close();
});
afterEach(() => {
  assert.deepEqual(bot.fake.violations, [], 'every request the bot sent matches the Mattermost server');
});

function run(identity: string, text: string) {
  return bot.app.router.handle({ platform: 'console', identity, text, channelId: null, refs: consoleRefs });
}
async function say(identity: string, text: string): Promise<string> {
  const o = await run(identity, text);
  assert.equal(o.status, 'ok', `${text}: ${replyToText(o.reply)}`);
  return replyToText(o.reply);
}
const botPosts = (ch: FakeMmChannel) => bot.fake.posts(ch.id).filter((p) => p.user_id === bot.fake.bot.id);

async function broadcast(title: string): Promise<string> {
  const d = await say(
    PERSONAS.coordinator,
    `advisory draft title="${title}" body="添付ファイルを開かないでください。" severity=low tlp=clear audience=maff`,
  );
  const id = /ADV-\d{4}-\d{4}/.exec(d)?.[0] as string;
  await say(PERSONAS.coordinator, `advisory submit ${id}`);
  await say(PERSONAS.approver, `advisory approve ${id}`);
  await bot.app.dispatcher.drain();
  return id;
}

test('a withdrawal after the edit time limit (5 minutes, the post 10 minutes old): the channel shows it, and advisory status says how', async () => {
  const id = await broadcast('偽の更新通知');
  assert.equal(botPosts(maff).length, 1);
  const original = botPosts(maff)[0]!;
  clock.advance(10 * 60_000);
  await say(PERSONAS.coordinator, `advisory withdraw ${id}`);
  await bot.app.dispatcher.drain();
  const refused = bot.fake.calls.filter((c) => c.template === '/api/v4/posts/{post_id}/patch');
  assert.deepEqual(
    refused.map((c) => c.status),
    [400],
    'the edit was tried once and refused',
  );
  const posts = botPosts(maff);
  assert.equal(posts.length, 2, 'the withdrawal is a new post in the channel');
  assert.equal(posts[0]!.message, original.message, 'the original could not be changed');
  const notice = shownText(posts[1]!.message);
  assert.match(notice, new RegExp(`【取下げ】注意喚起 ${id}「偽の更新通知」`));
  assert.ok(notice.includes(`${bot.fake.siteUrl}/_redirect/pl/${original.id}`), 'it links the post it withdraws');
  assert.equal(posts[1]!.root_id, '', 'not hidden in a thread (Collapsed Reply Threads)');
  const status = await say(PERSONAS.coordinator, `advisory status ${id}`);
  assert.match(status, /取下げを表示済み（元の投稿は編集期限を過ぎていたため、取下げのお知らせを続けて投稿）/);
});

test('a withdrawal within the edit time limit edits the post in place, and advisory status says so', async () => {
  const id = await broadcast('期限内の取下げ');
  const before = botPosts(maff).length;
  clock.advance(60_000);
  await say(PERSONAS.coordinator, `advisory withdraw ${id}`);
  await bot.app.dispatcher.drain();
  assert.equal(botPosts(maff).length, before, 'no new post');
  assert.match(shownText(botPosts(maff).at(-1)!.message), /【取下げ】/);
  const status = await say(PERSONAS.coordinator, `advisory status ${id}`);
  assert.match(status, /取下げを表示済み/);
  assert.doesNotMatch(status, /編集期限/);
});

/** `/csirt <text>` whose response_url is `url`; answered empty (directReplyMs 0: the reply comes after). */
async function commandTo(user: FakeMmUser, text: string, url: string, channel?: FakeMmChannel) {
  const r = await bot.command(user, text, {
    ...(channel ? { channel } : {}),
    edit: (r: MmBotRequest) => {
      const form = new URLSearchParams(r.body ?? '');
      form.set('response_url', url);
      return { ...r, body: form.toString() };
    },
  });
  // a reply in the answer would never reach the response_url, nor the way taken after it
  assert.equal((r.json as { text?: unknown }).text, '', `answered empty, the reply comes after: ${r.text}`);
  return r;
}
/** the bot's direct messages to a user */
const dms = (user: FakeMmUser) => {
  const ch = [...bot.fake.store.channels.values()].find(
    (c) => c.type === 'D' && c.name === [bot.fake.bot.id, user.id].sort().join('__'),
  );
  return ch ? botPosts(ch) : [];
};

test('a spent response_url: the reply comes as a direct message, saying why', async () => {
  const url = bot.receiver.newUrl();
  for (let i = 0; i < 5; i++)
    await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"x"}' });
  await commandTo(taro, 'help', url);
  await bot.until(() => dms(taro).length === 1);
  const text = shownText(dms(taro)[0]!.message);
  assert.match(text, /コマンドを実行した画面に表示できなかったため/);
  assert.match(text, /help|ヘルプ/);
});

test('a dialog submitted after 30 minutes: its response_url has expired, and the result comes as a direct message', async () => {
  const before = bot.fake.dialogs.length;
  const cmd = await bot.command(bot.admin, 'qa form exp');
  assert.equal(cmd.status, 200);
  await bot.until(() => bot.fake.dialogs.length === before + 1);
  const dialog = bot.fake.dialogs.at(-1)!;
  clock.advance(31 * 60_000);
  const dmsBefore = dms(bot.admin).length;
  const res = await bot.submit(dialog, { org: 'exp', name: 'Exp', level: 'low', count: '2' });
  assert.equal(res.status, 200);
  assert.equal(res.text, '', 'the dialog closes');
  await bot.until(() => dms(bot.admin).length === dmsBefore + 1);
  const text = shownText(dms(bot.admin).at(-1)!.message);
  assert.match(text, /could not be shown where you ran the command/);
  assert.match(text, /created exp \(low, 2\)/);
  assert.equal(bot.responses(cmd.responseUrl).length, 0, 'the expired response_url took nothing');
});

test('a reply meant for the channel, its response_url spent: posted in the channel instead', async () => {
  const url = bot.receiver.newUrl();
  for (let i = 0; i < 5; i++)
    await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"x"}' });
  const before = botPosts(bot.fake.channel).length;
  await commandTo(bot.admin, 'qa notify org=mof text="channel reply"', url);
  await bot.until(() => botPosts(bot.fake.channel).length === before + 1);
  assert.match(shownText(botPosts(bot.fake.channel).at(-1)!.message), /posted to mof/);
  await bot.app.dispatcher.drain();
});

test('an unreachable response_url (nothing listening) and one whose TLS certificate is not trusted: direct messages', async () => {
  const tls = createServer(
    {
      key: readFileSync(join(ROOT, 'tests/fixtures/tls/untrusted-key.pem')),
      cert: readFileSync(join(ROOT, 'tests/fixtures/tls/untrusted-cert.pem')),
    },
    (_req, res) => res.writeHead(200).end('ok'),
  );
  tls.listen(0, '127.0.0.1');
  await once(tls, 'listening');
  try {
    const before = dms(taro).length;
    await commandTo(taro, 'help', `http://127.0.0.1:${await closedPort()}/hooks/commands/closed`);
    await bot.until(() => dms(taro).length === before + 1);
    await commandTo(taro, 'help', `https://127.0.0.1:${(tls.address() as AddressInfo).port}/hooks/commands/x`);
    await bot.until(() => dms(taro).length === before + 2);
    const why = bot.logs.filter((l) => l.includes('response_url did not take the reply'));
    assert.ok(
      why.some((l) => /network ECONNREFUSED/.test(l)),
      'the refused connection is logged as such',
    );
    assert.ok(
      why.some((l) => /tls [A-Z_]*(CERT|SELF_SIGNED)/.test(l)),
      'the TLS failure is logged as such',
    );
  } finally {
    tls.closeAllConnections();
    tls.close();
  }
});

test('a Japanese dialog fits the byte limits the server checks (the afterEach sees no violation)', async () => {
  await say('console:admin', `poc add mattermost:${taro.id} org=maff role=poc`);
  const before = bot.fake.dialogs.length;
  await bot.command(taro, 'report');
  await bot.until(() => bot.fake.dialogs.length === before + 1);
  const d = bot.fake.dialogs.at(-1)!.dialog as { title: string; elements: { display_name: string }[] };
  assert.match(d.title, /[ぁ-んァ-ン一-龯]/, 'a Japanese dialog');
  assert.ok(d.elements.length > 5);
});

const msg = (text: string) => ({ blocks: [{ kind: 'text' as const, text }] });

test("a 429 on the app's token holds every Mattermost channel until Retry-After, spends no attempt and searches no history", async () => {
  bot.fake.rateLimitNextPosts(1, 2);
  const put = (ch: FakeMmChannel, key: string) =>
    bot.app.db.tx((tx) =>
      enqueue(
        tx,
        { platform: 'mattermost', kind: 'post', target: ch.id, message: msg(key), dedupeKey: key },
        clock.now(),
      ),
    );
  const a = await put(maff, 'rl-mm-a');
  await bot.app.dispatcher.drain();
  assert.equal((await bot.app.db.prisma.delivery.findUniqueOrThrow({ where: { id: a } })).attempts, 0);
  await put(mof, 'rl-mm-b');
  await bot.app.dispatcher.drain();
  assert.ok(!botPosts(mof).some((p) => p.message.includes('rl-mm-b')), 'the other channel is held too');
  clock.advance(2000);
  await bot.app.dispatcher.drain();
  assert.ok(botPosts(maff).some((p) => p.message.includes('rl-mm-a')));
  assert.ok(botPosts(mof).some((p) => p.message.includes('rl-mm-b')));
  const searches = bot.fake.calls.filter((c) => c.template === '/api/v4/channels/{channel_id}/posts');
  assert.equal(searches.length, 0, 'no history search');
  assert.equal((await bot.app.db.prisma.delivery.findUniqueOrThrow({ where: { id: a } })).attempts, 1);
});

test('Site URL unset: the bot says at start that Mattermost will refuse /csirt', async () => {
  const other = await startMattermostBot({ fakeOptions: { siteUrl: '' } });
  try {
    assert.ok(other.logs.some((l) => l.includes('Mattermost has no Site URL')));
  } finally {
    await other.close();
  }
});

test('Mattermost slow or unavailable at start (a timeout, then a 503): the bot waits, says so, and comes up', async () => {
  const fake = await startFakeMattermost({ users: [{ id: MM_ADMIN, username: 'admin', locale: 'en' }] });
  try {
    // the first GET /users/me answers after the bot's timeout, the second with 503, the third normally
    fake.setDelay(1500, 'GET /api/v4/users/{user_id}', 'before');
    const me = () => fake.calls.filter((c) => c.method === 'GET' && c.path === '/api/v4/users/me');
    const watch = setInterval(() => {
      if (me().length >= 1) {
        fake.setDelay(0, 'GET /api/v4/users/{user_id}');
        fake.unavailableNext('GET /api/v4/users/{user_id}', 1);
        clearInterval(watch);
      }
    }, 5);
    const b = await startMattermostBot({ fake, apiTimeoutMs: 300 }).finally(() => clearInterval(watch));
    try {
      assert.equal(me().length, 3, 'asked three times');
      assert.deepEqual(
        me().map((c) => c.status),
        [200, 503, 200],
        'the first answer came too late, the second was 503',
      );
      assert.ok(
        b.logs.some((l) => l.includes('did not answer at start')),
        'says it is trying again',
      );
      assert.equal(b.mount.botUserId, fake.bot.id);
      assert.equal((await b.command(b.admin, 'help')).status, 200);
    } finally {
      await b.close();
    }
  } finally {
    await fake.close();
  }
});

test('a bad token at start fails at once, without retries', async () => {
  const fake = await startFakeMattermost({ users: [{ id: MM_ADMIN, username: 'admin', locale: 'en' }] });
  try {
    const t0 = Date.now();
    const e = (await startMattermostBot({ fake, env: { MATTERMOST_TOKEN: 'wrong-token' } }).then(
      () => assert.fail('expected the start to fail'),
      (x: unknown) => x,
    )) as { status?: number };
    assert.equal(e.status, 401);
    assert.equal(fake.calls.filter((c) => c.path === '/api/v4/users/me').length, 1, 'asked once');
    assert.ok(Date.now() - t0 < 3000);
  } finally {
    await fake.close();
  }
});

test('registration as a Team Admin takes over a /csirt someone else made; with manage_own_slash_commands only, a clear error', async () => {
  for (const perm of ['others', 'own'] as const) {
    const fake = await startFakeMattermost({
      commandPermissions: perm,
      users: [{ id: MM_ADMIN, username: 'admin', locale: 'en' }],
    });
    const human = fake.addUser({ username: 'mm-sysadmin' });
    fake.store.commands.set(
      mmid('oldcommand'),
      fakeCommand({
        id: mmid('oldcommand'),
        token: mmid('oldtoken'),
        create_at: 1,
        creator_id: human.id,
        team_id: fake.team.id,
        trigger: 'csirt',
        method: 'P',
        url: 'http://old.example/command',
      }),
    );
    try {
      if (perm === 'others') {
        const b = await startMattermostBot({ fake });
        try {
          assert.equal(b.mount.registration?.created, false);
          assert.equal(b.mount.registration?.token, mmid('oldtoken'));
          assert.equal(fake.commands()[0]!.url, `${b.url}/mattermost/command`);
          const r = await b.command(b.admin, 'help');
          assert.equal(r.status, 200);
        } finally {
          await b.close();
        }
      } else {
        const e = (await startMattermostBot({ fake }).then(
          () => assert.fail('expected the start to fail'),
          (x: unknown) => x,
        )) as { logs?: string[] };
        assert.ok(
          (e.logs ?? []).some((l) => l.includes('Make the bot a Team Admin of the team')),
          'says what to do',
        );
      }
    } finally {
      await fake.close();
    }
  }
});

test('a reply longer than one post (incident show with a long timeline) comes as several, in order, nothing left out', async () => {
  const jiro = bot.fake.addUser({ id: mmid('jiro'), username: 'jiro', locale: 'en' });
  await say('console:admin', `poc add mattermost:${jiro.id} org=mof role=poc primary=yes`);
  const answer = async (text: string) => {
    const { responseUrl } = await bot.command(jiro, text);
    await bot.until(() => bot.responses(responseUrl).length >= 1);
    return bot.responses(responseUrl)[0]!;
  };
  const id = /INC-\d{4}-\d{4}/.exec(
    String((await answer('report category=malware summary="long timeline" severity=low')).text),
  )?.[0];
  assert.ok(id);
  for (let i = 0; i < 20; i++) {
    const note = `note-${String(i).padStart(2, '0')} ${'経過を記録します。'.repeat(100)}`;
    assert.match(String((await answer(`incident update ${id} note="${note}"`)).text), new RegExp(id));
  }
  const show = (await answer(`incident show ${id}`)) as { text: string; extra_responses?: { text: string }[] };
  const posts = [show, ...(show.extra_responses ?? [])];
  assert.ok(posts.length >= 2 && posts.length <= 4, `${posts.length} posts in one command response`);
  for (const p of posts) assert.ok([...p.text].length <= 16_383, `${[...p.text].length} characters`);
  const all = posts.map((p) => shownText(p.text)).join('\n');
  const order = [...all.matchAll(/note-(\d\d)/g)].map((m) => Number(m[1]));
  assert.deepEqual(
    order,
    Array.from({ length: 20 }, (_, i) => i),
    'every note once, in order',
  );
  assert.doesNotMatch(all, /Shortened/);
  // each part is whole markdown: a table cut between rows keeps its head
  for (const p of posts.slice(1)) assert.match(p.text, /^\|.*\|\n\|( --- \|)+/m);
});
