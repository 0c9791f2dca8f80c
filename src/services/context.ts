/** What every service is built from (composition root passes it in). */
import type { Logger } from 'pino';
import { appendAudit, appendAuditMany } from '../audit/chain.ts';
import type { Clock } from '../core/clock.ts';
import type { PlatformName } from '../core/platform.ts';
import type { Database, Tx } from '../db/client.ts';
import { type Calendar, type DateStyle, dateStyle } from '../domain/dates.ts';
import type { EscalationChain } from '../domain/escalation.ts';
import type { ReportPolicy } from '../domain/report-policy.ts';
import type { Locale } from '../i18n/index.ts';

export interface ServiceDeps {
  db: Database;
  clock: Clock;
  log: Logger;
  /** the language of channel posts (BOT_LOCALE) */
  locale: Locale;
  /** how Japanese dates are written in posts and for people who did not choose (BOT_CALENDAR; default wareki) */
  calendar?: Calendar;
  /** the platforms the bot is connected to; posts go to the organisation's channel on each */
  platforms: readonly PlatformName[];
  /**
   * wakes the dispatcher after a transaction wrote deliveries; `channels` (`platform:target`):
   * the channels of the rows a claim may take (`claimableChannels`): the dispatcher then skips
   * the claim while all of them are in hand or paced; an empty list costs nothing. Required: a
   * kick naming no channel would claim over every channel (tests/unit/outbox/kick-named.test.ts)
   */
  kick(channels: readonly string[]): void;
  /** MAX_INDICATORS: indicators accepted in one report or update (default 100) */
  maxIndicators?: number;
  /** PUBLIC_URL, for links the bot hands out (calendar feeds); undefined when not set */
  publicUrl?: string;
  /** the append-only audit anchor file (AUDIT_ANCHOR_FILE; src/audit/anchor.ts anchorFilePath) */
  anchorFile?: string;
  /** AUDIT_ANCHOR_AT: the daily anchor's time (HH:MM, Japan time) or off */
  anchorAt?: string;
  /** the deployment's reporting rules: deadlines, reminders, the items a 確報 needs */
  reportPolicy: ReportPolicy;
  /** SMTP_URL and MAIL_FROM are set: e-mail is the second channel (src/services/advisory-mail.ts) */
  mail?: boolean;
  /** ESCALATION_CHAIN: who is asked, one step at a time, while an organisation has not acknowledged (default: the domain's) */
  escalation?: EscalationChain;
  /** REPORT_ESCALATION_CHAIN: who is asked, one step at a time, once a report deadline has passed unmet */
  reportEscalation?: EscalationChain;
}

/** Appends an audit record in `tx` (the one place services write the audit chain). */
export function audit(
  deps: ServiceDeps,
  tx: Tx,
  actor: string,
  action: string,
  subject: string,
  data: Record<string, unknown> = {},
): Promise<number> {
  return appendAudit(deps.db, tx, { actor, action, subject, data, at: deps.clock.now() });
}

/** `audit` for several records at once (a batch of scheduler jobs), in order. */
export function auditMany(
  deps: ServiceDeps,
  tx: Tx,
  es: readonly { actor: string; action: string; subject: string; data?: Record<string, unknown> }[],
): Promise<number[]> {
  const at = deps.clock.now();
  return appendAuditMany(
    deps.db,
    tx,
    es.map((e) => ({ ...e, at })),
  );
}

/** How channel posts write dates: BOT_LOCALE and BOT_CALENDAR. */
export function postStyle(deps: Pick<ServiceDeps, 'locale' | 'calendar'>, locale: Locale = deps.locale): DateStyle {
  return dateStyle(locale, deps.calendar ?? 'wareki');
}
