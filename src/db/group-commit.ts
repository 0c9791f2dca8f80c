/**
 * Group commit at the application level: the units of work (reports) that arrive while one
 * transaction of them is being written are written together, in one transaction, in arrival
 * order (issue #19, item 7).
 *
 * Why: each report takes a number from a global Counter row and appends to the one audit chain.
 * One transaction per report held the counter's row lock (PostgreSQL) or the write lock (SQLite)
 * for a whole transaction of round trips per report, and every report paid BEGIN, COMMIT and
 * the interactive transaction's own cost. In a batch the counter is bumped once for all its
 * members, after their checks (the lock is taken as late as it can be: every write needs the
 * number), and the transaction's fixed cost is shared.
 *
 * What stays as it was, member by member:
 * - numbers are gap-free: the bump is in the batch's transaction and counts only the members
 *   that write; a batch that fails rolls back its numbers with everything else;
 * - the command journal (scope.ts `FirstTxGuard`): each member's guard runs in the batch's
 *   transaction, so its journal entry is deleted in the commit that writes its work (the
 *   journal's guards of a batch with one statement: a `GuardGroup`);
 * - a member refused on its own (`own(e)`: a UserError of its check, its journal entry taken
 *   over by another process) gets its error, writes nothing, and the others commit;
 * - any other failure of a batch (a member's write failing, a constraint): nothing of it
 *   committed, and each member is then written again alone, in a transaction of its own, so a
 *   bad member cannot fail the others. (Chosen over a SAVEPOINT per member: two more round
 *   trips per member on every batch, against a rerun only when something fails, which is rare.)
 * - the database away: every member fails as it would alone (its journal entry is kept and runs
 *   again later), without being tried again member by member for a minute each.
 */
import { databaseAway } from './availability.ts';
import type { Database, Tx, TxOptions } from './client.ts';
import { gatherWait, type Intake } from './gather.ts';
import { currentGuard, type FirstTxGuard, type GuardGroup, outsideScope } from './scope.ts';

export interface Member<T, B = undefined> {
  /** the sequence (Counter name) this member takes its number from */
  seq: string;
  /** reads and checks that may refuse this member alone; runs before its guard, writes nothing */
  check?: (tx: Tx) => Promise<void>;
  /**
   * this member's writes, with its number, after every member's check and the bump; `batch` is
   * the batch's own state (`open`), written by `close` after the last member
   */
  write: (tx: Tx, n: number, batch: B) => Promise<T>;
}

export interface GroupCommitOptions<B> {
  /** most members in one transaction */
  max: number;
  /** takes `count` consecutive numbers of `seq` in `tx`; returns the first */
  take: (tx: Tx, seq: string, count: number) => Promise<number>;
  /** an error of a member's check or guard that refuses that member alone (the transaction is still usable) */
  own: (e: unknown) => boolean;
  tx?: TxOptions;
  /**
   * About how long one batch may hold the database, in ms. On SQLite a batch's transaction has
   * the one connection, and the acknowledgement of every request arriving meanwhile waits for it
   * (src/inbox/journal.ts `admit`): a batch then takes only as many members as fit in this time
   * at the recent time per member. The time is the process's CPU time, not the wall clock's: on a
   * machine busy with other processes a member's wall time grows while the work does not, and a
   * bound on wall time cut batches to one member exactly when batching saves the most (measured:
   * mean batch 1.2–1.4 and +20–30 % CPU per report at load 11). Unset: `max` alone.
   */
  holdMs?: number;
  /**
   * How long a batch waits for more members when fewer than a full one (`max`, or what fits in
   * `holdMs`) are waiting, in ms, and more can still come (gather.ts: not when the intake `watch`
   * was given is at its capacity or has nothing left to bring). Unset: the next turn of the
   * event loop. At 200 reports/s paced on SQLite, batches taken on the next turn held ~3 reports
   * and the ack's p99 was 48-55 ms; waiting 10 ms, 29-38 ms (issue 19 item 7).
   */
  gatherMs?: number;
  /** the state of one attempt at a batch (what its members leave for the end) */
  open: () => B;
  /** the batch's last writes, after its members' (one audit append for all: the head row's lock is taken last) */
  close?: (tx: Tx, batch: B) => Promise<void>;
}

