/**
 * Builds the application from a config: database (migrated), services, router, outbox
 * dispatcher, scheduler and HTTP routes. It connects to the database but listens on nothing:
 * main.ts listens, tests drive it directly.
 */
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { groups } from '../commands/index.ts';
import { anchorFilePath } from './audit/anchor.ts';
import { ensureAuditHead } from './audit/chain.ts';
import { type Config, deliveryTimeoutMs } from './config.ts';
import { type Clock, systemClock } from './core/clock.ts';
import type { CommandGroup } from './core/command.ts';
import { InFlight } from './core/in-flight.ts';
import { type Carrier, MAIL, type PlatformName, type PlatformSeam } from './core/platform.ts';
import { Router } from './core/router.ts';
import { type Database, databaseAway, openDatabase, prepareDatabase } from './db/client.ts';
import { applyMigrations, pendingMigrations, SchemaBehindError } from './db/migrator.ts';
import { currentGuard } from './db/scope.ts';
import type { ReportPolicy } from './domain/report-policy.ts';
import { mountCalendar } from './http/calendar.ts';
import { createMetrics, type Metrics, registerCheckpointMetrics, registerWorkMetrics } from './http/metrics.ts';
import { HttpServer } from './http/server.ts';
import { CommandJournal } from './inbox/journal.ts';
import { createLogger } from './logger.ts';
import { Dispatcher } from './outbox/dispatcher.ts';
import { deliveryIdKey, derivedIds } from './outbox/outbox.ts';
import { PACKAGE_ROOT } from './package-root.ts';
import { Scheduler } from './scheduler/scheduler.ts';
import type { ServiceDeps } from './services/context.ts';
import { guardClock } from './services/incident-clocks.ts';
import { createServices, type Services } from './services/index.ts';
import { channelStillOwned } from './services/notify.ts';
import { Heartbeat, readOpsState } from './services/ops-state.ts';
import { guardChase } from './services/report-chase.ts';
import { loadReportPolicy } from './services/report-policy.ts';
import { RestorePendingError, readAfterRestore, readRestoreMarker, reconcileRestore } from './services/restore.ts';
import { BUILD } from './version.ts';
import { mountDashboard } from './web/routes.ts';

/** the package root (data/, prisma/): the same from src/ and from dist/src/ */
export const ROOT = PACKAGE_ROOT;

export interface AppOptions {
  clock?: Clock;
  log?: Logger;
  /** the platform seams deliveries go through; the console's by default */
  seams?: Map<PlatformName, PlatformSeam>;
  workerId?: string;
  migrate?: boolean;
  /** minimum time between two posts to one channel (default 1 s, as Slack asks) */
  perChannelIntervalMs?: number;
  /** the reporting rules (main.ts reads them first to report a bad file); REPORT_POLICY_FILE by default */
  reportPolicy?: ReportPolicy;
  /** the command registry (tests add test-only groups); commands/index.ts by default */
  groups?: readonly CommandGroup<Services>[];
}

export interface App {
  config: Config;
  db: Database;
  log: Logger;
  clock: Clock;
  metrics: Metrics;
  services: Services;
  router: Router<Services>;
  dispatcher: Dispatcher;
  scheduler: Scheduler;
  http: HttpServer;
  /** commands (and platform requests) in progress: a graceful shutdown waits for them */
  inFlight: InFlight;
  /** commands acknowledged but not yet committed; a dead process's are run again (src/inbox) */
  journal: CommandJournal;
  /** this process's clock against the database's, written every 15 s once started (metrics) */
  heartbeat: Heartbeat;
  seams: Map<PlatformName, PlatformSeam>;
  /** stop background work and close the database */
  close(): Promise<void>;
}

