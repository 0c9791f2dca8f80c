/**
 * The fake Slack workspace's data: identity, channels, users, messages, views.
 * Shared by the HTTP layer (slack-server.ts) and the method handlers (slack-methods.ts).
 */

/** Default identities of the fake workspace, its bot and its app. */
export const FAKE_SLACK = {
  teamId: 'T0FAKETEAM',
  teamName: 'Fake CSIRT Workspace',
  teamDomain: 'fake-csirt',
  botUserId: 'U0FAKEBOT',
  botId: 'B0FAKEBOT',
  appId: 'A0FAKEAPP',
  botName: 'csirt-poc-bot',
  botToken: 'xoxb-fake-bot-token',
  appToken: 'xapp-fake-app-token',
} as const;

/** Identity of the fake workspace (override any field in `startFakeSlack` options). */
export type FakeIdentity = { -readonly [K in keyof typeof FAKE_SLACK]: string };

/** How a channel behaves. */
export interface FakeChannelConfig {
  name?: string;
  /** Archived: posting answers `is_archived`. */
  archived?: boolean;
  /** Whether the bot is a member (default true). Not a member: public → `not_in_channel`, private → `channel_not_found`. */
  member?: boolean;
  private?: boolean;
  /** Answered in conversations.info when `include_locale` is set. */
  locale?: string;
}

/** A channel of the fake workspace. */
export interface FakeChannel {
  id: string;
  name: string;
  archived: boolean;
  member: boolean;
  private: boolean;
  /** Direct message with `user` (ids start with D). */
  isIm: boolean;
  user?: string;
  locale?: string;
  created: number;
}

/** How a user looks in users.info. */
export interface FakeUserConfig {
  name?: string;
  realName?: string;
  locale?: string;
  tz?: string;
  isBot?: boolean;
  deleted?: boolean;
}

/** A user of the fake workspace. */
export interface FakeUser {
  id: string;
  name: string;
  realName: string;
  locale: string;
  tz: string;
  isBot: boolean;
  deleted: boolean;
}

/** Message metadata as Slack stores it. */
export interface FakeMetadata {
  event_type: string;
  event_payload: Record<string, unknown>;
}

/** A message stored in a channel (posted by the bot, or seeded with `addMessage`). */
export interface FakePost {
  channel: string;
  ts: string;
  /** Author: the bot's user id for bot posts. */
  user: string;
  byBot: boolean;
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
  metadata?: FakeMetadata;
  threadTs?: string;
  replyBroadcast?: boolean;
  /** Set by chat.update. */
  edited?: { user: string; ts: string };
  /** The arguments of the chat.postMessage call, as received (without the token). */
  args: Record<string, unknown>;
}

/** An ephemeral message (chat.postEphemeral). */
export interface FakeEphemeral {
  channel: string;
  user: string;
  messageTs: string;
  text: string;
  blocks?: unknown[];
  threadTs?: string;
}

/** A modal opened or pushed by the bot. */
export interface FakeView {
  id: string;
  triggerId?: string;
  rootViewId: string;
  previousViewId: string | null;
  hash: string;
  /** The view as Slack returns it. */
  view: Record<string, unknown>;
}

/** Parses a Slack ts (`"1700000000.000100"`) into microseconds. */
export function tsToMicros(ts: string): number {
  const m = /^(\d+)(?:\.(\d{1,6}))?$/.exec(ts.trim());
  if (!m) return Number.NaN;
  return Number(m[1]) * 1_000_000 + Number((m[2] ?? '').padEnd(6, '0'));
}

function microsToTs(us: number): string {
  return `${Math.floor(us / 1_000_000)}.${String(us % 1_000_000).padStart(6, '0')}`;
}

/** All mutable data of the fake workspace. */
export class FakeWorkspace {
  readonly channels = new Map<string, FakeChannel>();
  readonly users = new Map<string, FakeUser>();
  readonly messages: FakePost[] = [];
  readonly ephemerals: FakeEphemeral[] = [];
  readonly views = new Map<string, FakeView>();
  /** trigger_id → issue time (ms), for triggers handed out by `newTriggerId`. */
  readonly triggers = new Map<string, number>();
  readonly expiredTriggers = new Set<string>();
  /** trigger_ids already exchanged for a view (a second use answers `exchanged_trigger_id`). */
  readonly usedTriggers = new Set<string>();
  /** How long an issued trigger_id stays valid (Slack: 3 s). */
  triggerTtlMs = 3000;
  private lastMicros = 0;
  private counter = 0;

  constructor(
    readonly id: FakeIdentity,
    private readonly nowMs: () => number,
  ) {}

