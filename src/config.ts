/**
 * The environment, parsed once with zod (PRODUCT.md §8). loadConfig never reads
 * process.env by itself: the caller passes the environment, so tests inject their own.
 */
import * as z from 'zod';
import { normalizeEmailAddress } from './domain/email-address.ts';
import {
  type ChainProblem,
  DEFAULT_ESCALATION_CHAIN,
  DEFAULT_REPORT_ESCALATION_CHAIN,
  parseChain,
} from './domain/escalation.ts';
import { t } from './i18n/index.ts';

const identity = /^(slack:U[A-Z0-9]+|slack:W[A-Z0-9]+|mattermost:[a-z0-9]{26}|console:[\w.@-]+)$/;
const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v);
const opt = <T extends z.ZodType>(s: T) => z.preprocess(emptyToUndefined, s.optional());

/**
 * A zone this Node.js knows. Looked up in ICU's list of canonical zone names first: building an
 * Intl date formatter makes ICU load ~5 MB of locale data that then stays resident in a process
 * that may format no date for hours (issue 19, the idle RSS). Names not in that list — aliases
 * such as UTC, Etc/UTC or Japan — are still accepted when a formatter takes them.
 */
export function knownTimeZone(zone: string): boolean {
  if (Intl.supportedValuesOf('timeZone').includes(zone)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** An escalation chain setting (src/domain/escalation.ts): steps or `off`, `fallback` when unset. */
const chainSetting = (fallback: string) =>
  z.preprocess(emptyToUndefined, z.string().default(fallback)).transform((v, ctx) => {
    const r = parseChain(v);
    if (r.ok) return r.chain;
    ctx.addIssue({ code: 'custom', message: chainProblemText(r.problem) });
    return z.NEVER;
  });

const schema = z
  .object({
    DATABASE_URL: z
      .preprocess(emptyToUndefined, z.string().default('file:./data/csirt-poc-bot.db'))
      .refine((v) => /^(file:|postgres(ql)?:\/\/)/.test(v), 'a SQLite file (file:./path.db) or postgresql://…'),
    PORT: z.preprocess(
      emptyToUndefined,
      z.coerce.number({ error: 'a port number from 0 to 65535' }).int().min(0).max(65535).default(3000),
    ),
    HOST: z.preprocess(emptyToUndefined, z.string().default('0.0.0.0')),
    PUBLIC_URL: opt(z.url({ protocol: /^https?$/ })),
    BOT_ADMINS: z
      .preprocess(emptyToUndefined, z.string().default(''))
      .transform((v) => v.split(/[\s,]+/).filter(Boolean))
      .refine(
        (list) => list.every((x) => identity.test(x)),
        'identities like slack:U123, mattermost:<26 chars>, console:name',
      ),
    BOT_LOCALE: z.preprocess(emptyToUndefined, z.enum(['ja', 'en']).default('ja')),
    // how Japanese dates are written unless a person chose otherwise with /csirt lang
    BOT_CALENDAR: z.preprocess(emptyToUndefined, z.enum(['wareki', 'seireki']).default('wareki')),
    // Meetings and deadlines are always reckoned in Japan time (a fixed +09:00, whatever TZ
    // says); TZ only has to be a zone this Node.js knows, for log timestamps and the like.
    TZ: z.preprocess(
      emptyToUndefined,
      z.string().default('Asia/Tokyo').refine(knownTimeZone, 'an IANA time zone such as Asia/Tokyo'),
    ),
    LOG_LEVEL: z.preprocess(
      emptyToUndefined,
      z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ),
    // auto: one coloured line per event on a terminal, JSON lines otherwise (src/logger.ts)
    LOG_FORMAT: z.preprocess(emptyToUndefined, z.enum(['auto', 'json', 'pretty']).default('auto')),
    CONSOLE_USER: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^[\w.@-]{1,64}$/)
        .default('admin'),
    ),
    SLACK_BOT_TOKEN: opt(z.string().regex(/^xoxb-/, 'a bot token starting with xoxb-')),
    SLACK_SIGNING_SECRET: opt(z.string().min(8)),
    SLACK_APP_TOKEN: opt(z.string().regex(/^xapp-/, 'an app-level token starting with xapp-')),
    SLACK_API_URL: opt(z.url({ protocol: /^https?$/ })),
    MATTERMOST_URL: opt(z.url({ protocol: /^https?$/ })),
    MATTERMOST_TOKEN: opt(z.string().min(8)),
    MATTERMOST_COMMAND_TOKEN: opt(z.string().min(8)),
    MATTERMOST_TEAM: opt(z.string().min(1)),
    ACTION_SECRET: opt(z.string().min(16)),
    MAX_BODY_BYTES: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1024).max(10_000_000).default(65536)),
    MAX_FIELD_LENGTH: z.preprocess(emptyToUndefined, z.coerce.number().int().min(16).max(100_000).default(4000)),
    MAX_INDICATORS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(10_000).default(100)),
    /** The deployment's reporting rules (deadlines, reminders, items a 確報 needs); default data/report-policy.json. */
    REPORT_POLICY_FILE: opt(z.string().min(1)),
    // the retention table npm run retention uses (docs/operations.md "Retention and erasure")
    RETENTION_FILE: opt(z.string().min(1)),
    NODE_ENV: opt(z.string()),
    /** Tests and drills only: shifts the bot's clock by this many ms. Refused with NODE_ENV=production. */
    BOT_CLOCK_OFFSET_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(-1e13).max(1e13).default(0)),
    RATE_LIMIT_PER_MINUTE: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(100_000).default(60)),
    /** How long a process's claim on a delivery lasts; a killed process's claims are taken over after it. */
    DELIVERY_CLAIM_TTL_MS: z.preprocess(
      emptyToUndefined,
      z.coerce.number().int().min(5_000).max(3_600_000).default(120_000),
    ),
    /** How long a process's claim on an acknowledged command lasts; a killed process's commands run again after it. */
    COMMAND_CLAIM_TTL_MS: z.preprocess(
      emptyToUndefined,
      z.coerce.number().int().min(5_000).max(3_600_000).default(60_000),
    ),
    /** A delivery failing for a transient reason (network, 5xx, 429) is retried this long before it fails. */
    DELIVERY_RETRY_HORIZON_HOURS: z.preprocess(
      emptyToUndefined,
      z.coerce
        .number()
        .min(0.1)
        .max(24 * 30)
        .default(72),
    ),
    /** Minimum time between two posts of one process to one channel (Slack asks about 1 s). */
    DELIVERY_CHANNEL_INTERVAL_MS: z.preprocess(
      emptyToUndefined,
      z.coerce.number().int().min(0).max(60_000).default(1000),
    ),
    /** The append-only file the audit chain's head is written to daily (default: beside a SQLite database, else ./data). */
    AUDIT_ANCHOR_FILE: opt(z.string().min(1)),
    /** When the daily anchor is taken, Japan time (HH:MM), or off (then only `audit anchor`). */
    AUDIT_ANCHOR_AT: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^(off|([01]\d|2[0-3]):[0-5]\d)$/, 'HH:MM (Japan time) or off')
        .default('09:00'),
    ),
    /** false for fleets: no process migrates on start (one `npm run db:migrate` step before); a process refuses to start on an older schema */
    MIGRATE_ON_START: z
      .preprocess(emptyToUndefined, z.enum(['true', 'false'], { error: 'true or false' }).default('true'))
      .transform((v) => v === 'true'),
    /** false: a restored database is reconciled only by `npm run restore -- --reconcile`; a process refuses to start on it before */
    RESTORE_RECONCILE_ON_START: z
      .preprocess(emptyToUndefined, z.enum(['true', 'false'], { error: 'true or false' }).default('true'))
      .transform((v) => v === 'true'),
    /** GET /metrics on PORT answers only with `Authorization: Bearer <METRICS_TOKEN>` (unset: 404 there) */
    METRICS_TOKEN: opt(z.string().min(16, 'at least 16 characters')),
    /** a separate listener for GET /metrics (and /healthz), on METRICS_HOST (default 127.0.0.1) */
    METRICS_PORT: opt(z.coerce.number({ error: 'a port number from 0 to 65535' }).int().min(0).max(65535)),
    METRICS_HOST: z.preprocess(emptyToUndefined, z.string().default('127.0.0.1')),
    /** On SIGTERM: how long to wait for commands in progress before closing anyway. */
    SHUTDOWN_TIMEOUT_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(600_000).default(20_000)),
    /**
     * Escalation until acknowledged (src/domain/escalation.ts): `<role>:<wait>` steps (primary,
     * deputy, ciso, duty; each waits after the previous), or off
     */
    ESCALATION_CHAIN: chainSetting(DEFAULT_ESCALATION_CHAIN),
    /**
     * Report deadlines passed unmet (src/services/report-chase.ts): the same steps, counted from
     * the deadline's escalation; or off
     */
    REPORT_ESCALATION_CHAIN: chainSetting(DEFAULT_REPORT_ESCALATION_CHAIN),
    /** E-mail, the second channel (docs/email.md): smtp://user:pass@host:port (STARTTLS) or smtps://… (TLS); unset: no e-mail */
    SMTP_URL: opt(
      z.string().refine((v) => smtpUrlProblem(v) === null, { error: (i) => smtpUrlProblem(String(i.input)) ?? '' }),
    ),
    /** The sender of every e-mail (an address; its domain names the Message-IDs) */
    MAIL_FROM: opt(
      z
        .string()
        .refine((v) => normalizeEmailAddress(v).ok, 'an e-mail address such as csirt-bot@example.go.jp')
        .transform((v) => {
          const r = normalizeEmailAddress(v);
          return r.ok ? r.address : v;
        }),
    ),
  })
  .superRefine((c, ctx) => {
    const need = (cond: boolean, path: string, message: string) => {
      if (cond) ctx.addIssue({ code: 'custom', path: [path], message });
    };
    need(
      !!c.SLACK_BOT_TOKEN && !c.SLACK_SIGNING_SECRET && !c.SLACK_APP_TOKEN,
      'SLACK_SIGNING_SECRET',
      'required with SLACK_BOT_TOKEN (or set SLACK_APP_TOKEN for Socket Mode)',
    );
    need(
      !c.SLACK_BOT_TOKEN && (!!c.SLACK_SIGNING_SECRET || !!c.SLACK_APP_TOKEN),
      'SLACK_BOT_TOKEN',
      'required with SLACK_SIGNING_SECRET or SLACK_APP_TOKEN',
    );
    need(!!c.MATTERMOST_URL && !c.MATTERMOST_TOKEN, 'MATTERMOST_TOKEN', 'required with MATTERMOST_URL');
    need(
      !!c.MATTERMOST_URL && !c.MATTERMOST_COMMAND_TOKEN && !(c.MATTERMOST_TEAM && c.PUBLIC_URL),
      'MATTERMOST_COMMAND_TOKEN',
      'required with MATTERMOST_URL (unless MATTERMOST_TEAM and PUBLIC_URL are set: the bot then registers /csirt and uses its token)',
    );
    need(!c.MATTERMOST_URL && !!c.MATTERMOST_TOKEN, 'MATTERMOST_URL', 'required with MATTERMOST_TOKEN');
    need(!!c.SMTP_URL && !c.MAIL_FROM, 'MAIL_FROM', 'required with SMTP_URL (the sender address)');
    need(!c.SMTP_URL && !!c.MAIL_FROM, 'SMTP_URL', 'required with MAIL_FROM (smtp://user:pass@host:port or smtps://…)');
    need(
      c.BOT_CLOCK_OFFSET_MS !== 0 && c.NODE_ENV === 'production',
      'BOT_CLOCK_OFFSET_MS',
      'tests and drills only: not with NODE_ENV=production',
    );
  });

