/**
 * chat.*, auth.test and apps.connections.open of the fake Slack Web API.
 */
import { randomUUID } from 'node:crypto';
import {
  blocksProblem,
  bool,
  channelFor,
  fail,
  type Handler,
  type HandlerResult,
  json,
  ok,
  str,
} from './slack-methods.ts';
import type { FakeMetadata, FakePost } from './slack-state.ts';

/**
 * The cumulative block text Slack accepts in one message. Undocumented: `chat.postMessage` answers
 * `msg_blocks_too_long` when the text of all blocks together is too long, although each block is
 * within its own limit. Reported: accepted at 13,297 characters of markdown blocks and refused
 * beyond (slackapi/bolt-js#2509; a maintainer there: "12,000 text characters with a buffer for block
 * containers"), refused at 11,341 characters summed over rich_text/section/header blocks
 * (slackapi/bolt-js#2867). The fake refuses above 11,000 — below every reported refusal — counting
 * every `text` string in the blocks. Applied to chat.postMessage, chat.update and
 * chat.postEphemeral (the same message builder); not to response_url (#2867: respond() took the
 * same blocks).
 */
export const MAX_BLOCK_TEXT = 11_000;

/** The characters of every `text` string anywhere in `v` (blocks, elements, fields). */
export function blockText(v: unknown): number {
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + blockText(x), 0);
  if (typeof v !== 'object' || v === null) return 0;
  let n = 0;
  for (const [k, x] of Object.entries(v)) n += k === 'text' && typeof x === 'string' ? [...x].length : blockText(x);
  return n;
}

/** Text, blocks, attachments and metadata of a post or update; an error result when they are malformed. */
function content(args: Record<string, unknown>): HandlerResult | Partial<FakePost> {
  const out: Partial<FakePost> = {};
  const text = str(args.text);
  if (text !== undefined) out.text = text;
  if (text !== undefined && text.length > 40000) return fail('msg_too_long');
  if (args.blocks !== undefined && args.blocks !== '') {
    const blocks = json(args.blocks);
    const problem = blocksProblem(blocks, 50);
    if (problem) return fail('invalid_blocks', [`blocks: ${problem}`]);
    if (blockText(blocks) > MAX_BLOCK_TEXT) return fail('msg_blocks_too_long');
    out.blocks = blocks as unknown[];
  }
  if (args.attachments !== undefined && args.attachments !== '') {
    const att = json(args.attachments);
    if (!Array.isArray(att)) return fail('invalid_attachments', ['attachments must be an array']);
    out.attachments = att;
  }
  if (args.metadata !== undefined && args.metadata !== '') {
    const md = json(args.metadata) as Partial<FakeMetadata> | undefined;
    const payload = md?.event_payload;
    if (
      typeof md?.event_type !== 'string' ||
      typeof payload !== 'object' ||
      payload === null ||
      Array.isArray(payload)
    ) {
      return fail('invalid_metadata_format', ['metadata needs event_type (string) and event_payload (object)']);
    }
    out.metadata = { event_type: md.event_type, event_payload: payload as Record<string, unknown> };
  }
  return out;
}

function isResult(v: HandlerResult | Partial<FakePost>): v is HandlerResult {
  return 'body' in v;
}

const postMessage: Handler = (ctx) => {
  const { ws, args } = ctx;
  const found = channelFor(ctx, str(args.channel), true);
  if ('error' in found) return fail(found.error);
  const c = content(args);
  if (isResult(c)) return c;
  if (c.text === undefined && !c.blocks && !c.attachments) return fail('no_text');
  const post: FakePost = {
    channel: found.channel.id,
    ts: ws.nextTs(),
    user: ws.id.botUserId,
    byBot: true,
    text: c.text ?? '',
    args: { ...args },
  };
  if (c.blocks) post.blocks = c.blocks;
  if (c.attachments) post.attachments = c.attachments;
  if (c.metadata) post.metadata = c.metadata;
  const threadTs = str(args.thread_ts);
  if (threadTs) post.threadTs = threadTs;
  if (bool(args.reply_broadcast)) post.replyBroadcast = true;
  ws.messages.push(post);
  return ok({ channel: post.channel, ts: post.ts, message: ws.renderMessage(post, true) });
};

const update: Handler = (ctx) => {
  const { ws, args } = ctx;
  const found = channelFor(ctx, str(args.channel), true);
  if ('error' in found) return fail(found.error);
  const post = ws.findMessage(found.channel.id, str(args.ts) ?? '');
  if (!post) return fail('message_not_found');
  if (!post.byBot) return fail('cant_update_message');
  const c = content(args);
  if (isResult(c)) return c;
  if (c.text !== undefined) post.text = c.text;
  if (c.blocks) post.blocks = c.blocks;
  if (c.attachments) post.attachments = c.attachments;
  if (c.metadata) post.metadata = c.metadata;
  post.edited = { user: ws.id.botUserId, ts: ws.nextTs() };
  return ok({ channel: post.channel, ts: post.ts, text: post.text, message: ws.renderMessage(post, true) });
};

const postEphemeral: Handler = (ctx) => {
  const { ws, args } = ctx;
  const found = channelFor(ctx, str(args.channel), true);
  if ('error' in found) return fail(found.error);
  const user = str(args.user) ?? '';
  if (!ws.users.has(user)) return fail('user_not_in_channel');
  const c = content(args);
  if (isResult(c)) return c;
  if (c.text === undefined && !c.blocks && !c.attachments) return fail('no_text');
  const messageTs = ws.nextTs();
  const e = { channel: found.channel.id, user, messageTs, text: c.text ?? '' };
  const threadTs = str(args.thread_ts);
  ws.ephemerals.push({ ...e, ...(c.blocks ? { blocks: c.blocks } : {}), ...(threadTs ? { threadTs } : {}) });
  return ok({ message_ts: messageTs });
};

const authTest: Handler = ({ ws }) =>
  ok({
    url: `https://${ws.id.teamDomain}.slack.com/`,
    team: ws.id.teamName,
    user: ws.id.botName,
    team_id: ws.id.teamId,
    user_id: ws.id.botUserId,
    bot_id: ws.id.botId,
    is_enterprise_install: false,
  });

const connectionsOpen: Handler = ({ url, ws }) =>
  ok({ url: `${url.replace(/^http/, 'ws')}/link/?ticket=${randomUUID()}&app_id=${ws.id.appId}` });

/** chat.*, auth.test, apps.connections.open handlers. */
export const chatHandlers: Record<string, Handler> = {
  'auth.test': authTest,
  'chat.postMessage': postMessage,
  'chat.update': update,
  'chat.postEphemeral': postEphemeral,
  'apps.connections.open': connectionsOpen,
};