export async function createApp(config: Config, opts: AppOptions = {}): Promise<App> {
  const log = opts.log ?? createLogger(config.LOG_LEVEL, undefined, config.LOG_FORMAT);
  const clock = opts.clock ?? systemClock;
  log.info({ version: BUILD.version, commit: BUILD.commit, node: BUILD.node }, 'csirt-poc-bot starting');
  prepareDatabase(config.DATABASE_URL);
  if (opts.migrate ?? config.MIGRATE_ON_START) {
    const applied = await applyMigrations(config.DATABASE_URL, ROOT);
    if (applied.length) log.info({ applied }, 'database migrations applied');
  } else {
    // a fleet migrates in one step (npm run db:migrate) before starting its processes: a
    // process of a newer version must not run on the older schema
    const pending = await pendingMigrations(config.DATABASE_URL, ROOT);
    if (pending.length) throw new SchemaBehindError(pending);
  }
  const db = await openDatabase(config.DATABASE_URL, { log });
  await ensureAuditHead(db);
  const metrics = createMetrics();
  const seams = opts.seams ?? new Map();
  const workerId = opts.workerId ?? `${hostname()}:${process.pid}`;
  // a restored database runs nothing before it is reconciled (src/services/restore.ts)
  try {
    if (await readRestoreMarker(db)) {
      if (!config.RESTORE_RECONCILE_ON_START)
        throw new RestorePendingError(
          'the database was restored from a backup and is not reconciled yet (RESTORE_RECONCILE_ON_START=false)',
        );
      await reconcileRestore({ db, clock, log, seams, workerId, actor: 'system:restore' });
    }
  } catch (e) {
    await db.close();
    throw e;
  }
  // the key derived delivery ids are made with, before any job runs (so every backup holds it)
  await db.tx((tx) => deliveryIdKey(tx));
  const platforms = [...seams.keys()];
  let dispatcher: Dispatcher | undefined;
  const deps: ServiceDeps = {
    db,
    clock,
    log,
    locale: config.BOT_LOCALE,
    calendar: config.BOT_CALENDAR,
    platforms,
    maxIndicators: config.MAX_INDICATORS,
    kick: (channels) => {
      // once the transaction that wrote the deliveries has committed, outside the command's
      // journal scope (the pass's transactions are not the command's)
      db.afterCommit(() => dispatcher?.runOnce(channels).catch(() => {}));
    },
    publicUrl: config.PUBLIC_URL,
    anchorFile: anchorFilePath(config.AUDIT_ANCHOR_FILE, config.DATABASE_URL),
    anchorAt: config.AUDIT_ANCHOR_AT,
    reportPolicy: opts.reportPolicy ?? loadReportPolicy(config.REPORT_POLICY_FILE),
    mail: !!(config.SMTP_URL && config.MAIL_FROM),
    escalation: config.ESCALATION_CHAIN,
    reportEscalation: config.REPORT_ESCALATION_CHAIN,
  };
  const services = createServices(deps);
  const admins = [...config.BOT_ADMINS];
  if (admins.length === 0 && !config.platforms.slack && !config.platforms.mattermost) admins.push('console:admin');
  await services.directory.bootstrap(admins);
  // e-mail, the second channel: a seam of the dispatcher, not a platform posts are made for
  const carriers = new Map<Carrier, PlatformSeam>(seams);
  if (config.SMTP_URL && config.MAIL_FROM) {
    // nodemailer is loaded only when e-mail is configured (a separate chunk of the build, as the
    // platform adapters are)
    const { MailSeam } = await import('./outbox/mail.ts');
    carriers.set(
      MAIL,
      new MailSeam({ url: config.SMTP_URL, from: config.MAIL_FROM, db, log, timeoutMs: deliveryTimeoutMs(config) }),
    );
  }
  dispatcher = new Dispatcher(db, carriers, {
    workerId,
    clock,
    log,
    perChannelIntervalMs: opts.perChannelIntervalMs ?? config.DELIVERY_CHANNEL_INTERVAL_MS,
    claimTtlMs: config.DELIVERY_CLAIM_TTL_MS,
    retryHorizonMs: config.DELIVERY_RETRY_HORIZON_HOURS * 3_600_000,
    onOutcome: (d, outcome) => metrics.deliveries.inc({ platform: d.platform, outcome }),
    onAuth: (platform, reason) => {
      metrics.credentialsRefused.set({ platform }, reason === null ? 0 : 1);
      if (reason !== null) metrics.credentialAlerts.inc({ platform });
    },
    // advisories: TLP re-checked on every copy just before it is sent; any post goes only to a
    // channel that still belongs to its organisation; the last copy settled moves the advisory
    // to `sent` (and `reconcile` below catches a crash in between)
    preSend: async (d) =>
      (await services.advisories.preSend(d)) ??
      (await guardChase(deps, d)) ??
      (await guardClock(db.prisma, d)) ??
      (await channelStillOwned(db.prisma, d)),
    // what follows a delivery's outcome is made again when the outcome comes again (after a
    // restore): derived ids, as for the scheduler's jobs
    onSettled: (d, cause) =>
      derivedIds(async () => {
        await services.advisories.onDeliverySettled(d, cause);
        // a delivery failed for good is shown to the coordinating office
        await services.deliveries.onSettled(d);
      }),
    afterRestore: await readAfterRestore(db),
  });
  const scheduler = new Scheduler(db, clock, log);
  for (const [kind, handler] of Object.entries(services.jobHandlers())) scheduler.register(kind, handler);
  await services.readiness.ensureReminders();
  await services.incidents.ensureClocks();
  await derivedIds(() => services.advisories.reconcile());
  await services.anchors.ensureDaily();
  const inFlight = new InFlight();
  const journal = new CommandJournal(db, clock, log, {
    workerId,
    claimTtlMs: config.COMMAND_CLAIM_TTL_MS,
    onOutcome: (platform, outcome) => metrics.journal.inc({ platform, outcome }),
    onAdmitWait: (ms, outcome) => metrics.admitWait.observe({ outcome }, ms / 1000),
  });
  // a report batch waits for more reports only while the journal's turns can bring them
  services.incidents.watchIntake(journal);
  const router = new Router<Services>({
    inFlight,
    groups: opts.groups ?? groups,
    services,
    clock,
    log,
    maxFieldLength: config.MAX_FIELD_LENGTH,
    // the database away before the command's first commit, with its journal entry still held
    runsLater: (e) => databaseAway(e) && currentGuard()?.pending === true,
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
    lookupCaller: (identity, hint, name) => services.directory.caller(identity, hint, name, config.BOT_LOCALE),
    names: () => services.directory.names(),
    onOutcome: (o, ms) => {
      metrics.commands.inc({ command: o.command ?? 'unknown', outcome: o.status, platform: 'any' });
      metrics.latency.observe({ command: o.command ?? 'unknown' }, ms / 1000);
    },
  });
  const d = dispatcher;
  const http = new HttpServer({
    db,
    metrics,
    log,
    maxBodyBytes: config.MAX_BODY_BYTES,
    inFlight,
    metricsToken: config.METRICS_TOKEN,
    healthDetail: () => {
      // a platform refusing the bot's credentials: shown, but the process still serves commands
      const stopped = d.authFailures();
      return stopped.length === 0
        ? {}
        : {
            deliveriesStopped: Object.fromEntries(
              stopped.map((s) => [s.platform, { reason: s.reason, since: s.since.toISOString() }]),
            ),
          };
    },
  });
  mountCalendar(http, services.meetings, metrics, log);
  mountDashboard(http, {
    services,
    router,
    metrics,
    log,
    locale: config.BOT_LOCALE,
    secure: config.PUBLIC_URL?.startsWith('https:') ?? false,
  });
  // links on PUBLIC_URL, else this process's own address once it listens (the console)
  services.dashboard.base = () => config.PUBLIC_URL ?? `http://127.0.0.1:${http.port ?? config.PORT}`;
  const heartbeat = new Heartbeat(db, clock, workerId);
  registerWorkMetrics(metrics.registry, {
    reportBatches: () => services.incidents.reportBatches,
    commands: () => journal.load,
  });
  registerCheckpointMetrics(metrics.registry, () => db.checkpointer ?? null);
  metrics.registry.onCollect(async () => {
    const s = await readOpsState(db, clock, heartbeat);
    metrics.outboxRows.reset();
    for (const [state, n] of Object.entries(s.deliveries)) metrics.outboxRows.set({ state }, n);
    metrics.outboxOldest.set({}, s.oldestWaitingSeconds);
    metrics.jobsOverdue.set({}, s.jobsOverdue);
    metrics.jobsOldestOverdue.set({}, s.oldestOverdueSeconds);
    metrics.clockOffset.set({}, s.clockSpreadSeconds);
    metrics.clockOffsetToDb.set({}, s.ownOffsetSeconds);
    metrics.processesSeen.set({}, s.liveProcesses);
  });
  return {
    config,
    db,
    log,
    clock,
    metrics,
    services,
    router,
    dispatcher: d,
    scheduler,
    http,
    inFlight,
    journal,
    heartbeat,
    seams,
    async close() {
      await heartbeat.stop();
      await journal.stop();
      await d.stop();
      await scheduler.stop();
      await db.close();
    },
  };
}