interface Queued<B> {
  member: Member<unknown, B>;
  guard: FirstTxGuard | undefined;
  /** written again alone after its batch failed */
  solo: boolean;
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * `holdMs`'s CPU time per member is measured on one attempt at a batch in this many, and on the
 * attempt after one that took longer than `SLOWER` times the estimate by the clock (the members
 * may have become slower: wall time bounds the main thread's CPU time from above, and reading
 * the clock costs no system call), and on every attempt until the first is measured.
 * `process.cpuUsage()` is a system call (getrusage): twice per batch, inside the transaction
 * that holds SQLite's one connection, the CPU profile of the bench's maximum put ~0.07 ms per
 * report there, mostly the main thread descheduled in it (issue 19 item 7). At the maximum
 * (~50 batches/s) one in 8 still measures ~6 times a second.
 */
export const CPU_SAMPLE_EVERY = 8;
const SLOWER = 1.5;

export class GroupCommit<B = undefined> {
  private readonly queue: Queued<B>[] = [];
  private busy = false;
  /** batches written and their sizes (tests, metrics) */
  readonly stats = { batches: 0, members: 0, largest: 0, solo: 0 };
  /** the CPU time a member has recently taken in the transaction, ms (a moving average; null before the first batch) */
  private perMemberMs: number | null = null;
  /** attempts at a batch so far: one in `CPU_SAMPLE_EVERY` measures its CPU time */
  private attempts = 0;
  /** the last attempt took longer by the clock than its members were estimated to: measure the next */
  private measureNext = false;

  /** whether this attempt measures its CPU time (CPU_SAMPLE_EVERY) */
  private measuring(): boolean {
    const due = this.perMemberMs === null || this.measureNext || this.attempts % CPU_SAMPLE_EVERY === 0;
    this.attempts++;
    this.measureNext = false;
    return due;
  }

  constructor(
    private readonly db: Database,
    private readonly o: GroupCommitOptions<B>,
  ) {}

  /** Writes `member` in the next batch; its result, or its own error. */
  run<T>(member: Member<T, B>): Promise<T> {
    // the guard of the caller's scope (the command journal), captured here: the batch's
    // transaction runs outside every caller's scope and runs each member's guard itself
    const guard = currentGuard();
    return new Promise<T>((resolve, reject) => {
      this.queue.push({
        member: member as Member<unknown, B>,
        guard,
        solo: false,
        resolve: resolve as (v: unknown) => void,
        reject,
      });
      this.pump();
      this.recheck();
    });
  }

  /** members waiting for the next batch (tests, metrics) */
  get waiting(): number {
    return this.queue.length;
  }

  /**
   * Where members come from (the command journal's turns): a batch that is not full then waits
   * for more only while more can come (gather.ts), and stops waiting when the intake reaches its
   * capacity.
   */
  watch(intake: Intake): void {
    this.intake = intake;
    intake.onWait(this.recheck);
  }

  private intake: Intake | undefined;

  private pump(): void {
    if (this.busy || this.queue.length === 0) return;
    this.busy = true;
    // the batch is taken on the next turn of the event loop: the members that arrive in the
    // same turn (a burst of requests read in one go) start together instead of one alone first;
    // with `gatherMs`, those arriving within that time too, while more can come (gather.ts)
    outsideScope(() =>
      setImmediate(() => {
        const wait = this.gatherFor();
        if (wait > 0) this.gathering = setTimeout(this.go, wait);
        else this.go();
      }),
    );
  }

  /** while a batch waits for more members (`gatherMs`): its timer */
  private gathering: NodeJS.Timeout | null = null;

  /** whether a batch is waiting for more members now (tests, metrics) */
  get gatheringNow(): boolean {
    return this.gathering !== null;
  }

  /** how long the next batch waits for more members (0: not at all) */
  private gatherFor(): number {
    return gatherWait(this.o.gatherMs, {
      queued: this.queue.length,
      most: this.most(),
      ...(this.intake ? { load: this.intake.load } : {}),
    });
  }

  /**
   * A member came, or the intake reached its capacity, while a batch waits for more: when no
   * more can come or it is full, it starts now, outside the scope of the caller that got here
   * (the member's journal guard is run by the batch, not taken by its transaction).
   */
  private readonly recheck = (): void => {
    if (this.gathering && this.gatherFor() === 0) {
      clearTimeout(this.gathering);
      outsideScope(this.go);
    }
  };

  private readonly go = (): void => {
    this.gathering = null;
    const first = this.queue[0] as Queued<B>;
    const batch = first.solo ? this.queue.splice(0, 1) : this.take();
    void this.write(batch).finally(() => {
      this.busy = false;
      this.pump();
    });
  };

  /** the most members the next batch takes: `max`, or fewer when `holdMs` bounds it */
  private most(): number {
    const fit =
      this.o.holdMs !== undefined && this.perMemberMs !== null
        ? Math.max(1, Math.floor(this.o.holdMs / this.perMemberMs))
        : this.o.max;
    return Math.min(this.o.max, fit);
  }

