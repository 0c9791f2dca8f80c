/**
 * Dialogs and buttons through Mattermost, end to end (TEST_PROVIDER's database): dialogs are
 * opened on the fake with the command's trigger id, clicks and submissions are sent to the bot
 * as the server sends them.
 */
import assert from 'node:assert/strict';
import { afterAll, afterEach, beforeAll, test } from 'vitest';
import type { FakeMmUser } from '../../fakes/mattermost-server.ts';
import { tableCounts as allCounts } from '../../helpers/counts.ts';
import { type MattermostBot, metricsAuth, mmid, shownText, startMattermostBot } from '../../helpers/mattermost.ts';

/** Row counts of every table but the replay store (each request's trigger id) and the command journal. */
async function tableCounts(app: MattermostBot['app']) {
  const { SeenRequest: _seen, PendingCommand: _held, ...rest } = await allCounts(app);
  return rest;
}

let bot: MattermostBot;
let stranger: FakeMmUser;

beforeAll(async () => {
  bot = await startMattermostBot();
  stranger = bot.fake.addUser({ id: mmid('stranger'), username: 'stranger', locale: 'en' });
});
afterAll(() => bot.close());
afterEach(() => {
  assert.deepEqual(bot.fake.violations, [], 'every request the bot sent matches the Mattermost spec');
});

type El = { name: string; type: string; optional: boolean; default?: string; options?: { value: string }[] };

async function openDialog(text: string) {
  const before = bot.fake.dialogs.length;
  const cmd = await bot.command(bot.admin, text);
  assert.equal(cmd.status, 200);
  assert.equal((cmd.json as { text: string }).text, '', 'nothing shown while the dialog is open');
  assert.equal(bot.fake.dialogs.length, before + 1);
  const dialog = bot.fake.dialogs.at(-1)!;
  return { cmd, dialog, elements: dialog.dialog.elements as El[] };
}

test('missing required fields open a dialog from the schema, inline values filled in', async () => {
  const { dialog, elements } = await openDialog('qa form qq name="Quality"');
  assert.equal(dialog.url, `${bot.url}/mattermost/dialog`);
  assert.equal(dialog.user_id, bot.admin.id);
  assert.equal(dialog.dialog.callback_id, 'qa form');
  assert.deepEqual(elements.map((e) => e.name).sort(), ['count', 'level', 'name', 'note', 'org']);
  assert.equal(elements.find((e) => e.name === 'org')?.default, 'qq');
  assert.equal(elements.find((e) => e.name === 'level')?.type, 'select');
  assert.deepEqual(
    elements.find((e) => e.name === 'level')?.options?.map((o) => o.value),
    ['low', 'high'],
  );
  assert.equal(elements.find((e) => e.name === 'note')?.optional, true);
  assert.ok(String(dialog.dialog.state).includes('.'), 'the state is signed');
});

test('a submission with a bad field gets errors for that field and writes nothing; a good one runs', async () => {
  const { cmd, dialog } = await openDialog('qa form rr');
  const before = await tableCounts(bot.app);
  const values = (count: string) => ({ org: 'rr', name: 'Rr @here', level: 'high', count });
  const bad = await bot.submit(dialog, values('many'));
  assert.equal(bad.status, 200);
  const errors = (bad.json as { errors: Record<string, string> }).errors;
  assert.deepEqual(Object.keys(errors), ['count']);
  assert.deepEqual(await tableCounts(bot.app), before);

  const good = await bot.submit(dialog, values('12'));
  assert.equal(good.status, 200);
  assert.equal(good.text, '', 'an empty 200 closes the dialog');
  await bot.until(() => bot.responses(cmd.responseUrl).length === 1);
  assert.match(shownText(String(bot.responses(cmd.responseUrl)[0]!.text)), /created rr \(high, 12\)/);
  const org = await bot.app.db.prisma.organization.findUnique({ where: { code: 'rr' } });
  assert.equal(org?.nameEn, 'Rr @here');
  // the same submission again is not run twice
  await bot.submit(dialog, values('12'));
  assert.equal(await bot.app.db.prisma.auditRecord.count({ where: { action: 'org.add', subject: 'rr' } }), 1);
});

test('a submission by someone without the role is refused on the dialog', async () => {
  const { dialog } = await openDialog('qa form ss');
  const before = await tableCounts(bot.app);
  const res = await bot.submit({ ...dialog, user_id: stranger.id }, { org: 'ss', name: 'S', level: 'low', count: '1' });
  const j = res.json as { error?: string };
  assert.match(String(j.error), /not allowed|権限/);
  assert.deepEqual(await tableCounts(bot.app), before);
});

