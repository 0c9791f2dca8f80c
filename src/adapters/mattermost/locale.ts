/**
 * The language a person chose in Mattermost (GET /users/{id} `locale`), as ours; used when they
 * have chosen none with us. `ja…` → ja, anything else → en.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.ts';
import type { Locale } from '../../i18n/index.ts';
import { PlatformLocales } from '../locales.ts';
import type { MmApi } from './api.ts';

export function mattermostLocaleToOurs(l: string | undefined | null): Locale | null {
  if (!l) return null;
  return l.toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

export function mattermostLocales(api: MmApi, clock: Clock, log: Logger): PlatformLocales {
  return new PlatformLocales(
    {
      lookup: async (user) => (await api.get<{ locale?: string }>(`/users/${encodeURIComponent(user)}`)).locale,
      toOurs: mattermostLocaleToOurs,
      failureTtlMs: 60_000,
      failure: 'users lookup failed; using the default language',
    },
    clock,
    log,
  );
}
