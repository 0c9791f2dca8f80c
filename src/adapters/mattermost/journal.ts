/**
 * Mattermost's side of the command journal (src/inbox/journal.ts). A slash command, a button
 * click or a dialog submission is recorded as seen and held in one commit before it is
 * answered; a process that died before the command committed leaves the entry, and another
 * process runs it again here: the invocation as it was checked then (the button's verified
 * command, the dialog's validated values), the reply where it would have gone (the command's
 * response_url, the dialog's, or a direct message for a click).
 */
import { randomUUID } from 'node:crypto';
import type { Reply } from '../../core/reply.ts';
import type { Invocation } from '../../core/router.ts';
import { translator } from '../../i18n/index.ts';
import type { Held } from '../../inbox/journal.ts';
import { mattermostRefs } from './refs.ts';
import type { RouteDeps } from './routes.ts';

/** request keys (trigger ids) are remembered this long */
export const SEEN_MS = 2 * 3600 * 1000;

/** What an entry keeps: the invocation without its per-process parts, and where to reply. */
export interface HeldInvocation {
  inv: Omit<Invocation, 'refs' | 'requestId'>;
  team: string | null;
  reply: { responseUrl: string } | { dm: string };
}

/**
 * Records `key` as seen and, when new, holds `payload` (one commit). `fresh` false: seen before
 * (answered, not run again). `held` null when the journal has nothing to hold (no payload).
 */
export async function admit(
  d: RouteDeps,
  key: string,
  payload: { route: 'command'; fields: Record<string, string> } | HeldInvocation | null,
): Promise<{ fresh: boolean; held: Held | null }> {
  const { app } = d;
  const entries = [{ key, expiresAt: new Date(app.clock.now().getTime() + SEEN_MS) }];
  const r = await app.journal.admit(
    app.services.seenRequests,
    entries,
    payload ? { key, platform: 'mattermost', payload } : null,
  );
  return { fresh: r.fresh.has(key), held: r.held };
}

/** Runs `work` in the entry's scope when there is one. */
export function journaled<T>(d: RouteDeps, held: Held | null, work: () => Promise<T>): Promise<T | undefined> {
  return held ? d.app.journal.run(held, work) : work();
}

/** Runs a held click or dialog submission again and sends its reply where it would have gone. */
export async function replayInvocation(d: RouteDeps, h: HeldInvocation): Promise<void> {
  const o = await d.app.router.handle({ ...h.inv, requestId: randomUUID(), refs: mattermostRefs(d.api, h.team) });
  const locale = h.inv.localeHint ?? d.app.config.BOT_LOCALE;
  await sendReply(d, h, o.reply, locale);
}

async function sendReply(d: RouteDeps, h: HeldInvocation, reply: Reply, locale: 'ja' | 'en'): Promise<void> {
  const t = translator(locale);
  if ('dm' in h.reply) await d.responder.dm(h.reply.dm, reply, t);
  else
    await d.responder.send(
      { responseUrl: h.reply.responseUrl, user: h.inv.identity.split(':')[1] ?? '', channel: h.inv.channelId },
      reply,
      t,
    );
}
