/**
 * Forms (modals) and buttons through Slack, end to end.
 */
import assert from 'node:assert/strict';
import { afterAll, afterEach, beforeAll, test } from 'vitest';
import { ADMIN, type SlackBot, startSlackBot } from '../../helpers/slack.ts';

let bot: SlackBot;
beforeAll(async () => {
  bot = await startSlackBot();
});
afterAll(() => bot.close());
afterEach(() => {
  assert.deepEqual(bot.fake.violations, []);
  bot.fake.reset();
});

const textOf = (body: Record<string, unknown>) => JSON.stringify(body.blocks ?? []) + String(body.text ?? '');

async function openForm(text: string) {
  const cmd = await bot.command(ADMIN, text);
  assert.equal(cmd.res.status, 200);
  await bot.until(() => bot.fake.views().length === 1);
  const view = bot.fake.views()[0]!.view;
  return { cmd, view };
}

test('missing required fields open a modal with a block per field, inline values filled in', async () => {
  const { cmd, view } = await openForm('qa form qq name="Quality"');
  assert.equal(bot.fake.callsTo('views.open')[0]?.args.trigger_id, cmd.triggerId);
  const blocks = view.blocks as { block_id: string; element: Record<string, unknown>; optional: boolean }[];
  assert.deepEqual(blocks.map((b) => b.block_id).sort(), ['count', 'level', 'name', 'note', 'org']);
  assert.equal(blocks.find((b) => b.block_id === 'org')?.element.initial_value, 'qq');
  assert.equal(blocks.find((b) => b.block_id === 'level')?.element.type, 'static_select');
  assert.equal(blocks.find((b) => b.block_id === 'note')?.optional, true);
  assert.equal(bot.fake.responses(cmd.responseUrl).length, 0, 'no text reply when the form opens');
});

test('a submission with a bad field gets the error on that block and writes nothing; a good one runs', async () => {
  const { cmd, view } = await openForm('qa form rr');
  const before = await bot.auditCount();
  const values = (count: string) => ({
    org: { value: 'rr' },
    name: { value: 'Rr <!here>' },
    level: { value: { type: 'static_select', selected_option: { value: 'high' } } },
    count: { value: count },
  });
  const bad = await bot.submit({
    callbackId: String(view.callback_id),
    view,
    values: values('many'),
    user: { id: ADMIN },
  });
  assert.equal(bad.status, 200);
  const ack = (await bad.json()) as { response_action: string; errors: Record<string, string> };
  assert.equal(ack.response_action, 'errors');
  assert.deepEqual(Object.keys(ack.errors), ['count']);
  assert.equal(await bot.auditCount(), before);

  const good = await bot.submit({
    callbackId: String(view.callback_id),
    view,
    values: values('12'),
    user: { id: ADMIN },
  });
  assert.equal(good.status, 200);
  assert.equal(await good.text(), '', 'an empty ack closes the modal');
  await bot.until(() => bot.fake.responses(cmd.responseUrl).length === 1);
  assert.match(textOf(bot.fake.responses(cmd.responseUrl)[0]!.body), /created rr \(high, 12\)/);
  const org = await bot.app.db.prisma.organization.findUnique({ where: { code: 'rr' } });
  assert.equal(org?.nameEn, 'Rr <!here>');
});

test('a submission by someone without the role is refused after the ack (the role needs the database), and writes nothing', async () => {
  const { cmd, view } = await openForm('qa form ss');
  const res = await bot.submit({
    callbackId: String(view.callback_id),
    view,
    values: {
      org: { value: 'ss' },
      name: { value: 'S' },
      level: { value: { type: 'static_select', selected_option: { value: 'low' } } },
      count: { value: '1' },
    },
    user: { id: 'U0STRANGER' },
  });
  assert.equal(await res.text(), '', 'the values are valid: the modal closes at once');
  await bot.until(() => bot.fake.responses(cmd.responseUrl).length === 1);
  assert.match(textOf(bot.fake.responses(cmd.responseUrl)[0]!.body), /qa form/);
  assert.equal(await bot.app.db.prisma.organization.count({ where: { code: 'ss' } }), 0);
});

