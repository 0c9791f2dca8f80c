/**
 * Prometheus metrics (GET /metrics, text exposition format 0.0.4). One registry per app so
 * tests can run several. Written here rather than taken from prom-client: counters and one
 * histogram are all the bot keeps, and prom-client cost every start ~4 MB of resident memory
 * and 40–100 ms of loading (tests/bench/startup.ts) for features we did not use.
 */
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import type { CheckpointStats, WalFigures } from '../db/sqlite-checkpoint.ts';
import { BUILD } from '../version.ts';

type Labels<N extends string> = Partial<Record<N, string | number>>;

interface Metric {
  render(): string;
}

/** Figures read at each scrape (from the database): set the gauges before they are rendered. */
type Collect = () => Promise<void>;

const escapeHelp = (s: string) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const escapeValue = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const number = (n: number) =>
  Number.isNaN(n) ? 'NaN' : n === Infinity ? '+Inf' : n === -Infinity ? '-Inf' : String(n);

function labelText(names: readonly string[], labels: Record<string, string | number | undefined>): string {
  const parts = names.filter((n) => labels[n] !== undefined).map((n) => `${n}="${escapeValue(String(labels[n]))}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function header(name: string, help: string, type: string): string {
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`;
}

/** The label names in a fixed order, so that one combination is one key whatever the call's order. */
function keyOf(names: readonly string[], labels: Record<string, unknown>): string {
  for (const k of Object.keys(labels)) {
    if (!names.includes(k)) throw new Error(`unknown label ${k}`);
  }
  return JSON.stringify(names.map((n) => (labels[n] === undefined ? null : String(labels[n]))));
}

export class Counter<N extends string> implements Metric {
  private readonly values = new Map<string, { labels: Labels<N>; value: number }>();

  constructor(readonly o: { name: string; help: string; labelNames: readonly N[]; registers?: Registry[] }) {
    for (const r of o.registers ?? []) r.register(this);
  }

  inc(labels: Labels<N> = {}, by = 1): void {
    if (!(by >= 0)) throw new Error('a counter only goes up');
    const key = keyOf(this.o.labelNames, labels);
    const v = this.values.get(key);
    if (v) v.value += by;
    else this.values.set(key, { labels: { ...labels }, value: by });
  }

  /** the current values (tests read them) */
  get(): { values: { labels: Labels<N>; value: number }[] } {
    return { values: [...this.values.values()].map((v) => ({ labels: { ...v.labels }, value: v.value })) };
  }

  render(): string {
    let out = header(this.o.name, this.o.help, 'counter');
    for (const v of this.values.values())
      out += `${this.o.name}${labelText(this.o.labelNames, v.labels)} ${number(v.value)}\n`;
    return out;
  }
}

/** A value that goes up and down (set per label combination). */
export class Gauge<N extends string> implements Metric {
  private readonly values = new Map<string, { labels: Labels<N>; value: number }>();

  constructor(readonly o: { name: string; help: string; labelNames: readonly N[]; registers?: Registry[] }) {
    for (const r of o.registers ?? []) r.register(this);
  }

  set(labels: Labels<N>, value: number): void {
    this.values.set(keyOf(this.o.labelNames, labels), { labels: { ...labels }, value });
  }

  /** forgets every label combination (a gauge read afresh at each scrape: states that vanished go) */
  reset(): void {
    this.values.clear();
  }

  /** the current values (tests read them) */
  get(): { values: { labels: Labels<N>; value: number }[] } {
    return { values: [...this.values.values()].map((v) => ({ labels: { ...v.labels }, value: v.value })) };
  }

  render(): string {
    let out = header(this.o.name, this.o.help, 'gauge');
    for (const v of this.values.values())
      out += `${this.o.name}${labelText(this.o.labelNames, v.labels)} ${number(v.value)}\n`;
    return out;
  }
}

export class Histogram<N extends string> implements Metric {
  private readonly series = new Map<string, { labels: Labels<N>; counts: number[]; sum: number; count: number }>();
  private readonly buckets: number[];

  constructor(
    readonly o: { name: string; help: string; labelNames: readonly N[]; buckets: number[]; registers?: Registry[] },
  ) {
    this.buckets = [...o.buckets].sort((a, b) => a - b);
    for (const r of o.registers ?? []) r.register(this);
  }

  observe(labels: Labels<N>, value: number): void {
    const key = keyOf(this.o.labelNames, labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels: { ...labels }, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    this.buckets.forEach((b, i) => {
      if (value <= b) (s as { counts: number[] }).counts[i] = (s?.counts[i] ?? 0) + 1;
    });
    s.sum += value;
    s.count += 1;
  }

  render(): string {
    let out = header(this.o.name, this.o.help, 'histogram');
    for (const s of this.series.values())
      out += histogramSeries(this.o.name, this.o.labelNames, s.labels, this.buckets, s);
    return out;
  }
}

/** One series of a histogram: its buckets (`counts`: cumulative, one per bound), `+Inf`, sum and count. */
function histogramSeries(
  name: string,
  names: readonly string[],
  labels: Record<string, string | number | undefined>,
  buckets: readonly number[],
  s: { counts: readonly number[]; sum: number; count: number },
): string {
  let out = '';
  buckets.forEach((b, i) => {
    out += `${name}_bucket${labelText([...names, 'le'], { ...labels, le: number(b) })} ${s.counts[i]}\n`;
  });
  out += `${name}_bucket${labelText([...names, 'le'], { ...labels, le: '+Inf' })} ${s.count}\n`;
  out += `${name}_sum${labelText(names, labels)} ${number(s.sum)}\n`;
  out += `${name}_count${labelText(names, labels)} ${s.count}\n`;
  return out;
}

/**
 * A figure kept by the code that does the work (the report batches' counts, the commands
 * waiting for a turn), read when it is scraped: no second copy to keep in step.
 */
class Sampled implements Metric {
  constructor(readonly o: { name: string; help: string; type: 'counter' | 'gauge'; read: () => number }) {}

  render(): string {
    return `${header(this.o.name, this.o.help, this.o.type)}${this.o.name} ${number(this.o.read())}\n`;
  }
}

/** Bounds (seconds) of the histograms of stalls and of the request's phases: the ack's target is 50 ms. */
const SHORT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/** How often the stall sampler's timer is due (ms): a stall shorter than this may go unseen. */
const STALL_TICK_MS = 10;

/**
 * Stalls of the event loop and GC pauses, one record per process (not per registry: the tests
 * build many apps in one process, and the loop and the heap are the process's). A request that
 * arrives while the loop runs a long synchronous stretch waits, unseen by the HTTP server, in the
 * socket until the stretch ends: these two histograms are where that wait shows.
 *
 * The stall sampler is a timer due every STALL_TICK_MS; how late it fires is the length of what
 * held the loop (give or take one tick). monitorEventLoopDelay measures the same in C++ but gives
 * percentiles only, not the counts per bucket a Prometheus histogram needs. unref'd: it never
 * keeps the process alive. Cost: 100 timer callbacks a second, a few µs each.
 */
class LoopAndGc {
  readonly stalls = new Histogram({
    name: 'nodejs_eventloop_stall_seconds',
    help: `How late a timer due every ${STALL_TICK_MS} ms fired (only when 1 ms or later): the length of each synchronous stretch that held the event loop, during which no request was read (on a host short of CPU, with the time the process waited for a core)`,
    labelNames: [] as const,
    buckets: SHORT_BUCKETS,
  });
  readonly gc = new Histogram({
    name: 'nodejs_gc_duration_seconds',
    help: 'Garbage collection pauses of the main thread, by kind (minor, major, incremental, weakcb)',
    labelNames: ['kind'] as const,
    buckets: SHORT_BUCKETS,
  });

  constructor() {
    let last = performance.now();
    setInterval(() => {
      const now = performance.now();
      const late = now - last - STALL_TICK_MS;
      last = now;
      if (late >= 1) this.stalls.observe({}, late / 1000);
    }, STALL_TICK_MS).unref();
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
        this.gc.observe({ kind: GC_KINDS[kind ?? -1] ?? 'other' }, e.duration / 1000);
      }
    }).observe({ entryTypes: ['gc'] });
  }
}

