/**
 * Answers after the fact: a slash command's response_url (5 uses within 30 minutes), else a
 * direct message from the bot. Bots usually lack create_post_ephemeral, so "only you can see
 * this" after the request has been answered means a direct message.
 */
import type { Logger } from 'pino';
import type { Reply } from '../../core/reply.ts';
import type { Translate } from '../../i18n/index.ts';
import type { MmApi } from './api.ts';
import { renderMessage, type SignAction } from './render.ts';
import type { MattermostSeam } from './seam.ts';

/** A slash command response (model.CommandResponse, the fields we use). */
export interface CommandResponse {
  response_type: 'ephemeral' | 'in_channel';
  text: string;
  attachments?: unknown[];
  /** user text must not become `@channel` or a disguised link through Slack syntax */
  skip_slack_parsing: true;
}

/** An answer that shows nothing (a dialog opened, or the result follows). */
export const EMPTY_RESPONSE: CommandResponse = { response_type: 'ephemeral', text: '', skip_slack_parsing: true };

export function commandResponse(r: Reply, t: Translate, sign: SignAction, actionUrl: string): CommandResponse {
  const m = renderMessage(r, t, sign, actionUrl);
  return {
    response_type: r.visibility === 'channel' ? 'in_channel' : 'ephemeral',
    text: m.message,
    ...(m.attachments.length ? { attachments: m.attachments } : {}),
    skip_slack_parsing: true,
  };
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

  /** Sends a reply to the response_url when there is one, else as a direct message. */
  async send(target: { responseUrl?: string | undefined; user: string }, r: Reply, t: Translate): Promise<void> {
    if (target.responseUrl && /^https?:\/\//.test(target.responseUrl)) {
      const res = await fetch(target.responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(commandResponse(r, t, this.sign, this.actionUrl)),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (res.ok) return;
      this.log.warn({ status: res.status }, 'response_url refused the reply; sending a direct message');
    }
    await this.dm(target.user, r, t);
  }

  async dm(user: string, r: Reply, t: Translate): Promise<void> {
    const channel = await this.seam.directChannel(user);
    await this.postIn(channel, r, t);
  }

  /** A post in a channel the bot is a member of. */
  async postIn(channel: string, r: Reply, t: Translate): Promise<void> {
    const m = renderMessage(r, t, this.sign, this.actionUrl);
    await this.api.post('/posts', {
      channel_id: channel,
      message: m.message,
      ...(m.attachments.length ? { props: { attachments: m.attachments } } : {}),
    });
  }
}
