/**
 * conversations.open / .history / .info and users.info of the fake Slack Web API.
 */
import { bool, channelFor, fail, type Handler, ok, str } from './slack-methods.ts';
import type { FakeChannel, FakeWorkspace } from './slack-state.ts';
import { tsToMicros } from './slack-state.ts';

function imObject(ch: FakeChannel, ws: FakeWorkspace): Record<string, unknown> {
  return {
    id: ch.id,
    created: ch.created,
    is_im: true,
    is_org_shared: false,
    context_team_id: ws.id.teamId,
    updated: ch.created * 1000,
    user: ch.user,
    is_user_deleted: ch.user ? (ws.users.get(ch.user)?.deleted ?? false) : false,
    priority: 0,
  };
}

const open: Handler = (ctx) => {
  const { ws, args } = ctx;
  const channelArg = str(args.channel);
  if (channelArg) {
    const ch = ws.channels.get(channelArg);
    if (!ch) return fail('channel_not_found');
    return ok({ no_op: true, already_open: true, channel: { id: ch.id } });
  }
  const users = (str(args.users) ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  if (users.length === 0) return fail('users_list_not_supplied');
  if (users.length > 8) return fail('too_many_users');
  for (const u of users) if (!ws.users.has(u)) return fail('user_not_found');
  if (users.length > 1) {
    const id = ws.newId('G');
    ws.setChannel(id, { name: `mpdm-${users.join('--')}-1`, private: true });
    return ok({ channel: { id } });
  }
  const { channel, existed } = ws.openIm(users[0]!);
  const body: Record<string, unknown> = { channel: bool(args.return_im) ? imObject(channel, ws) : { id: channel.id } };
  if (existed) Object.assign(body, { no_op: true, already_open: true });
  return ok(body);
};

function cursorOf(ts: string): string {
  return Buffer.from(`next_ts:${ts}`).toString('base64');
}

const history: Handler = (ctx) => {
  const { ws, args } = ctx;
  const found = channelFor(ctx, str(args.channel), false);
  if ('error' in found) return fail(found.error);
  const inclusive = bool(args.inclusive);
  const oldest = args.oldest !== undefined && args.oldest !== '' ? tsToMicros(String(args.oldest)) : 0;
  let latest = args.latest !== undefined && args.latest !== '' ? tsToMicros(String(args.latest)) : Number.MAX_VALUE;
  let latestInclusive = inclusive;
  const cursor = str(args.cursor);
  if (cursor) {
    const m = /^next_ts:(\d+\.\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
    if (!m) return fail('invalid_cursor');
    latest = tsToMicros(m[1]!);
    latestInclusive = true;
  }
  const limitArg = Number(args.limit ?? 100);
  const limit = Math.min(Math.max(limitArg || 100, 1), 999);
  const all = ws.messages
    .filter((m) => m.channel === found.channel.id && (!m.threadTs || m.threadTs === m.ts || m.replyBroadcast))
    .filter((m) => {
      const t = tsToMicros(m.ts);
      return (inclusive ? t >= oldest : t > oldest) && (latestInclusive ? t <= latest : t < latest);
    })
    .sort((a, b) => tsToMicros(b.ts) - tsToMicros(a.ts));
  const page = all.slice(0, limit);
  const hasMore = all.length > limit;
  const body: Record<string, unknown> = {
    messages: page.map((m) => ws.renderMessage(m, bool(args.include_all_metadata))),
    has_more: hasMore,
    pin_count: 0,
    channel_actions_ts: null,
    channel_actions_count: 0,
  };
  const next = all[limit];
  if (hasMore && next) body.response_metadata = { next_cursor: cursorOf(next.ts) };
  return ok(body);
};

const info: Handler = (ctx) => {
  const { ws, args } = ctx;
  const ch = ws.channels.get(str(args.channel) ?? '');
  if (!ch || (ch.private && !ch.member && !ch.isIm)) return fail('channel_not_found');
  const locale = bool(args.include_locale) ? { locale: ch.locale ?? 'en-US' } : {};
  if (ch.isIm) return ok({ channel: { ...imObject(ch, ws), ...locale } });
  const channel: Record<string, unknown> = {
    id: ch.id,
    name: ch.name,
    is_channel: !ch.private,
    is_group: ch.private,
    is_im: false,
    is_mpim: ch.name.startsWith('mpdm-'),
    is_private: ch.private,
    created: ch.created,
    is_archived: ch.archived,
    is_general: false,
    unlinked: 0,
    name_normalized: ch.name,
    is_shared: false,
    is_org_shared: false,
    is_pending_ext_shared: false,
    pending_shared: [],
    context_team_id: ws.id.teamId,
    updated: ch.created * 1000,
    parent_conversation: null,
    creator: ws.id.botUserId,
    is_ext_shared: false,
    shared_team_ids: [ws.id.teamId],
    pending_connected_team_ids: [],
    is_member: ch.member,
    topic: { value: '', creator: '', last_set: 0 },
    purpose: { value: '', creator: '', last_set: 0 },
    previous_names: [],
    ...locale,
  };
  if (bool(args.include_num_members)) channel.num_members = ch.member ? 2 : 1;
  return ok({ channel });
};

/** Offset (seconds) and label of an IANA time zone at a given instant, as users.info gives them. */
function tzInfo(tz: string, at: number): { offset: number; label: string } {
  try {
    const part = (style: 'longOffset' | 'long') =>
      new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: style })
        .formatToParts(at)
        .find((p) => p.type === 'timeZoneName')?.value ?? '';
    const m = /GMT([+-])(\d{2}):(\d{2})/.exec(part('longOffset'));
    const offset = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60) : 0;
    return { offset, label: part('long') };
  } catch {
    return { offset: 0, label: 'Coordinated Universal Time' };
  }
}

const usersInfo: Handler = (ctx) => {
  const { ws, args } = ctx;
  const u = ws.users.get(str(args.user) ?? '');
  if (!u) return fail('user_not_found');
  const tz = tzInfo(u.tz, ws.now());
  const user: Record<string, unknown> = {
    id: u.id,
    team_id: ws.id.teamId,
    name: u.name,
    deleted: u.deleted,
    color: '9f69e7',
    real_name: u.realName,
    tz: u.tz,
    tz_label: tz.label,
    tz_offset: tz.offset,
    profile: {
      real_name: u.realName,
      real_name_normalized: u.realName,
      display_name: u.name,
      display_name_normalized: u.name,
      avatar_hash: '',
      status_text: '',
      status_emoji: '',
      team: ws.id.teamId,
    },
    is_admin: false,
    is_owner: false,
    is_primary_owner: false,
    is_restricted: false,
    is_ultra_restricted: false,
    is_bot: u.isBot,
    is_app_user: false,
    updated: 1700000000,
  };
  if (bool(args.include_locale)) user.locale = u.locale;
  return ok({ user });
};

/** conversations.* and users.info handlers. */
export const conversationHandlers: Record<string, Handler> = {
  'conversations.open': open,
  'conversations.history': history,
  'conversations.info': info,
  'users.info': usersInfo,
};
