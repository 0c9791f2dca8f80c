/**
 * SQLite durability without blocking the event loop: group commit by an asynchronous fsync.
 *
 * better-sqlite3 is synchronous, so with `PRAGMA synchronous = FULL` every COMMIT blocked the
 * one JavaScript thread for an fsync of the WAL (5 ms and more on a busy disk: three quarters
 * of the time the bot spent in SQLite under load, and nothing else could run meanwhile — not
 * even the acknowledgement of the next request).
 *
 * Here the connection runs with `synchronous = NORMAL` (a commit writes its WAL frames to the
 * OS and returns) and this wrapper makes the WAL durable itself, with `fdatasync` on libuv's
 * thread pool, before any caller sees a result:
 * - a transaction's `commit()` resolves only once an fsync that started after its COMMIT has
 *   finished (so `db.tx` returns, and a command replies or is acknowledged, only when its
 *   change is on disk, as with FULL);
 * - a statement outside a transaction (an autocommit write, or a read that may see a change
 *   not yet on disk) resolves only once everything committed before it is on disk, so nothing
 *   in this process acts on a change that a power loss could still take back.
 * One fsync covers every commit before it (the WAL is append-only, and a frame is only valid
 * after the ones before it), so concurrent commits share it: a group commit.
 *
 * What `NORMAL` itself still guarantees is unchanged: the WAL header is synced when the WAL is
 * reused and the WAL before each checkpoint, so the database is always consistent. Another
 * process on the same file may read a change of ours before our fsync ends; any transaction
 * of its that writes makes that change durable too (its own fsync covers the earlier frames),
 * so its dispatcher — which claims a delivery in a transaction before sending it — still never
 * sends one that could be lost.
 *
 * Also: prepared statements are reused. The adapter prepares every query again (`prepare` →
 * `bind` → run, 30–200 µs each); the connection's `prepare` here returns a one-use handle over
 * a cached statement.
 */
import { fdatasync, openSync } from 'node:fs';
import type {
  SqlDriverAdapter,
  SqlDriverAdapterFactory,
  SqlQuery,
  SqlResultSet,
  Transaction,
} from '@prisma/driver-adapter-utils';

const DDL = /^\s*(CREATE|DROP|ALTER)\b/i;

/** The parts of a better-sqlite3 Statement the Prisma adapter uses. */
interface Stmt {
  readonly reader: boolean;
  readonly readonly: boolean;
  bind(...args: unknown[]): Stmt;
  run(...args: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  all(...args: unknown[]): unknown[];
  get(...args: unknown[]): unknown;
  iterate(...args: unknown[]): IterableIterator<unknown>;
  raw(on?: boolean): Stmt;
  columns(): unknown[];
}
interface Connection {
  prepare(sql: string): Stmt;
  readonly inTransaction: boolean;
}

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
  private active = false;
  readonly stats: DurabilityStats = { commits: 0, syncs: 0 };

  constructor(private readonly walPath: string) {}

  /**
   * From now on commits are not synced by SQLite (the connection was just switched to WAL with
   * `synchronous = NORMAL`) but here.
   */
  activate(): void {
    this.active = true;
  }

