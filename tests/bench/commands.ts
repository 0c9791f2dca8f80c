/**
 * Slash commands through the real HTTP endpoint: signed `/csirt …` requests (a fresh timestamp,
 * a unique trigger_id and response_url in every one, so signatures verify and replay protection
 * lets them through) to the bot on SQLite, on PostgreSQL, and to a bare bolt App that only
 * acknowledges (the floor). Latency is to the acknowledgement (the HTTP answer); "done/s" counts
 * the replies that reached Slack's response_url (the work after the ack), waited for after the
 * load stops. Three loads per command:
 * - paced: `rate` requests per second, open loop (paced.ts), latency from each request's due time;
 * - burst: autocannon's `overallRate` at the same rate over 50 connections, which is 200 requests
 *   at once at the start of every second (see paced.ts), kept so that figures stay comparable with
 *   the runs before 2026-12-03 evening, when this was the "@200/s" row;
 * - max: autocannon with 10 connections, closed loop (each sends as soon as its answer came).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { START_ENV, START_FLAGS } from '../../scripts/build.mjs';
import { fakeTriggerId, signSlackRequest, slashCommandBody } from '../fakes/slack-requests.ts';
import type { Backlog, BotInput, BotReady } from './bot-process.ts';
import { type Child, startChild } from './child.ts';
import { compiledEntry } from './compile.ts';
import type { FakeInput, FakeReady } from './fake-slack-process.ts';
import { paced } from './paced.ts';
import { benchChannels, channelId, pocUser, SIGNING_SECRET } from './seed.ts';
import { mb, percentile, round, sleep, until } from './stats.ts';

const HERE = import.meta.dirname;

export type CommandKind = 'report' | 'list';
export type Target = 'floor' | 'sqlite' | 'postgresql';
export type LoadMode = 'paced' | 'burst' | 'max';
const WARMUP_SECONDS = 1;

export interface LoadResult {
  target: Target;
  command: CommandKind;
  mode: LoadMode;
  /** requested rate (paced, burst) or null (max) */
  rate: number | null;
  connections: number;
  seconds: number;
  sent: number;
  ok: number;
  errors: number;
  /** acknowledged requests per second */
  ackPerSec: number;
  p50: number;
  p99: number;
  max: number;
  /** autocannon's p99 corrected for coordinated omission (integer ms; burst and max) */
  p99Corrected?: number;
  /** paced: the first second, apart from the percentiles above */
  warmup?: { count: number; p50: number; p99: number; max: number };
  /** paced: requests sent per second (first send to last), connections the pool opened, most in flight */
  achievedRate?: number;
  connectionsOpened?: number;
  maxInFlight?: number;
  /** paced: p99 from the send (what a closed-loop client would show) and the generator's own lateness */
  p99FromSend?: number;
  sendLagP99?: number;
  /** replies delivered to response_url per second, from the load's start to the last reply */
  donePerSec: number | null;
  /** replies still missing when we stopped waiting */
  missing: number | null;
  /**
   * the bot process's CPU time (user + system) from the load's start until its last reply, per
   * acknowledged request: less sensitive to the machine's load than the rates
   */
  cpuMsPerRequest?: number;
  /**
   * the bot's admission waits during the load (csirt_admission_wait_seconds, admitted): the
   * histogram bucket that holds the median and the 99th percentile (upper bounds, ms). The rest of
   * the latency to the ack is the process itself (its event loop) and bolt
   */
  admitWaitP50Le?: number;
  admitWaitP99Le?: number;
  /**
   * from the load's start (paced: once its warm-up is answered) to its last ack (phaseSplit): the
   * buckets holding the p99 of the request's phases in the bot (ms), the event loop's stalls over
   * 10 and 50 ms, their total and the GC pauses' total (ms)
   */
  toRouteP99Le?: number;
  inRouteP99Le?: number;
  stallsOver10ms?: number;
  stallsOver50ms?: number;
  stallMs?: number;
  gcMs?: number;
  /**
   * the outbox once the load's replies are in (cumulative over the loads of a target): the posts
   * still waiting for their channel's pace, the longest queue, the rows written failed
   */
  backlog?: Backlog;
  /** report transactions (group commit) during the load, their mean size, the largest since the start */
  batches?: number;
  meanBatch?: number;
  largestBatch?: number;
}

interface Batches {
  batches: number;
  members: number;
  largest: number;
  solo: number;
}