  /** Current time in ms (the fake's clock). */
  now(): number {
    return this.nowMs();
  }

  /** A fresh, strictly increasing message ts. */
  nextTs(): string {
    this.lastMicros = Math.max(this.nowMs() * 1000, this.lastMicros + 1);
    return microsToTs(this.lastMicros);
  }

  /** A fresh id with a Slack-like prefix (C, D, G, V, ...). */
  newId(prefix: string): string {
    this.counter += 1;
    return `${prefix}0FAKE${String(this.counter).padStart(4, '0')}`;
  }

  setChannel(id: string, cfg: FakeChannelConfig = {}): FakeChannel {
    const old = this.channels.get(id);
    const ch: FakeChannel = {
      id,
      name: cfg.name ?? old?.name ?? id.toLowerCase(),
      archived: cfg.archived ?? old?.archived ?? false,
      member: cfg.member ?? old?.member ?? true,
      private: cfg.private ?? old?.private ?? id.startsWith('G'),
      isIm: old?.isIm ?? id.startsWith('D'),
      created: old?.created ?? Math.floor(this.nowMs() / 1000),
    };
    const locale = cfg.locale ?? old?.locale;
    if (locale !== undefined) ch.locale = locale;
    if (old?.user !== undefined) ch.user = old.user;
    this.channels.set(id, ch);
    return ch;
  }

  setUser(id: string, cfg: FakeUserConfig = {}): FakeUser {
    const old = this.users.get(id);
    const name = cfg.name ?? old?.name ?? id.toLowerCase();
    const user: FakeUser = {
      id,
      name,
      realName: cfg.realName ?? old?.realName ?? name,
      locale: cfg.locale ?? old?.locale ?? 'en-US',
      tz: cfg.tz ?? old?.tz ?? 'Asia/Tokyo',
      isBot: cfg.isBot ?? old?.isBot ?? false,
      deleted: cfg.deleted ?? old?.deleted ?? false,
    };
    this.users.set(id, user);
    return user;
  }

  /** The DM channel between the bot and `userId`, created on first use. */
  openIm(userId: string): { channel: FakeChannel; existed: boolean } {
    for (const ch of this.channels.values()) if (ch.isIm && ch.user === userId) return { channel: ch, existed: true };
    const id = this.newId('D');
    const ch: FakeChannel = {
      id,
      name: id,
      archived: false,
      member: true,
      private: true,
      isIm: true,
      user: userId,
      created: Math.floor(this.nowMs() / 1000),
    };
    this.channels.set(id, ch);
    return { channel: ch, existed: false };
  }

  /** Issues a trigger_id valid for `triggerTtlMs` from now. */
  newTriggerId(): string {
    this.counter += 1;
    const id = `${1000000 + this.counter}.${Math.floor(this.nowMs() / 1000)}.${this.counter.toString(16).padStart(32, '0')}`;
    this.triggers.set(id, this.nowMs());
    return id;
  }

  findMessage(channel: string, ts: string): FakePost | undefined {
    return this.messages.find((m) => m.channel === channel && m.ts === ts);
  }

  /** The bot's profile as it appears in messages. */
  botProfile(): Record<string, unknown> {
    return {
      id: this.id.botId,
      app_id: this.id.appId,
      name: this.id.botName,
      icons: { image_36: '', image_48: '', image_72: '' },
      deleted: false,
      updated: 1700000000,
      team_id: this.id.teamId,
    };
  }

  /** A stored message as the Web API returns it; metadata only when asked for. */
  renderMessage(p: FakePost, withMetadata: boolean): Record<string, unknown> {
    const msg: Record<string, unknown> = {
      type: 'message',
      text: p.text,
      user: p.user,
      ts: p.ts,
      team: this.id.teamId,
    };
    if (p.byBot) {
      msg.bot_id = this.id.botId;
      msg.app_id = this.id.appId;
      msg.bot_profile = this.botProfile();
    }
    if (p.blocks) msg.blocks = p.blocks;
    if (p.attachments) msg.attachments = p.attachments;
    if (p.threadTs) msg.thread_ts = p.threadTs;
    if (p.edited) msg.edited = p.edited;
    const replies = this.messages.filter((m) => m.channel === p.channel && m.threadTs === p.ts && m.ts !== p.ts);
    if (replies.length > 0) {
      msg.thread_ts = p.ts;
      msg.reply_count = replies.length;
      msg.reply_users = [...new Set(replies.map((r) => r.user))];
      msg.reply_users_count = (msg.reply_users as string[]).length;
      msg.latest_reply = replies[replies.length - 1]?.ts;
    }
    if (withMetadata && p.metadata) msg.metadata = p.metadata;
    return msg;
  }
}