  /** A commit has just been written to the WAL. */
  noteCommit(): void {
    if (!this.active) return;
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
        const target = this.committed;
        this.inFlight = this.sync().then(
          () => {
            this.synced = Math.max(this.synced, target);
            this.inFlight = null;
          },
          (e: unknown) => {
            this.inFlight = null;
            throw e;
          },
        );
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

/**
 * The connection's `prepare`, reusing statements: each call returns a handle that takes the
 * adapter's one `bind(args)` and runs the cached statement with those arguments. After each
 * run it notes a completed commit (a write outside a transaction, or the end of a transaction
 * that wrote) in `wal`.
 */
function cachingPrepare(conn: Connection, wal: WalSync | null, max = 500): (sql: string) => Stmt {
  const original = conn.prepare.bind(conn);
  const cache = new Map<string, Stmt>();
  let txWrote = false;
  const after = (st: Stmt, sql: string, changed: boolean) => {
    if (!wal) return;
    // BEGIN/COMMIT/ROLLBACK count as read-only; a statement that changed nothing (the write-lock
    // UPDATE in db.tx, an upsert that did nothing) needs no fsync, as with FULL; a write inside
    // a transaction is remembered until the transaction ends (a rolled-back one costs at most
    // one needless fsync)
    const wrote = !st.readonly && (changed || DDL.test(sql));
    if (conn.inTransaction) {
      if (wrote) txWrote = true;
    } else if (txWrote || wrote) {
      txWrote = false;
      wal.noteCommit();
    }
  };
  return (sql: string) => {
    let st = cache.get(sql);
    if (st) {
      cache.delete(sql); // most recently used last
    } else {
      st = original(sql);
      if (cache.size >= max) cache.delete(cache.keys().next().value as string);
    }
    cache.set(sql, st);
    const s = st;
    let args: unknown[] = [];
    let raw = false;
    const exec = <T>(f: () => T, changed: (r: T) => boolean): T => {
      if (s.reader) s.raw(raw);
      let r: T | undefined;
      try {
        r = f();
        return r;
      } finally {
        after(s, sql, r !== undefined && changed(r));
      }
    };
    const rows = (r: unknown[]) => r.length > 0;
    const handle: Stmt = {
      get reader() {
        return s.reader;
      },
      get readonly() {
        return s.readonly;
      },
      bind(...a: unknown[]) {
        args = a;
        return handle;
      },
      raw(on = true) {
        raw = on;
        return handle;
      },
      columns: () => s.columns(),
      run: (...a: unknown[]) =>
        exec(
          () => s.run(...(a.length ? a : args)),
          (r) => r.changes > 0,
        ),
      all: (...a: unknown[]) => exec(() => s.all(...(a.length ? a : args)), rows),
      get: (...a: unknown[]) =>
        exec(
          () => s.get(...(a.length ? a : args)),
          (r) => r !== undefined,
        ),
      iterate: () => {
        throw new Error('iterate is not supported on cached statements');
      },
    };
    return handle;
  };
}

/**
 * Wraps the better-sqlite3 adapter factory: statements are cached, and (when `walPath` is
 * given: a file database in WAL mode with `synchronous = NORMAL`) every result waits for the
 * WAL fsync as described above.
 */
export function durableSqlite(
  inner: SqlDriverAdapterFactory,
  walPath: string | null,
): SqlDriverAdapterFactory & { wal: WalSync | null } {
  const wal = walPath ? new WalSync(walPath) : null;
  const settle = async <T>(p: Promise<T>): Promise<T> => {
    const r = await p;
    if (wal?.pending) await wal.durable();
    return r;
  };
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    wal,
    async connect(): Promise<SqlDriverAdapter> {
      const adapter = await inner.connect();
      const conn = (adapter as unknown as { client?: Connection }).client;
      if (!conn || typeof conn.prepare !== 'function') throw new Error('unexpected better-sqlite3 adapter shape');
      (conn as { prepare: (sql: string) => Stmt }).prepare = cachingPrepare(conn, wal);
      if (!wal) return adapter;
      const queryRaw = adapter.queryRaw.bind(adapter);
      const executeRaw = adapter.executeRaw.bind(adapter);
      const startTransaction = adapter.startTransaction.bind(adapter);
      const executeScript = adapter.executeScript.bind(adapter);
      adapter.executeScript = async (script: string) => {
        await executeScript(script); // migrations: not through prepare, so always synced
        wal.noteCommit();
        await wal.durable();
      };
      adapter.queryRaw = (q: SqlQuery): Promise<SqlResultSet> => settle(queryRaw(q));
      adapter.executeRaw = (q: SqlQuery): Promise<number> => settle(executeRaw(q));
      adapter.startTransaction = async (...a: Parameters<SqlDriverAdapter['startTransaction']>) => {
        const tx: Transaction = await startTransaction(...a);
        const commit = tx.commit.bind(tx);
        // the COMMIT statement has run; the adapter's commit() releases its lock, so the next
        // transaction starts while this one waits for the disk
        tx.commit = () => settle(commit());
        return tx;
      };
      return adapter;
    },
  };
}
