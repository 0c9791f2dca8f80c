/**
 * The Slack platform seam used by the outbox dispatcher. Its WebClient never retries on its
 * own (a timed-out post may have been stored: the dispatcher checks the channel history
 * first) and throws at once on 429, so that one rate-limited channel does not pause others.
 */
import { type ConversationsHistoryResponse, ErrorCode, type WebClient } from '@slack/web-api';
import { type OutMessage, PlatformError, type PlatformSeam } from '../../core/platform.ts';
import type { Translate } from '../../i18n/index.ts';
import { renderMessage, type SignAction } from './render.ts';

export const DELIVERY_EVENT = 'csirt_delivery';

/**
 * Slack errors that no retry will fix: the error enums of the methods the dispatcher calls
 * (tests/fixtures/specs/slack/slack_web_openapi_v2.json: chat.postMessage, chat.update,
 * conversations.open, conversations.history), the scope and token errors, and
 * `msg_blocks_too_long` (undocumented; the blocks' text together is too long, slackapi/bolt-js#2509).
 * Not here, so retried: request_timeout, fatal_error, internal_error, service_unavailable.
 */
const PERMANENT = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'is_inactive',
  'no_permission',
  'missing_scope',
  'org_login_required',
  'team_added_to_org',
  'team_access_not_granted',
  'ekm_access_denied',
  'restricted_action',
  'restricted_action_read_only_channel',
  'restricted_action_non_threadable_channel',
  'cannot_dm_bot',
  'user_not_found',
  'user_not_visible',
  'user_disabled',
  'user_not_in_channel',
  'method_not_supported_for_channel_type',
  'invalid_user_combination',
  'msg_too_long',
  'msg_blocks_too_long',
  'too_many_attachments',
  'no_text',
  'invalid_blocks',
  'invalid_blocks_format',
  'invalid_attachments',
  'invalid_metadata_format',
  'invalid_arguments',
  'invalid_arg_name',
  'invalid_array_arg',
  'invalid_charset',
  'invalid_form_data',
  'invalid_post_type',
  'missing_post_type',
  'invalid_json',
  'json_not_object',
  'invalid_ts_latest',
  'invalid_ts_oldest',
  'upgrade_required',
  'message_not_found',
]);

/** one message of conversations.history */
type HistoryMessage = NonNullable<ConversationsHistoryResponse['messages']>[number];

/** the bot's token refused: every call fails until an operator fixes it (the dispatcher stops for Slack) */
const UNAUTHORIZED = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'not_allowed_token_type',
]);

/** chat.update refused for this message: it can be followed up instead of edited. */
const NOT_EDITABLE = new Set(['cant_update_message', 'edit_window_closed']);

export class SlackSeam implements PlatformSeam {
  readonly name = 'slack' as const;

  constructor(
    private readonly client: WebClient,
    private readonly t: Translate,
    private readonly sign: SignAction,
    private readonly historyPages = 3,
  ) {}

  private metadata(deliveryId: string) {
    return { event_type: DELIVERY_EVENT, event_payload: { delivery_id: deliveryId } };
  }

  async post(channel: string, msg: OutMessage, deliveryId: string): Promise<{ ref: string }> {
    const m = renderMessage(msg, this.t, this.sign);
    const r = await call(() =>
      this.client.chat.postMessage({
        channel,
        ...m,
        unfurl_links: false,
        unfurl_media: false,
        metadata: this.metadata(deliveryId),
      }),
    );
    return { ref: String(r.ts) };
  }

  async update(channel: string, ref: string, msg: OutMessage, deliveryId: string): Promise<void> {
    const m = renderMessage(msg, this.t, this.sign);
    await call(() => this.client.chat.update({ channel, ts: ref, ...m, metadata: this.metadata(deliveryId) }));
  }

  /** A reply in the post's thread, also sent to the channel (reply_broadcast): seen in both. */
  async followUp(
    channel: string,
    ref: string,
    msg: OutMessage,
    deliveryId: string,
  ): Promise<{ ref: string; channel: string }> {
    const m = renderMessage(msg, this.t, this.sign);
    const r = await call(() =>
      this.client.chat.postMessage({
        channel,
        thread_ts: ref,
        reply_broadcast: true,
        ...m,
        unfurl_links: false,
        unfurl_media: false,
        metadata: this.metadata(deliveryId),
      }),
    );
    return { ref: String(r.ts), channel };
  }

