/**
 * Rate limiting as Mattermost does it (app/ratelimit.go on top of throttled's GCRA limiter): a per-key
 * (here: per token) rate in requests per second with a burst; every answer carries X-RateLimit-Limit,
 * X-RateLimit-Remaining and X-RateLimit-Reset (seconds until the bucket is full again); a denied request
 * also gets Retry-After (whole seconds, rounded up) and HTTP 429 with the text body `limit exceeded`.
 */

/** The rate limit settings (RateLimitSettings.PerSec / MaxBurst). */
export interface FakeMmRateLimit {
  /** Requests per second per token. */
  perSecond: number;
  /** Requests allowed at once (default: perSecond). */
  burst?: number;
}

/** The outcome of one request against the limiter. */
export interface RateDecision {
  limited: boolean;
  headers: Record<string, string>;
}

/** A GCRA limiter keyed by token. */
export class MmRateLimiter {
  private tat = new Map<string, number>();

  constructor(public limit: FakeMmRateLimit | undefined) {}

  /** Checks and counts a request at time `now` (ms); returns whether it is denied and the headers to send. */
  admit(key: string, now: number): RateDecision | undefined {
    if (!this.limit) return undefined;
    const interval = 1000 / this.limit.perSecond;
    const burst = Math.max(1, this.limit.burst ?? Math.ceil(this.limit.perSecond));
    const tolerance = interval * burst;
    const tat = Math.max(this.tat.get(key) ?? now, now);
    const newTat = tat + interval;
    const allowAt = newTat - tolerance;
    const headers: Record<string, string> = { 'X-RateLimit-Limit': String(burst) };
    if (now < allowAt) {
      headers['X-RateLimit-Remaining'] = '0';
      headers['X-RateLimit-Reset'] = String(Math.ceil((tat - now) / 1000));
      headers['Retry-After'] = String(Math.max(1, Math.ceil((allowAt - now) / 1000)));
      return { limited: true, headers };
    }
    this.tat.set(key, newTat);
    headers['X-RateLimit-Remaining'] = String(Math.max(0, Math.floor((now - (newTat - tolerance)) / interval)));
    headers['X-RateLimit-Reset'] = String(Math.ceil((newTat - now) / 1000));
    return { limited: false, headers };
  }

  /** Forgets all counted requests. */
  reset(): void {
    this.tat.clear();
  }
}