export interface CommandBench {
  loads: LoadResult[];
  rss: { target: Target; idleMb: number; afterMb: number }[];
}

export interface CommandOptions {
  fixedSeconds: number;
  maxSeconds: number;
  rate: number;
  orgs: number;
  pgUrl: string | null;
  sqliteUrl: string;
  /** the loads to run (all three by default; e.g. only paced for a profile of it) */
  modes?: readonly LoadMode[];
  /** profile the bot processes (node --cpu-prof) into this directory */
  profileDir?: string;
  /** sample the bot's allocations over each load (heap-summary.ts reads them) into this directory */
  heapProfileDir?: string;
  /** a subset of the targets and commands (profiling) */
  targets?: Target[];
  commands?: CommandKind[];
  log: (line: string) => void;
}

interface Sender {
  next(): { body: string; headers: Record<string, string> };
}

/**
 * The requests of one load. `counter` is shared by every load against one target: each request
 * gets the next of the fake's response_urls, as Slack gives each command its own (Slack takes 5
 * uses of one; with a counter per load, the sixth load of a target reused every URL a sixth time
 * and the fake refused its replies: 1,353 "missing" in one run).
 */
export function sender(
  command: CommandKind,
  fakeUrl: string,
  orgs: number,
  urls: number,
  counter: { n: number } = { n: 0 },
): Sender {
  return {
    next() {
      const n = ++counter.n;
      const i = (n % orgs) + 1;
      const text =
        command === 'report'
          ? `report category=malware summary="bench ${n}" ioc=192.0.2.${(n % 250) + 1}`
          : 'incident list';
      const body = slashCommandBody({
        user_id: pocUser(i),
        user_name: `poc${i}`,
        channel_id: channelId(i),
        text,
        trigger_id: fakeTriggerId(),
        response_url: `${fakeUrl}/response/R${String(((n - 1) % urls) + 1).padStart(6, '0')}`,
      });
      return {
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...signSlackRequest(SIGNING_SECRET, body) },
      };
    },
  };
}

/** The admitted requests' cumulative bucket counts (upper bound in s → count) from /metrics text. */
export function admittedBuckets(text: string): Map<number, number> {
  return seriesBuckets(text, 'csirt_admission_wait_seconds', 'outcome="admitted"');
}

