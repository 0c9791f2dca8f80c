/**
 * The scheduler: node-cron wakes it every second; the database decides what fires. A job is
 * a row with a due time; firing it (its handler's writes, usually outbox rows) and marking it
 * done happen in one transaction that first locks the row (FOR UPDATE SKIP LOCKED on
 * PostgreSQL, the write lock on SQLite), so each job fires exactly once across processes and
 * restarts. Jobs that came due while no process ran fire on the next tick after start.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import { canonicalJson } from '../audit/canonical-json.ts';
import type { Clock } from '../core/clock.ts';
import type { Database, Tx } from '../db/client.ts';
import type { Job } from '../db/generated/sqlite/client.ts';

export type JobOutcome = 'done' | 'skipped';
export type JobHandler = (tx: Tx, job: Job & { args: Record<string, unknown> }, now: Date) => Promise<JobOutcome>;

export interface NewJob {
  /** unique and stable, e.g. `meeting:MTG-2026-0001:reminder:1d`; a second insert is a no-op */
  id: string;
  kind: string;
  dueAt: Date;
  data?: Record<string, unknown>;
  refType?: string;
  refId?: string;
}

/** Adds a job in the caller's transaction (idempotent on id). */
export async function scheduleJob(db: Database, tx: Tx, j: NewJob): Promise<void> {
  await db.execute(
    tx,
    `INSERT INTO "Job" (id, kind, data, "dueAt", status, "refType", "refId", "createdAt")
     VALUES (?, ?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    j.id,
    j.kind,
    canonicalJson(j.data ?? {}),
    j.dueAt,
    j.refType ?? null,
    j.refId ?? null,
    new Date(),
  );
}

/** Cancels the pending jobs of one subject (a cancelled meeting's reminders). */
export async function cancelJobs(tx: Tx, refType: string, refId: string): Promise<number> {
  const r = await tx.job.updateMany({ where: { refType, refId, status: 'pending' }, data: { status: 'cancelled' } });
  return r.count;
}

export class Scheduler {
  private readonly handlers = new Map<string, JobHandler>();
  private task: ScheduledTask | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly onFired?: (job: Job, outcome: JobOutcome, lagMs: number) => void,
  ) {}

  register(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }

  start(): void {
    this.stopped = false;
    this.task ??= cron.schedule('* * * * * *', () => {
      this.runDue().catch((e) => this.log.error({ err: e }, 'scheduler tick failed'));
    });
    void this.runDue().catch((e) => this.log.error({ err: e }, 'scheduler start-up pass failed'));
  }

  /** Stops ticking and waits for the job in progress (the rest of a pass is left to other processes). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.task?.stop();
    this.task = undefined;
    await this.running?.catch(() => 0);
  }

  /** Fires every job due now (one transaction each); returns how many fired. */
  runDue(limit = 200): Promise<number> {
    this.running ??= this.pass(limit).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(limit: number): Promise<number> {
    let fired = 0;
    for (;;) {
      const now = this.clock.now();
      const due = await this.db.prisma.job.findMany({
        where: { status: 'pending', dueAt: { lte: now } },
        orderBy: { dueAt: 'asc' },
        take: limit,
        select: { id: true },
      });
      if (due.length === 0) return fired;
      let progress = 0;
      for (const { id } of due) {
        if (this.stopped) return fired + progress;
        if (await this.fire(id, now)) progress++;
      }
      fired += progress;
      if (progress === 0 || due.length < limit) return fired;
    }
  }

  private async fire(id: string, now: Date): Promise<boolean> {
    const lock = this.db.provider === 'postgresql' ? 'FOR UPDATE SKIP LOCKED' : '';
    try {
      return await this.db.tx(async (tx) => {
        const rows = await this.db.query<{ id: string }>(
          tx,
          `SELECT id FROM "Job" WHERE id = ? AND status = 'pending' ${lock}`,
          id,
        );
        if (rows.length === 0) return false;
        const job = await tx.job.findUniqueOrThrow({ where: { id } });
        const handler = this.handlers.get(job.kind);
        let outcome: JobOutcome = 'skipped';
        if (handler)
          outcome = await handler(tx, { ...job, args: JSON.parse(job.data) as Record<string, unknown> }, now);
        else this.log.warn({ job: id, kind: job.kind }, 'no handler for job kind; skipped');
        await tx.job.update({ where: { id }, data: { status: outcome, firedAt: now } });
        this.onFired?.(job, outcome, now.getTime() - job.dueAt.getTime());
        return true;
      });
    } catch (e) {
      this.log.error({ err: e, job: id }, 'job failed; it stays pending and is retried on the next tick');
      return false;
    }
  }
}
