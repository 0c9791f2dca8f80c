/**
 * The composition root: config → database → services → adapters, scheduler, dispatcher.
 * The only place that listens, installs signal handlers or exits.
 */
import type { MattermostMount } from './adapters/mattermost/index.ts';
import type { SlackMount } from './adapters/slack/index.ts';
import { createApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { offsetClock } from './core/clock.ts';
import type { PlatformName, PlatformSeam } from './core/platform.ts';
import { SchemaBehindError } from './db/migrator.ts';
import { createLogger } from './logger.ts';
import { loadReportPolicy } from './services/report-policy.ts';
import { RestorePendingError } from './services/restore.ts';
import { BUILD } from './version.ts';

async function main(): Promise<number> {
  let config: ReturnType<typeof loadConfig>;
  let reportPolicy: ReturnType<typeof loadReportPolicy>;
  try {
    config = loadConfig(process.env);
    reportPolicy = loadReportPolicy(config.REPORT_POLICY_FILE);
  } catch (e) {
    if (e instanceof ConfigError) {
      for (const p of e.problems) process.stderr.write(`csirt-poc-bot: configuration error: ${p}\n`);
      return 2;
    }
    throw e;
  }
  const consoleMode = !config.platforms.slack && !config.platforms.mattermost;
  const seams = new Map<PlatformName, PlatformSeam>();
  // Each platform's adapter (and its client library: @slack/bolt alone is ~25 MB resident) is
  // loaded only when that platform is configured.
  const consoleAdapter = consoleMode
    ? await Promise.all([import('./adapters/console/console.ts'), import('./adapters/console/seam.ts')])
    : null;
  if (consoleAdapter) {
    const [, { ConsoleSeam }] = consoleAdapter;
    seams.set(
      'console',
      new ConsoleSeam((l) => process.stdout.write(`${l}\n`), config.BOT_LOCALE, `${process.cwd()}/data/out`),
    );
  }
  const log = createLogger(config.LOG_LEVEL, undefined, config.LOG_FORMAT);
  const slack = config.platforms.slack ? (await import('./adapters/slack/index.ts')).createSlack(config, log) : null;
  if (slack) seams.set('slack', slack.seam);
  const mattermost = config.platforms.mattermost
    ? (await import('./adapters/mattermost/index.ts')).createMattermost(config, log)
    : null;
  if (mattermost) seams.set('mattermost', mattermost.seam);
  let app: Awaited<ReturnType<typeof createApp>>;
  try {
    app = await createApp(config, { seams, log, clock: offsetClock(config.BOT_CLOCK_OFFSET_MS), reportPolicy });
  } catch (e) {
    if (e instanceof RestorePendingError) {
      process.stderr.write(
        `csirt-poc-bot: not started: ${e.message}. Fix the cause and start again, or run npm run restore -- --reconcile (docs/operations.md "Restore").\n`,
      );
      return 2;
    }
    if (!(e instanceof SchemaBehindError)) throw e;
    process.stderr.write(`csirt-poc-bot: ${e.message}\n`);
    return 2;
  }
  if (config.BOT_CLOCK_OFFSET_MS !== 0) {
    app.log.warn(
      { offsetMs: config.BOT_CLOCK_OFFSET_MS },
      'BOT_CLOCK_OFFSET_MS: clock shifted (tests and drills only)',
    );
  }
  let slackMount: SlackMount | null = null;
  try {
    slackMount = slack ? await slack.mount(app) : null;
  } catch (e) {
    process.stderr.write(`csirt-poc-bot: cannot connect to Slack: ${(e as Error).message}\n`);
    await app.close();
    return 2;
  }
  let mattermostMount: MattermostMount | null = null;
  try {
    mattermostMount = mattermost ? await mattermost.mount(app) : null;
  } catch (e) {
    process.stderr.write(`csirt-poc-bot: cannot connect to Mattermost: ${(e as Error).message}\n`);
    await app.close();
    return 2;
  }
  let port: number;
  try {
    port = await app.http.listen(config.PORT, config.HOST);
  } catch (e) {
    process.stderr.write(`csirt-poc-bot: cannot listen on port ${config.PORT}: ${(e as Error).message}\n`);
    await app.close();
    return 2;
  }
  let metricsPort: number | undefined;
  if (config.METRICS_PORT !== undefined) {
    try {
      metricsPort = await app.http.listenMetrics(config.METRICS_PORT, config.METRICS_HOST);
    } catch (e) {
      process.stderr.write(
        `csirt-poc-bot: cannot listen for metrics on ${config.METRICS_HOST}:${config.METRICS_PORT}: ${(e as Error).message}\n`,
      );
      await app.close();
      await app.http.close();
      return 2;
    }
  } else if (!config.METRICS_TOKEN) {
    app.log.info('GET /metrics is not served: set METRICS_PORT (a separate address) or METRICS_TOKEN');
  }
  app.log.info(
    { port, metricsPort, platforms: [...seams.keys()], version: BUILD.version, commit: BUILD.commit },
    'csirt-poc-bot started',
  );
  await slackMount?.start();
  app.dispatcher.start();
  app.scheduler.start();
  app.journal.start();
  app.heartbeat.start();

  let stopping = false;
  // Graceful stop (SIGTERM): new requests get 503 and /healthz says 503 (draining) while the
  // commands already accepted finish; then the dispatcher releases the claims it has not
  // started, the scheduler finishes the job in hand, the database closes, the server last.
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const started = Date.now();
    app.log.info({ signal, inFlight: app.inFlight.size }, 'shutting down: draining');
    app.http.drain();
    const drained = await app.inFlight.idle(config.SHUTDOWN_TIMEOUT_MS);
    if (!drained) app.log.warn({ inFlight: app.inFlight.size }, 'shutdown timeout: closing with commands in progress');
    await slackMount?.stop();
    await mattermostMount?.stop();
    await app.close();
    await app.http.close();
    app.log.info({ ms: Date.now() - started }, 'stopped');
  };

  if (consoleAdapter) {
    const [{ runConsole }] = consoleAdapter;
    // SIGTERM/SIGINT end the input: the line in progress finishes, the outbox drains, then we stop.
    // (Destroying stdin did not end readline's loop while the input was open: the bot hung, and
    // `npm run dev` waited for it forever on every change.)
    const endOfInput = new AbortController();
    for (const s of ['SIGTERM', 'SIGINT'] as const) process.once(s, () => endOfInput.abort());
    const code = await runConsole(app, {
      input: process.stdin,
      write: (t) => process.stdout.write(`${t}\n`),
      signal: endOfInput.signal,
    });
    await shutdown('end of input');
    return code;
  }
  await new Promise<void>((resolve) => {
    for (const s of ['SIGTERM', 'SIGINT'] as const) process.once(s, () => void shutdown(s).then(resolve));
  });
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`csirt-poc-bot: failed to start: ${(e as Error)?.stack ?? e}\n`);
    process.exit(1);
  },
);
