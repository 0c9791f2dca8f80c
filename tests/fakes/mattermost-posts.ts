/**
 * Post routes of the fake Mattermost server: create, update, patch, list a channel's posts, ephemeral posts.
 * Behaviour follows the server (api4/post.go, app/post.go): bots must be channel members, an unknown
 * channel is a permission error (403), `pending_post_id` de-duplicates creates for 30 s, bot posts get
 * `props.from_bot = "true"`, action ids are generated, and action integrations are stripped from every
 * post the API returns (Post.EncodeJSON → StripActionIntegrations).
 */
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
import { type FakeMmPost, MM_ERRORS, newMattermostId } from './mattermost-state.ts';

/** model.PostMessageMaxRunesV2 */
const MAX_MESSAGE_RUNES = 16383;
/** How long the server remembers a pending_post_id (app/post.go PendingPostIDsCacheTTL). */
const PENDING_TTL_MS = 30_000;

type Json = Record<string, unknown>;

function actionsOf(props: Json): Json[] {
  const atts = props.attachments;
  if (!Array.isArray(atts)) return [];
  return atts
    .flatMap((a) => (a && typeof a === 'object' && Array.isArray((a as Json).actions) ? (a as Json).actions : []))
    .filter((x): x is Json => typeof x === 'object' && x !== null);
}

/** The post as the API returns it: a copy with action integrations removed. */
export function toClientPost(p: FakeMmPost): Json {
  const props = structuredClone(p.props);
  for (const action of actionsOf(props)) delete action.integration;
  const metadata =
    Array.isArray(props.attachments) && props.attachments.length > 0
      ? { ...p.metadata, embeds: [{ type: 'message_attachment' }] }
      : p.metadata;
  return { ...p, props, metadata, reply_count: 0, last_reply_at: 0, participants: null };
}

/** Generates missing action ids and flags ids the click route cannot carry (`{action_id:[A-Za-z0-9]+}`). */
function prepareActions(ctx: MmContext, props: Json): void {
  for (const action of actionsOf(props)) {
    if (typeof action.id !== 'string' || action.id === '') action.id = newMattermostId();
    else if (!/^[A-Za-z0-9]+$/.test(action.id)) {
      ctx.violate('unclickable_action_id', `action id ${JSON.stringify(action.id)} is not alphanumeric: clicks 404`);
    }
  }
}

function canPostIn(ctx: MmContext, channelId: string): boolean {
  const ch = ctx.store.channels.get(channelId);
  return ch !== undefined && ch.delete_at === 0 && ctx.store.isMember(channelId, ctx.userId);
}

const createPost: MmHandler = (ctx) => {
  const b = bodyObject(ctx);
  const channelId = str(b, 'channel_id') ?? '';
  const message = str(b, 'message') ?? '';
  if (!canPostIn(ctx, channelId)) return forbidden(ctx);
  if ([...message].length > MAX_MESSAGE_RUNES)
    return fail(ctx, 400, ['model.post.is_valid.message_length.app_error', 'Invalid Message property length.']);
  const rootId = str(b, 'root_id') ?? '';
  if (rootId !== '' && !ctx.store.posts.some((p) => p.id === rootId && p.channel_id === channelId)) {
    return fail(ctx, 400, ['api.post.create_post.root_id.app_error', 'Invalid RootId parameter.']);
  }
  const pendingId = str(b, 'pending_post_id') ?? '';
  const key = `${ctx.userId}:${pendingId}`;
  const seen = pendingId === '' ? undefined : ctx.store.pending.get(key);
  if (seen && ctx.now - seen.at < PENDING_TTL_MS) {
    const existing = ctx.store.posts.find((p) => p.id === seen.postId);
    if (existing) return { status: ctx.status, body: toClientPost(existing) };
  }
  const props: Json = structuredClone((b.props as Json | undefined) ?? {});
  if (ctx.store.users.get(ctx.userId)?.is_bot) props.from_bot = 'true';
  prepareActions(ctx, props);
  const post: FakeMmPost = {
    id: newMattermostId(),
    create_at: ctx.now,
    update_at: ctx.now,
    edit_at: 0,
    delete_at: 0,
    is_pinned: false,
    user_id: ctx.userId,
    channel_id: channelId,
    root_id: rootId,
    original_id: '',
    message,
    type: '',
    props,
    hashtags: '',
    file_ids: Array.isArray(b.file_ids) ? (b.file_ids as string[]) : [],
    pending_post_id: pendingId,
    metadata: {},
  };
  ctx.store.posts.push(post);
  if (pendingId !== '') ctx.store.pending.set(key, { postId: post.id, at: ctx.now });
  const ch = ctx.store.channels.get(channelId)!;
  ch.last_post_at = ctx.now;
  ch.total_msg_count += 1;
  return { status: ctx.status, body: toClientPost(post) };
};

/**
 * ServiceSettings.PostEditTimeLimit: past it, an edit that changes the message is refused with
 * 400 `api.post.update_post.permissions_time_limit.app_error` — bots included, no exemption
 * (mattermost/mattermost server/channels/api4/post.go @00a2b403: patchPost → postPatchChecks refuses
 * any patch carrying `message`; updatePost and app/post.go UpdatePost refuse a changed message).
 * A patch without `message` (props only) is not checked.
 */
function pastEditLimit(ctx: MmContext, post: FakeMmPost, changesMessage: boolean): MmResult | undefined {
  const limit = ctx.options.postEditTimeLimitSeconds;
  if (limit === -1 || !changesMessage || ctx.now <= post.create_at + limit * 1000) return undefined;
  return fail(ctx, 400, MM_ERRORS.editTimeLimit, String(limit));
}

