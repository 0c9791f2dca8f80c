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
import { type Database, type Prisma$, runWithGuard, type Tx } from '../db/client.ts';
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
   * how many acknowledged commands this process works on at once (`turn`; default 8): the rest
   * wait their turn in memory, held in the journal and their claims kept, so that a burst does
   * not fill the one event loop with work and the next request's acknowledgement waits behind it
   */
  concurrency?: number;
}

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
   */
  async admit(
    seen: SeenRequests,
    entries: readonly { key: string; expiresAt: Date }[],
    journal: { key: string; platform: string; payload: unknown } | null,
  ): Promise<{ fresh: Set<string>; held: Held | null }> {
    // one short transaction, whether or not there is a command to hold: the platform is
    // answered within its deadline (refused with "please try again" when the database is away)
    return this.db.tx(
      async (tx) => {
        const fresh = await seen.firstTimeMany(entries, tx);
        const isNew = entries.every((e) => fresh.has(e.key));
        const held = journal && isNew ? await this.hold(tx, journal.key, journal.platform, journal.payload) : null;
        return { fresh, held };
      },
      { waitMs: this.o.admitWaitMs ?? 2000, reserved: true },
    );
  }

  /**
   * Runs `work` (the command, after the acknowledgement) in the entry's scope: its first
   * transaction deletes the entry; if none did, the entry is deleted when `work` ends. Work
   * taken over by another process ends quietly.
   */
  async run<T>(held: Held, work: () => Promise<T>): Promise<T | undefined> {
    const guard = {
      pending: true,
      run: async (tx: Tx) => {
        if ((await this.release(tx, held)) === 0) throw new HandledElsewhere(held.key);
      },
    };
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
    if (this.working >= (this.o.concurrency ?? 8)) await new Promise<void>((r) => this.waiting.push(r));
    else this.working++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.working--;
    }
  }

  /** commands working now and waiting for a turn (metrics) */
  get load(): { working: number; waiting: number } {
    return { working: this.working, waiting: this.waiting.length };
  }

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
    // one entry at a time: an entry claimed in a batch would wait its turn while its claim ran out
    let n = 0;
    for (; n < 100 && !this.stopped; n++) {
      const row = await this.claimOne();
      if (!row) break;
      const held = { key: row.key, token: row.token, platform: row.platform };
      // claimOne() only takes platforms with a replayer here: another process may have the others
      const replay = this.replayers.get(row.platform) as Replayer;
      if (row.attempts > (this.o.maxAttempts ?? 5)) {
        this.log.error(
          { key: row.key, platform: row.platform, attempts: row.attempts - 1 },
          'acknowledged command was started several times and never finished (each process running it stopped); given up',
        );
        this.o.onOutcome?.(row.platform, 'given_up');
        await this.release(this.db.prisma, held);
        continue;
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
    return n;
  }

  /** The oldest entry whose claim has expired, claimed with a new token; null when none. */
  private async claimOne(): Promise<Row | null> {
    const now = this.clock.now();
    const lock = this.db.provider === 'postgresql' ? 'FOR UPDATE SKIP LOCKED' : '';
    const platforms = [...this.replayers.keys()];
    if (platforms.length === 0) return null;
    return this.db.tx(async (tx) => {
      const [r] = await this.db.query<Row>(
        tx,
        `SELECT "key", "platform", "payload", "attempts" FROM "PendingCommand"
          WHERE "claimUntil" < ? AND "platform" IN (${platforms.map(() => '?').join(', ')})
          ORDER BY "createdAt" LIMIT 1 ${lock}`,
        now,
        ...platforms,
      );
      if (!r) return null;
      const token = randomUUID();
      await this.db.execute(
        tx,
        `UPDATE "PendingCommand" SET "token" = ?, "claimedBy" = ?, "claimUntil" = ?, "attempts" = "attempts" + 1 WHERE "key" = ?`,
        token,
        this.o.workerId,
        new Date(now.getTime() + this.o.claimTtlMs),
        r.key,
      );
      return { ...r, token, attempts: Number(r.attempts) + 1 };
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

  private release(runner: Tx | Prisma$, held: Held): Promise<number> {
    return this.db.execute(
      runner,
      `DELETE FROM "PendingCommand" WHERE "key" = ? AND "token" = ?`,
      held.key,
      held.token,
    );
  }
}
