/** The manifest against the shape Slack documents (https://docs.slack.dev/reference/app-manifest). */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'vitest';
import { groups } from '../../../../commands/index.ts';
import { BOT_SCOPES, buildManifest, METHOD_SCOPES } from '../../../../src/adapters/slack/manifest.ts';
import { ROOT } from '../../../../src/app.ts';
import { scriptArgv } from '../../../helpers/scripts.ts';

/** Bot scopes Slack documents (a subset of https://docs.slack.dev/reference/scopes). */
const KNOWN_SCOPES = new Set([
  'app_mentions:read',
  'channels:history',
  'channels:join',
  'channels:manage',
  'channels:read',
  'chat:write',
  'chat:write.customize',
  'chat:write.public',
  'commands',
  'files:read',
  'files:write',
  'groups:history',
  'groups:read',
  'groups:write',
  'im:history',
  'im:read',
  'im:write',
  'mpim:history',
  'mpim:read',
  'mpim:write',
  'reactions:read',
  'reactions:write',
  'team:read',
  'users:read',
  'users:read.email',
  'users.profile:read',
  'metadata.message:read',
]);
const TOP = new Set([
  '_metadata',
  'display_information',
  'features',
  'oauth_config',
  'settings',
  'functions',
  'workflows',
  'outgoing_domains',
  'types',
  'datastores',
]);

// biome-ignore lint/suspicious/noExplicitAny: a JSON document checked field by field
type Json = any;

function check(m: Json, socket: boolean): string[] {
  const p: string[] = [];
  const need = (c: boolean, msg: string) => {
    if (!c) p.push(msg);
  };
  for (const k of Object.keys(m)) need(TOP.has(k), `unknown top-level key ${k}`);
  const di = m.display_information;
  need(
    typeof di?.name === 'string' && di.name.length >= 1 && di.name.length <= 35,
    'display_information.name 1–35 chars',
  );
  need(
    di.description === undefined || (typeof di.description === 'string' && di.description.length <= 140),
    'description ≤ 140',
  );
  need(di.background_color === undefined || /^#[0-9a-fA-F]{6}$/.test(di.background_color), 'background_color #rrggbb');
  const bot = m.features?.bot_user;
  need(
    typeof bot?.display_name === 'string' && /^[a-z0-9._-]{1,80}$/.test(bot.display_name),
    'bot_user.display_name: lowercase, no spaces, ≤ 80',
  );
  need(typeof bot.always_online === 'boolean', 'always_online boolean');
  const cmds = m.features?.slash_commands;
  need(Array.isArray(cmds) && cmds.length >= 1 && cmds.length <= 50, 'slash_commands 1–50');
  for (const c of cmds ?? []) {
    need(typeof c.command === 'string' && /^\/[a-z0-9_-]{1,31}$/.test(c.command), `command ${c.command}`);
    need(
      typeof c.description === 'string' && c.description.length >= 1 && c.description.length <= 2000,
      'command description 1–2000',
    );
    need(
      c.usage_hint === undefined || (typeof c.usage_hint === 'string' && c.usage_hint.length <= 1000),
      'usage_hint ≤ 1000',
    );
    need(c.should_escape === true, 'should_escape true');
    if (socket) need(c.url === undefined, 'no url in socket mode');
    else need(typeof c.url === 'string' && /^https:\/\/[^/\s]+\/\S*$/.test(c.url), `command url https: ${c.url}`);
  }
  const scopes = m.oauth_config?.scopes?.bot;
  need(Array.isArray(scopes) && scopes.length > 0, 'bot scopes');
  for (const s of scopes ?? []) need(KNOWN_SCOPES.has(s), `unknown scope ${s}`);
  need(new Set(scopes).size === scopes.length, 'scopes unique');
  const st = m.settings;
  need(st.org_deploy_enabled === false, 'org_deploy_enabled false');
  need(st.socket_mode_enabled === socket, 'socket_mode_enabled');
  need(st.interactivity?.is_enabled === true, 'interactivity on');
  if (!socket) need(/^https:\/\//.test(st.interactivity?.request_url ?? ''), 'interactivity request_url https');
  return p;
}

test('the HTTP manifest has the documented shape, /csirt from the registry, and only needed scopes', () => {
  const m: Json = buildManifest({ groups, locale: 'en', publicUrl: 'https://bot.example.go.jp/', socketMode: false });
  assert.deepEqual(check(m, false), []);
  const cmd = m.features.slash_commands[0];
  assert.equal(cmd.url, 'https://bot.example.go.jp/slack/events');
  for (const g of groups) assert.match(cmd.description, new RegExp(g.name));
  assert.deepEqual(m.oauth_config.scopes.bot, Object.keys(BOT_SCOPES));
  assert.ok(!m.oauth_config.scopes.bot.includes('chat:write.public'), 'the bot is invited, not posting everywhere');
});

test('the Socket Mode manifest has no request URLs', () => {
  const m = buildManifest({ groups, locale: 'ja', socketMode: true });
  assert.deepEqual(check(m, true), []);
});

test('slack:manifest prints it, and refuses without PUBLIC_URL', async () => {
  const args = await scriptArgv('slack-manifest');
  const env = { PATH: process.env.PATH ?? '' };
  const out = execFileSync(process.execPath, args, {
    cwd: ROOT,
    env: { ...env, PUBLIC_URL: 'https://bot.example.go.jp' },
  });
  assert.deepEqual(check(JSON.parse(out.toString()), false), []);
  assert.throws(() => execFileSync(process.execPath, args, { cwd: ROOT, env, stdio: 'pipe' }), /PUBLIC_URL/);
});

test('least privilege: the scopes are exactly those of the Web API methods the code calls (and commands)', () => {
  const dir = join(ROOT, 'src', 'adapters', 'slack');
  const called = new Set<string>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
    for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/\b(?:client|api)\.([a-z]+)\.([a-zA-Z]+)\(/g))
      called.add(`${m[1]}.${m[2]}`);
  }
  assert.deepEqual([...called].sort(), Object.keys(METHOD_SCOPES).sort(), 'every method called has its scopes listed');
  const needed = new Set(['commands', ...Object.values(METHOD_SCOPES).flat()]);
  assert.deepEqual(Object.keys(BOT_SCOPES).sort(), [...needed].sort());
});
