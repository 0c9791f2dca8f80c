/**
 * The process under load: either the bot wired exactly as main.ts wires it for Slack over
 * HTTP (createSlack → createApp → mount → listen, dispatcher and scheduler running), or the
 * floor: a bare `@slack/bolt` App with its own HTTP receiver whose only listener acknowledges.
 */
import { App as BoltApp, LogLevel } from '@slack/bolt';
import pino from 'pino';
import { createSlack } from '../../src/adapters/slack/index.ts';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { PlatformName, PlatformSeam } from '../../src/core/platform.ts';
import { processStalls } from '../../src/http/metrics.ts';
import { type Served, serveChild } from './child.ts';
import { ADMIN_USER, type BenchOrg, SIGNING_SECRET, seededOrgs, seedOrgs } from './seed.ts';

/** (types only: importing this file runs the child) */
export interface BotInput {
  mode: 'bot' | 'bolt';
  dbUrl?: string;
  apiUrl?: string;
  botToken?: string;
  orgs?: number;
  /**
   * The database was seeded by an earlier bot process (commands.ts): this one reads the
   * organisations back and writes nothing, so that its idle memory is a started bot's, not
   * that of a bot that has just run the seeding's ~100 directory commands (as npm start's is).
   */
  seeded?: boolean;
}

/** The outbox after a load: rows pending or in hand, rows failed, the longest channel queue. */
export interface Backlog {
  pending: number;
  failed: number;
  longest: { target: string; n: number };
}

export interface BotReady {
  port: number;
  orgs: BenchOrg[];
}

const memory = () => {
  const m = process.memoryUsage();
  return {
    rss: m.rss,
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
  };
};

/** CPU time this process has used (µs): the parent divides a load's share by its requests */
const cpu = () => process.cpuUsage();

/**
 * The sampling heap profiler over one load (`npm run bench -- --heap-prof`): every allocation
 * sampled, also those the GC has freed since, so a profile is the load's allocations (bytes per
 * request), not what is still live at its end. The inspector is loaded only when asked.
 */
let heapSession: import('node:inspector/promises').Session | null = null;
const heapStart = async () => {
  const { Session } = await import('node:inspector/promises');
  heapSession = new Session();
  heapSession.connect();
  await heapSession.post('HeapProfiler.enable');
  await heapSession.post('HeapProfiler.startSampling', {
    samplingInterval: 16_384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  } as import('node:inspector').HeapProfiler.StartSamplingParameterType);
  return true;
};
const heapStop = async () => {
  const s = heapSession as import('node:inspector/promises').Session;
  const { profile } = await s.post('HeapProfiler.stopSampling');
  s.disconnect();
  heapSession = null;
  return profile;
};

serveChild<BotInput>(async (input): Promise<Served> => {
  if (input.mode === 'bolt') {
    const bolt = new BoltApp({
      signingSecret: SIGNING_SECRET,
      token: 'xoxb-floor',
      botId: 'B0FLOOR',
      botUserId: 'U0FLOOR',
      logLevel: LogLevel.ERROR,
    });
    bolt.command(/.*/, async ({ ack }) => {
      await ack();
    });
    const server = (await bolt.start(0)) as import('node:http').Server;
    const port = (server.address() as import('node:net').AddressInfo).port;
    return {
      ready: { port, orgs: [] } satisfies BotReady,
      handlers: { memory, cpu },
      stop: () => bolt.stop().then(() => undefined),
    };
  }

  const config = loadConfig({
    DATABASE_URL: input.dbUrl as string,
    SLACK_BOT_TOKEN: input.botToken as string,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: input.apiUrl as string,
    BOT_ADMINS: `slack:${ADMIN_USER}`,
    LOG_LEVEL: 'silent',
    // the load comes from 50 people at 200 requests/s: far over the per-person default of 60/min
    RATE_LIMIT_PER_MINUTE: '100000',
  });
  const log = pino({ level: 'silent' });
  const slack = createSlack(config, log);
  const seams = new Map<PlatformName, PlatformSeam>([['slack', slack.seam]]);
  const app = await createApp(config, { seams, log, workerId: `bench-${process.pid}` });
  const mount = await slack.mount(app);
  const orgs = input.seeded
    ? await seededOrgs(app, input.orgs ?? 50)
    : await seedOrgs(app, input.orgs ?? 50, 'slack', `slack:${ADMIN_USER}`);
  const port = await app.http.listen(0, '127.0.0.1');
  // what main.ts starts, in its order
  await mount.start();
  app.dispatcher.start();
  app.scheduler.start();
  app.journal.start();
  app.heartbeat.start();
  return {
    ready: { port, orgs } satisfies BotReady,
    handlers: {
      memory,
      cpu,
      heapStart,
      heapStop,
      // how the reports were batched (the figures /metrics shows)
      batches: async () => ({ ...app.services.incidents.reportBatches }),
      // the admissions' waits as /metrics shows them (csirt_admission_wait_seconds)
      admissions: async () => app.metrics.admitWait.render(),
      // where the acks' time went (commands.ts phaseSplit): the request's phases, loop stalls, GC
      phases: async () => {
        const p = processStalls();
        return app.metrics.httpPhase.render() + p.stalls.render() + p.gc.render();
      },
      counts: async () => ({
        incidents: await app.db.prisma.incident.count(),
        seen: await app.db.prisma.seenRequest.count(),
        deliveriesPending: await app.db.prisma.delivery.count({ where: { status: { in: ['pending', 'sending'] } } }),
      }),
      // the outbox after a load (commands.ts): the posts still waiting for their channel's pace,
      // the longest queue (the coordinating office's: every report posts to it), and the rows
      // written failed (none when every organisation has its channel)
      backlog: async () => {
        const groups = await app.db.prisma.delivery.groupBy({
          by: ['status', 'target'],
          where: { status: { in: ['pending', 'sending', 'failed'] } },
          _count: { _all: true },
        });
        let pending = 0;
        let failed = 0;
        let longest = { target: '', n: 0 };
        for (const g of groups) {
          if (g.status === 'failed') failed += g._count._all;
          else {
            pending += g._count._all;
            if (g._count._all > longest.n) longest = { target: g.target, n: g._count._all };
          }
        }
        return { pending, failed, longest } satisfies Backlog;
      },
    },
    async stop() {
      app.http.drain();
      await mount.stop();
      await app.http.close();
      await app.close();
    },
  };
});
