/**
 * The inbox: commands acknowledged to their platform whose work has not committed yet.
 *
 * Slack wants an answer within 3 s, so the bot acknowledges a command first and works after
 * (RELIABILITY.md, "Acknowledge first"). A process killed in between used to lose a command
 * the person had already seen accepted. Now the adapter writes the request here in the same
 * commit that records it as seen, before it acknowledges; the command's first transaction
 * deletes the entry together with its own change (db/scope.ts `FirstTxGuard`), or, for a
 * command that changes nothing, the entry is deleted when the work ends. An entry left behind
 * by a dead process is claimed by any process after `claimTtlMs` and run again through the
 * platform's own path, replying to the same response URL.
 *
 * Exactly once: every claim writes a new token, and the deletion names the token. A process
 * that was only slow finds its token gone, its transaction aborts (HandledElsewhere) and it
 * stays silent; the process that took over replies.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import { HandledElsewhere, isHandledElsewhere, isRunLater } from '../core/errors.ts';
import { type Database, DatabaseUnavailable, databaseAway, type Prisma$, runWithGuard, type Tx } from '../db/client.ts';
import type { IntakeLoad } from '../db/gather.ts';
import { chunks, placeholders } from '../db/rows.ts';
import { type FirstTxGuard, type GuardGroup, outsideScope } from '../db/scope.ts';
import type { SeenRequests } from '../services/seen-requests.ts';

export interface Held {
  key: string;
  token: string;
  platform: string;
}

/** Runs a recovered command again on its platform (inside the journal's scope). */
export type Replayer = (payload: unknown, attempt: number) => Promise<void>;

export interface JournalOptions {
  workerId: string;
  claimTtlMs: number;
  /** a command started this many times by processes that all stopped before it ended is given up (logged, removed) */
  maxAttempts?: number;
  /** counts what happened to entries (metrics) */
  onOutcome?: (platform: string, outcome: 'replayed' | 'taken_over' | 'given_up' | 'deferred') => void;
  /** how often to look for abandoned entries */
  pollMs?: number;
  /**
   * how long recording a request may wait for the database before it is refused with "please
   * try again" (default 2 s: Slack gives up after 3 s)
   */
  admitWaitMs?: number;
  /**
   * how many acknowledged commands this process works on at once (`turn`; default
   * `defaultConcurrency`: 8 on SQLite, 16 on PostgreSQL): the rest wait their turn in memory,
   * held in the journal and their claims kept, so that a burst does not fill the one event loop
   * with work and the next request's acknowledgement waits behind it
   */
  concurrency?: number;
  /**
   * each request's wait from `admit` until it was recorded (or refused), for the metrics: the
   * part of the acknowledgement's latency spent waiting for and in the admission transaction
   */
  onAdmitWait?: (ms: number, outcome: 'admitted' | 'refused') => void;
}

/** What admitting a request found: its keys seen for the first time, and its journal entry. */
interface Admitted {
  fresh: Set<string>;
  held: Held | null;
}

interface PendingAdmit {
  seen: SeenRequests;
  entries: readonly { key: string; expiresAt: Date }[];
  journal: { key: string; platform: string; payload: unknown } | null;
  /** when it was asked for (epoch ms) */
  at: number;
  resolve(a: Admitted): void;
  reject(e: unknown): void;
}

/**
 * The acknowledged commands a process works on at once unless told otherwise. PostgreSQL: 16.
 * There a report spends most of its time waiting for its batch's round trips to the server, not
 * on the event loop; the batches run one at a time and back to back, so a report waiting for the
 * one before it is a member of the next. With 8 at once a batch held 4 reports (largest 7) and
 * the batch was the limit; with 16, 8 (largest 15): quick bench, load 2-4, max 168/178 done/s
 * against 116/127 with 8, CPU 5.5-5.8 against 7.4-8.0 ms per request, and at 200/s paced the
 * p99 fell too (101/127 against 141/176 ms: the bot keeps up better). SQLite: 8, its batch
 * holds the one connection the acknowledgements' admissions need (REPORT_HOLD_MS_SQLITE).
 */
export function defaultConcurrency(provider: Database['provider']): number {
  return provider === 'postgresql' ? 16 : 8;
}

/** Most requests admitted in one transaction (a burst's transaction stays short). */
const MAX_ADMITS = 64;

