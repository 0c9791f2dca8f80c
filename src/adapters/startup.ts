/**
 * Start-up calls (who am I, the server's settings, registering the slash command) wait out a
 * 429, and a platform that does not answer in time or answers 5xx, instead of failing the
 * start: a bot restarted while its app is being rate limited (by its own delivery backlog, or
 * another process of the same app), or while Mattermost itself is restarting or loaded, comes
 * up a little later. A refusal (a bad token, a missing permission) still fails at once.
 */
import type { Logger } from 'pino';

/** What a failed start-up call means: wait this long and ask again, or give up (null). */
export type StartupRetry = { kind: 'rate_limited'; retryAfterMs: number } | { kind: 'unavailable' } | null;

/** The waits between tries when the platform did not answer (ms): 0.5, 1, 2, 4 s. */
export function unavailableWaitMs(attempt: number): number {
  return Math.min(500 * 2 ** (attempt - 1), 8000);
}

/**
 * Runs `fn`; when it fails with a rate limit or the platform is unavailable (`classify`), waits
 * and tries again, up to `tries` times in all; any other failure is thrown at once.
 */
export async function retryAtStart<T>(
  fn: () => Promise<T>,
  classify: (e: unknown) => StartupRetry,
  log: Logger,
  tries = 5,
): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      const why = classify(e);
      if (why === null || i >= tries) throw e;
      if (why.kind === 'rate_limited') {
        const wait = Math.min(Math.max(why.retryAfterMs, 100), 60_000);
        log.warn({ retryAfterMs: wait, attempt: i }, 'rate limited at start; waiting');
        await sleep(wait);
      } else {
        const wait = unavailableWaitMs(i);
        log.warn(
          { retryAfterMs: wait, attempt: i, err: String((e as Error)?.message ?? e) },
          'the platform did not answer at start; trying again',
        );
        await sleep(wait);
      }
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