async function buttons() {
  const { responseUrl } = await bot.command(ADMIN, 'qa buttons');
  await bot.until(() => bot.fake.responses(responseUrl).length === 1);
  const blocks = bot.fake.responses(responseUrl)[0]!.body.blocks as {
    type: string;
    elements?: Record<string, string>[];
  }[];
  const actions = blocks.find((b) => b.type === 'actions')?.elements ?? [];
  assert.equal(actions.length, 2);
  return actions;
}

test('a button click runs its command as the clicker: roles are checked at the click', async () => {
  const [add] = await buttons();
  assert.ok(add?.value && !add.value.includes('org add'), 'the value is a signed token, not plain text');
  // a stranger clicks: refused by role, nothing written
  const before = await bot.auditCount();
  const stranger = await bot.click({ actionId: add.action_id!, value: add.value, user: { id: 'U0STRANGER' } });
  assert.equal(stranger.res.status, 200);
  await bot.until(() => bot.fake.responses(stranger.responseUrl).length === 1);
  assert.match(textOf(bot.fake.responses(stranger.responseUrl)[0]!.body), /not allowed|権限/);
  assert.equal(await bot.auditCount(), before);
  // the admin clicks: it runs, as the admin
  const admin = await bot.click({ actionId: add.action_id!, value: add.value, user: { id: ADMIN } });
  await bot.until(() => bot.fake.responses(admin.responseUrl).length === 1);
  const reply = bot.fake.responses(admin.responseUrl)[0]!.body;
  assert.equal(reply.replace_original, false);
  const rec = await bot.app.db.prisma.auditRecord.findFirst({ where: { action: 'org.add', subject: 'zz' } });
  assert.equal(rec?.actor, `slack:${ADMIN}`);
});

test('an altered or forged button value is refused politely and changes nothing', async () => {
  const [, help] = await buttons();
  const before = await bot.auditCount();
  const [body, mac] = help!.value!.split('.');
  const forgedBody = Buffer.from(
    JSON.stringify({ c: 'org add yy ja="Y" en="Y"', t: Math.floor(Date.now() / 1000) }),
  ).toString('base64url');
  for (const value of [`${forgedBody}.${mac}`, `${body}.${mac}x`, 'garbage', '']) {
    const r = await bot.click({ actionId: help!.action_id!, value, user: { id: ADMIN } });
    assert.equal(r.res.status, 200);
    await bot.until(() => bot.fake.responses(r.responseUrl).length === 1);
    assert.match(textOf(bot.fake.responses(r.responseUrl)[0]!.body), /expired or was altered/);
  }
  assert.equal(await bot.auditCount(), before);
  assert.equal(await bot.app.db.prisma.organization.count({ where: { code: 'yy' } }), 0);
});

test('the report form groups its items under headers, in the reporting forms’ order, each field after its header', async () => {
  const { view } = await openForm('report');
  const blocks = view.blocks as { type: string; block_id?: string; text?: { text: string } }[];
  assert.ok(blocks.length <= 100);
  const headers = blocks.filter((b) => b.type === 'header').map((b) => b.text?.text);
  assert.deepEqual(headers, [
    'Basics',
    'Reporter and discovery',
    'Damage',
    'Cause and response',
    'Notification and disclosure',
    'Indicators',
  ]);
  const order = blocks.map((b) => (b.type === 'header' ? `#${b.text?.text}` : b.block_id));
  const after = (field: string, header: string) => {
    const h = order.indexOf(`#${header}`);
    const f = order.indexOf(field);
    assert.ok(h >= 0 && f > h, `${field} under ${header}: ${order.join(' ')}`);
    const next = order.findIndex((x, i) => i > h && String(x).startsWith('#'));
    assert.ok(next === -1 || f < next, `${field} under ${header}: ${order.join(' ')}`);
  };
  for (const f of ['category', 'summary', 'awareness']) after(f, 'Basics');
  for (const f of ['contact', 'found']) after(f, 'Reporter and discovery');
  for (const f of ['damage', 'personal', 'records', 'hosts', 'impact']) after(f, 'Damage');
  for (const f of ['cause', 'actions', 'plan']) after(f, 'Cause and response');
  for (const f of ['notified', 'public']) after(f, 'Notification and disclosure');
  after('ioc', 'Indicators');
});
