/**
 * The Mattermost platform seam used by the outbox dispatcher, over the REST API with fetch
 * (api.ts) so that a 429's Retry-After / X-RateLimit-Reset reach the dispatcher. Every post
 * carries `props.delivery_id` at the top level (the server strips button integrations from
 * the posts it returns, not other props), so that a post whose answer was lost is found
 * again before a second attempt.
 */
import { type OutMessage, PlatformError, type PlatformSeam } from '../../core/platform.ts';
import type { Translate } from '../../i18n/index.ts';
import { call, type MmApi } from './api.ts';
import { renderMessage, type SignAction } from './render.ts';

interface MmPost {
  id: string;
  props?: Record<string, unknown>;
}

export class MattermostSeam implements PlatformSeam {
  readonly name = 'mattermost' as const;
  private botId: string | null = null;
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
    await call(() => this.api.put(`/posts/${encodeURIComponent(ref)}/patch`, this.body(msg, deliveryId)));
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
