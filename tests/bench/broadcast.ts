/**
 * A broadcast to N channels through the outbox and the real dispatcher (Slack seam, real
 * clock, default pacing) into the fake Slack enforcing one post per second per channel and a
 * workspace limit per minute. R rounds (R broadcasts committed back to back, so each channel
 * gets R posts): the per-channel limit alone makes R−1 seconds the floor. The floor is the
 * completion time of an ideal client against the same sliding windows, every post ready at
 * the start.
 *
 * The broadcast is a meeting invitation to the N organisations (PRODUCT.md §7): a message
 * that the outbox fans out to every organisation's channel, as an approved advisory is.
 */
import pino from 'pino';
import { createSlack } from '../../src/adapters/slack/index.ts';
import { type App, createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { PlatformName, PlatformSeam } from '../../src/core/platform.ts';
import type { FakeRateLimits } from '../fakes/slack-rate-limit.ts';
import { startFakeSlack } from '../fakes/slack-server.ts';
import { freshDb } from './databases.ts';
import { profiled } from './inprocess-profile.ts';
import { ADMIN_USER, seedOrgs } from './seed.ts';
import { round, until } from './stats.ts';

export interface BroadcastCase {
  channels: number;
  rounds: number;
  workspacePerMinute: number;
}

export interface BroadcastRun extends BroadcastCase {
  posts: number;
  /** from the first broadcast's commit to the last post accepted by the fake Slack */
  seconds: number;
  floorSeconds: number;
  ratio: number;
  rateLimited: number;
  /** which limit sets the floor */
  binding: 'per-channel' | 'workspace';
}

export interface BroadcastResult {
  runs: BroadcastRun[];
}

/**
 * The ideal client's completion time (ms): every post, round after round, at the earliest
 * instant the fake's sliding windows (slack-rate-limit.ts: a hit counts while now < hit +
 * window) allow.
 */
export function rateLimitFloorMs(c: BroadcastCase, limits: FakeRateLimits): number {
  const channelFree = new Map<number, number[]>();
  const ws: number[] = [];
  let last = 0;
  for (let r = 0; r < c.rounds; r++) {
    for (let ch = 0; ch < c.channels; ch++) {
      const hits = channelFree.get(ch) ?? [];
      let t = 0;
      if (limits.perChannel && hits.length >= limits.perChannel.limit) {
        t = Math.max(t, (hits[hits.length - limits.perChannel.limit] as number) + limits.perChannel.windowMs);
      }
      const w = limits.workspacePerMinute;
      if (w !== undefined && ws.length >= w) t = Math.max(t, (ws[ws.length - w] as number) + 60_000);
      hits.push(t);
      channelFree.set(ch, hits);
      ws.push(t);
      ws.sort((x, y) => x - y);
      last = Math.max(last, t);
    }
  }
  return last;
}

async function one(c: BroadcastCase, log: (l: string) => void, profileDir?: string): Promise<BroadcastRun> {
  const limits: FakeRateLimits = {
    perChannel: { limit: 1, windowMs: 1000 },
    workspacePerMinute: c.workspacePerMinute,
  };
  const fake = await startFakeSlack({ unknownChannels: 'create' });
  const db = await freshDb('sqlite', null);
  let app: App | undefined;
  try {
    const config = loadConfig({
      DATABASE_URL: db.url,
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_SIGNING_SECRET: 'bench-broadcast-secret-0123456789',
      SLACK_API_URL: fake.apiUrl,
      BOT_ADMINS: `slack:${ADMIN_USER}`,
      LOG_LEVEL: 'silent',
    });
    const log0 = pino({ level: 'silent' });
    const slack = createSlack(config, log0);
    const seams = new Map<PlatformName, PlatformSeam>([['slack', slack.seam]]);
    app = await createApp(config, { seams, log: log0, workerId: 'bench-broadcast' });
    await slack.mount(app);
    const orgs = await seedOrgs(app, c.channels, 'slack', `slack:${ADMIN_USER}`);
    const caller = await app.services.directory.caller(`slack:${ADMIN_USER}`, null, null, 'ja');
    fake.reset();
    fake.setRateLimits(limits);
    const a = app;
    const posts = c.channels * c.rounds;
    a.dispatcher.start();
    const t0 = Date.now();
    for (let r = 0; r < c.rounds; r++) {
      await a.services.meetings.schedule(caller, {
        title: `bench broadcast ${r + 1}`,
        start: new Date(Date.now() + 7 * 86_400_000),
        durationMin: 60,
        invite: orgs.map((o) => o.code),
        reminders: [],
      });
    }
    const ok = () => fake.callsTo('chat.postMessage').filter((x) => x.ok);
    const done = await profiled(profileDir, `broadcast-${c.channels}x${c.rounds}-${c.workspacePerMinute}`, () =>
      until(() => ok().length >= posts, 600_000, 10),
    );
    const sent = ok();
    const end = Math.max(...sent.map((x) => x.at));
    const seconds = (end - t0) / 1000;
    const floorMs = rateLimitFloorMs(c, limits);
    const perChannelOnly = rateLimitFloorMs(c, { perChannel: limits.perChannel });
    if (!done) log(`broadcast: only ${sent.length} of ${posts} posts arrived`);
    const run: BroadcastRun = {
      ...c,
      posts: sent.length,
      seconds: round(seconds),
      floorSeconds: round(floorMs / 1000),
      ratio: round(seconds / Math.max(floorMs / 1000, 0.001)),
      rateLimited: fake.callsTo('chat.postMessage').filter((x) => x.status === 429).length,
      binding: floorMs > perChannelOnly ? 'workspace' : 'per-channel',
    };
    if (fake.violations.length) log(`broadcast: fake Slack violations: ${fake.violations.length}`);
    log(
      `broadcast: ${c.channels} channels × ${c.rounds}, workspace ${c.workspacePerMinute}/min: ${run.seconds} s ` +
        `(floor ${run.floorSeconds} s, ${run.ratio}×, ${run.rateLimited} answered 429)`,
    );
    return run;
  } finally {
    await app?.close();
    await fake.close();
    await db.drop();
  }
}

export async function benchBroadcast(o: {
  cases: BroadcastCase[];
  /** CPU-profile each case from the first commit to the last post into this directory */
  profileDir?: string;
  log: (l: string) => void;
}): Promise<BroadcastResult> {
  const runs: BroadcastRun[] = [];
  for (const c of o.cases) runs.push(await one(c, o.log, o.profileDir));
  return { runs };
}
