/**
 * Mattermost end to end: the bot's own HTTP server with Mattermost wired as main.ts does,
 * requests built as the server sends them, the bot's REST calls checked by the fake against
 * the REST API v4 spec. Runs on the TEST_PROVIDER database.
 */
import assert from 'node:assert/strict';
import { afterAll, afterEach, beforeAll, test } from 'vitest';
import type { FakeMmChannel, FakeMmUser } from '../../fakes/mattermost-server.ts';
import {
  type MattermostBot,
  mattermostMentions,
  metricsAuth,
  mmid,
  shownText,
  startMattermostBot,
} from '../../helpers/mattermost.ts';

/** A test-only command that posts user text to an organisation's channel (the incident report
 * reaching NISC's channel has its own test below). */
const CHANNEL_COMMAND = (text: string) => `qa notify org=maff text="${text}"`;

let bot: MattermostBot;
let taro: FakeMmUser;
let maffChannel: FakeMmChannel;

beforeAll(async () => {
  bot = await startMattermostBot();
  taro = bot.fake.addUser({ id: mmid('taro'), username: 'taro', locale: 'ja' });
  maffChannel = bot.fake.addChannel({ name: 'maff-csirt', team: bot.fake.team.id, members: [bot.fake.bot.id] });
});
afterAll(() => bot.close());
afterEach(() => {
  assert.deepEqual(bot.fake.violations, [], 'every request the bot sent matches the Mattermost spec');
});

const body = (r: { json: unknown }) => r.json as { response_type: string; text: string; skip_slack_parsing?: boolean };

test('start: the bot id is resolved once and /csirt is registered with autocomplete hints', async () => {
  assert.equal(bot.fake.calls.filter((c) => c.path === '/api/v4/users/me').length, 1);
  const cmds = bot.fake.commands();
  assert.equal(cmds.length, 1);
  const c = cmds[0]!;
  assert.equal(c.trigger, 'csirt');
  assert.equal(c.url, `${bot.url}/mattermost/command`);
  assert.equal(c.auto_complete, true);
  for (const g of bot.app.router.groups) assert.ok(c.auto_complete_hint.includes(g.name), g.name);
  assert.match(c.auto_complete_desc, /help/);
  assert.ok(bot.mount.registration?.created);
  assert.ok(bot.logs.some((l) => l.includes('MATTERMOST_COMMAND_TOKEN is not set')));
});

test('a fast command is answered in the response, ephemeral, with Slack parsing off', async () => {
  const r = await bot.command(bot.admin, 'help');
  assert.equal(r.status, 200);
  assert.match(String(r.headers.get('content-type')), /application\/json/);
  assert.equal(body(r).response_type, 'ephemeral');
  assert.equal(body(r).skip_slack_parsing, true);
  assert.match(body(r).text, /org/);
  assert.equal(bot.responses(r.responseUrl).length, 0);
});

test("the reply is in the person's Mattermost language unless they chose one, looked up once", async () => {
  const r = await bot.command(taro, 'help');
  assert.match(body(r).text, /コマンド/);
  await bot.command(taro, 'help');
  assert.equal(bot.fake.calls.filter((c) => c.path === `/api/v4/users/${taro.id}`).length, 1, 'cached');
});

