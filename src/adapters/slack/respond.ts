/**
 * Replies after the ack: to the request's response_url (ephemeral unless the reply is meant
 * for the channel). When there is none, or it does not take the reply — spent (5 uses),
 * expired (30 minutes: a form left open longer), unreachable — the reply goes through the Web
 * API instead: an ephemeral message in the channel (chat.postEphemeral), or the channel post
 * itself, else a direct message, so the person always sees the outcome. A reply too long for
 * one message is sent as up to four, in order, each the same way (a route that fails is not
 * tried again for the rest).
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { MAX_REPLY_PARTS } from '../../core/fit.ts';
import type { Reply } from '../../core/reply.ts';
import type { Translate } from '../../i18n/index.ts';
import { postToResponseUrl } from '../response-url.ts';
import { contextBlock, renderMessages, type SignAction, type SlackMessage } from './render.ts';

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
    const lead = contextBlock(t('reply.fallback_dm'));
    // a reply too long for one message comes as several (the response_url takes 5)
    const parts = renderMessages(r, t, sign, MAX_REPLY_PARTS, [lead]);
    let inChannel = r.visibility === 'channel';
    let url = target.responseUrl;
    let channel = target.channel ?? null;
    let dm: string | null = null;
    for (const m of parts) {
      if (url) {
        const sent = await postToResponseUrl(
          url,
          {
            response_type: inChannel ? 'in_channel' : 'ephemeral',
            ...(target.fromAction ? { replace_original: false } : {}),
            text: m.text,
            blocks: m.blocks,
          },
          this.timeoutMs,
        );
        if (sent.ok) continue;
        this.log.warn(
          { reason: sent.reason, user: target.user },
          'response_url did not take the reply; using the Web API',
        );
        url = undefined;
        // it may have been shown after all: say it again to the person only, not to the channel
        if (sent.maybeDelivered) inChannel = false;
      }
      if (channel) {
        try {
          if (inChannel) await this.client.chat.postMessage({ channel, ...m, unfurl_links: false });
          else await this.client.chat.postEphemeral({ channel, user: target.user, ...m });
          continue;
        } catch (e) {
          // e.g. the bot is not in the channel (a command typed in a channel it was never invited to)
          this.log.warn({ err: (e as Error).message }, 'could not answer in the channel; sending a direct message');
          channel = null;
        }
      }
      if (dm === null) {
        const im = await this.client.conversations.open({ users: target.user });
        if (!im.channel?.id) return;
        dm = im.channel.id;
        // the first message there says why it comes as a direct message
        const first: SlackMessage = { text: m.text, blocks: [lead, ...m.blocks] };
        await this.client.chat.postMessage({ channel: dm, ...first, unfurl_links: false });
        continue;
      }
      await this.client.chat.postMessage({ channel: dm, ...m, unfurl_links: false });
    }
  }
}
