/**
 * Replies after the ack: to the request's response_url (ephemeral unless the reply is meant
 * for the channel), else as an ephemeral message in the channel, else as a direct message.
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { Reply } from '../../core/reply.ts';
import type { Translate } from '../../i18n/index.ts';
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
    const inChannel = r.visibility === 'channel';
    if (target.responseUrl) {
      const res = await fetch(target.responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({
          response_type: inChannel ? 'in_channel' : 'ephemeral',
          ...(target.fromAction ? { replace_original: false } : {}),
          text: m.text,
          blocks: m.blocks,
        }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (!res.ok) this.log.warn({ status: res.status }, 'response_url refused the reply');
      return;
    }
    if (target.channel) {
      if (inChannel) await this.client.chat.postMessage({ channel: target.channel, ...m, unfurl_links: false });
      else await this.client.chat.postEphemeral({ channel: target.channel, user: target.user, ...m });
      return;
    }
    const im = await this.client.conversations.open({ users: target.user });
    if (im.channel?.id) await this.client.chat.postMessage({ channel: im.channel.id, ...m, unfurl_links: false });
  }
}
