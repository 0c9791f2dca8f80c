/**
 * People and channels as Slack writes them. With `should_escape: true` in the manifest, a
 * mention picked from Slack's list arrives as `<@U123|name>` and a channel as `<#C123|name>`.
 * A bare `@name` or `#name` (typed, not picked) gets a clear error asking for the picked form:
 * resolving names would need users.list / conversations.list, paged over the whole workspace.
 */
import type { RefResolver } from '../../core/command.ts';
import { UserError } from '../../core/errors.ts';

const USER = /^<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>$/;
const IDENTITY = /^slack:([UW][A-Z0-9]{2,})$/;
const BARE_ID = /^([UW][A-Z0-9]{8,})$/;
const CHANNEL = /^<#([CG][A-Z0-9]{2,})(?:\|([^>]*))?>$/;

export const slackRefs: RefResolver = {
  async user(ref) {
    const r = ref.trim();
    const m = USER.exec(r) ?? IDENTITY.exec(r) ?? BARE_ID.exec(r);
    if (m) return `slack:${m[1]}`;
    throw new UserError('slack.user_mention', { user: r });
  },
  async channel(ref) {
    const r = ref.trim();
    const m = CHANNEL.exec(r);
    if (m) return { id: m[1] as string, name: m[2] || (m[1] as string) };
    if (/^[CG][A-Z0-9]{8,}$/.test(r)) return { id: r, name: r };
    throw new UserError('slack.channel_mention', { channel: r });
  },
};
