/**
 * Sliding-window rate limits of the fake Slack Web API: per channel for chat.postMessage, workspace-wide
 * for chat.postMessage, and per method. Over a limit the server answers HTTP 429 with `Retry-After`.
 */

/** Rate limits to enforce; every limit is off unless set. */
export interface FakeRateLimits {
  /** chat.postMessage per channel, e.g. `{ limit: 1, windowMs: 1000 }` (Slack: about 1 per second, short bursts allowed). */
  perChannel?: { limit: number; windowMs: number };
  /** chat.postMessage across the workspace per minute (Slack: several hundred). */
  workspacePerMinute?: number;
  /** Any method, calls per minute (Slack's documented tiers: Tier1 1+, Tier2 20+, Tier3 50+, Tier4 100+). */
  perMethodPerMinute?: Record<string, number>;
}

class Window {
  private hits: number[] = [];
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Seconds to wait before another hit fits, or undefined when it fits now. */
  retryAfter(now: number): number | undefined {
    this.hits = this.hits.filter((t) => t > now - this.windowMs);
    if (this.hits.length < this.limit) return undefined;
    const oldest = this.hits[0] ?? now;
    return Math.max(1, Math.ceil((oldest + this.windowMs - now) / 1000));
  }

  hit(now: number): void {
    this.hits.push(now);
  }
}

/** Tracks calls and says when one is over a limit. */
export class RateLimiter {
  private windows = new Map<string, Window>();

  constructor(public limits: FakeRateLimits = {}) {}

  private window(key: string, limit: number, windowMs: number): Window {
    let w = this.windows.get(key);
    if (!w) {
      w = new Window(limit, windowMs);
      this.windows.set(key, w);
    }
    return w;
  }

  /**
   * Checks a call; when it fits, counts it and returns undefined, otherwise returns Retry-After seconds
   * (rejected calls are not counted, as on the platform).
   */
  admit(method: string, channel: string | undefined, now: number): number | undefined {
    const ws: Window[] = [];
    const perMethod = this.limits.perMethodPerMinute?.[method];
    if (perMethod !== undefined) ws.push(this.window(`method:${method}`, perMethod, 60_000));
    if (method === 'chat.postMessage') {
      const { perChannel, workspacePerMinute } = this.limits;
      if (perChannel && channel) {
        ws.push(this.window(`channel:${channel}`, perChannel.limit, perChannel.windowMs));
      }
      if (workspacePerMinute !== undefined) ws.push(this.window('workspace', workspacePerMinute, 60_000));
    }
    const waits = ws.map((w) => w.retryAfter(now)).filter((s): s is number => s !== undefined);
    if (waits.length > 0) return Math.max(...waits);
    for (const w of ws) w.hit(now);
    return undefined;
  }

  /** Forgets all counted calls (limits stay). */
  reset(): void {
    this.windows.clear();
  }
}
