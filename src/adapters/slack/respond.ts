/**
 * Replies after the ack: to the request's response_url (ephemeral unless the reply is meant
 * for the channel). When there is none, or it does not take the reply — spent (5 uses),
 * expired (30 minutes: a form left open longer), unreachable — the reply goes through the Web
 * API instead: an ephemeral message in the channel (chat.postEphemeral), or the channel post
 * itself, else a direct message, so the person always sees the outcome.
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { Reply } from '../../core/reply.ts';
import type { Translate } from '../../i18n/index.ts';
import { postToResponseUrl } from '../response-url.ts';
import { renderMessage, type SignAction } from './render.ts';

export interface ReplyTarget {
  responseUrl?: string | undefined;
  channel?: string | null | undefined;
  user: string;
  /** for clicks: never replace the message that carried the button */
  fromAction?: boolean;
}

export class SlackResponder {
  constructor(
    private readonly client: WebClient,
    private readonly log: Logger,
    private readonly timeoutMs = 5000,
  ) {}

  async send(target: ReplyTarget, r: Reply, t: Translate, sign: SignAction): Promise<void> {
    const m = renderMessage(r, t, sign);
    let inChannel = r.visibility === 'channel';
    if (target.responseUrl) {
      const sent = await postToResponseUrl(
        target.responseUrl,
        {
          response_type: inChannel ? 'in_channel' : 'ephemeral',
          ...(target.fromAction ? { replace_original: false } : {}),
          text: m.text,
          blocks: m.blocks,
        },
        this.timeoutMs,
      );
      if (sent.ok) return;
      this.log.warn(
        { reason: sent.reason, user: target.user },
        'response_url did not take the reply; using the Web API',
      );
      // it may have been shown after all: say it again to the person only, not to the channel
      if (sent.maybeDelivered) inChannel = false;
    }
    if (target.channel) {
      try {
        if (inChannel) await this.client.chat.postMessage({ channel: target.channel, ...m, unfurl_links: false });
        else await this.client.chat.postEphemeral({ channel: target.channel, user: target.user, ...m });
        return;
      } catch (e) {
        // e.g. the bot is not in the channel (a command typed in a channel it was never invited to)
        this.log.warn({ err: (e as Error).message }, 'could not answer in the channel; sending a direct message');
      }
    }
    const dm = renderMessage(
      { ...r, blocks: [{ kind: 'context', text: t('reply.fallback_dm') }, ...r.blocks] },
      t,
      sign,
    );
    const im = await this.client.conversations.open({ users: target.user });
    if (im.channel?.id) await this.client.chat.postMessage({ channel: im.channel.id, ...dm, unfurl_links: false });
  }
}
