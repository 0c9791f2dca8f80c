/**
 * Public types of the fake Mattermost server (mattermost-server.ts).
 */
import type { FakeMmRateLimit } from './mattermost-rate-limit.ts';
import type {
  FakeMmChannel,
  FakeMmCommand,
  FakeMmDialog,
  FakeMmEphemeral,
  FakeMmPost,
  FakeMmStore,
  FakeMmTeam,
  FakeMmUser,
} from './mattermost-state.ts';

/** Options of `startFakeMattermost`. */
export interface FakeMattermostOptions {
  /** The bot account; ids must be 26 alphanumerics (generated when left out). */
  bot?: { id?: string; username?: string; token?: string; locale?: string };
  /** The default team (name `csirt` unless set); it gets a `town-square` channel the bot is in. */
  team?: { id?: string; name?: string; display_name?: string };
  /** More users, e.g. the humans who run commands. */
  users?: Array<{ id?: string; username: string; locale?: string; is_bot?: boolean }>;
  /** More channels; `team` is a team name or id; `members` defaults to the bot alone. */
  channels?: Array<Parameters<FakeMattermost['addChannel']>[0]>;
  /** Per-token rate limit (off unless set), as RateLimitSettings.PerSec / MaxBurst. */
  rateLimit?: FakeMmRateLimit;
  /** How long dialogs/open accepts a trigger id (ms). Default 30 000 (servers before ~v9.x: 3 000). */
  triggerTtlMs?: number;
  /**
   * The bot's slash command permissions in the team (see MmHandlerOptions): `others` (the
   * default) as a Team Admin, `own` with manage_own_slash_commands only, `none` as a member.
   */
  commandPermissions?: 'none' | 'own' | 'others';
  /** ServiceSettings.PostEditTimeLimit in seconds; -1 (the default) is no limit. */
  postEditTimeLimitSeconds?: number;
  /**
   * ServiceSettings.SiteURL (default: the fake's own URL). `''` = unset: the server refuses to run
   * custom slash commands (`slashCommandFor` throws, see mattermost-requests.ts).
   */
  siteUrl?: string;
  /** Whether the bot holds create_post_ephemeral. Default false, as for bots on a default server. */
  canPostEphemeral?: boolean;
  /** The fake's clock (create_at, trigger expiry, rate limits); the project's `Clock` fits. */
  clock?: { now(): Date };
  /** Sent as X-Version-Id. */
  serverVersion?: string;
}

/** A request the fake judged not to be one the real server accepts (tests assert this list is empty). */
export interface FakeMmViolation {
  method: string;
  path: string;
  kind: string;
  detail: string;
}

/** One request the fake received. */
export interface FakeMmCall {
  method: string;
  path: string;
  /** The spec's path template, when the route exists. */
  template?: string;
  /** The token's user, when authenticated. */
  userId?: string;
  status: number;
  /** True when the fake dropped the connection instead of answering. */
  lost?: boolean;
  /** Fake-clock time in ms. */
  at: number;
}

/** When a delay applies: before the request is handled, or after (the change is made, the answer is late). */
export type FakeMmDelayMode = 'before' | 'after';

/** A running fake Mattermost server. */
export interface FakeMattermost {
  /** Base URL for `client.setUrl(url)`. */
  url: string;
  /** The bot's token, for `client.setToken(botToken)`. */
  botToken: string;
  bot: FakeMmUser;
  team: FakeMmTeam;
  /** The default team's `town-square` channel (the bot is a member). */
  channel: FakeMmChannel;
  /** All state; tests may read and change it. */
  store: FakeMmStore;
  violations: FakeMmViolation[];
  calls: FakeMmCall[];
  /** Dialogs opened through the API (live list). */
  dialogs: FakeMmDialog[];
  /** Stored posts, unsanitised (action integrations kept), optionally of one channel. */
  posts(channelId?: string): FakeMmPost[];
  ephemerals(channelId?: string): FakeMmEphemeral[];
  /** Custom slash commands, deleted ones left out. */
  commands(): FakeMmCommand[];
  addUser(u: { id?: string; username: string; locale?: string; is_bot?: boolean }): FakeMmUser;
  addTeam(t: { id?: string; name: string; display_name?: string }): FakeMmTeam;
  addChannel(c: {
    id?: string;
    name: string;
    team?: string;
    display_name?: string;
    type?: FakeMmChannel['type'];
    members?: string[];
  }): FakeMmChannel;
  /** Stores a post as if someone (default: a human) wrote it, e.g. history for a restart check. */
  addPost(
    channelId: string,
    p: { message: string; user_id?: string; props?: Record<string, unknown>; create_at?: number },
  ): FakeMmPost;
  /** Accepts another token as the given user. */
  addToken(token: string, userId: string): void;
  /** A trigger id for dialogs/open, as the server puts in a slash command or action request. */
  issueTriggerId(userId: string): string;
  /** ServiceSettings.SiteURL as the server has it ('' = unset). */
  siteUrl: string;
  setSiteUrl(url: string): void;
  /** Changes ServiceSettings.PostEditTimeLimit (seconds; -1 = no limit). */
  setPostEditTimeLimit(seconds: number): void;
  /**
   * From now on every API request answers 429 with probability `probability` (a seeded, repeatable
   * sequence), as the server's per-token rate limiter does under load; 0 turns it off.
   */
  rateLimitAtRandom(probability: number, retryAfterSeconds?: number, seed?: number): void;
  /** The next `count` POST /api/v4/posts answer 429 with this Retry-After (nothing is stored). */
  rateLimitNextPosts(count: number, retryAfterSeconds: number): void;
  /** The next `count` POST /api/v4/posts store the post, then drop the connection without an answer. */
  loseResponseNextPosts(count?: number): void;
  /** The next `count` calls of one route (`'GET /api/v4/users/{user_id}'`, the spec's template) answer 503, as a server shedding load does. */
  unavailableNext(route: string, count?: number): void;
  /** Delays answers of one route (`'POST /api/v4/posts'`) or of all routes (no route); 0 turns it off. */
  setDelay(ms: number, route?: string, mode?: FakeMmDelayMode): void;
  /** Changes the rate limit (undefined: off) and forgets counted requests. */
  setRateLimit(limit: FakeMmRateLimit | undefined): void;
  close(): Promise<void>;
}
