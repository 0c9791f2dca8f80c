/**
 * The platform seam: what the dispatcher needs from a chat platform. Console, Slack,
 * Mattermost and the in-memory test platform implement it; nothing else talks to a platform.
 */
import type { Reply } from './reply.ts';

export type PlatformName = 'console' | 'slack' | 'mattermost';

/**
 * What a delivery goes through: a chat platform, or e-mail — the second channel
 * (src/outbox/mail.ts, docs/email.md): a seam of the dispatcher only, never a platform commands
 * come from, and not one of the platforms posts to an organisation are made for.
 */
export type Carrier = PlatformName | typeof MAIL;
export const MAIL = 'email';

/** What a delivery carries: a portable reply, already in the recipient's language. */
export type OutMessage = Pick<Reply, 'blocks' | 'actions' | 'attachments' | 'readMore'>;

export interface PlatformSeam {
  readonly name: Carrier;
  /** Posts to a channel; the delivery id travels with the post (metadata / props). */
  post(channel: string, msg: OutMessage, deliveryId: string): Promise<{ ref: string }>;
  /**
   * Replaces a post made earlier (withdrawn advisories, answered buttons). Throws a
   * PlatformError of kind `not_editable` when the platform refuses to edit that post (e.g.
   * older than its edit window): the dispatcher then posts a follow-up instead.
   */
  update(channel: string, ref: string, msg: OutMessage, deliveryId: string): Promise<void>;
  /**
   * Posts `msg` as a follow-up to the earlier post `ref` in `channel`, where everyone in the
   * channel sees it (Slack: a reply in its thread, also sent to the channel; Mattermost: a post
   * in the channel that links the earlier one, since Collapsed Reply Threads hide replies from
   * the channel). `deliveryId` travels with it, as with post().
   */
  followUp(
    channel: string,
    ref: string,
    msg: OutMessage,
    deliveryId: string,
  ): Promise<{ ref: string; channel: string }>;
  /** Sends a direct message to a person (identity without the platform prefix). */
  dm(user: string, msg: OutMessage, deliveryId: string): Promise<{ ref: string; channel: string }>;
  /**
   * Finds a post carrying `deliveryId` made since `since` in a channel (kind post) or in the
   * direct conversation with a user (kind dm); null when there is none. The dispatcher asks
   * before any second attempt, so that a post whose answer was lost is never doubled.
   */
  findByDeliveryId(
    kind: 'post' | 'dm',
    target: string,
    deliveryId: string,
    since: Date,
  ): Promise<{ ref: string; channel: string } | null>;
  /**
   * The bot's own posts in a channel since `since` (those carrying a delivery id), each as the
   * text of everything it shows; null when the platform keeps no history the bot can read
   * (the console prints and forgets). After a restore the ids posted since the backup are read
   * back from here (src/services/restore.ts), so that none is issued twice.
   */
  botPostsSince(channel: string, since: Date): Promise<{ deliveryId: string; text: string }[] | null>;
}

/** Why a platform call failed, as the dispatcher needs to know it. */
export class PlatformError extends Error {
  constructor(
    /**
     * rate_limited: the platform refused the call for now (429; retryAfterMs), nothing happened;
     * permanent: no retry will help; not_editable: the post cannot be edited any more (update
     * only); unauthorized: the platform refused the bot's own credentials (token revoked,
     * expired, invalid): every call fails until an operator fixes them, so the dispatcher stops
     * for the platform and alerts instead of failing rows; transient: anything else, worth retrying.
     */
    readonly kind: 'rate_limited' | 'permanent' | 'not_editable' | 'unauthorized' | 'transient',
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'PlatformError';
  }
}
