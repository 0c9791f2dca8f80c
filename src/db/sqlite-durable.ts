/**
 * SQLite durability without blocking the event loop: group commit by an asynchronous fsync.
 *
 * better-sqlite3 is synchronous, so with `PRAGMA synchronous = FULL` every COMMIT blocked the
 * one JavaScript thread for an fsync of the WAL (5 ms and more on a busy disk: three quarters
 * of the time the bot spent in SQLite under load, and nothing else could run meanwhile — not
 * even the acknowledgement of the next request).
 *
 * The connection runs with `synchronous = NORMAL` (a commit writes its WAL frames to the OS and
 * returns) and our driver (sqlite-adapter.ts) makes the WAL durable itself, with `fdatasync` on
 * libuv's thread pool, before any caller sees a result:
 * - a transaction's `commit()` resolves only once an fsync that started after its COMMIT has
 *   finished (so `db.tx` returns, and a command replies or is acknowledged, only when its
 *   change is on disk, as with FULL);
 * - a statement outside a transaction (an autocommit write, or a read that may see a change
 *   not yet on disk) resolves only once everything committed before it is on disk, so nothing
 *   in this process acts on a change that a power loss could still take back.
 * One fsync covers every commit before it (the WAL is append-only, and a frame is only valid
 * after the ones before it), so concurrent commits share it: a group commit. It starts after
 * the current turn's statements (a microtask later), so writes issued one after another without
 * awaiting each (the dispatcher's finishes and its next claim) share one.
 *
 * What `NORMAL` itself still guarantees is unchanged: the WAL header is synced when the WAL is
 * reused and the WAL before each checkpoint, so the database is always consistent. Another
 * process on the same file may read a change of ours before our fsync ends; any transaction
 * of its that writes makes that change durable too (its own fsync covers the earlier frames),
 * so its dispatcher — which claims a delivery in a transaction before sending it — still never
 * sends one that could be lost.
 */
import { fdatasync, openSync } from 'node:fs';

export interface DurabilityStats {
  /** commits (or autocommit writes) seen */
  commits: number;
  /** fsyncs done */
  syncs: number;
}

/** Tracks what was committed and what is on disk; shares one fsync between waiters. */
export class WalSync {
  private committed = 0;
  private synced = 0;
  private inFlight: Promise<void> | null = null;
  private fd: number | null = null;
  private on = false;
  readonly stats: DurabilityStats = { commits: 0, syncs: 0 };

  constructor(private readonly walPath: string) {}

  /**
   * From now on commits are not synced by SQLite (the connection was just switched to WAL with
   * `synchronous = NORMAL`) but here.
   */
  activate(): void {
    this.on = true;
  }

  /** true once activated: this connection's commits are synced here */
  get active(): boolean {
    return this.on;
  }

  /** A commit has just been written to the WAL. */
  noteCommit(): void {
    if (!this.on) return;
    this.committed++;
    this.stats.commits++;
  }

  get pending(): boolean {
    return this.synced < this.committed;
  }

  /** Resolves once everything committed so far is on disk. */
  async durable(): Promise<void> {
    const want = this.committed;
    while (this.synced < want) {
      if (!this.inFlight) {
        this.inFlight = (async () => {
          // started after the statements issued in this same turn (one after another, none
          // awaited): their commits join this fsync instead of waiting for the next one
          await null;
          const target = this.committed;
          try {
            await this.sync();
            this.synced = Math.max(this.synced, target);
          } finally {
            this.inFlight = null;
          }
        })();
      }
      await this.inFlight;
    }
  }

  private sync(): Promise<void> {
    this.fd ??= openSync(this.walPath, 'r');
    const fd = this.fd;
    this.stats.syncs++;
    return new Promise((resolve, reject) => fdatasync(fd, (e) => (e ? reject(e) : resolve())));
  }
}
