/**
 * The console bot run in the test's own process (issue 19 item 7): what `npm start` does with a
 * script on stdin (src/main.ts, console mode) — the configuration from the same environment, the
 * console seam, createApp with the offset clock and the report policy, the background loops
 * started, `runConsole` over the script, then the shutdown's drain and close — without starting
 * a node process for it. A bot process costs 2–3.5 s to start on this machine (more under load);
 * the files that walk a scenario through a dozen console runs spent most of their time there.
 *
 * Same signature and result as runBot (tests/helpers/console.ts): the replies and posts in
 * `stdout`, the logs in `stderr`, the exit status in `code`. What only a real process proves —
 * the entry itself, the exit status as the shell sees it, stdin as a pipe, signals, a bad
 * setting stopping the start — stays with runBot: tests/e2e/console-foundation.test.ts,
 * console-exit.test.ts, console-signals.test.ts and the chaos project.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { runConsole } from '../../src/adapters/console/console.ts';
import { ConsoleSeam } from '../../src/adapters/console/seam.ts';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { offsetClock } from '../../src/core/clock.ts';
import type { PlatformName, PlatformSeam } from '../../src/core/platform.ts';
import { createLogger } from '../../src/logger.ts';
import { loadReportPolicy } from '../../src/services/report-policy.ts';
import { TEST_BOT_SETTINGS } from './bot-entry.ts';
import { type ConsoleRun, freshDbUrl } from './console.ts';

/**
 * No real-time pacing per channel (1 s by default), as in the other in-process apps
 * (tests/helpers/app.ts, slack.ts, mattermost.ts): a run whose line posted twice to a channel
 * waited a second for it, a scenario of a dozen runs ten seconds. Pacing has its own tests
 * (tests/unit/outbox/dispatcher.test.ts), and the bots started as processes (runBot, BotProcess)
 * keep the default. A test may set it again in its env.
 */
const IN_PROCESS_SETTINGS: Readonly<Record<string, string>> = { DELIVERY_CHANNEL_INTERVAL_MS: '0' };

export async function runConsoleApp(
  script: string,
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<ConsoleRun> {
  const url = env.DATABASE_URL ?? (await freshDbUrl());
  let stdout = '';
  let stderr = '';
  // the bot's working directory (its data/out: calendar files, pictures, CSV), as runBot's
  const cwd = mkdtempSync(join(tmpdir(), 'csirt-cwd-'));
  const run = (async () => {
    const config = loadConfig({ ...TEST_BOT_SETTINGS, ...IN_PROCESS_SETTINGS, ...env, DATABASE_URL: url });
    const reportPolicy = loadReportPolicy(config.REPORT_POLICY_FILE);
    const outDir = join(cwd, 'data', 'out');
    const seams = new Map<PlatformName, PlatformSeam>([
      ['console', new ConsoleSeam((l) => (stdout += `${l}\n`), config.BOT_LOCALE, outDir)],
    ]);
    const logs = new Writable({
      write(chunk, _enc, done) {
        stderr += String(chunk);
        done();
      },
    });
    const log = createLogger(config.LOG_LEVEL, logs, config.LOG_FORMAT);
    const app = await createApp(config, { seams, log, clock: offsetClock(config.BOT_CLOCK_OFFSET_MS), reportPolicy });
    try {
      app.dispatcher.start();
      app.scheduler.start();
      app.journal.start();
      app.heartbeat.start();
      const code = await runConsole(app, {
        input: Readable.from([script]),
        write: (t) => (stdout += `${t}\n`),
        outDir,
      });
      await app.inFlight.idle(config.SHUTDOWN_TIMEOUT_MS);
      return code;
    } finally {
      await app.close();
    }
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`console run did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`)),
      timeoutMs,
    );
  });
  try {
    const code = await Promise.race([run, timeout]);
    return { code, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}
