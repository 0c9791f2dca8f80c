/**
 * The scheduler: node-cron wakes it every second (from the first whole second after start); the database decides what fires. A job is
 * a row with a due time; firing it (its handler's writes, usually outbox rows) and marking it
 * done happen in one transaction that first locks the row (FOR UPDATE SKIP LOCKED on
 * PostgreSQL, the write lock on SQLite), so each job fires exactly once across processes and
 * restarts. Jobs that came due while no process ran fire on the next tick after start.
 *
 * Several due jobs fire in one transaction (a batch, in due order, each marked in turn, so a
 * handler sees exactly what it would see one by one): a burst of reminders due at the same
 * instant costs one commit per batch, not one per job. A batch is bounded in size and in time
 * (the write lock is not held long). When any job of a batch throws, the whole batch rolls
 * back and its jobs fire one transaction each; a job that failed alone is kept out of batches
 * and retried alone on the next passes.
 *
 * A job is a deterministic producer: after a restore from a backup taken before it fired, it
 * fires again and makes the same deliveries, so their ids are derived from their dedupe keys
 * (`derivedIds`, src/outbox/outbox.ts) and the dispatcher finds the posts already made.
 *
 * Reminders (the kinds of src/domain/reminder-policy.ts) coalesce after downtime: a step with a
 * later step of the same kind and subject also overdue is marked `skipped` without running its
 * handler, so each subject sends only its latest step (rule 1 of the policy; the handlers apply
 * the rest of it).
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import { canonicalJson } from '../audit/canonical-json.ts';
import type { Clock } from '../core/clock.ts';
import type { Database, Tx } from '../db/client.ts';
import type { Job } from '../db/generated/sqlite/client.ts';
import { isReminderKind, supersededSteps } from '../domain/reminder-policy.ts';
import { derivedIds } from '../outbox/outbox.ts';

export type JobOutcome = 'done' | 'skipped';
export type JobWithArgs = Job & { args: Record<string, unknown> };
/**
 * Fires one job in the caller's transaction. `many`, when present, fires several jobs of the
 * kind at once (in due order, the same outcomes as calling the handler on each in turn) with
 * a few queries for all of them instead of a few for each.
 */
export type JobHandler = ((tx: Tx, job: JobWithArgs, now: Date) => Promise<JobOutcome>) & {
  many?: (tx: Tx, jobs: JobWithArgs[], now: Date) => Promise<JobOutcome[]>;
};

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
  await scheduleJobs(db, tx, [j]);
}

/**
 * Adds several jobs in the caller's transaction with one statement (the same rows as
 * `scheduleJob` on each in turn: an id that exists already is left as it is).
 */
export async function scheduleJobs(db: Database, tx: Tx, js: readonly NewJob[]): Promise<void> {
  if (js.length === 0) return;
  const { sql, params } = jobRows(js);
  await db.execute(tx, sql, ...params);
}

/** Values bound per job by `jobRows`. */
export const JOB_PARAMS = 7;

/** The INSERT of `js` (not empty), for a caller that sends it with another statement (report-batch.ts). */
export function jobRows(js: readonly NewJob[]): { sql: string; params: unknown[] } {
  const now = new Date();
  return {
    sql: `INSERT INTO "Job" (id, kind, data, "dueAt", status, "refType", "refId", "createdAt")
     VALUES ${js.map(() => "(?, ?, ?, ?, 'pending', ?, ?, ?)").join(', ')} ON CONFLICT (id) DO NOTHING`,
    params: js.flatMap((j) => [
      j.id,
      j.kind,
      canonicalJson(j.data ?? {}),
      j.dueAt,
      j.refType ?? null,
      j.refId ?? null,
      now,
    ]),
  };
}

/** Cancels the pending jobs of one subject (a cancelled meeting's reminders). */
export async function cancelJobs(tx: Tx, refType: string, refId: string): Promise<number> {
  const r = await tx.job.updateMany({ where: { refType, refId, status: 'pending' }, data: { status: 'cancelled' } });
  return r.count;
}

export interface SchedulerOptions {
  /** most jobs fired in one transaction */
  batch?: number;
  /** a batch stops taking further jobs once its transaction has run this long */
  batchMs?: number;
  onFired?: (job: Job, outcome: JobOutcome, lagMs: number) => void;
}

type Fired = { job: Job; outcome: JobOutcome };