/**
 * Admission transactions at once on PostgreSQL. SQLite has one connection: one at a time, and
 * the requests arriving meanwhile join the next. On PostgreSQL each statement is a round trip,
 * and one admission at a time held every request behind the round trips of the batch before it
 * (quick bench at load 12: p50 to the ack 1.7 s against 0.9 s when each request had its own).
 */
const PARALLEL_ADMITS_PG = 4;

interface Row {
  key: string;
  platform: string;
  payload: string;
  token: string;
  attempts: number;
}

export class CommandJournal {
  private readonly replayers = new Map<string, Replayer>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;
  /** commands working now (`turn`), and those waiting for a turn */
  private working = 0;
  private readonly waiting: (() => void)[] = [];
  /** requests waiting to be admitted, and whether an admission transaction is under way */
  private readonly admits: PendingAdmit[] = [];
  private admitting = 0;
  private pumpQueued = false;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly o: JournalOptions,
  ) {}

  /** The platform whose commands `replay` runs again. */
  register(platform: string, replay: Replayer): void {
    this.replayers.set(platform, replay);
  }

  /** The entry for a request (inside the caller's transaction when given, so it commits with it). */
  async hold(runner: Tx | Prisma$, key: string, platform: string, payload: unknown): Promise<Held> {
    const token = randomUUID();
    const now = this.clock.now();
    await this.db.execute(
      runner,
      `INSERT INTO "PendingCommand" ("key", "platform", "payload", "token", "claimedBy", "claimUntil", "attempts", "createdAt")
         VALUES (?, ?, ?, ?, ?, ?, 1, ?)`,
      key,
      platform,
      JSON.stringify(payload),
      token,
      this.o.workerId,
      new Date(now.getTime() + this.o.claimTtlMs),
      now,
    );
    return { key, token, platform };
  }

  /**
   * Records a platform request's keys as seen and, when it is new and carries a command
   * (`journal` set), holds it here: one commit, before the platform is answered.
   *
   * Requests that arrive while an admission waits for the database (on SQLite: for the report
   * batch that has the one connection) are admitted together, in one transaction of the reserved
   * lane, one after the other in arrival order, as each would be alone: a key recorded by an
   * earlier request of the same transaction is seen by the later ones. One BEGIN, COMMIT and
   * fsync for the lot, and the lane taken once instead of once each behind the same holder.
   */
  admit(
    seen: SeenRequests,
    entries: readonly { key: string; expiresAt: Date }[],
    journal: { key: string; platform: string; payload: unknown } | null,
  ): Promise<Admitted> {
    const at = Date.now();
    const p = new Promise<Admitted>((resolve, reject) => {
      this.admits.push({ seen, entries, journal, at, resolve, reject });
      this.pumpAdmits();
    });
    const report = this.o.onAdmitWait;
    if (!report) return p;
    return p.then(
      (a) => {
        report(Date.now() - at, 'admitted');
        return a;
      },
      (e: unknown) => {
        report(Date.now() - at, 'refused');
        throw e;
      },
    );
  }

  /** admission transactions and the requests they admitted (tests, metrics) */
  readonly admitStats = { batches: 0, members: 0, largest: 0 };

  private pumpAdmits(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    // after the current turn's own work: the requests read in this turn go in one batch
    queueMicrotask(() => {
      this.pumpQueued = false;
      this.startAdmits();
    });
  }

  private startAdmits(): void {
    const parallel = this.db.provider === 'sqlite' ? 1 : PARALLEL_ADMITS_PG;
    while (this.admitting < parallel && this.admits.length > 0) {
      this.admitting++;
      // PostgreSQL: the batch is the requests waiting now (others start a transaction beside it)
      const early = parallel > 1 ? this.admits.splice(0, MAX_ADMITS) : null;
      // outside the caller's scope: the transaction is the batch's, not the first request's
      void outsideScope(() => this.admitBatch(early)).finally(() => {
        this.admitting--;
        this.pumpAdmits();
      });
    }
  }

  private async admitBatch(early: PendingAdmit[] | null): Promise<void> {
    const wait = this.o.admitWaitMs ?? 2000;
    // a request that has already waited its time is refused ("please try again") without a try
    const now = Date.now();
    const waiting = early ?? this.admits;
    for (let i = 0; i < waiting.length; ) {
      const a = waiting[i] as PendingAdmit;
      if (now - a.at >= wait) {
        waiting.splice(i, 1);
        a.reject(new DatabaseUnavailable());
      } else i++;
    }
    const first = waiting[0];
    if (!first) return;
    // filled by the transaction's callback (a closure: TypeScript cannot see it there)
    const taken: { batch: PendingAdmit[] | null } = { batch: early };
    try {
      const out = await this.db.tx(
        async (tx) => {
          // SQLite: taken once the transaction has the connection, so that the requests that
          // arrived while it waited for it come along (the same ones again if it is tried again)
          taken.batch ??= this.admits.splice(0, MAX_ADMITS);
          return this.admitMany(tx, taken.batch);
        },
        // no request waits longer than its time: the oldest one's is what is left
        // raw statements only: on SQLite a transaction of ours, not Prisma's (src/db/raw-tx.ts)
        { waitMs: Math.max(1, first.at + wait - now), reserved: true, raw: true },
      );
      const done = taken.batch ?? [];
      this.admitStats.batches++;
      this.admitStats.members += done.length;
      this.admitStats.largest = Math.max(this.admitStats.largest, done.length);
      for (const [i, a] of done.entries()) a.resolve(out[i] as Admitted);
    } catch (e) {
      // the transaction never had the connection (the database away): nobody was taken yet
      const failed: PendingAdmit[] = taken.batch ?? this.admits.splice(0, 1);
      if (failed.length === 1 || databaseAway(e)) {
        for (const a of failed) a.reject(e);
        return;
      }
      // nothing of it committed: each request again alone, so that one that fails (a broken
      // payload) does not refuse the others
      for (const a of failed) {
        try {
          a.resolve(await this.db.tx((tx) => this.admitOne(tx, a), { waitMs: wait, reserved: true, raw: true }));
        } catch (e2) {
          a.reject(e2);
        }
      }
    }
  }

  /**
   * The batch's requests, each as it would be alone: one statement for all their keys and one
   * for all their journal entries (on PostgreSQL each statement is a round trip; 2 per request
   * before). Requests sharing a key (a retry within the batch) are admitted one after the other
   * instead, so that the later one sees the earlier one's key: PostgreSQL refuses to touch one
   * row twice in one ON CONFLICT statement.
   */
  private async admitMany(tx: Tx, batch: readonly PendingAdmit[]): Promise<Admitted[]> {
    const first = batch[0];
    const keys = batch.flatMap((a) => a.entries.map((e) => e.key));
    if (
      !first ||
      batch.length === 1 ||
      new Set(keys).size !== keys.length ||
      batch.some((a) => a.seen !== first.seen)
    ) {
      const r: Admitted[] = [];
      for (const a of batch) r.push(await this.admitOne(tx, a));
      return r;
    }
    const freshAll = await first.seen.firstTimeMany(
      batch.flatMap((a) => a.entries),
      tx,
    );
    const out = batch.map((a) => {
      const fresh = new Set(a.entries.map((e) => e.key).filter((k) => freshAll.has(k)));
      return { a, fresh, isNew: a.entries.every((e) => fresh.has(e.key)) };
    });
    const holds = out
      .filter((o) => o.a.journal && o.isNew)
      .map((o) => o.a.journal as NonNullable<PendingAdmit['journal']>);
    const held = await this.holdMany(tx, holds);
    return out.map((o) => ({
      fresh: o.fresh,
      held: o.a.journal && o.isNew ? (held.get(o.a.journal.key) ?? null) : null,
    }));
  }

  /** `hold` for several requests in one statement. */
  private async holdMany(
    tx: Tx,
    entries: readonly { key: string; platform: string; payload: unknown }[],
  ): Promise<Map<string, Held>> {
    const out = new Map<string, Held>();
    if (entries.length === 0) return out;
    const now = this.clock.now();
    const until = new Date(now.getTime() + this.o.claimTtlMs);
    const values: unknown[] = [];
    for (const e of entries) {
      const token = randomUUID();
      out.set(e.key, { key: e.key, token, platform: e.platform });
      values.push(e.key, e.platform, JSON.stringify(e.payload), token, this.o.workerId, until, now);
    }
    await this.db.execute(
      tx,
      `INSERT INTO "PendingCommand" ("key", "platform", "payload", "token", "claimedBy", "claimUntil", "attempts", "createdAt")
         VALUES ${entries.map(() => '(?, ?, ?, ?, ?, ?, 1, ?)').join(', ')}`,
      ...values,
    );
    return out;
  }

  private async admitOne(tx: Tx, a: PendingAdmit): Promise<Admitted> {
    const fresh = await a.seen.firstTimeMany(a.entries, tx);
    const isNew = a.entries.every((e) => fresh.has(e.key));
    const held = a.journal && isNew ? await this.hold(tx, a.journal.key, a.journal.platform, a.journal.payload) : null;
    return { fresh, held };
  }

  /**
   * Runs `work` (the command, after the acknowledgement) in the entry's scope: its first
   * transaction deletes the entry; if none did, the entry is deleted when `work` ends. Work
   * taken over by another process ends quietly.
   */
  async run<T>(held: Held, work: () => Promise<T>): Promise<T | undefined> {
    const guard: FirstTxGuard = {
      pending: true,
      run: async (tx) => {
        if ((await this.release(tx as Tx, held)) === 0) throw new HandledElsewhere(held.key);
      },
      group: this.releases,
    };
    this.heldOf.set(guard, held);
    // a live process keeps its claim (a slow command is not run twice); only a stopped or
    // frozen one loses it
    const heartbeat = setInterval(
      () => {
        if (guard.pending) void this.extend(held).catch(() => false);
      },
      Math.floor(this.o.claimTtlMs / 3),
    );
    heartbeat.unref();
    let keep = false;
    try {
      return await runWithGuard(guard, work);
    } catch (e) {
      if (isRunLater(e) && guard.pending) {
        // nothing of it committed and the database is away: the entry stays, its claim lapses,
        // and a pass of any process runs it again (and answers) once the database is back
        keep = true;
        this.log.warn(
          { key: held.key },
          'acknowledged command could not run (the database is away); it runs again from the journal',
        );
        this.o.onOutcome?.(held.platform, 'deferred');
        return undefined;
      }
      if (!isHandledElsewhere(e)) throw e;
      this.log.warn(
        { key: held.key },
        'command taken over by another process (this one was stopped or frozen past its claim); not answered here',
      );
      this.o.onOutcome?.(held.platform, 'taken_over');
      return undefined;
    } finally {
      clearInterval(heartbeat);
      if (guard.pending && !keep) await this.release(this.db.prisma, held).catch(() => 0);
    }
  }

  /**
   * Runs `fn`, the work of an acknowledged command (after its acknowledgement), when fewer than
   * `concurrency` others are running; first come, first served. Under a burst the requests
   * still arriving are acknowledged at once (they are journalled in a short transaction of the
   * reserved lane) while the work goes on at the pace the process can sustain.
   */
  async turn<T>(fn: () => Promise<T>): Promise<T> {
    if (this.working >= this.concurrency) {
      const turn = new Promise<void>((r) => this.waiting.push(r));
      for (const fn of this.waitWatchers) fn();
      await turn;
    } else this.working++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.working--;
    }
  }

  /** how many acknowledged commands this process works on at once */
  get concurrency(): number {
    return this.o.concurrency ?? defaultConcurrency(this.db.provider);
  }

  /** commands working now and waiting for a turn, and turns at once (metrics; a report batch's gather) */
  get load(): IntakeLoad {
    return { working: this.working, waiting: this.waiting.length, concurrency: this.concurrency };
  }

  /**
   * Calls `fn` each time a command starts waiting for a turn: the process is at its capacity
   * (a report batch waiting for more members then starts at once, src/db/gather.ts).
   */
  onWait(fn: () => void): void {
    this.waitWatchers.push(fn);
  }

  private readonly waitWatchers: (() => void)[] = [];

  /** Starts looking for abandoned entries every `pollMs`. */
  start(): void {
    const every = this.o.pollMs ?? Math.max(1000, Math.floor(this.o.claimTtlMs / 4));
    this.timer = setInterval(
      () => void this.recover().catch((e) => this.log.error({ err: e }, 'inbox recovery failed')),
      every,
    );
    this.timer.unref();
  }

  /** Stops looking; commands already being replayed finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running?.catch(() => 0);
  }

  /** Claims entries whose claim has expired and runs them again; returns how many. */
  recover(): Promise<number> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** How many commands are waiting (metrics, tests). */
  async pending(): Promise<number> {
    return this.db.prisma.pendingCommand.count();
  }

  private async pass(): Promise<number> {
    // several entries at once, up to the commands this process works on together: they run
    // together, so that their reports are written in one batch (group commit) instead of one
    // transaction each. A claimed entry waiting for its turn keeps its claim: run() extends it
    // from the start (its heartbeat), so it is not taken over while it waits.
    let n = 0;
    while (n < 100 && !this.stopped) {
      const rows = await this.claim(Math.min(this.concurrency, 100 - n));
      if (rows.length === 0) break;
      n += rows.length;
      await Promise.all(rows.map((row) => this.replayOne(row)));
    }
    return n;
  }

  private async replayOne(row: Row): Promise<void> {
    const held = { key: row.key, token: row.token, platform: row.platform };
    // claim() only takes platforms with a replayer here: another process may have the others
    const replay = this.replayers.get(row.platform) as Replayer;
    if (row.attempts > (this.o.maxAttempts ?? 5)) {
      this.log.error(
        { key: row.key, platform: row.platform, attempts: row.attempts - 1 },
        'acknowledged command was started several times and never finished (each process running it stopped); given up',
      );
      this.o.onOutcome?.(row.platform, 'given_up');
      await this.release(this.db.prisma, held);
      return;
    }
    this.log.warn(
      { key: row.key, platform: row.platform, attempt: row.attempts },
      'running an acknowledged command left by a stopped process',
    );
    this.o.onOutcome?.(row.platform, 'replayed');
    try {
      await this.run(held, () => replay(JSON.parse(row.payload), row.attempts));
    } catch (e) {
      this.log.error({ err: e, key: row.key }, 'replayed command failed');
    }
  }

  /** The oldest entries (up to `most`) whose claim has expired, each claimed with a new token; [] when none. */
  private async claim(most: number): Promise<Row[]> {
    const now = this.clock.now();
    const lock = this.db.provider === 'postgresql' ? 'FOR UPDATE SKIP LOCKED' : '';
    const platforms = [...this.replayers.keys()];
    if (platforms.length === 0) return [];
    return this.db.tx(async (tx) => {
      const rows = await this.db.query<Row>(
        tx,
        `SELECT "key", "platform", "payload", "attempts" FROM "PendingCommand"
          WHERE "claimUntil" < ? AND "platform" IN (${platforms.map(() => '?').join(', ')})
          ORDER BY "createdAt" LIMIT ${Math.max(1, Math.floor(most))} ${lock}`,
        now,
        ...platforms,
      );
      const claimed: Row[] = [];
      for (const r of rows) {
        const token = randomUUID();
        await this.db.execute(
          tx,
          `UPDATE "PendingCommand" SET "token" = ?, "claimedBy" = ?, "claimUntil" = ?, "attempts" = "attempts" + 1 WHERE "key" = ?`,
          token,
          this.o.workerId,
          new Date(now.getTime() + this.o.claimTtlMs),
          r.key,
        );
        claimed.push({ ...r, token, attempts: Number(r.attempts) + 1 });
      }
      return claimed;
    });
  }

  /** Extends a live claim; false when it is no longer ours (taken over, or done). */
  private async extend(held: Held): Promise<boolean> {
    const until = new Date(this.clock.now().getTime() + this.o.claimTtlMs);
    const n = await this.db.execute(
      this.db.prisma,
      `UPDATE "PendingCommand" SET "claimUntil" = ? WHERE "key" = ? AND "token" = ?`,
      until,
      held.key,
      held.token,
    );
    return n > 0;
  }

  /** the entries of the guards `run` made (for `releases`) */
  private readonly heldOf = new WeakMap<FirstTxGuard, Held>();

  /**
   * The guards of a batch of commands written together (a batch of reports): their entries
   * deleted with one statement, each naming its token; a guard whose entry is gone (another
   * process took the command over) gets HandledElsewhere, as its own `run` would.
   */
  private readonly releases: GuardGroup = {
    runAll: async (tx, guards) => {
      const helds = guards.map((g) => this.heldOf.get(g) as Held);
      const gone = new Set<string>();
      for (const c of chunks(helds, 2)) {
        const rows = await this.db.query<{ key: string; token: string }>(
          tx as Tx,
          `DELETE FROM "PendingCommand" WHERE ("key", "token") IN (VALUES ${placeholders(c.length, 2)})
             RETURNING "key", "token"`,
          ...c.flatMap((h) => [h.key, h.token]),
        );
        for (const r of rows) gone.add(`${r.key}\n${r.token}`);
      }
      return helds.map((h) => (gone.has(`${h.key}\n${h.token}`) ? null : new HandledElsewhere(h.key)));
    },
  };

  private release(runner: Tx | Prisma$, held: Held): Promise<number> {
    return this.db.execute(
      runner,
      `DELETE FROM "PendingCommand" WHERE "key" = ? AND "token" = ?`,
      held.key,
      held.token,
    );
  }
}
