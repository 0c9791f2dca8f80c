/**
 * The language Slack knows for a person (users.info with include_locale), cached per user for
 * an hour. Looked up after the ack, never on the request path before it.
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.ts';
import type { Locale } from '../../i18n/index.ts';

const TTL_MS = 3600 * 1000;

export function slackLocaleToOurs(l: string | undefined | null): Locale | null {
  if (!l) return null;
  const lang = l.toLowerCase().split(/[-_]/)[0];
  return lang === 'ja' ? 'ja' : lang === 'en' ? 'en' : null;
}

export class SlackLocales {
  private readonly cache = new Map<string, { locale: Locale | null; until: number }>();

  constructor(
    private readonly client: WebClient,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** The person's Slack language as ours, or null (unknown, unsupported, or lookup failed). */
  async of(userId: string): Promise<Locale | null> {
    const now = this.clock.now().getTime();
    const hit = this.cache.get(userId);
    if (hit && hit.until > now) return hit.locale;
    let locale: Locale | null = null;
    try {
      const r = await this.client.users.info({ user: userId, include_locale: true });
      locale = slackLocaleToOurs(r.user?.locale);
    } catch (e) {
      this.log.warn({ err: (e as Error).message, user: userId }, 'users.info failed; using the default language');
    }
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(userId, { locale, until: now + TTL_MS });
    return locale;
  }

  /** What is cached, without a network call (used before an ack). */
  cached(userId: string): Locale | null {
    const hit = this.cache.get(userId);
    return hit && hit.until > this.clock.now().getTime() ? hit.locale : null;
  }
}