let loopAndGc: LoopAndGc | undefined;
/** the process's one sampler, started by the first registry that asks */
export function processStalls(): LoopAndGc {
  loopAndGc ??= new LoopAndGc();
  return loopAndGc;
}

/** The process's own figures, read at each scrape (names as every Node exporter writes them). */
class ProcessMetrics implements Metric {
  private readonly lag = monitorEventLoopDelay({ resolution: 20 });

  constructor() {
    this.lag.enable();
    processStalls();
  }

  render(): string {
    const cpu = process.cpuUsage();
    const mem = process.memoryUsage();
    const g = (name: string, help: string, type: 'gauge' | 'counter', v: number) =>
      `${header(name, help, type)}${name} ${number(v)}\n`;
    const out =
      g('process_cpu_user_seconds_total', 'User CPU time spent in seconds.', 'counter', cpu.user / 1e6) +
      g('process_cpu_system_seconds_total', 'System CPU time spent in seconds.', 'counter', cpu.system / 1e6) +
      g(
        'process_cpu_seconds_total',
        'Total user and system CPU time spent in seconds.',
        'counter',
        (cpu.user + cpu.system) / 1e6,
      ) +
      g(
        'process_start_time_seconds',
        'Start time of the process since unix epoch in seconds.',
        'gauge',
        Math.round(Date.now() / 1000 - process.uptime()),
      ) +
      g('process_resident_memory_bytes', 'Resident memory size in bytes.', 'gauge', mem.rss) +
      g('nodejs_heap_size_total_bytes', 'Process heap size from Node.js in bytes.', 'gauge', mem.heapTotal) +
      g('nodejs_heap_size_used_bytes', 'Process heap size used from Node.js in bytes.', 'gauge', mem.heapUsed) +
      g('nodejs_external_memory_bytes', 'Node.js external memory size in bytes.', 'gauge', mem.external) +
      g(
        'nodejs_eventloop_lag_p99_seconds',
        'The 99th percentile of the event loop delay since the last scrape.',
        'gauge',
        (this.lag.percentile(99) || 0) / 1e9,
      ) +
      g(
        'nodejs_eventloop_lag_max_seconds',
        'The longest event loop delay since the last scrape.',
        'gauge',
        (this.lag.max || 0) / 1e9,
      );
    this.lag.reset();
    const p = processStalls();
    return `${out}${p.stalls.render()}${p.gc.render()}`;
  }

