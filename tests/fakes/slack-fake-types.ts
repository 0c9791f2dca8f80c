/**
 * Public types of the fake Slack Web API (slack-server.ts).
 */
import type { FakeRateLimits } from './slack-rate-limit.ts';
import type { FakeResponse } from './slack-response-url.ts';
import type {
  FakeChannel,
  FakeChannelConfig,
  FakeEphemeral,
  FakeIdentity,
  FakeMetadata,
  FakePost,
  FakeUser,
  FakeUserConfig,
  FakeView,
  FakeWorkspace,
} from './slack-state.ts';

/** Options of `startFakeSlack`. */
export interface FakeSlackOptions {
  /** Override team, bot, app ids and tokens. */
  identity?: Partial<FakeIdentity>;
  channels?: Record<string, FakeChannelConfig>;
  users?: Record<string, FakeUserConfig>;
  /** Unknown C…/G… channels: `not_found` answers `channel_not_found` (default); `create` makes them on first use. */
  unknownChannels?: 'create' | 'not_found';
  /** The fake's clock (ts of messages, rate-limit windows, trigger expiry); the project's `Clock` fits. */
  clock?: { now(): Date };
  rateLimits?: FakeRateLimits;
  /** Slow answers: method → ms (see `setDelay`). */
  delays?: Record<string, number>;
  /** How long a trigger_id from `newTriggerId()` stays valid (default 3000 ms, as on Slack). */
  triggerTtlMs?: number;
}

/** One request the fake received (tokens are never recorded). */
export interface FakeCall {
  method: string;
  args: Record<string, unknown>;
  /** Fake-clock time in ms. */
  at: number;
  /** Which token came with it. */
  auth: 'bot' | 'app' | 'missing' | 'invalid';
  /** HTTP status answered (0 when the connection was destroyed instead). */
  status: number;
  ok: boolean;
  error?: string;
  /** True when the call was processed but its response was lost on purpose. */
  lost?: boolean;
}

/** A call the real platform would reject or that the fake cannot answer faithfully. */
export interface FakeViolation {
  method: string;
  kind: string;
  detail: string;
  args: Record<string, unknown>;
}

/** A failure to inject into the next call(s) of a method. */
export type FakeFault =
  /** HTTP 429, `Retry-After: retryAfter`, body `{ok:false,error:'ratelimited'}`. */
  | { kind: 'ratelimited'; retryAfter: number }
  /** HTTP 200 `{ok:false, error}` without processing. */
  | { kind: 'error'; error: string }
  /** Another HTTP status (e.g. 500, 503) without processing. */
  | { kind: 'http'; status: number; body?: string }
  /** Processed (a post is stored), then the connection is destroyed: the crash window. */
  | { kind: 'lose-response' }
  /** The connection is destroyed before processing. */
  | { kind: 'drop' };

/** When a delay applies: `after` = processed, then the answer is slow (default); `before` = slow, then processed. */
export type DelayMode = 'before' | 'after';

/** A running fake Slack Web API. */
export interface FakeSlack {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** `${url}/api/`, for the WebClient's `slackApiUrl`. */
  apiUrl: string;
  botToken: string;
  appToken: string;
  identity: FakeIdentity;
  workspace: FakeWorkspace;
  calls: FakeCall[];
  violations: FakeViolation[];
  /** Messages the bot posted (in order), optionally of one channel. */
  posts(channel?: string): FakePost[];
  /** All stored messages, seeded ones included. */
  messages(channel?: string): FakePost[];
  ephemerals(channel?: string): FakeEphemeral[];
  views(): FakeView[];
  callsTo(method: string): FakeCall[];
  setChannel(id: string, cfg?: FakeChannelConfig): FakeChannel;
  setUser(id: string, cfg?: FakeUserConfig): FakeUser;
  /** Seeds a message (e.g. a human's) into a channel's history. */
  addMessage(channel: string, msg: { text: string; user?: string; ts?: string; metadata?: FakeMetadata }): FakePost;
  /** A response_url served by the fake (5 uses within 30 minutes, as on Slack). */
  responseUrl(): string;
  /** Messages posted to response_urls, optionally to one of them. */
  responses(responseUrl?: string): FakeResponse[];
  /** A trigger_id valid for `triggerTtlMs` and usable once. */
  newTriggerId(): string;
  /** Makes views.open/push with this trigger_id answer `expired_trigger_id`. */
  expireTrigger(triggerId: string): void;
  /** An outage in front of Slack: while on, every Web API call answers HTTP 503 (nothing processed). */
  setDown(on: boolean): void;
  /** While on, calls with the bot token answer `token_revoked`, as Slack does once a token is revoked. */
  setRevoked(on: boolean): void;
  /** Injects `fault` into the next `count` calls of `method`. */
  failNext(method: string, fault: FakeFault, count?: number): void;
  rateLimitNext(method: string, count: number, retryAfter: number): void;
  loseResponseNext(method: string, count?: number): void;
  /** Slows every answer of `method` by `ms` (0 to stop). */
  setDelay(method: string, ms: number, mode?: DelayMode): void;
  setRateLimits(limits: FakeRateLimits): void;
  /**
   * From now on every Web API call answers HTTP 429 `ratelimited` with probability `probability`
   * (a seeded, repeatable sequence) — Slack's per-app, per-method limits under load; 0 turns it off.
   */
  rateLimitAtRandom(probability: number, retryAfterSeconds?: number, seed?: number): void;
  /** Clears recorded calls, violations, messages, views, faults, delays and rate-limit counts; keeps channels, users, limits. */
  reset(): void;
  close(): Promise<void>;
}
