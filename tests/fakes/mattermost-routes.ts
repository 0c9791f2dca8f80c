/**
 * User, team, channel, slash command and dialog routes of the fake Mattermost server
 * (api4/user.go, team.go, channel.go, command.go, integration_action.go).
 */

import { dialogProblems } from './mattermost-dialog-rules.ts';
import {
  bodyObject,
  fail,
  forbidden,
  invalid,
  type MmContext,
  type MmHandler,
  type MmResult,
  str,
} from './mattermost-handler.ts';
import {
  BUILTIN_TRIGGERS,
  type FakeMmChannel,
  type FakeMmCommand,
  fakeCommand,
  isValidMattermostId,
  MM_ERRORS,
  newMattermostId,
} from './mattermost-state.ts';

const ok = (ctx: MmContext, body: unknown): MmResult => ({ status: ctx.status, body });

const getUser: MmHandler = (ctx) => {
  const id = ctx.params.user_id === 'me' ? ctx.userId : (ctx.params.user_id ?? '');
  const user = ctx.store.users.get(id);
  return user ? ok(ctx, user) : fail(ctx, 404, MM_ERRORS.userMissing);
};

const getUsersByIds: MmHandler = (ctx) => {
  const ids = Array.isArray(ctx.body) ? (ctx.body as string[]) : [];
  return ok(
    ctx,
    ids.flatMap((id) => ctx.store.users.get(id) ?? []),
  );
};

const getUserByUsername: MmHandler = (ctx) => {
  const user = [...ctx.store.users.values()].find((u) => u.username === ctx.params.username);
  return user ? ok(ctx, user) : fail(ctx, 404, MM_ERRORS.userMissing);
};

const getTeamByName: MmHandler = (ctx) => {
  const team = ctx.store.teamByName(ctx.params.name ?? '');
  return team ? ok(ctx, team) : fail(ctx, 404, MM_ERRORS.teamByName);
};

function readable(ctx: MmContext, ch: FakeMmChannel): boolean {
  return ch.type === 'O' || ctx.store.isMember(ch.id, ctx.userId);
}

const getChannel: MmHandler = (ctx) => {
  const ch = ctx.store.channels.get(ctx.params.channel_id ?? '');
  if (!ch) return fail(ctx, 404, MM_ERRORS.channelMissing);
  return readable(ctx, ch) ? ok(ctx, ch) : forbidden(ctx);
};

const getChannelByNames: MmHandler = (ctx) => {
  const team = ctx.store.teamByName(ctx.params.team_name ?? '');
  if (!team) return fail(ctx, 404, MM_ERRORS.teamByName);
  const ch = [...ctx.store.channels.values()].find((c) => c.team_id === team.id && c.name === ctx.params.channel_name);
  if (!ch || (ch.delete_at > 0 && ctx.query.get('include_deleted') !== 'true')) {
    return fail(ctx, 404, MM_ERRORS.channelByName);
  }
  return readable(ctx, ch) ? ok(ctx, ch) : forbidden(ctx);
};

/** POST /channels/direct: the caller must be one of the two; answers the existing DM if there is one (201 either way). */
const createDirect: MmHandler = (ctx) => {
  const ids = ctx.body as string[];
  if (!ids.every(isValidMattermostId)) return invalid(ctx, 'user_id');
  if (!ids.includes(ctx.userId)) return forbidden(ctx);
  if (!ids.every((id) => ctx.store.users.has(id))) {
    return fail(ctx, 400, [
      'api.channel.create_direct_channel.invalid_user.app_error',
      'Invalid user ID for direct channel creation.',
    ]);
  }
  const name = [...ids].sort().join('__');
  const existing = [...ctx.store.channels.values()].find((c) => c.type === 'D' && c.name === name);
  if (existing) return ok(ctx, existing);
  const ch = ctx.store.addChannel({ name, type: 'D', members: ids });
  ch.display_name = '';
  ch.creator_id = ctx.userId;
  return ok(ctx, ch);
};

function commandIssue(ctx: MmContext, cmd: FakeMmCommand): MmResult | undefined {
  if (!/^[^/\s][^\s]{0,127}$/.test(cmd.trigger)) {
    return fail(ctx, 400, ['model.command.is_valid.trigger.app_error', 'Invalid trigger.']);
  }
  if (cmd.method !== 'P' && cmd.method !== 'G') {
    return fail(ctx, 400, ['model.command.is_valid.method.app_error', 'Invalid method.']);
  }
  if (!/^https?:\/\/\S+$/.test(cmd.url) || cmd.url.length > 1024) {
    return fail(ctx, 400, ['model.command.is_valid.url.app_error', 'Invalid URL.']);
  }
  return undefined;
}

const COMMAND_TEXT_FIELDS = [
  'username',
  'icon_url',
  'auto_complete_desc',
  'auto_complete_hint',
  'display_name',
  'description',
] as const;

function applyCommandFields(cmd: FakeMmCommand, b: Record<string, unknown>): void {
  cmd.trigger = (str(b, 'trigger') ?? '').toLowerCase();
  cmd.method = str(b, 'method') ?? '';
  cmd.url = str(b, 'url') ?? '';
  cmd.auto_complete = b.auto_complete === true;
  for (const f of COMMAND_TEXT_FIELDS) cmd[f] = str(b, f) ?? '';
}

/**
 * GET /commands?team_id&custom_only=true: manage_own_slash_commands is needed; without
 * manage_others_slash_commands only the caller's own commands are listed (api4/command.go
 * listCommands → ListTeamCommandsByUser).
 */