  stop(): void {
    this.lag.disable();
  }
}

export class Registry {
  readonly contentType = 'text/plain; version=0.0.4; charset=utf-8';
  private readonly all: Metric[] = [];
  private readonly collectors: Collect[] = [];

  register(m: Metric): void {
    this.all.push(m);
  }

  /** `fn` runs before each rendering (a failure is left to the caller: the scrape fails, it does not lie). */
  onCollect(fn: Collect): void {
    this.collectors.push(fn);
  }

  async metrics(): Promise<string> {
    for (const c of this.collectors) await c();
    return this.all
      .map((m) => m.render())
      .filter((text) => text !== '') // a metric absent here (the SQLite checkpoint's on PostgreSQL)
      .join('\n');
  }
}

export function createMetrics() {
  const registry = new Registry();
  registry.register(new ProcessMetrics());
  new Gauge({
    name: 'csirt_build_info',
    help: 'The running build: always 1, its labels say which (version, commit, Node.js)',
    labelNames: ['version', 'commit', 'node'] as const,
    registers: [registry],
  }).set({ version: BUILD.version, commit: BUILD.commit, node: BUILD.node }, 1);
  return {
    registry,
    commands: new Counter({
      name: 'csirt_commands_total',
      help: 'Commands handled, by command and outcome',
      labelNames: ['command', 'outcome', 'platform'] as const,
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'csirt_command_duration_seconds',
      help: 'Time to handle a command',
      labelNames: ['command'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    admitWait: new Histogram({
      name: 'csirt_admission_wait_seconds',
      help: 'How long a platform request waited to be recorded (journal admission: the wait for the database and its transaction) before it could be acknowledged, by outcome (admitted, refused)',
      labelNames: ['outcome'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    // with the admission wait above, the acknowledgement's time split by where it is spent; the
    // wait before the 'request' event (the loop busy elsewhere) shows in nodejs_eventloop_stall_seconds
    httpPhase: new Histogram({
      name: 'csirt_http_request_phase_seconds',
      help: "Where a request's time went in this process, by route and phase: to_route (from the server's 'request' event, the headers parsed, to the route's start: reading the body) and in_route (from the route's start to the answer written: for the platforms' routes the admission and the acknowledgement)",
      labelNames: ['route', 'phase'] as const,
      buckets: SHORT_BUCKETS,
      registers: [registry],
    }),
    deliveries: new Counter({
      name: 'csirt_deliveries_total',
      help: 'Outbox deliveries settled, by platform and outcome',
      labelNames: ['platform', 'outcome'] as const,
      registers: [registry],
    }),
    journal: new Counter({
      name: 'csirt_command_journal_total',
      help: 'Acknowledged commands run from the journal, by outcome: replayed, taken_over (this process was too slow), given_up, deferred (the database away before the first commit)',
      labelNames: ['platform', 'outcome'] as const,
      registers: [registry],
    }),
    credentialsRefused: new Gauge({
      name: 'csirt_platform_credentials_refused',
      help: "1 while a chat platform refuses the bot's credentials (token revoked or expired): its deliveries are stopped; alert on it",
      labelNames: ['platform'] as const,
      registers: [registry],
    }),
    credentialAlerts: new Counter({
      name: 'csirt_platform_credential_alerts_total',
      help: "Times a chat platform started refusing the bot's credentials (one alert each)",
      labelNames: ['platform'] as const,
      registers: [registry],
    }),
    authFailures: new Counter({
      name: 'csirt_auth_failures_total',
      help: 'Requests refused for failed authenticity checks, by endpoint and reason',
      labelNames: ['endpoint', 'reason'] as const,
      registers: [registry],
    }),
    // read from the database at each scrape (src/services/ops-state.ts): the same figures from
    // every process, so alert rules take max() over the instances
    outboxRows: new Gauge({
      name: 'csirt_outbox_deliveries',
      help: 'Outbox deliveries by state (pending, sending, sent, failed, cancelled); failed rows wait for an administrator (delivery resend)',
      labelNames: ['state'] as const,
      registers: [registry],
    }),
    outboxOldest: new Gauge({
      name: 'csirt_outbox_oldest_waiting_seconds',
      help: 'Age of the oldest delivery not yet sent (pending or sending and due), from its creation or its resend; 0 when none',
      labelNames: [] as const,
      registers: [registry],
    }),
    jobsOverdue: new Gauge({
      name: 'csirt_jobs_overdue',
      help: 'Scheduled jobs (reminders, deadline clocks, the audit anchor) still pending more than a minute after they came due',
      labelNames: [] as const,
      registers: [registry],
    }),
    jobsOldestOverdue: new Gauge({
      name: 'csirt_jobs_oldest_overdue_seconds',
      help: 'How long the most overdue pending job has been due; 0 when none',
      labelNames: [] as const,
      registers: [registry],
    }),
    clockOffset: new Gauge({
      name: 'csirt_clock_offset_seconds',
      help: "The largest difference between two live processes' clocks, each measured against the database's clock in its heartbeat (every 15 s); 0 with one process",
      labelNames: [] as const,
      registers: [registry],
    }),
    clockOffsetToDb: new Gauge({
      name: 'csirt_clock_offset_to_database_seconds',
      help: "This process's clock minus the database's clock, at its last heartbeat (the error is at most half the round trip)",
      labelNames: [] as const,
      registers: [registry],
    }),
    processesSeen: new Gauge({
      name: 'csirt_processes_live',
      help: 'Processes whose heartbeat is under 2 minutes old (this one included)',
      labelNames: [] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** What the work of this process looks like now (read at each scrape; not from the database). */
export interface WorkFigures {
  /** reports written together (src/db/group-commit.ts): transactions, members, the largest, members written again alone */
  reportBatches(): { batches: number; members: number; largest: number; solo: number };
  /** acknowledged commands working now and waiting for a turn (src/inbox/journal.ts `turn`) */
  commands(): { working: number; waiting: number };
}

/** The figures an operator (and the bench) reads to see batching and the backlog. */
export function registerWorkMetrics(registry: Registry, w: WorkFigures): void {
  const sample = (name: string, help: string, type: 'counter' | 'gauge', read: () => number) =>
    registry.register(new Sampled({ name, help, type, read }));
  sample(
    'csirt_report_batches_total',
    'Transactions that wrote reports (reports arriving together share one: group commit)',
    'counter',
    () => w.reportBatches().batches,
  );
  sample(
    'csirt_report_batch_members_total',
    'Reports written by those transactions (divided by csirt_report_batches_total: the mean batch)',
    'counter',
    () => w.reportBatches().members,
  );
  sample(
    'csirt_report_batch_largest',
    'The most reports one transaction of this process has written',
    'gauge',
    () => w.reportBatches().largest,
  );
  sample(
    'csirt_report_batch_solo_reruns_total',
    'Reports written again alone because the transaction of their batch failed',
    'counter',
    () => w.reportBatches().solo,
  );
  sample(
    'csirt_commands_working',
    'Acknowledged commands this process is working on now',
    'gauge',
    () => w.commands().working,
  );
  sample(
    'csirt_commands_waiting',
    'Acknowledged commands waiting for a turn in this process (held in the journal meanwhile)',
    'gauge',
    () => w.commands().waiting,
  );
}

/** SQLite's WAL checkpoint thread, as its keeper (src/db/sqlite-checkpoint.ts) counts it. */
export interface CheckpointFigures {
  readonly stats: Pick<CheckpointStats, 'outcomes' | 'seconds'>;
  readonly wal: WalFigures | null;
  readonly running: boolean;
}

/**
 * The WAL checkpoint thread's figures, read at each scrape from its keeper (`read`: the
 * database's, null without one). Rendered only while there is one: a SQLite file database in
 * WAL mode; absent on PostgreSQL and for `:memory:`. No I/O: the WAL's frames are the ones the
 * keeper last read (every 8 commits) or was told by a checkpoint.
 */
export function registerCheckpointMetrics(registry: Registry, read: () => CheckpointFigures | null): void {
  const by = (name: string, help: string, values: Record<string, number>) =>
    header(name, help, 'counter') +
    Object.entries(values)
      .map(([outcome, v]) => `${name}${labelText(['outcome'], { outcome })} ${number(v)}\n`)
      .join('');
  const gauge = (name: string, help: string, v: number) => `${header(name, help, 'gauge')}${name} ${number(v)}\n`;
  registry.register({
    render() {
      const c = read();
      if (!c) return '';
      const { outcomes, seconds } = c.stats;
      const duration = 'csirt_sqlite_checkpoint_duration_seconds';
      return (
        (c.wal
          ? gauge(
              'csirt_sqlite_wal_frames',
              "Frames in the SQLite WAL (its written length; a frame is a page, 4096 bytes by default, plus 24), as this process last saw them: in the WAL's index every 8 commits and in each answer of the checkpoint thread; 0 after the idle TRUNCATE",
              c.wal.frames,
            ) +
            gauge(
              'csirt_sqlite_wal_uncopied_frames',
              'Of the frames in the SQLite WAL, those not yet copied into the database file (the checkpoint thread starts at 1000, the connection checkpoints itself at 10 times that), as last seen',
              c.wal.uncopied,
            )
          : '') +
        gauge(
          'csirt_sqlite_checkpoint_thread_running',
          'The SQLite WAL checkpoint thread: 1 while it runs (from the first checkpoint needed to its TRUNCATE after 30 s without one)',
          c.running ? 1 : 0,
        ) +
        by(
          'csirt_sqlite_checkpoints_total',
          'SQLite WAL checkpoints (PASSIVE) asked of the checkpoint thread, by outcome: done, busy (another checkpointer was running), failed (an error, or the thread ended or could not start)',
          outcomes.passive,
        ) +
        header(
          duration,
          'How long each SQLite WAL checkpoint (PASSIVE) of the checkpoint thread took, done or busy: the pragma alone, timed in the thread',
          'histogram',
        ) +
        histogramSeries(duration, [], {}, seconds.buckets, seconds) +
        by(
          'csirt_sqlite_wal_truncations_total',
          'TRUNCATE checkpoints of the idle SQLite WAL checkpoint thread (the -wal file emptied before the thread ends), by outcome: done, busy (a reader or writer held the WAL), failed',
          outcomes.truncate,
        )
      );
    },
  });
}
