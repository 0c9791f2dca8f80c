/**
 * The Mattermost platform seam used by the outbox dispatcher, over the REST API with fetch
 * (api.ts) so that a 429's Retry-After / X-RateLimit-Reset reach the dispatcher. Every post
 * carries `props.delivery_id` at the top level (the server strips button integrations from
 * the posts it returns, not other props), so that a post whose answer was lost is found
 * again before a second attempt.
 */
import { type OutMessage, PlatformError, type PlatformSeam } from '../../core/platform.ts';
import type { Translate } from '../../i18n/index.ts';
import { call, EDIT_TIME_LIMIT, type MmApi, MmApiError, toPlatformError } from './api.ts';
import { renderMessage, type SignAction } from './render.ts';

interface MmPost {
  id: string;
  props?: Record<string, unknown>;
}

export class MattermostSeam implements PlatformSeam {
  readonly name = 'mattermost' as const;
  private botId: string | null = null;
  /** ServiceSettings.SiteURL: where people open posts (permalinks) */
  private siteUrl = '';
  private readonly directChannels = new Map<string, string>();

  constructor(
    private readonly api: MmApi,
    private readonly t: Translate,
    private readonly sign: SignAction,
    private readonly actionUrl: string,
  ) {}

  /** Set once at start, from GET /users/me. */
  setBotId(id: string): void {
    this.botId = id;
  }

  /** Set at start from the server's client configuration ('' when the server has none). */
  setSiteUrl(url: string): void {
    this.siteUrl = url.replace(/\/+$/, '');
  }

  private body(msg: OutMessage, deliveryId: string) {
    const m = renderMessage(msg, this.t, this.sign, this.actionUrl);
    return {
      message: m.message,
      props: { delivery_id: deliveryId, ...(m.attachments.length ? { attachments: m.attachments } : {}) },
    };
  }

  async post(channel: string, msg: OutMessage, deliveryId: string): Promise<{ ref: string }> {
    const p = await call(() => this.api.post<MmPost>('/posts', { channel_id: channel, ...this.body(msg, deliveryId) }));
    return { ref: p.id };
  }

  async update(_channel: string, ref: string, msg: OutMessage, deliveryId: string): Promise<void> {
    // patch, not update: a full update would drop what we did not send
    try {
      await this.api.put(`/posts/${encodeURIComponent(ref)}/patch`, this.body(msg, deliveryId));
    } catch (e) {
      // past ServiceSettings.PostEditTimeLimit (bots included), or editing taken away: follow up instead
      if (e instanceof MmApiError && (e.id === EDIT_TIME_LIMIT || e.status === 403))
        throw new PlatformError('not_editable', e.message);
      throw toPlatformError(e);
    }
  }

  /**
   * A post in the channel that links the earlier one. Not a reply (root_id): with Collapsed
   * Reply Threads, on by default since Mattermost 7 (ServiceSettings.CollapsedThreads
   * "always_on"), a reply is shown only in its thread, not in the channel.
   */
  async followUp(
    channel: string,
    ref: string,
    msg: OutMessage,
    deliveryId: string,
  ): Promise<{ ref: string; channel: string }> {
    const body = this.body(msg, deliveryId);
    if (this.siteUrl) {
      const link = `${this.siteUrl}/_redirect/pl/${encodeURIComponent(ref)}`;
      body.message = `${body.message}\n\n${this.t('mattermost.earlier_post', { url: link })}`;
    }
    const p = await call(() => this.api.post<MmPost>('/posts', { channel_id: channel, ...body }));
    return { ref: p.id, channel };
  }

  async dm(user: string, msg: OutMessage, deliveryId: string): Promise<{ ref: string; channel: string }> {
    const channel = await this.directChannel(user);
    const { ref } = await this.post(channel, msg, deliveryId);
    return { ref, channel };
  }

  async findByDeliveryId(
    kind: 'post' | 'dm',
    target: string,
    deliveryId: string,
    since: Date,
  ): Promise<{ ref: string; channel: string } | null> {
    const channel = kind === 'dm' ? await this.directChannel(target) : target;
    const r = await call(() =>
      this.api.get<{ order?: string[]; posts?: Record<string, MmPost> }>(
        `/channels/${encodeURIComponent(channel)}/posts`,
        { since: since.getTime() },
      ),
    );
    for (const p of Object.values(r.posts ?? {})) {
      if (p.props?.delivery_id === deliveryId) return { ref: p.id, channel };
    }
    return null;
  }

  async botPostsSince(channel: string, since: Date): Promise<{ deliveryId: string; text: string }[]> {
    // page by page, newest first, until a post older than `since` (`?since=` answers only the
    // newest 1000 changed posts, so it could leave older ones out)
    const out: { deliveryId: string; text: string }[] = [];
    const perPage = 200;
    for (let page = 0; ; page++) {
      const r = await call(() =>
        this.api.get<{ order?: string[]; posts?: Record<string, MmPost & { message?: string; create_at?: number }> }>(
          `/channels/${encodeURIComponent(channel)}/posts`,
          { page, per_page: perPage },
        ),
      );
      const order = r.order ?? [];
      for (const id of order) {
        const p = r.posts?.[id];
        if (!p) continue;
        if ((p.create_at ?? 0) < since.getTime()) return out;
        const deliveryId = p.props?.delivery_id;
        if (typeof deliveryId === 'string')
          out.push({ deliveryId, text: JSON.stringify({ message: p.message, props: p.props }) });
      }
      if (order.length < perPage) return out;
    }
  }

  /** The direct channel between the bot and a user (POST /channels/direct answers an existing one too). */
  async directChannel(user: string): Promise<string> {
    const known = this.directChannels.get(user);
    if (known) return known;
    if (!this.botId) throw new PlatformError('transient', 'the bot user id is not known yet');
    const botId = this.botId;
    const ch = await call(() => this.api.post<{ id: string }>('/channels/direct', [botId, user]));
    if (this.directChannels.size > 10_000) this.directChannels.clear();
    this.directChannels.set(user, ch.id);
    return ch.id;
  }
}
