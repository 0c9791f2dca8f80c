/**
 * The language a person chose on their chat platform, cached per user for an hour; looked up
 * after the acknowledgement, never on the request path before it. Each platform gives the
 * lookup, how its language names map to ours, and how long a failed lookup is remembered.
 */
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { Locale } from '../i18n/index.ts';

const TTL_MS = 3600 * 1000;

export interface LocaleSource {
  /** the platform's language name for the person */
  lookup(userId: string): Promise<string | undefined | null>;
  toOurs(platformLocale: string | undefined | null): Locale | null;
  /** how long a failed lookup stands (the default language meanwhile) */
  failureTtlMs: number;
  /** logged when the lookup fails */
  failure: string;
}

export class PlatformLocales {
  private readonly cache = new Map<string, { locale: Locale | null; until: number }>();

  constructor(
    private readonly source: LocaleSource,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** The person's platform language as ours, or null (unknown, unsupported, or lookup failed). */
  async of(userId: string): Promise<Locale | null> {
    const now = this.clock.now().getTime();
    const hit = this.cache.get(userId);
    if (hit && hit.until > now) return hit.locale;
    let locale: Locale | null = null;
    let ttl = TTL_MS;
    try {
      locale = this.source.toOurs(await this.source.lookup(userId));
    } catch (e) {
      this.log.warn({ err: (e as Error).message, user: userId }, this.source.failure);
      ttl = this.source.failureTtlMs;
    }
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(userId, { locale, until: now + ttl });
    return locale;
  }
}
