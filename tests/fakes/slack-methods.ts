/**
 * Shared pieces of the fake Slack Web API's method handlers (slack-chat.ts, slack-conversations.ts,
 * slack-views.ts). Each handler gets arguments already checked against the spec.
 */
import type { FakeChannel, FakeWorkspace } from './slack-state.ts';

/** What a handler returns: the JSON body, and problems with the request that a test should see as violations. */
export interface HandlerResult {
  body: Record<string, unknown>;
  issues?: string[];
}

/** Context of one call. */
export interface CallContext {
  ws: FakeWorkspace;
  args: Record<string, unknown>;
  /** Base URL of the fake (for apps.connections.open). */
  url: string;
  /** Unknown channels: `create` them on first use, or answer `channel_not_found` (default). */
  unknownChannels: 'create' | 'not_found';
}

/** A method handler. */
export type Handler = (ctx: CallContext) => HandlerResult;

/** `{ok:false, error}` (optionally with problems to record as violations). */
export function fail(error: string, issues?: string[]): HandlerResult {
  return issues ? { body: { ok: false, error }, issues } : { body: { ok: false, error } };
}

export function ok(body: Record<string, unknown>): HandlerResult {
  return { body: { ok: true, ...body } };
}

/** A string argument ('' and missing both give undefined). */
export function str(v: unknown): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  return String(v);
}

/** A boolean argument as Slack reads it ('true'/'1'). */
export function bool(v: unknown): boolean {
  return v === true || v === 'true' || v === '1' || v === 1;
}

/** A JSON argument (string in form bodies, value in JSON bodies); undefined when absent or unparsable. */
export function json(v: unknown): unknown {
  if (typeof v !== 'string') return v ?? undefined;
  if (v === '') return undefined;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}

/** Checks a blocks array the way the platform does (shape only); returns a problem or undefined. */
export function blocksProblem(blocks: unknown, max: number): string | undefined {
  if (!Array.isArray(blocks)) return 'blocks must be an array';
  if (blocks.length > max) return `no more than ${max} items allowed [json-pointer:/blocks]`;
  for (const [i, b] of blocks.entries()) {
    if (typeof b !== 'object' || b === null || typeof (b as { type?: unknown }).type !== 'string') {
      return `missing required field: type [json-pointer:/blocks/${i}]`;
    }
  }
  return undefined;
}

/** A channel found, or the platform's error. */
export type Lookup = { channel: FakeChannel } | { error: string };

/** Finds the channel a message call targets. Users (U…/W…) resolve to their DM, `#name` to the channel. */
export function channelFor(ctx: CallContext, raw: string | undefined, forWrite: boolean): Lookup {
  if (!raw) return { error: 'channel_not_found' };
  const { ws } = ctx;
  if (/^[UW]/.test(raw) && forWrite) {
    if (!ws.users.has(raw)) return { error: 'channel_not_found' };
    return { channel: ws.openIm(raw).channel };
  }
  const byName = raw.startsWith('#') ? [...ws.channels.values()].find((c) => c.name === raw.slice(1)) : undefined;
  let ch = byName ?? ws.channels.get(raw);
  if (!ch && ctx.unknownChannels === 'create' && /^[CG]/.test(raw)) ch = ws.setChannel(raw);
  if (!ch || (ch.private && !ch.member)) return { error: 'channel_not_found' };
  if (forWrite && ch.archived) return { error: 'is_archived' };
  if (!ch.member && !ch.isIm) return { error: 'not_in_channel' };
  return { channel: ch };
}

/** Methods that take an app-level (xapp-) token; every other method takes the bot token. */
export const APP_TOKEN_METHODS = new Set(['apps.connections.open']);