/** One histogram series' cumulative counts by upper bound (`labels`: its labels before `le`, as rendered). */
export function seriesBuckets(text: string, name: string, labels: string): Map<number, number> {
  const out = new Map<number, number>();
  const head = `${name}_bucket{${labels ? `${labels},` : ''}le="`;
  for (const line of text.split('\n')) {
    if (!line.startsWith(head)) continue;
    const le = line.slice(head.length, line.indexOf('"', head.length));
    out.set(le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return out;
}

/** The sum of every series of a histogram (seconds). */
function histogramSum(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n'))
    if (line.startsWith(`${name}_sum`)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
}

/**
 * Where the acknowledgements' time went during a load, from two readings of the bot's /metrics
 * (bot-process.ts `phases`): the bucket holding the p99 of each phase of POST /slack/events, the
 * stalls of the event loop over 10 and 50 ms (a request arriving in one waits unseen, in the
 * socket), their total and the GC pauses' total.
 */
export function phaseSplit(before: string, after: string): Partial<LoadResult> {
  const route = 'route="POST /slack/events"';
  const q = (labels: string, name = 'csirt_http_request_phase_seconds') =>
    bucketQuantileMs(seriesBuckets(before, name, labels), seriesBuckets(after, name, labels), 0.99);
  const stalls = (le: number) => {
    const b = seriesBuckets(before, 'nodejs_eventloop_stall_seconds', '');
    const a = seriesBuckets(after, 'nodejs_eventloop_stall_seconds', '');
    const inf = Number.POSITIVE_INFINITY;
    return (a.get(inf) ?? 0) - (b.get(inf) ?? 0) - ((a.get(le) ?? 0) - (b.get(le) ?? 0));
  };
  return {
    toRouteP99Le: q(`${route},phase="to_route"`),
    inRouteP99Le: q(`${route},phase="in_route"`),
    stallsOver10ms: stalls(0.01),
    stallsOver50ms: stalls(0.05),
    stallMs: round(
      (histogramSum(after, 'nodejs_eventloop_stall_seconds') - histogramSum(before, 'nodejs_eventloop_stall_seconds')) *
        1000,
      0,
    ),
    gcMs: round(
      (histogramSum(after, 'nodejs_gc_duration_seconds') - histogramSum(before, 'nodejs_gc_duration_seconds')) * 1000,
      0,
    ),
  };
}

/** The upper bound (ms) of the bucket holding the q-th quantile of the counts between two readings. */
export function bucketQuantileMs(
  before: Map<number, number>,
  after: Map<number, number>,
  q: number,
): number | undefined {
  const les = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Number.POSITIVE_INFINITY) ?? 0) - (before.get(Number.POSITIVE_INFINITY) ?? 0);
  if (total <= 0) return undefined;
  const le = les.find((l) => (after.get(l) ?? 0) - (before.get(l) ?? 0) >= q * total);
  return le === undefined ? undefined : le * 1000;
}

/** A bucket's upper bound as text: the last bucket (+Inf) is "over" the one before it. */
const le = (ms: number | undefined) => (ms === Number.POSITIVE_INFINITY ? '> 2500 ms' : `≤ ${ms} ms`);

async function loadPaced(
  port: number,
  s: Sender,
  o: { seconds: number; rate: number; afterWarmup?: () => unknown },
): Promise<Omit<LoadResult, 'target' | 'command' | 'mode' | 'donePerSec' | 'missing'>> {
  const r = await paced({
    port,
    path: '/slack/events',
    rate: o.rate,
    seconds: o.seconds,
    warmupSeconds: WARMUP_SECONDS,
    next: () => s.next(),
    ...(o.afterWarmup ? { afterWarmup: o.afterWarmup } : {}),
  });
  const m = r.measured;
  const w = r.warmup;
  return {
    rate: o.rate,
    connections: r.connectionsOpened,
    seconds: o.seconds,
    sent: m.count + w.count,
    ok: m.ok + w.ok,
    errors: m.errors + w.errors,
    ackPerSec: round(m.ok / o.seconds, 0),
    p50: m.p50,
    p99: m.p99,
    max: m.max,
    warmup: { count: w.count, p50: w.p50, p99: w.p99, max: w.max },
    achievedRate: r.achievedRate,
    connectionsOpened: r.connectionsOpened,
    maxInFlight: r.maxInFlight,
    p99FromSend: m.p99FromSend,
    sendLagP99: m.sendLagP99,
  };
}

async function load(
  port: number,
  s: Sender,
  o: { seconds: number; connections: number; rate?: number },
): Promise<Omit<LoadResult, 'target' | 'command' | 'mode' | 'donePerSec' | 'missing'>> {
  const latencies: number[] = [];
  const inst = autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: o.connections,
    duration: o.seconds,
    timeout: 10,
    ...(o.rate ? { overallRate: o.rate } : {}),
    requests: [
      {
        method: 'POST',
        path: '/slack/events',
        setupRequest: (req) => ({ ...req, ...s.next() }),
      },
    ],
  });
  inst.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status >= 200 && status < 300) latencies.push(ms);
  });
  const r = await inst;
  return {
    rate: o.rate ?? null,
    connections: o.connections,
    seconds: o.seconds,
    sent: r.requests.total + r.errors,
    ok: latencies.length,
    errors: r.errors + r.non2xx + r.timeouts,
    ackPerSec: round(latencies.length / o.seconds, 0),
    p50: round(percentile(latencies, 50)),
    p99: round(percentile(latencies, 99)),
    max: round(Math.max(0, ...latencies)),
    p99Corrected: r.latency.p99,
  };
}