export type Config = z.infer<typeof schema> & {
  /** which chat platforms are configured; none = the console */
  platforms: { slack: boolean; mattermost: boolean };
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** Parses the environment; throws ConfigError naming every bad variable, one line each. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const picked = Object.fromEntries(Object.keys(schema.shape).map((k) => [k, env[k]]));
  const res = schema.safeParse(picked);
  if (!res.success) {
    const problems = res.error.issues.map((i) => {
      const name = String(i.path[0] ?? 'environment');
      const got = env[name];
      const shown = got === undefined || /TOKEN|SECRET|SMTP_URL/.test(name) ? '' : ` (got "${got}")`;
      return `${name}: ${i.message}${shown}`;
    });
    throw new ConfigError(problems);
  }
  const c = res.data;
  return { ...c, platforms: { slack: !!c.SLACK_BOT_TOKEN, mattermost: !!c.MATTERMOST_URL } };
}

/** A bad ESCALATION_CHAIN, said in Japanese and in English (the locale is not known yet). */
function chainProblemText(p: ChainProblem): string {
  const { code, ...params } = p;
  const key = `escalation.config.${code}` as const;
  return `${t('ja', key, params)} / ${t('en', key, params)}`;
}

/**
 * How long a delivery request to a platform may take. A claim must outlive the request it
 * covers (with margin): if a slow request could still land after its claim expired, the process
 * that takes the row over would find nothing in the channel's history yet and post it again.
 */
export function deliveryTimeoutMs(config: Pick<Config, 'DELIVERY_CLAIM_TTL_MS'>): number {
  return Math.min(10_000, Math.floor(config.DELIVERY_CLAIM_TTL_MS / 3));
}

/**
 * Why SMTP_URL cannot be used, or null: smtp:// (STARTTLS when the server offers it;
 * `?starttls=required` refuses to send without it) or smtps:// (TLS from the first byte), a
 * host, an optional port, user and password. Never says the password.
 */
export function smtpUrlProblem(v: string): string | null {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return 'smtp://user:pass@host:port or smtps://user:pass@host:port';
  }
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') return 'the scheme must be smtp:// or smtps://';
  if (!u.hostname) return 'a host is required (smtp://user:pass@host:port)';
  if (u.pathname !== '' && u.pathname !== '/') return 'no path after the host:port';
  for (const [k, val] of u.searchParams) {
    if (k !== 'starttls' || (val !== 'required' && val !== 'auto'))
      return 'the only option is ?starttls=required (or auto, the default)';
  }
  if (u.protocol === 'smtps:' && u.searchParams.has('starttls')) return 'starttls is for smtp://, not smtps://';
  return null;
}
