/**
 * What an operator alerts on (issue 22 item 7), read from the database at each scrape of
 * /metrics: the outbox backlog by state and the age of the oldest delivery waiting, jobs
 * overdue, and the clocks of the processes.
 *
 * Clocks: every process writes a heartbeat (a `Setting` row `heartbeat:<worker id>`) every
 * 15 s and at each scrape: its clock minus the database's clock, measured like NTP (the
 * midpoint of the process's clock around one read of the database's clock, so the error is at
 * most half that round trip). Two processes' clocks differ by the difference of their offsets;
 * the metric is the largest such difference among the heartbeats under 2 minutes old. The
 * database's clock is one reference for every process (PostgreSQL's server; SQLite's is the
 * host's, as every SQLite process shares the host).
 */
import type { Clock } from '../core/clock.ts';
import type { Database } from '../db/client.ts';

export const HEARTBEAT_PREFIX = 'heartbeat:';
const HEARTBEAT_EVERY_MS = 15_000;
/** a heartbeat older than this is a process that stopped */
const LIVE_MS = 120_000;
/** heartbeats older than this are removed (by any process) */
const FORGET_MS = 86_400_000;
/** a job this long past due and still pending is overdue (the scheduler looks every second) */
const OVERDUE_GRACE_MS = 60_000;

interface Beat {
  /** the process's clock minus the database's, ms */
  offsetMs: number;
  /** the database's clock at the beat, ms since the epoch */
  at: number;
  rttMs: number;
}

export interface OpsState {
  deliveries: Record<string, number>;
  oldestWaitingSeconds: number;
  jobsOverdue: number;
  oldestOverdueSeconds: number;
  /** max − min of the live processes' offsets, seconds */
  clockSpreadSeconds: number;
  /** this process's offset, seconds */
  ownOffsetSeconds: number;
  liveProcesses: number;
}

/** The database's clock now, ms since the epoch. */
async function databaseNow(db: Database): Promise<number> {
  const sql =
    db.provider === 'postgresql'
      ? 'SELECT (extract(epoch from clock_timestamp()) * 1000)::float8 AS ms'
      : "SELECT (julianday('now') - 2440587.5) * 86400000.0 AS ms";
  const rows = await db.query<{ ms: number | string }>(db.prisma, sql);
  return Number(rows[0]?.ms);
}

export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly workerId: string,
  ) {}

  /** Measures this process's offset to the database's clock and writes it. */
  async beat(): Promise<Beat> {
    const t0 = this.clock.now().getTime();
    const dbMs = await databaseNow(this.db);
    const t1 = this.clock.now().getTime();
    const beat: Beat = { offsetMs: (t0 + t1) / 2 - dbMs, at: dbMs, rttMs: t1 - t0 };
    const key = `${HEARTBEAT_PREFIX}${this.workerId}`;
    const value = JSON.stringify(beat);
    await this.db.prisma.setting.upsert({ where: { key }, create: { key, value }, update: { value } });
    return beat;
  }

  start(): void {
    const loop = async () => {
      await this.beat().catch(() => {}); // the database away: the next beat tries again
      this.timer = setTimeout(loop, HEARTBEAT_EVERY_MS);
      this.timer.unref();
    };
    void loop();
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    // a stopped process is not live: its heartbeat goes
    await this.db.prisma.setting.deleteMany({ where: { key: `${HEARTBEAT_PREFIX}${this.workerId}` } }).catch(() => {});
  }

  /** The live processes' offsets (this one's measured now), forgetting those long stopped. */
  async spread(): Promise<{ spreadMs: number; ownMs: number; live: number }> {
    const mine = await this.beat();
    const rows = await this.db.prisma.setting.findMany({ where: { key: { startsWith: HEARTBEAT_PREFIX } } });
    const offsets: number[] = [];
    const stale: string[] = [];
    for (const r of rows) {
      let b: Beat;
      try {
        b = JSON.parse(r.value) as Beat;
      } catch {
        continue;
      }
      if (!Number.isFinite(b.offsetMs) || !Number.isFinite(b.at)) continue;
      if (mine.at - b.at > FORGET_MS) stale.push(r.key);
      else if (mine.at - b.at <= LIVE_MS) offsets.push(b.offsetMs);
    }
    if (stale.length) await this.db.prisma.setting.deleteMany({ where: { key: { in: stale } } });
    return {
      spreadMs: offsets.length > 1 ? Math.max(...offsets) - Math.min(...offsets) : 0,
      ownMs: mine.offsetMs,
      live: offsets.length,
    };
  }
}

/** The figures of one scrape. */
export async function readOpsState(db: Database, clock: Clock, heartbeat: Heartbeat): Promise<OpsState> {
  const now = clock.now();
  const p = db.prisma;
  const [byState, oldest, overdue, clocks] = await Promise.all([
    p.delivery.groupBy({ by: ['status'], _count: { _all: true } }),
    p.delivery.findMany({
      // waiting: pending or in hand, except a row not yet due that was never tried (scheduled)
      where: {
        status: { in: ['pending', 'sending'] },
        OR: [{ notBefore: { lte: now } }, { attempts: { gt: 0 } }],
      },
      select: { createdAt: true, retryFrom: true },
      orderBy: { createdAt: 'asc' },
      take: 50,
    }),
    p.job.aggregate({
      where: { status: 'pending', dueAt: { lt: new Date(now.getTime() - OVERDUE_GRACE_MS) } },
      _count: { _all: true },
      _min: { dueAt: true },
    }),
    heartbeat.spread(),
  ]);
  const deliveries: Record<string, number> = { pending: 0, sending: 0, sent: 0, failed: 0, cancelled: 0 };
  for (const g of byState) deliveries[g.status] = g._count._all;
  // a resent row counts from its resend (the first 50 by creation hold the oldest either way
  // unless 50 older rows were all resent: then the figure is a little young, never old)
  const since = oldest.map((d) => (d.retryFrom ?? d.createdAt).getTime());
  const seconds = (ms: number) => Math.max(0, ms) / 1000;
  return {
    deliveries,
    oldestWaitingSeconds: since.length ? seconds(now.getTime() - Math.min(...since)) : 0,
    jobsOverdue: overdue._count._all,
    oldestOverdueSeconds: overdue._min.dueAt ? seconds(now.getTime() - overdue._min.dueAt.getTime()) : 0,
    clockSpreadSeconds: clocks.spreadMs / 1000,
    ownOffsetSeconds: clocks.ownMs / 1000,
    liveProcesses: clocks.live,
  };
}
