/** The language Slack knows for a person (users.info with include_locale), as ours. */
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.ts';
import type { Locale } from '../../i18n/index.ts';
import { PlatformLocales } from '../locales.ts';

export function slackLocaleToOurs(l: string | undefined | null): Locale | null {
  if (!l) return null;
  const lang = l.toLowerCase().split(/[-_]/)[0];
  return lang === 'ja' ? 'ja' : lang === 'en' ? 'en' : null;
}

export function slackLocales(client: WebClient, clock: Clock, log: Logger): PlatformLocales {
  return new PlatformLocales(
    {
      lookup: async (user) => (await client.users.info({ user, include_locale: true })).user?.locale,
      toOurs: slackLocaleToOurs,
      failureTtlMs: 3600 * 1000,
      failure: 'users.info failed; using the default language',
    },
    clock,
    log,
  );
}