  async dm(user: string, msg: OutMessage, deliveryId: string): Promise<{ ref: string; channel: string }> {
    const channel = await this.imChannel(user);
    const { ref } = await this.post(channel, msg, deliveryId);
    return { ref, channel };
  }

  async findByDeliveryId(
    kind: 'post' | 'dm',
    target: string,
    deliveryId: string,
    since: Date,
  ): Promise<{ ref: string; channel: string } | null> {
    const channel = kind === 'dm' ? await this.imChannel(target) : target;
    for await (const p of this.botPosts(channel, since, this.historyPages))
      if (p.deliveryId === deliveryId && p.message.ts) return { ref: p.message.ts, channel };
    return null;
  }

  async botPostsSince(channel: string, since: Date): Promise<{ deliveryId: string; text: string }[]> {
    const out: { deliveryId: string; text: string }[] = [];
    // every page (a restore reads once): a page missed could hide an id posted since the backup
    for await (const { deliveryId, message: m } of this.botPosts(channel, since))
      out.push({ deliveryId, text: JSON.stringify({ text: m.text, blocks: m.blocks, attachments: m.attachments }) });
    return out;
  }

  /**
   * The bot's posts (those carrying a delivery id in their metadata) in a channel since `since`,
   * newest first, read from conversations.history 200 at a time, for at most `maxPages` pages;
   * a page is read only when the one before it has been gone through.
   */
  private async *botPosts(
    channel: string,
    since: Date,
    maxPages = Number.POSITIVE_INFINITY,
  ): AsyncGenerator<{ deliveryId: string; message: HistoryMessage }> {
    const oldest = (since.getTime() / 1000).toFixed(6);
    let cursor: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const r = await call(() =>
        this.client.conversations.history({
          channel,
          oldest,
          limit: 200,
          include_all_metadata: true,
          ...(cursor ? { cursor } : {}),
        }),
      );
      for (const m of r.messages ?? []) {
        const md = (m as { metadata?: { event_type?: string; event_payload?: { delivery_id?: unknown } } }).metadata;
        const id = md?.event_payload?.delivery_id;
        if (md?.event_type === DELIVERY_EVENT && typeof id === 'string') yield { deliveryId: id, message: m };
      }
      cursor = r.response_metadata?.next_cursor || undefined;
      if (!r.has_more || !cursor) return;
    }
  }

  private async imChannel(user: string): Promise<string> {
    const r = await call(() => this.client.conversations.open({ users: user }));
    const id = r.channel?.id;
    if (!id) throw new PlatformError('transient', 'conversations.open returned no channel');
    return id;
  }
}

/** Runs a Web API call, turning its failure into a PlatformError the dispatcher understands. */
export async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toPlatformError(e);
  }
}

export function toPlatformError(e: unknown): PlatformError {
  const err = e as {
    code?: string;
    retryAfter?: number;
    data?: { error?: string };
    statusCode?: number;
    message?: string;
  };
  switch (err?.code) {
    case ErrorCode.RateLimitedError:
      return new PlatformError('rate_limited', 'ratelimited', Math.max(1, err.retryAfter ?? 1) * 1000);
    case ErrorCode.PlatformError: {
      const code = err.data?.error ?? 'unknown_error';
      // the spec writes rate_limited, the platform answers ratelimited
      if (code === 'ratelimited' || code === 'rate_limited') return new PlatformError('rate_limited', code, 1000);
      if (NOT_EDITABLE.has(code)) return new PlatformError('not_editable', code);
      if (UNAUTHORIZED.has(code)) return new PlatformError('unauthorized', code);
      return new PlatformError(PERMANENT.has(code) ? 'permanent' : 'transient', code);
    }
    case ErrorCode.HTTPError: {
      const status = err.statusCode ?? 0;
      if (status === 401) return new PlatformError('unauthorized', 'http_401');
      // 4xx other than 408/429 will not change on retry; 5xx and timeouts may
      const permanent = status >= 400 && status < 500 && status !== 408 && status !== 429;
      return new PlatformError(permanent ? 'permanent' : 'transient', `http_${status}`);
    }
    default:
      return new PlatformError('transient', String(err?.message ?? e));
  }
}
