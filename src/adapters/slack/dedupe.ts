/**
 * Slack retries a request it thinks went unanswered (X-Slack-Retry-Num); a retry must not run
 * a command twice. A bolt global middleware (so HTTP and Socket Mode share it) records a
 * stable key per request in the database and acks a repeat without running anything.
 *
 * The key: the trigger_id (new for every command, click and submission, and the same in a
 * retry of it), else the event_id (Events API), else a hash of the parsed body. Not the
 * signature: a retry is signed again with a new timestamp.
 */
import { createHash } from 'node:crypto';
import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { Logger } from 'pino';
import { canonicalJson } from '../../audit/canonical-json.ts';
import type { Clock } from '../../core/clock.ts';
import type { CommandJournal, Held } from '../../inbox/journal.ts';
import type { SeenRequests } from '../../services/seen-requests.ts';

/** Slack retries for up to about an hour (events); commands and interactions do not live that long. */
export const KEEP_MS = 2 * 3600 * 1000;

/**
 * Set by the HTTP receiver in bolt's context when it has already recorded the request key
 * together with the signature (one database commit instead of two on the request path).
 */
export const SEEN_CONTEXT_KEY = 'csirtRequestSeen';

/** Set by the HTTP receiver: the journal entry it wrote for a new command (src/inbox). */
export const HELD_CONTEXT_KEY = 'csirtHeld';

/**
 * What the journal keeps of a request that runs a command (a slash command, a button click,
 * a form submission), so that another process can run it again; null for anything else.
 * Slack's deprecated verification `token` is left out.
 */
export function journalPayload(body: Record<string, unknown>): Record<string, unknown> | null {
  const runs =
    (typeof body.command === 'string' && typeof body.trigger_id === 'string') ||
    body.type === 'block_actions' ||
    body.type === 'view_submission';
  if (!runs) return null;
  const { token: _token, ...rest } = body;
  return rest;
}

export function requestKey(body: Record<string, unknown>): string {
  if (typeof body.trigger_id === 'string' && body.trigger_id) return `slack:trigger:${body.trigger_id}`;
  if (typeof body.event_id === 'string' && body.event_id) return `slack:event:${body.event_id}`;
  return `slack:body:${createHash('sha256').update(canonicalJson(body)).digest('hex')}`;
}

export function dedupeMiddleware(
  seen: SeenRequests,
  clock: Clock,
  log: Logger,
  journal: CommandJournal,
): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const body = args.body as unknown as Record<string, unknown>;
    const key = requestKey(body);
    const known = args.context[SEEN_CONTEXT_KEY] as 'new' | 'seen' | undefined;
    let held = args.context[HELD_CONTEXT_KEY] as Held | null | undefined;
    let fresh: boolean;
    if (known) fresh = known === 'new';
    else {
      // Socket Mode: nothing was recorded before bolt (the HTTP receiver does it with the signature)
      const entries = [{ key, expiresAt: new Date(clock.now().getTime() + KEEP_MS) }];
      const payload = journalPayload(body);
      const admitted = await journal.admit(seen, entries, payload ? { key, platform: 'slack', payload } : null);
      fresh = admitted.fresh.has(key);
      held = admitted.held;
    }
    if (fresh) {
      if (held) await journal.run(held, () => args.next());
      else await args.next();
      return;
    }
    log.info({ key, retryNum: args.context.retryNum }, 'slack request seen before; not run again');
    const ack = (args as { ack?: () => Promise<void> }).ack;
    if (ack) await ack();
  };
}