async function startTarget(target: Target, opts: CommandOptions, urls: number) {
  let fake: Child<FakeReady> | null = null;
  let bot: Child<BotReady>;
  const execArgv = opts.profileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${join(opts.profileDir, `${target}-${Date.now()}`)}`]
    : [];
  if (target === 'floor') {
    bot = await startChild<BotReady>(
      await compiledEntry(join(HERE, 'bot-process.ts')),
      { mode: 'bolt' } satisfies BotInput,
      {
        execArgv,
        compiled: true,
      },
    );
  } else {
    const channels = benchChannels(opts.orgs);
    const users = Array.from({ length: opts.orgs }, (_, i) => pocUser(i + 1));
    fake = await startChild<FakeReady>(join(HERE, 'fake-slack-process.ts'), {
      channels,
      users,
      responseUrls: urls,
    } satisfies FakeInput);
    const input = {
      mode: 'bot',
      dbUrl: target === 'sqlite' ? opts.sqliteUrl : (opts.pgUrl as string),
      apiUrl: fake.ready.apiUrl,
      botToken: fake.ready.botToken,
      orgs: opts.orgs,
    } satisfies BotInput;
    // One bot process seeds the directory (50 organisations: ~100 commands) and stops; the bot
    // measured starts on the seeded database, as npm start starts on a production one. Seeded in
    // the measured process, the seeding's garbage was read as idle memory (issue 19: 124 MB at
    // idle where dist/main.js on the same database idled at 112 MB, load 7).
    const seeder = await startChild<BotReady>(await compiledEntry(join(HERE, 'bot-process.ts')), input, {
      execArgv: START_FLAGS,
      env: START_ENV,
      compiled: true,
    });
    await seeder.stop();
    bot = await startChild<BotReady>(
      await compiledEntry(join(HERE, 'bot-process.ts')),
      { ...input, seeded: true } satisfies BotInput,
      // compiled and started as npm start runs it (both the bot and the floor: no TypeScript
      // loader; the bot with npm start's node options and environment, the floor with node's defaults)
      { execArgv: [...START_FLAGS, ...execArgv], env: START_ENV, compiled: true },
    );
  }
  return { fake, bot };
}

export async function benchCommands(opts: CommandOptions): Promise<CommandBench> {
  const out: CommandBench = { loads: [], rss: [] };
  const targets = (opts.targets ?? ['floor', 'sqlite', 'postgresql']).filter((t) => t !== 'postgresql' || opts.pgUrl);
  const urls = Math.max(20_000, (opts.rate * (2 * opts.fixedSeconds + WARMUP_SECONDS) + 3000 * opts.maxSeconds) * 2);
  for (const target of targets) {
    opts.log(`commands: starting ${target}`);
    const { fake, bot } = await startTarget(target, opts, urls);
    try {
      await sleep(1000);
      const idle = await bot.rpc<{ rss: number }>('memory');
      const commands = target === 'floor' ? (['report'] as const) : (opts.commands ?? (['report', 'list'] as const));
      let replies = 0;
      const counter = { n: 0 };
      for (const command of commands) {
        for (const mode of opts.modes ?? (['paced', 'burst', 'max'] as const)) {
          const s = sender(command, fake?.ready.url ?? 'http://127.0.0.1:9', Math.max(1, opts.orgs), urls, counter);
          const seconds = mode === 'max' ? opts.maxSeconds : opts.fixedSeconds;
          const started = Date.now();
          const cpu0 = await bot.rpc<NodeJS.CpuUsage>('cpu');
          const batches0 = fake ? await bot.rpc<Batches>('batches') : null;
          const admits0 = fake ? admittedBuckets(await bot.rpc<string>('admissions')) : null;
          // the phases, stalls and GC of the measured part: in the paced load, read once its warm-up
          // is answered (the burst and max loads have none)
          const readPhases = async () => (fake ? await bot.rpc<string>('phases') : null);
          let phases0 = mode === 'paced' ? null : await readPhases();
          const heap = fake && opts.heapProfileDir ? await bot.rpc('heapStart') : false;
          const r =
            mode === 'paced'
              ? await loadPaced(bot.ready.port, s, {
                  seconds,
                  rate: opts.rate,
                  afterWarmup: async () => {
                    phases0 = await readPhases();
                  },
                })
              : await load(bot.ready.port, s, {
                  seconds,
                  connections: mode === 'burst' ? 50 : 10,
                  ...(mode === 'burst' ? { rate: opts.rate } : {}),
                });
          const split = phases0 !== null ? phaseSplit(phases0, await bot.rpc<string>('phases')) : {};
          let donePerSec: number | null = null;
          let missing: number | null = null;
          if (fake) {
            // the work after the ack: wait for every reply to reach response_url
            const want = replies + r.ok;
            let got = replies;
            let lastChange = Date.now();
            let lastAt = Date.now();
            await until(
              async () => {
                const c = await fake.rpc<{ responses: number }>('counts');
                if (c.responses !== got) {
                  got = c.responses;
                  lastChange = Date.now();
                  lastAt = Date.now();
                }
                return got >= want || Date.now() - lastChange > 15_000;
              },
              300_000,
              100,
            );
            missing = Math.max(0, want - got);
            donePerSec = round((got - replies) / ((lastAt - started) / 1000), 0);
            replies = got;
          }
          const cpu1 = await bot.rpc<NodeJS.CpuUsage>('cpu');
          const backlog = fake ? await bot.rpc<Backlog>('backlog') : undefined;
          const cpuMsPerRequest = round(
            (cpu1.user - cpu0.user + cpu1.system - cpu0.system) / 1000 / Math.max(1, r.ok),
            1,
          );
          if (heap) {
            // the load's requests and all their work after the ack (the wait for the replies included);
            // the name says how many (after the CPU time is read: the profile's transfer is not the load's)
            const file = join(
              opts.heapProfileDir as string,
              `${target}-${command}-${mode}-${r.ok}req-${Date.now()}.heapprofile`,
            );
            writeFileSync(file, JSON.stringify(await bot.rpc('heapStop')));
            opts.log(`commands: heap profile written: ${file}`);
          }
          const batches1 = fake ? await bot.rpc<Batches>('batches') : null;
          const admits1 = fake ? admittedBuckets(await bot.rpc<string>('admissions')) : null;
          const admitWait =
            admits0 && admits1
              ? {
                  admitWaitP50Le: bucketQuantileMs(admits0, admits1, 0.5),
                  admitWaitP99Le: bucketQuantileMs(admits0, admits1, 0.99),
                }
              : {};
          const batching =
            batches0 && batches1 && batches1.batches > batches0.batches
              ? {
                  batches: batches1.batches - batches0.batches,
                  meanBatch: round((batches1.members - batches0.members) / (batches1.batches - batches0.batches), 1),
                  largestBatch: batches1.largest,
                }
              : {};
          const res: LoadResult = {
            target,
            command,
            mode,
            ...r,
            donePerSec,
            missing,
            cpuMsPerRequest,
            backlog,
            ...batching,
            ...admitWait,
            ...split,
          };
          out.loads.push(res);
          opts.log(
            `commands: ${target} ${command} ${mode === 'burst' ? `burst (${opts.rate} at once each second)` : mode}: ${res.ackPerSec} ack/s, p50 ${res.p50} ms, p99 ${res.p99} ms` +
              `${donePerSec !== null ? `, ${donePerSec} done/s` : ''}${missing ? `, ${missing} missing` : ''}` +
              `${res.errors ? `, ${res.errors} errors` : ''}, CPU ${cpuMsPerRequest} ms/request` +
              `${res.warmup ? ` (warm-up ${res.warmup.count}: p50 ${res.warmup.p50} ms, p99 ${res.warmup.p99} ms; sent ${res.achievedRate}/s, send lag p99 ${res.sendLagP99} ms, ${res.connectionsOpened} connections, ${res.maxInFlight} in flight at most; p99 from the send ${res.p99FromSend} ms)` : ''}` +
              `${backlog ? `; outbox after it: ${backlog.pending} posts waiting (longest queue ${backlog.longest.n}, ${backlog.longest.target}), ${backlog.failed} failed` : ''}` +
              `${res.batches ? `, ${res.batches} report transactions (mean ${res.meanBatch}, largest ${res.largestBatch})` : ''}` +
              `${res.admitWaitP99Le !== undefined ? `; admission wait ${le(res.admitWaitP50Le)} for half, ${le(res.admitWaitP99Le)} for 99 %` : ''}` +
              `${res.stallsOver10ms !== undefined ? `; p99 in the bot: to the route ${le(res.toRouteP99Le)}, in the route ${le(res.inRouteP99Le)}; loop stalls > 10 ms: ${res.stallsOver10ms} (> 50 ms: ${res.stallsOver50ms}), ${res.stallMs} ms in all, GC ${res.gcMs} ms` : ''}`,
          );
          await sleep(1000);
        }
      }
      const after = await bot.rpc<{ rss: number }>('memory');
      out.rss.push({ target, idleMb: mb(idle.rss), afterMb: mb(after.rss) });
      if (fake) {
        const c = await fake.rpc<{ violations: number; firstViolations: string[] }>('counts');
        if (c.violations)
          opts.log(`commands: fake Slack saw ${c.violations} violations: ${c.firstViolations.join('; ')}`);
      }
    } finally {
      await bot.stop();
      await fake?.stop();
    }
  }
  return out;
}