const listCommands: MmHandler = (ctx) => {
  const teamId = ctx.query.get('team_id') ?? '';
  if (teamId === '') return invalid(ctx, 'team_id');
  const perm = ctx.options.commandPermissions;
  if (!ctx.store.teams.has(teamId) || perm === 'none') return forbidden(ctx);
  return ok(
    ctx,
    [...ctx.store.commands.values()].filter(
      (c) => c.team_id === teamId && c.delete_at === 0 && (perm === 'others' || c.creator_id === ctx.userId),
    ),
  );
};

/** POST /commands: the trigger is lower-cased and must not clash with the team's or a built-in command. */
const createCommand: MmHandler = (ctx) => {
  const b = bodyObject(ctx);
  const teamId = str(b, 'team_id') ?? '';
  if (!ctx.store.teams.has(teamId) || ctx.options.commandPermissions === 'none') return forbidden(ctx);
  const cmd = fakeCommand({
    id: newMattermostId(),
    token: newMattermostId(),
    create_at: ctx.now,
    creator_id: ctx.userId,
    team_id: teamId,
  });
  applyCommandFields(cmd, b);
  const issue = commandIssue(ctx, cmd);
  if (issue) return issue;
  const clash = [...ctx.store.commands.values()].some(
    (c) => c.team_id === teamId && c.delete_at === 0 && c.trigger === cmd.trigger,
  );
  if (clash || BUILTIN_TRIGGERS.has(cmd.trigger)) return fail(ctx, 400, MM_ERRORS.duplicateTrigger);
  ctx.store.commands.set(cmd.id, cmd);
  return ok(ctx, cmd);
};

/**
 * PUT /commands/{command_id}: same team only; token, creator and create_at are kept. Without
 * manage_own_slash_commands the command is "not found" (its existence does not leak); another
 * creator's command needs manage_others_slash_commands (api4/command.go updateCommand).
 */
const updateCommand: MmHandler = (ctx) => {
  const b = bodyObject(ctx);
  if (b.id !== ctx.params.command_id) return invalid(ctx, 'command_id');
  const old = ctx.store.commands.get(ctx.params.command_id ?? '');
  if (!old || old.delete_at > 0) return fail(ctx, 404, MM_ERRORS.commandMissing);
  const perm = ctx.options.commandPermissions;
  if (perm === 'none') return fail(ctx, 404, MM_ERRORS.commandMissing);
  if (old.creator_id !== ctx.userId && perm !== 'others') return forbidden(ctx);
  if (str(b, 'team_id') !== old.team_id) return fail(ctx, 400, MM_ERRORS.teamMismatch);
  const next: FakeMmCommand = { ...old };
  applyCommandFields(next, b);
  const issue = commandIssue(ctx, next);
  if (issue) return issue;
  next.update_at = ctx.now;
  ctx.store.commands.set(next.id, next);
  return ok(ctx, next);
};

/** POST /actions/dialogs/open: decodes the trigger id as DecodeAndVerifyTriggerId does and records the dialog. */
const openDialog: MmHandler = (ctx) => {
  const b = bodyObject(ctx);
  const triggerId = str(b, 'trigger_id') ?? '';
  const raw = Buffer.from(triggerId, 'base64').toString('utf8');
  if (triggerId === '' || Buffer.from(raw, 'utf8').toString('base64') !== triggerId) {
    return fail(ctx, 400, MM_ERRORS.triggerDecode);
  }
  const parts = raw.split(':');
  if (parts.length !== 4) return fail(ctx, 400, MM_ERRORS.triggerData);
  const issuedAt = Number(parts[2]);
  if (ctx.now - issuedAt > ctx.options.triggerTtlMs) return fail(ctx, 400, MM_ERRORS.triggerExpired);
  const known = ctx.store.triggers.get(triggerId);
  if (!known) return fail(ctx, 400, MM_ERRORS.triggerSignature);
  // the server logs an invalid dialog and opens it anyway; a test must see it
  for (const p of dialogProblems(b.dialog)) ctx.violate('invalid_dialog', p);
  ctx.store.dialogs.push({
    trigger_id: triggerId,
    user_id: known.userId,
    url: str(b, 'url') ?? '',
    dialog: structuredClone(b.dialog as Record<string, unknown>),
    opened_at: ctx.now,
  });
  return ok(ctx, { status: 'OK' });
};

/**
 * GET /config/client?format=old: the limited client configuration, strings only
 * (config/client.go GenerateLimitedClientConfig); here the two settings the bot reads.
 */
const clientConfig: MmHandler = (ctx) => {
  if (ctx.query.get('format') !== 'old')
    return fail(ctx, 501, [
      'api.config.client.old_format.app_error',
      'New format for the client configuration is not supported yet. Please specify format=old in the query string.',
    ]);
  return ok(ctx, {
    SiteURL: ctx.options.siteUrl,
    PostEditTimeLimit: String(ctx.options.postEditTimeLimitSeconds),
    Version: '10.5.0',
  });
};

/** User, team, channel, command and dialog routes by `METHOD template`. */
export const otherHandlers: Record<string, MmHandler> = {
  'GET /api/v4/users/{user_id}': getUser,
  'POST /api/v4/users/ids': getUsersByIds,
  'GET /api/v4/users/username/{username}': getUserByUsername,
  'GET /api/v4/teams/name/{name}': getTeamByName,
  'GET /api/v4/channels/{channel_id}': getChannel,
  'GET /api/v4/teams/name/{team_name}/channels/name/{channel_name}': getChannelByNames,
  'POST /api/v4/channels/direct': createDirect,
  'GET /api/v4/commands': listCommands,
  'POST /api/v4/commands': createCommand,
  'PUT /api/v4/commands/{command_id}': updateCommand,
  'POST /api/v4/actions/dialogs/open': openDialog,
  'GET /api/v4/config/client': clientConfig,
};