  /** The next batch: arrivals in order, up to `most`, stopping before one to be written alone. */
  private take(): Queued<B>[] {
    const most = this.most();
    let n = 0;
    while (n < this.queue.length && n < most && !(this.queue[n] as Queued<B>).solo) n++;
    return this.queue.splice(0, n);
  }

  /**
   * The guards of the members their checks let through, marked as run (`ran`): those of one
   * group in one call (the command journal's: one DELETE for the batch, not one per member), the
   * others one by one. A guard's own error refuses its member alone, as a check's does.
   */
  private async runGuards(
    tx: Tx,
    batch: readonly Queued<B>[],
    out: (Outcome | null)[],
    ran: (g: FirstTxGuard) => void,
  ): Promise<void> {
    const groups = new Map<GuardGroup | undefined, number[]>();
    batch.forEach((q, i) => {
      if (out[i] !== null || !q.guard?.pending) return;
      const members = groups.get(q.guard.group) ?? [];
      members.push(i);
      groups.set(q.guard.group, members);
    });
    const refuse = (i: number, e: unknown) => {
      if (!this.o.own(e)) throw e;
      out[i] = { ok: false, error: e };
    };
    for (const [group, members] of groups) {
      const guards = members.map((i) => (batch[i] as Queued<B>).guard as FirstTxGuard);
      for (const g of guards) {
        g.pending = false;
        ran(g);
      }
      if (group && guards.length > 1) {
        const errors = await group.runAll(tx, guards);
        members.forEach((i, k) => {
          const e = errors[k];
          if (e) refuse(i, e);
        });
      } else
        for (const [k, g] of guards.entries()) {
          try {
            await g.run(tx);
          } catch (e) {
            refuse(members[k] as number, e);
          }
        }
    }
  }

  private async write(batch: Queued<B>[]): Promise<void> {
    let ran: FirstTxGuard[] = [];
    // a guard that ran in an attempt that did not commit is pending again (db.tx tries again
    // on deadlocks and the like, also when the commit itself failed)
    const restore = () => {
      for (const g of ran) g.pending = true;
      ran = [];
    };
    let outcomes: Outcome[];
    /** the CPU time of the last attempt's body (from its start to before its commit), if measured */
    let heldMs: number | null = null;
    try {
      outcomes = await this.db.tx(async (tx) => {
        const began = this.measuring() ? process.cpuUsage() : null;
        const wallBegan = performance.now();
        restore();
        const state = this.o.open();
        const out: (Outcome | null)[] = [];
        for (const q of batch) {
          try {
            await q.member.check?.(tx);
            out.push(null);
          } catch (e) {
            if (!this.o.own(e)) throw e;
            out.push({ ok: false, error: e });
          }
        }
        await this.runGuards(tx, batch, out, (g) => ran.push(g));
        // one bump per sequence for the members that write, in arrival order
        const next = new Map<string, number>();
        const counts = new Map<string, number>();
        batch.forEach((q, i) => {
          if (out[i] === null) counts.set(q.member.seq, (counts.get(q.member.seq) ?? 0) + 1);
        });
        for (const [seq, count] of counts) next.set(seq, await this.o.take(tx, seq, count));
        for (const [i, q] of batch.entries()) {
          if (out[i] !== null) continue;
          const n = next.get(q.member.seq) as number;
          next.set(q.member.seq, n + 1);
          out[i] = { ok: true, value: await q.member.write(tx, n, state) };
        }
        await this.o.close?.(tx, state);
        if (began) {
          const used = process.cpuUsage(began);
          heldMs = (used.user + used.system) / 1000;
        } else {
          heldMs = null;
          const estimate = (this.perMemberMs ?? 0) * batch.length;
          if (performance.now() - wallBegan > SLOWER * estimate) this.measureNext = true;
        }
        return out as Outcome[];
      }, this.o.tx);
    } catch (e) {
      restore();
      if (batch.length === 1 || databaseAway(e)) {
        for (const q of batch) q.reject(e);
        return;
      }
      // nothing of the batch committed: each member again, alone, first in the queue
      this.stats.solo += batch.length;
      this.queue.unshift(...batch.map((q) => ({ ...q, solo: true })));
      return;
    }
    this.stats.batches++;
    this.stats.members += batch.length;
    this.stats.largest = Math.max(this.stats.largest, batch.length);
    if (heldMs !== null) {
      const per = heldMs / batch.length;
      this.perMemberMs = this.perMemberMs === null ? per : 0.7 * this.perMemberMs + 0.3 * per;
    }
    for (const [i, q] of batch.entries()) {
      const r = outcomes[i] as Outcome;
      if (r.ok) q.resolve(r.value);
      else q.reject(r.error);
    }
  }
}