test('org set channel=~name sets the Mattermost channel; a command posts there, safely', async () => {
  const set = await bot.command(bot.admin, 'org set maff channel=~maff-csirt');
  assert.match(shownText(body(set).text), /maff-csirt/);
  const ch = await bot.app.db.prisma.orgChannel.findFirst({ where: { platform: 'mattermost' } });
  assert.equal(ch?.channelId, maffChannel.id);

  const evil =
    'Phishing @channel @all @here <!channel> <@abc> [gov.example](https://evil.example) <https://evil.example|gov.example>';
  const r = await bot.command(bot.admin, CHANNEL_COMMAND(evil.replace(/"/g, '')));
  assert.equal(body(r).response_type, 'in_channel');
  await bot.app.dispatcher.drain();
  await bot.until(() => bot.fake.posts(maffChannel.id).length === 1);
  const post = bot.fake.posts(maffChannel.id)[0]!;
  const delivery = await bot.app.db.prisma.delivery.findFirst({ where: { platform: 'mattermost' } });
  assert.equal(post.props.delivery_id, delivery?.id);
  assert.equal(delivery?.status, 'sent');
  assert.equal(post.user_id, bot.fake.bot.id);
  // what people read is the text as written…
  assert.match(shownText(post.message), /Phishing @channel @all @here <!channel> <@abc> \[gov\.example\]\(https/);
  // …but nothing in the markdown notifies, links in disguise, or is Slack syntax
  assert.doesNotMatch(post.message, /@(channel|all|here)/);
  assert.doesNotMatch(post.message, /<[!@h]/);
  assert.doesNotMatch(post.message, /(?<!\\)\[[^\]]*(?<!\\)\]\(/);
});

test('a user mention @name registers that Mattermost identity; an unknown one is a clear error', async () => {
  const ok = await bot.command(bot.admin, 'poc add @taro org=maff role=poc primary=yes');
  assert.match(shownText(body(ok).text), new RegExp(`mattermost:${taro.id}`));
  assert.ok(await bot.app.db.prisma.person.findUnique({ where: { identity: `mattermost:${taro.id}` } }));
  const before = await bot.auditCount();
  const bad = await bot.command(bot.admin, 'poc add @nobody org=maff role=poc');
  assert.match(shownText(body(bad).text), /Could not find the Mattermost user "@nobody"/);
  assert.equal(await bot.auditCount(), before);
  const ch = await bot.command(bot.admin, 'org set maff channel=~no-such-channel');
  assert.match(shownText(body(ch).text), /Could not find the channel "~no-such-channel" in team "csirt"/);
});

test('a wrong, missing or form-only wrong command token gets 401, counted, never logged', async () => {
  const before = await bot.auditCount();
  const wrongHeader = await bot.command(bot.admin, 'org add q1 ja="キュー" en="Q"', {
    edit: (r) => ({ ...r, headers: { ...r.headers, Authorization: 'Token wrong-token-000000' } }),
  });
  assert.equal(wrongHeader.status, 401);
  const noToken = await bot.command(bot.admin, 'help', {
    edit: (r) => {
      const f = new URLSearchParams(r.body);
      f.delete('token');
      const { Authorization: _a, ...headers } = r.headers;
      return { ...r, headers, body: f.toString() };
    },
  });
  assert.equal(noToken.status, 401);
  const wrongField = await bot.command(bot.admin, 'help', {
    edit: (r) => {
      const f = new URLSearchParams(r.body);
      f.set('token', 'wrong-token-111111');
      const { Authorization: _a, ...headers } = r.headers;
      return { ...r, headers, body: f.toString() };
    },
  });
  assert.equal(wrongField.status, 401);
  assert.equal(await bot.auditCount(), before);
  const metrics = await (await fetch(`${bot.url}/metrics`, { headers: metricsAuth })).text();
  assert.match(metrics, /csirt_auth_failures_total\{endpoint="mattermost",reason="bad_token"\} 2/);
  assert.match(metrics, /csirt_auth_failures_total\{endpoint="mattermost",reason="missing_token"\} 1/);
  const token = bot.mount.registration!.token;
  const all = bot.logs.join('');
  assert.ok(!all.includes(token) && !all.includes('wrong-token'), 'no token in the logs');
  assert.ok(!all.includes('org add q1'), 'no request body in the logs');
});

test('the same request (trigger id) sent twice runs once', async () => {
  const before = await bot.auditCount();
  let replayBody = '';
  const first = await bot.command(bot.admin, 'org add q2 ja="キュー2" en="Q2"', {
    edit: (r) => {
      replayBody = r.body ?? '';
      return r;
    },
  });
  assert.match(shownText(body(first).text), /q2/);
  const again = await bot.command(bot.admin, '', { edit: (r) => ({ ...r, body: replayBody }) });
  assert.equal(again.status, 200);
  assert.equal(body(again).text, '');
  assert.equal(await bot.auditCount(), before + 1);
});

test('slow work is answered empty at once and the result goes to the response_url', async () => {
  const slow = await startMattermostBot({ fake: bot.fake, directReplyMs: 0 });
  try {
    const r = await slow.command(slow.admin, 'help');
    assert.equal(r.status, 200);
    assert.equal(body(r).text, '');
    await slow.until(() => slow.responses(r.responseUrl).length === 1);
    const sent = slow.responses(r.responseUrl)[0]!;
    assert.equal(sent.response_type, 'ephemeral');
    assert.match(String(sent.text), /org/);
    assert.equal(sent.skip_slack_parsing, true);
  } finally {
    await slow.close();
  }
});

test('registering again (a restart) updates the one command instead of adding another', async () => {
  const tokenBefore = bot.fake.commands()[0]!.token;
  const again = await startMattermostBot({ fake: bot.fake });
  try {
    assert.equal(bot.fake.commands().length, 1);
    assert.equal(again.mount.registration?.created, false);
    assert.equal(bot.fake.commands()[0]!.token, tokenBefore, 'the token stays');
    assert.equal(bot.fake.commands()[0]!.url, `${again.url}/mattermost/command`, 'the URL follows PUBLIC_URL');
  } finally {
    await again.close();
  }
});

test('a configured MATTERMOST_COMMAND_TOKEN that differs from the registered one is reported', async () => {
  const other = await startMattermostBot({
    fake: bot.fake,
    env: { MATTERMOST_COMMAND_TOKEN: 'configured-but-different' },
  });
  try {
    assert.ok(other.logs.some((l) => l.includes('does not match the token of the registered /csirt command')));
    assert.ok(!other.logs.join('').includes('configured-but-different'));
    assert.equal((await other.command(other.admin, 'help')).status, 401);
  } finally {
    await other.close();
  }
});

test('a post whose answer was lost is found by its delivery id and not posted twice', async () => {
  const room = bot.fake.addChannel({ name: 'lost-room', team: bot.fake.team.id, members: [bot.fake.bot.id] });
  await bot.command(bot.admin, 'org add lr ja="エル" en="LR"');
  await bot.command(bot.admin, 'org set lr channel=~lost-room');
  bot.fake.loseResponseNextPosts(1);
  await bot.command(bot.admin, 'qa notify org=lr text="only once"');
  await bot.until(async () => {
    await bot.app.dispatcher.drain();
    const d = await bot.app.db.prisma.delivery.findFirst({ where: { target: room.id } });
    if (d?.status === 'pending')
      await bot.app.db.prisma.delivery.update({ where: { id: d.id }, data: { notBefore: new Date(0) } });
    return d?.status === 'sent';
  }, 15_000);
  assert.equal(bot.fake.posts(room.id).length, 1, 'one post despite the retry');
  const d = await bot.app.db.prisma.delivery.findFirst({ where: { target: room.id } });
  assert.ok(d?.messageRef?.endsWith(bot.fake.posts(room.id)[0]!.id));
  assert.ok((d?.attempts ?? 0) >= 2);
});

test("a ministry PoC's report reaches NISC's Mattermost channel (and the ministry's own)", async () => {
  const nisc = bot.fake.addChannel({ name: 'nisc-csirt', team: bot.fake.team.id, members: [bot.fake.bot.id] });
  await bot.command(bot.admin, 'org set nisc channel=~nisc-csirt');
  const reporter = bot.fake.addUser({ id: mmid('reporter'), username: 'reporter', locale: 'en' });
  await bot.command(bot.admin, 'poc add @reporter org=maff role=poc');
  const r = await bot.command(reporter, 'report category=malware summary="Emotet on a file server @channel"');
  assert.equal(r.status, 200);
  assert.match(shownText(body(r).text), /INC-/);
  await bot.until(async () => {
    await bot.app.dispatcher.drain();
    return bot.fake.posts(nisc.id).length === 1 && bot.fake.posts(maffChannel.id).some((p) => /Emotet/.test(p.message));
  });
  const post = bot.fake.posts(nisc.id)[0]!;
  assert.match(shownText(post.message), /Emotet on a file server @channel/);
  assert.doesNotMatch(post.message, /@(channel|all|here)/);
  assert.ok(post.props.delivery_id);
});

test('a post carrying user text mentions nobody: @name, (@name), x.@name stay text; e-mail addresses stay whole', async () => {
  const nisc = [...bot.fake.store.channels.values()].find((c) => c.name === 'nisc-csirt')!;
  const reporter = bot.fake.store.users.get(mmid('reporter'))!;
  const summary = '連絡は @reporter まで (@admin) x.@reporter 返信先 soc@mail.example.jp';
  await bot.command(reporter, `report category=phishing summary="${summary}"`);
  await bot.until(async () => {
    await bot.app.dispatcher.drain();
    return bot.fake.posts(nisc.id).some((p) => p.message.includes('soc@mail'));
  });
  const post = bot.fake.posts(nisc.id).find((p) => p.message.includes('soc@mail'))!;
  assert.deepEqual(mattermostMentions(post.message), []);
  assert.ok(shownText(post.message).includes(summary), post.message);
  assert.ok(post.message.includes('soc@mail.example.jp'), 'the address is copied as it was written');
});

test('report with its required fields missing opens a dialog of every field, the required ones first', async () => {
  const reporter = bot.fake.store.users.get(mmid('reporter'))!;
  const before = bot.fake.dialogs.length;
  const r = await bot.command(reporter, 'report');
  assert.equal(body(r).text, '');
  assert.equal(bot.fake.dialogs.length, before + 1);
  const els = bot.fake.dialogs.at(-1)!.dialog.elements as { name: string; optional: boolean }[];
  assert.ok(els.length > 5, `${els.length} elements`);
  assert.deepEqual(
    els.filter((e) => !e.optional).map((e) => e.name),
    ['category', 'summary'],
  );
  assert.deepEqual(
    els.slice(0, 2).map((e) => e.name),
    ['category', 'summary'],
  );
  // a dialog has no headings: the first field of each group of the report items names the group
  // (issue 17 item 2: the form groups them), in the reporting forms' order (this reporter reads English)
  const dialog = els as { name: string; help_text?: string }[];
  const starts = dialog.flatMap((e) => {
    const g = /^【([^】]+)】/.exec(e.help_text ?? '')?.[1];
    return g ? [`${g}:${e.name}`] : [];
  });
  assert.deepEqual(
    starts.map((s) => s.split(':')[0]),
    ['Basics', 'Reporter and discovery', 'Damage', 'Cause and response', 'Notification and disclosure', 'Indicators'],
    starts.join(' '),
  );
  const groupOf = (field: string) => {
    const i = dialog.findIndex((e) => e.name === field);
    const start = dialog.slice(0, i + 1).findLast((e) => /^【/.test(e.help_text ?? ''));
    return /^【([^】]+)】/.exec(start?.help_text ?? '')?.[1];
  };
  for (const f of ['contact', 'found']) assert.equal(groupOf(f), 'Reporter and discovery', f);
  for (const f of ['damage', 'personal', 'records', 'hosts', 'impact']) assert.equal(groupOf(f), 'Damage', f);
  for (const f of ['cause', 'actions', 'plan']) assert.equal(groupOf(f), 'Cause and response', f);
  for (const f of ['notified', 'public']) assert.equal(groupOf(f), 'Notification and disclosure', f);
});