function editable(ctx: MmContext): FakeMmPost | undefined {
  const post = ctx.store.posts.find((p) => p.id === ctx.params.post_id && p.delete_at === 0);
  if (!post || !ctx.store.isMember(post.channel_id, ctx.userId) || post.user_id !== ctx.userId) return undefined;
  return post;
}

function applyEdit(ctx: MmContext, post: FakeMmPost, message: string | undefined, props: unknown): void {
  if (message !== undefined && message !== post.message) {
    post.message = message;
    post.edit_at = ctx.now;
  }
  if (props !== undefined) {
    post.props = structuredClone((props as Json | null) ?? {});
    prepareActions(ctx, post.props);
  }
  post.update_at = ctx.now;
}

/** PUT /posts/{post_id}: a full update; message and props are replaced by what is sent (missing = empty). */
const updatePost: MmHandler = (ctx) => {
  const b = bodyObject(ctx);
  if (b.id !== ctx.params.post_id) return invalid(ctx, 'id');
  const post = editable(ctx);
  if (!post) return forbidden(ctx);
  const late = pastEditLimit(ctx, post, (str(b, 'message') ?? '') !== post.message);
  if (late) return late;
  applyEdit(ctx, post, str(b, 'message') ?? '', b.props ?? {});
  if (typeof b.is_pinned === 'boolean') post.is_pinned = b.is_pinned;
  return { status: ctx.status, body: toClientPost(post) };
};

/** PUT /posts/{post_id}/patch: only the fields sent change. */
const patchPost: MmHandler = (ctx) => {
  const b = bodyObject(ctx);
  const post = editable(ctx);
  if (!post) return forbidden(ctx);
  const late = pastEditLimit(ctx, post, b.message !== undefined && b.message !== null);
  if (late) return late;
  applyEdit(ctx, post, str(b, 'message'), b.props);
  if (typeof b.is_pinned === 'boolean') post.is_pinned = b.is_pinned;
  if (Array.isArray(b.file_ids)) post.file_ids = b.file_ids as string[];
  return { status: ctx.status, body: toClientPost(post) };
};

const intParam = (q: URLSearchParams, name: string, dflt: number) => {
  const v = q.get(name);
  return v === null ? dflt : Number.parseInt(v, 10);
};

/** GET /channels/{channel_id}/posts: `since` (modified after, deleted included, max 1000) or page/per_page/before/after. */
const getPosts: MmHandler = (ctx) => {
  const channelId = ctx.params.channel_id ?? '';
  if (!ctx.store.channels.has(channelId) || !ctx.store.isMember(channelId, ctx.userId)) return forbidden(ctx);
  const inChannel = ctx.store.posts.filter((p) => p.channel_id === channelId).sort((a, b) => b.create_at - a.create_at);
  let list: FakeMmPost[];
  const since = intParam(ctx.query, 'since', 0);
  if (since > 0) {
    list = inChannel.filter((p) => p.update_at > since || p.delete_at > since).slice(0, 1000);
  } else {
    const perPage = Math.min(Math.max(intParam(ctx.query, 'per_page', 60), 0), 200);
    const page = Math.max(intParam(ctx.query, 'page', 0), 0);
    let live = inChannel.filter((p) => p.delete_at === 0);
    const before = ctx.query.get('before');
    const after = ctx.query.get('after');
    const pivot = live.find((p) => p.id === (before ?? after));
    if (pivot && before) live = live.filter((p) => p.create_at < pivot.create_at);
    if (pivot && after) live = live.filter((p) => p.create_at > pivot.create_at);
    list = live.slice(page * perPage, page * perPage + perPage);
  }
  const posts: Record<string, Json> = {};
  for (const p of list) posts[p.id] = toClientPost(p);
  const body = {
    order: list.map((p) => p.id),
    posts,
    next_post_id: '',
    prev_post_id: '',
    has_next: false,
    first_inaccessible_post_time: 0,
  };
  return { status: ctx.status, body };
};

/** POST /posts/ephemeral: needs create_post_ephemeral, which bots usually lack. */
const createEphemeral: MmHandler = (ctx) => {
  if (!ctx.options.canPostEphemeral) return forbidden(ctx);
  const b = bodyObject(ctx);
  const p = (b.post ?? {}) as Json;
  const channelId = str(p, 'channel_id') ?? '';
  if (!canPostIn(ctx, channelId)) return forbidden(ctx);
  const props: Json = structuredClone((p.props as Json | undefined) ?? {});
  prepareActions(ctx, props);
  const post: FakeMmPost = {
    id: newMattermostId(),
    create_at: ctx.now,
    update_at: ctx.now,
    edit_at: 0,
    delete_at: 0,
    is_pinned: false,
    user_id: ctx.userId,
    channel_id: channelId,
    root_id: str(p, 'root_id') ?? '',
    original_id: '',
    message: str(p, 'message') ?? '',
    type: 'system_ephemeral',
    props,
    hashtags: '',
    file_ids: [],
    pending_post_id: '',
    metadata: {},
  };
  ctx.store.ephemerals.push({ user_id: str(b, 'user_id') ?? '', post });
  return { status: ctx.status, body: toClientPost(post) };
};

/** Post routes by `METHOD template`. */
export const postHandlers: Record<string, MmHandler> = {
  'POST /api/v4/posts': createPost,
  'PUT /api/v4/posts/{post_id}': updatePost,
  'PUT /api/v4/posts/{post_id}/patch': patchPost,
  'GET /api/v4/channels/{channel_id}/posts': getPosts,
  'POST /api/v4/posts/ephemeral': createEphemeral,
};
