/**
 * Start-up calls (who am I, the server's settings, registering the slash command) wait out a
 * 429 instead of failing the start: a bot restarted while its app is being rate limited (by
 * its own delivery backlog, or another process of the same app) comes up a little later.
 */
import type { Logger } from 'pino';

/**
 * Runs `fn`; when it fails with a rate limit (`retryAfterMs` gives the wait, null for any other
 * error), waits that long and tries again, up to `tries` times in all.
 */
export async function waitOutRateLimits<T>(
  fn: () => Promise<T>,
  retryAfterMs: (e: unknown) => number | null,
  log: Logger,
  tries = 5,
): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      const wait = retryAfterMs(e);
      if (wait === null || i >= tries) throw e;
      log.warn({ retryAfterMs: wait, attempt: i }, 'rate limited at start; waiting');
      await new Promise((r) => setTimeout(r, Math.min(Math.max(wait, 100), 60_000)));
    }
  }
}
