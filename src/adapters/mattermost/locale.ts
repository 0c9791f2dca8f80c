/**
 * The language a person chose in Mattermost (GET /users/{id} `locale`), cached per user for an
 * hour; used when they have chosen none with us. `ja…` → ja, anything else → en.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.ts';
import type { Locale } from '../../i18n/index.ts';
import type { MmApi } from './api.ts';

const TTL_MS = 3600 * 1000;

export function mattermostLocaleToOurs(l: string | undefined | null): Locale | null {
  if (!l) return null;
  return l.toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

export class MattermostLocales {
  private readonly cache = new Map<string, { locale: Locale | null; until: number }>();

  constructor(
    private readonly api: MmApi,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** The person's Mattermost language as ours, or null (lookup failed). */
  async of(userId: string): Promise<Locale | null> {
    const now = this.clock.now().getTime();
    const hit = this.cache.get(userId);
    if (hit && hit.until > now) return hit.locale;
    let locale: Locale | null = null;
    let ttl = TTL_MS;
    try {
      const u = await this.api.get<{ locale?: string }>(`/users/${encodeURIComponent(userId)}`);
      locale = mattermostLocaleToOurs(u.locale);
    } catch (e) {
      this.log.warn({ err: (e as Error).message, user: userId }, 'users lookup failed; using the default language');
      ttl = 60_000;
    }
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(userId, { locale, until: now + ttl });
    return locale;
  }
}
