/**
 * Answers after the fact: a slash command's response_url (5 uses within 30 minutes), else — none
 * given, or it did not take the reply: spent, expired, or unreachable (a network or TLS error:
 * a Site URL whose certificate Node does not trust) — a post in the channel for a reply meant
 * for the channel, else a direct message from the bot. Bots usually lack create_post_ephemeral,
 * so "only you can see this" after the request has been answered means a direct message.
 */
import type { Logger } from 'pino';
import { MAX_REPLY_PARTS } from '../../core/fit.ts';
import type { Reply } from '../../core/reply.ts';
import type { Translate } from '../../i18n/index.ts';
import { postToResponseUrl } from '../response-url.ts';
import type { MmApi } from './api.ts';
import { contextMarkdown, renderMessages, type SignAction } from './render.ts';
import type { MattermostSeam } from './seam.ts';

/** A slash command response (model.CommandResponse, the fields we use). */
export interface CommandResponse {
  response_type: 'ephemeral' | 'in_channel';
  text: string;
  attachments?: unknown[];
  /** user text must not become `@channel` or a disguised link through Slack syntax */
  skip_slack_parsing: true;
  /** more posts of the same response (model.CommandResponse.ExtraResponses, server 5.6+): a long reply's next parts */
  extra_responses?: CommandResponse[];
}

/** An answer that shows nothing (a dialog opened, or the result follows). */
export const EMPTY_RESPONSE: CommandResponse = { response_type: 'ephemeral', text: '', skip_slack_parsing: true };

/** A reply as a command response: a reply too long for one post continues in `extra_responses`. */
export function commandResponse(r: Reply, t: Translate, sign: SignAction, actionUrl: string): CommandResponse {
  const type = r.visibility === 'channel' ? 'in_channel' : 'ephemeral';
  const [first, ...more] = renderMessages(r, t, sign, actionUrl, MAX_REPLY_PARTS).map(
    (m): CommandResponse => ({
      response_type: type,
      text: m.message,
      ...(m.attachments.length ? { attachments: m.attachments } : {}),
      skip_slack_parsing: true,
    }),
  );
  return { ...(first as CommandResponse), ...(more.length ? { extra_responses: more } : {}) };
}

export class MattermostResponder {
  constructor(
    private readonly api: MmApi,
    private readonly seam: MattermostSeam,
    private readonly sign: SignAction,
    private readonly actionUrl: string,
    private readonly log: Logger,
    private readonly timeoutMs = 5000,
  ) {}

  /** Sends a reply to the response_url when there is one and it takes it, else another way (see above). */
  async send(
    target: { responseUrl?: string | undefined; user: string; channel?: string | null },
    r: Reply,
    t: Translate,
  ): Promise<void> {
    let inChannel = r.visibility === 'channel';
    if (target.responseUrl && /^https?:\/\//.test(target.responseUrl)) {
      const body = commandResponse(r, t, this.sign, this.actionUrl);
      const sent = await postToResponseUrl(target.responseUrl, body, this.timeoutMs);
      if (sent.ok) return;
      this.log.warn(
        { reason: sent.reason, user: target.user },
        'response_url did not take the reply; answering another way',
      );
      // it may have been shown after all: say it again to the person only, not to the channel
      if (sent.maybeDelivered) inChannel = false;
    }
    if (inChannel && target.channel) {
      try {
        await this.postIn(target.channel, r, t);
        return;
      } catch (e) {
        this.log.warn(
          { err: (e as Error).message },
          'could not post the reply in the channel; sending a direct message',
        );
      }
    }
    await this.dm(target.user, r, t, contextMarkdown(t('reply.fallback_dm')));
  }

  /** A direct message to `user` (with `lead` above it: why it comes this way). */
  async dm(user: string, r: Reply, t: Translate, lead = ''): Promise<void> {
    const channel = await this.seam.directChannel(user);
    await this.postIn(channel, r, t, lead);
  }

  /** A post in a channel the bot is a member of (a long reply as several, in order). */
  async postIn(channel: string, r: Reply, t: Translate, lead = ''): Promise<void> {
    const parts = renderMessages(r, t, this.sign, this.actionUrl, MAX_REPLY_PARTS, lead);
    for (const [i, m] of parts.entries()) {
      await this.api.post('/posts', {
        channel_id: channel,
        message: i === 0 && lead ? `${lead}\n\n${m.message}` : m.message,
        ...(m.attachments.length ? { props: { attachments: m.attachments } } : {}),
      });
    }
  }
}