export class Scheduler {
  private readonly handlers = new Map<string, JobHandler>();
  private task: ScheduledTask | undefined;
  /** the timer to the first whole second after start(), where node-cron's task is made */
  private arming: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;
  /** jobs whose last attempt failed in this process: fired alone until they succeed */
  private readonly solo = new Set<string>();
  private readonly batch: number;
  private readonly batchMs: number;
  /** called after each job's transaction commits (lag: its pass's time minus its due time) */
  onFired: SchedulerOptions['onFired'];

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly log: Logger,
    opts: SchedulerOptions = {},
  ) {
    this.batch = Math.max(1, opts.batch ?? 50);
    this.batchMs = opts.batchMs ?? 200;
    this.onFired = opts.onFired;
  }

  register(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }

  /**
   * A pass now, then one at every whole second. node-cron's task is made at the first whole
   * second, which this process's timer ticks itself (node-cron's task, made then, first fires
   * at the next): making a task costs node-cron its first Intl date formatter — ICU's date data
   * loaded, 30–120 ms of CPU (issue 19) — which a console process answering one command and
   * ending within the second never needs.
   */
  start(): void {
    this.stopped = false;
    if (!this.task && !this.arming) {
      this.arming = setTimeout(
        () => {
          this.arming = undefined;
          if (this.stopped) return;
          this.task ??= cron.schedule('* * * * * *', () => this.tick());
          this.tick();
        },
        1000 - (Date.now() % 1000),
      );
    }
    void this.runDue().catch((e) => this.log.error({ err: e }, 'scheduler start-up pass failed'));
  }

  private tick(): void {
    this.runDue().catch((e) => this.log.error({ err: e }, 'scheduler tick failed'));
  }

  /** Stops ticking and waits for the batch in progress (the rest of a pass is left to other processes). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.arming);
    this.arming = undefined;
    await this.task?.stop();
    this.task = undefined;
    await this.running?.catch(() => 0);
  }

  /**
   * Fires every job due now, in batches of at most `batch` jobs per transaction, until none is
   * left; returns how many fired (done or skipped).
   */
  runDue(batch = this.batch): Promise<number> {
    batch = Math.min(Math.max(1, batch), 500);
    this.running ??= this.pass(batch).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(batch: number): Promise<number> {
    let fired = 0;
    const failedBefore = [...this.solo];
    while (!this.stopped) {
      const now = this.clock.now();
      let r: { more: boolean; fired: Fired[] } | { failed: string[] };
      try {
        r = await this.fireBatch(now, batch);
      } catch (e) {
        // nothing of the batch committed: learn which jobs it held, then fire them one by one
        this.log.warn({ err: e }, 'a batch of jobs failed; firing them one by one');

        r = { failed: await this.dueIds(now, batch) };
      }
      if ('failed' in r) {
        if (r.failed.length === 0) break;
        for (const id of r.failed) {
          if (this.stopped) return fired;
          if ((await this.fire(id, now)) === 'fired') fired++;
        }
        continue;
      }
      for (const f of r.fired) this.onFired?.(f.job, f.outcome, now.getTime() - f.job.dueAt.getTime());
      fired += r.fired.length;
      if (!r.more) break;
    }
    // jobs that failed in an earlier pass: alone, so that they hold up nothing else
    for (const id of failedBefore) {
      if (this.stopped) break;
      if ((await this.fire(id, this.clock.now())) === 'fired') fired++;
    }
    return fired;
  }

  /** Due pending job ids in firing order, those failing alone left out. */
  private async dueIds(now: Date, limit: number, tx?: Tx): Promise<string[]> {
    const skip = [...this.solo];
    const lock = tx && this.db.provider === 'postgresql' ? 'FOR UPDATE SKIP LOCKED' : '';
    const rows = await this.db.query<{ id: string }>(
      tx ?? this.db.prisma,
      `SELECT id FROM "Job" WHERE status = 'pending' AND "dueAt" <= ?
        ${skip.length ? `AND id NOT IN (${skip.map(() => '?').join(', ')})` : ''}
        ORDER BY "dueAt", id LIMIT ? ${lock}`,
      now,
      ...skip,
      limit,
    );
    return rows.map((r) => r.id);
  }

  /**
   * One transaction: locks up to `limit` due jobs and fires them in due order, each marked as
   * it fires, until the batch's time is up (the rest stay pending for the next batch). Throws
   * (rolling everything back) when any handler throws or a job changed under the batch.
   */
  private async fireBatch(now: Date, limit: number): Promise<{ more: boolean; fired: Fired[] }> {
    return this.db.tx(async (tx) => {
      const started = Date.now();
      const ids = await this.dueIds(now, limit, tx);
      if (ids.length === 0) return { more: false, fired: [] };
      const jobs = await tx.job.findMany({ where: { id: { in: ids } }, orderBy: [{ dueAt: 'asc' }, { id: 'asc' }] });
      const superseded = await this.superseded(tx, jobs, now);
      const fired: Fired[] = [];
      let i = 0;
      while (i < jobs.length) {
        if (this.stopped || (fired.length > 0 && Date.now() - started > this.batchMs)) break;
        const first = jobs[i] as Job;
        if (superseded.has(first.id)) {
          const n = await tx.job.updateMany({
            where: { id: first.id, status: 'pending' },
            data: { status: 'skipped', firedAt: now },
          });
          if (n.count !== 1) throw new Error(`job ${first.id} changed while its batch ran`);
          fired.push({ job: first, outcome: 'skipped' });
          i++;
          continue;
        }
        const many = this.handlers.get(first.kind)?.many;
        if (many) {
          // the run of jobs of this kind next in due order (superseded steps aside), fired by one call
          let j = i + 1;
          while (j < jobs.length && (jobs[j] as Job).kind === first.kind && !superseded.has((jobs[j] as Job).id)) j++;
          const run = jobs.slice(i, j);
          const outcomes = await derivedIds(() => many(tx, run.map(withArgs), now));
          if (outcomes.length !== run.length) throw new Error(`handler ${first.kind} answered for the wrong jobs`);
          let marked = 0;
          for (const outcome of ['done', 'skipped'] as const) {
            const these = run.filter((_, k) => outcomes[k] === outcome).map((x) => x.id);
            if (these.length === 0) continue;
            const n = await tx.job.updateMany({
              where: { id: { in: these }, status: 'pending' },
              data: { status: outcome, firedAt: now },
            });
            marked += n.count;
          }
          if (marked !== run.length) throw new Error(`jobs of kind ${first.kind} changed while their batch ran`);
          for (const [k, job] of run.entries()) fired.push({ job, outcome: outcomes[k] as JobOutcome });
          i = j;
          continue;
        }
        const outcome = await this.runHandler(tx, first, now);
        // conditional: a job an earlier handler of this batch changed (cancelled) must not fire;
        // rolling back makes the jobs fire one by one, each seeing the others as committed
        const n = await tx.job.updateMany({
          where: { id: first.id, status: 'pending' },
          data: { status: outcome, firedAt: now },
        });
        if (n.count !== 1) throw new Error(`job ${first.id} changed while its batch ran`);
        fired.push({ job: first, outcome });
        i++;
      }
      return { more: ids.length === limit || fired.length < jobs.length, fired };
    });
  }

  /**
   * Which of `jobs` a later overdue step of the same reminder subject supersedes (one query for
   * the pending overdue steps of their subjects).
   */
  private async superseded(tx: Tx, jobs: readonly Job[], now: Date): Promise<Set<string>> {
    const reminders = jobs.filter((j) => isReminderKind(j.kind) && j.refId !== null);
    if (reminders.length === 0) return new Set();
    const steps = await tx.job.findMany({
      where: {
        status: 'pending',
        dueAt: { lte: now },
        kind: { in: [...new Set(reminders.map((j) => j.kind))] },
        refId: { in: [...new Set(reminders.map((j) => j.refId as string))] },
      },
      select: { id: true, kind: true, refType: true, refId: true, dueAt: true },
    });
    const subject = (j: { refType: string | null; refId: string | null }) =>
      j.refId === null ? null : `${j.refType ?? ''}:${j.refId}`;
    const out = supersededSteps(
      steps.map((j) => ({ id: j.id, kind: j.kind, subject: subject(j), dueAt: j.dueAt })),
      now,
    );
    return new Set(jobs.filter((j) => out.has(j.id)).map((j) => j.id));
  }

  private async runHandler(tx: Tx, job: Job, now: Date): Promise<JobOutcome> {
    const handler = this.handlers.get(job.kind);
    if (handler) return derivedIds(() => handler(tx, withArgs(job), now));
    this.log.warn({ job: job.id, kind: job.kind }, 'no handler for job kind; skipped');
    return 'skipped';
  }

  /** Fires one job in its own transaction: fired, gone (not pending or not due), or failed. */
  private async fire(id: string, now: Date): Promise<'fired' | 'gone' | 'failed'> {
    const lock = this.db.provider === 'postgresql' ? 'FOR UPDATE SKIP LOCKED' : '';
    try {
      const r = await this.db.tx(async (tx) => {
        const rows = await this.db.query<{ id: string }>(
          tx,
          `SELECT id FROM "Job" WHERE id = ? AND status = 'pending' AND "dueAt" <= ? ${lock}`,
          id,
          now,
        );
        if (rows.length === 0) return null;
        const job = await tx.job.findUniqueOrThrow({ where: { id } });
        const superseded = (await this.superseded(tx, [job], now)).has(id);
        const outcome = superseded ? 'skipped' : await this.runHandler(tx, job, now);
        await tx.job.update({ where: { id }, data: { status: outcome, firedAt: now } });
        return { job, outcome };
      });
      this.solo.delete(id);
      if (!r) return 'gone';
      this.onFired?.(r.job, r.outcome, now.getTime() - r.job.dueAt.getTime());
      return 'fired';
    } catch (e) {
      this.solo.add(id);
      this.log.error({ err: e, job: id }, 'job failed; it stays pending and is retried on the next tick');
      return 'failed';
    }
  }
}

function withArgs(job: Job): JobWithArgs {
  return { ...job, args: JSON.parse(job.data) as Record<string, unknown> };
}
