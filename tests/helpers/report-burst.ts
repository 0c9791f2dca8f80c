/**
 * A child process for the id concurrency test: opens the application on DATABASE_URL (argv[2],
 * already migrated) and fires N reports (argv[3]) at once as argv[4] through the real router;
 * prints the ids it got as one JSON line.
 */
import pino from 'pino';
import { consoleRefs } from '../../src/adapters/console/refs.ts';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { ManualClock } from '../../src/core/clock.ts';
import type { PlatformName, PlatformSeam } from '../../src/core/platform.ts';
import { replyToText } from '../../src/core/reply.ts';
import { MemoryPlatform } from '../fakes/memory-platform.ts';

const [url, count, identity, now] = process.argv.slice(2) as [string, string, string, string];
const config = loadConfig({
  DATABASE_URL: url,
  BOT_ADMINS: 'console:admin',
  LOG_LEVEL: 'silent',
  AUDIT_ANCHOR_AT: 'off',
  ESCALATION_CHAIN: 'off',
  REPORT_ESCALATION_CHAIN: 'off',
});
const seams = new Map<PlatformName, PlatformSeam>([['console', new MemoryPlatform('console')]]);
const app = await createApp(config, {
  clock: new ManualClock(new Date(now)),
  seams,
  log: pino({ level: 'silent' }),
  workerId: `burst-${process.pid}`,
  migrate: false,
});
const started = performance.now();
const outcomes = await Promise.all(
  Array.from({ length: Number(count) }, (_, i) =>
    app.router.handle({
      platform: 'console',
      identity,
      text: `report category=malware summary="burst ${process.pid} ${i}" ioc=192.0.2.${(i % 200) + 1}`,
      channelId: null,
      refs: consoleRefs,
    }),
  ),
);
const ms = performance.now() - started;
const ids = outcomes.map((o) => /INC-\d{4}-\d{4}/.exec(replyToText(o.reply))?.[0] ?? `ERROR ${replyToText(o.reply)}`);
process.stdout.write(`${JSON.stringify({ ids, ms, batches: app.services.incidents.reportBatches })}\n`);
await app.close();
process.exit(0);