test('a submission with an altered state is refused and changes nothing', async () => {
  const { dialog } = await openDialog('qa form tt');
  const before = await tableCounts(bot.app);
  const state = String(dialog.dialog.state);
  const [payload, mac] = state.split('.');
  assert.ok(Buffer.from(payload!, 'base64url').toString().includes('qa form'));
  const forged = Buffer.from(Buffer.from(payload!, 'base64url').toString().replace('qa form', 'org add')).toString(
    'base64url',
  );
  const res = await bot.submit(
    dialog,
    { org: 'tt', name: 'T', level: 'low', count: '1' },
    { state: `${forged}.${mac}` },
  );
  assert.equal(res.status, 200, res.text);
  assert.match(String((res.json as { error?: string }).error), /expired or was altered|改変/);
  assert.deepEqual(await tableCounts(bot.app), before);
});

async function buttons() {
  const r = await bot.command(bot.admin, 'qa buttons');
  const attachments = (r.json as { attachments: { actions: Record<string, unknown>[] }[] }).attachments;
  assert.equal(attachments.length, 1);
  return attachments;
}

test('buttons carry a signed command in an integration to /mattermost/action', async () => {
  const atts = await buttons();
  const [add, help] = atts[0]!.actions as {
    id: string;
    name: string;
    integration: { url: string; context: { token: string } };
  }[];
  assert.equal(add?.name, 'Add org zz');
  assert.match(add!.id, /^[A-Za-z0-9]+$/);
  assert.equal(add?.integration.url, `${bot.url}/mattermost/action`);
  assert.ok(!add!.integration.context.token.includes('org add'), 'the command is not readable or editable');
  assert.ok(help);
});

test('a button click runs its command as the clicker: roles are checked at the click', async () => {
  const atts = await buttons();
  const before = await tableCounts(bot.app);
  const refused = await bot.click(stranger, atts, 'csirt0');
  assert.equal(refused.status, 200);
  assert.match(shownText(String((refused.json as { ephemeral_text: string }).ephemeral_text)), /not allowed/);
  assert.deepEqual(await tableCounts(bot.app), before);

  const ok = await bot.click(bot.admin, atts, 'csirt0');
  assert.equal(ok.status, 200);
  const rec = await bot.app.db.prisma.auditRecord.findFirst({ where: { action: 'org.add', subject: 'zz' } });
  assert.equal(rec?.actor, `mattermost:${bot.admin.id}`);
});

test('a click with an altered or forged context is refused politely and changes nothing', async () => {
  const atts = await buttons();
  const token = (atts[0]!.actions[1] as { integration: { context: { token: string } } }).integration.context.token;
  const [payload, mac] = token.split('.');
  const altered = Buffer.from(
    Buffer.from(payload!, 'base64url').toString().replace('"help"', '"org add yy ja=Y en=Y"'),
  ).toString('base64url');
  const before = await tableCounts(bot.app);
  const audit = await bot.auditCount();
  for (const context of [{ token: `${altered}.${mac}` }, { token: 'forged.token' }, {}]) {
    const r = await bot.click(bot.admin, atts, 'csirt1', { context });
    assert.equal(r.status, 200);
    assert.match(String((r.json as { ephemeral_text: string }).ephemeral_text), /expired or was altered/);
  }
  assert.deepEqual(await tableCounts(bot.app), before);
  assert.equal(await bot.auditCount(), audit);
  const metrics = await (await fetch(`${bot.url}/metrics`, { headers: metricsAuth })).text();
  assert.match(metrics, /csirt_auth_failures_total\{endpoint="mattermost_action",reason="bad_action_token"\} 3/);
});

test('a channel post with buttons: integrations kept on the server, delivery id in top-level props', async () => {
  const ch = bot.fake.addChannel({ name: 'zz-room', team: bot.fake.team.id, members: [bot.fake.bot.id] });
  const { deliver } = await import('./seam-helpers.ts');
  const post = await deliver(bot, ch.id);
  const stored = bot.fake.posts(ch.id).find((p) => p.id === post)!;
  assert.ok(stored.props.delivery_id);
  const r = await bot.click(stranger, stored.props.attachments, 'csirt1', { channel: ch });
  assert.match(shownText(String((r.json as { ephemeral_text: string }).ephemeral_text)), /help/);
});
