/**
 * Our SQLite driver for Prisma: one better-sqlite3 connection behind Prisma's public driver
 * adapter interface (@prisma/driver-adapter-utils `SqlDriverAdapterFactory`), serialised.
 *
 * **One user of the connection at a time.** A transaction has the connection from `BEGIN` to
 * `COMMIT`/`ROLLBACK`; a statement outside a transaction waits for it, then has the connection
 * for that one statement. (Prisma's own better-sqlite3 adapter serialised only the start of
 * transactions: a plain statement issued while another code path had a transaction open ran
 * inside it, saw its uncommitted rows and was rolled back with it — issue 16, item 6.) The
 * queue is FIFO, and a statement awaited inside a `db.tx` callback is refused before it can
 * wait for its own transaction (scope.ts).
 *
 * **Every transaction takes the write lock first** (`BEGIN IMMEDIATE`), so several processes
 * on one file queue for it instead of failing on a lock upgrade. SQLite's own busy handler
 * would wait for another process's lock by sleeping on the one JavaScript thread (nothing
 * else, not even /healthz, could run); here busy_timeout is 0 and a busy lock is tried again
 * on a timer, for up to `busyTimeoutMs`.
 *
 * **Durable before anyone sees it, without blocking on fsync**: WAL with `synchronous =
 * NORMAL`, and a result is handed back only once an fdatasync of the WAL that started after
 * it has ended (group commit, sqlite-durable.ts). The WAL's checkpoints (a copy into the
 * database file and two fsyncs) run on another connection in a worker thread
 * (sqlite-checkpoint.ts), not inside our COMMITs.
 *
 * **Prepared statements are reused** (an LRU cache; preparing every query again cost 30–200 µs
 * each).
 */

import type {
  ColumnType,
  IsolationLevel,
  SqlDriverAdapter,
  SqlDriverAdapterFactory,
  SqlQuery,
  SqlResultSet,
  Transaction,
} from '@prisma/driver-adapter-utils';
import Sqlite from 'better-sqlite3';
import { inReservedLane } from './reserved-lane.ts';
import { Checkpointer, type CheckpointerOptions } from './sqlite-checkpoint.ts';
import { declaredTypes, isBusy, mapArg, mapRow, resolveTypes, toAdapterError } from './sqlite-convert.ts';
import { WalSync } from './sqlite-durable.ts';

const DDL = /^\s*(CREATE|DROP|ALTER)\b/i;
const ADAPTER_NAME = 'csirt-sqlite';
const BEGIN = 'BEGIN IMMEDIATE';

export interface SqliteOptions {
  /** how long a statement or a transaction start waits for another process's lock (default 10 s) */
  busyTimeoutMs?: number;
  /** prepared statements kept (default 500) */
  statements?: number;
  /**
   * WAL checkpoints on a thread of their own (sqlite-checkpoint.ts; file databases in WAL mode),
   * or false: SQLite's automatic checkpoint on the connection, as before
   */
  checkpoint?: CheckpointerOptions | false;
}

/**
 * FIFO ownership of the one connection, with one exception: a transaction of the reserved lane
 * (reserved-lane.ts: the journal's `admit`, which records a platform request before it is
 * acknowledged) goes ahead of the ordinary waiters, behind only the current holder and other
 * reserved ones. Under a burst the acknowledgement then waits for one transaction, not for every
 * report queued before it; the work it admits is durable in the journal and runs after.
 */
class Lane {
  /** someone has the connection */
  busy = false;
  private readonly waiting: (() => void)[] = [];
  /** how many of `waiting`, from the front, are reserved */
  private ahead = 0;

  async acquire(reserved = false): Promise<void> {
    if (!this.busy) {
      this.busy = true;
      return;
    }
    await new Promise<void>((r) => {
      if (reserved) this.waiting.splice(this.ahead++, 0, r);
      else this.waiting.push(r);
    });
  }

  /** `acquire`, giving up after `ms` (false: not acquired, and not queued any more). */
  async tryAcquire(ms: number): Promise<boolean> {
    if (!this.busy) {
      this.busy = true;
      return true;
    }
    return new Promise<boolean>((resolve) => {
      const take = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(take);
        if (i >= 0) this.waiting.splice(i, 1);
        resolve(false);
      }, ms);
      this.waiting.push(take);
    });
  }

  release(): void {
    if (this.ahead > 0) this.ahead--;
    const next = this.waiting.shift();
    if (next) next();
    else this.busy = false;
  }
}

interface Cached {
  st: Sqlite.Statement;
  /** column names and declared types (readers) */
  columns: Columns | null;
}

interface Columns {
  names: string[];
  /** as declared (null: undeclared, an expression's type is taken from its values) */
  declared: (ColumnType | null)[];
  /** every column declared: the types of every result (one array, reused) */
  fixed: ColumnType[] | null;
}

/**
 * What one statement gave, before it is shaped for anyone: a reader's rows as better-sqlite3
 * returns them, with their column names and types, or a writer's number of changed rows.
 */
export type Step = { names: string[]; types: ColumnType[]; values: unknown[][] } | number;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function columnsOf(st: Sqlite.Statement): Columns {
  const cols = st.columns();
  const declared = declaredTypes(cols.map((x) => x.type));
  return {
    names: cols.map((x) => x.name),
    declared,
    fixed: declared.every((t) => t !== null) ? (declared as ColumnType[]) : null,
  };
}

/** What this process last saw of the file's write lock. */
interface LockSeen {
  /**
   * since when another process has been seen holding the write lock (the first attempt that
   * found it busy); null once a write or `BEGIN IMMEDIATE` of ours got through
   */
  blockedSince: number | null;
}

/** SQLITE_BUSY, from better-sqlite3 or as a mapped adapter error */
function busyError(e: unknown): boolean {
  const cause = (e as { cause?: { originalCode?: string } }).cause;
  return isBusy(e) || (cause?.originalCode !== undefined && isBusy({ code: cause.originalCode }));
}

/**
 * `f` now, or, while another process holds a lock it needs, again on a timer (the event loop
 * stays free) for up to `timeoutMs`.
 */
async function unlocked<T>(f: () => T, timeoutMs: number, seen?: LockSeen): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (let i = 0; ; i++) {
    try {
      return f();
    } catch (e) {
      if (!busyError(e)) throw e;
      if (seen) seen.blockedSince ??= Date.now();
      if (Date.now() >= until) throw e;
    }
    await sleep(Math.min(50, 1 + i * 2) * (0.5 + Math.random()));
  }
}

/** The connection: statements, the queue, the WAL's durability. */
class Connection {
  readonly lane = new Lane();
  private readonly cache = new Map<string, Cached>();
  /** the current transaction wrote something (its commit needs an fsync) */
  private txWrote = false;

  constructor(
    readonly db: Sqlite.Database,
    readonly wal: WalSync | null,
    readonly checkpointer: Checkpointer | null,
    private readonly busyTimeoutMs: number,
    private readonly maxStatements: number,
  ) {}

  private prepare(sql: string): Cached {
    let c = this.cache.get(sql);
    if (c) {
      this.cache.delete(sql); // most recently used last
    } else {
      const st = this.db.prepare(sql);
      c = { st, columns: null };
      if (this.cache.size >= this.maxStatements) this.cache.delete(this.cache.keys().next().value as string);
    }
    this.cache.set(sql, c);
    return c;
  }

  /** Runs one statement now (the caller has the connection). */
  run(q: SqlQuery, rows: true): SqlResultSet;
  run(q: SqlQuery, rows: false): number;
  run(q: SqlQuery, rows: boolean): SqlResultSet | number {
    try {
      const r = this.step(
        q.sql,
        q.args.map((a, i) => mapArg(a, q.argTypes[i])),
      );
      if (typeof r === 'number') return rows ? { columnNames: [], columnTypes: [], rows: [] } : r;
      if (!rows) return r.values.length;
      // a copy: the types of a statement whose columns are all declared are one array, kept
      return { columnNames: r.names, columnTypes: r.types.slice(), rows: r.values.map((row) => mapRow(row, r.types)) };
    } catch (e) {
      throw toAdapterError(e);
    }
  }

  /**
   * Runs one statement now (the caller has the connection), its arguments as better-sqlite3
   * binds them; better-sqlite3's errors as they are.
   */
  step(sql: string, args: unknown[]): Step {
    const c = this.prepare(sql);
    const st = c.st;
    let changed: boolean;
    let result: Step;
    if (st.reader) {
      c.columns ??= columnsOf(st);
      const cols = c.columns;
      const values = st.raw(true).all(args) as unknown[][];
      changed = values.length > 0;
      result = { names: cols.names, types: cols.fixed ?? resolveTypes(cols.declared, values), values };
    } else {
      const r = st.run(args);
      changed = r.changes > 0;
      result = r.changes;
    }
    // it got through: this process can write (reads go on while another process holds the lock)
    if (!st.readonly || sql === BEGIN) this.lock.blockedSince = null;
    // a statement that changed nothing needs no fsync (BEGIN/COMMIT count as read-only)
    if (!st.readonly && (changed || DDL.test(sql))) {
      if (this.db.inTransaction) this.txWrote = true;
      else this.committed();
    }
    return result;
  }

  /** what this process last saw of the write lock (/healthz: canWrite) */
  readonly lock: LockSeen = { blockedSince: null };

  /** `f` now, or again on a timer while another process holds the lock (up to the busy timeout). */
  unlocked<T>(f: () => T): Promise<T> {
    return unlocked(f, this.busyTimeoutMs, this.lock);
  }

  /** The current transaction ended: its commit, if it wrote, is to be made durable. */
  ended(committed: boolean): void {
    if (committed && this.txWrote) this.committed();
    this.txWrote = false;
  }

  /** A commit was written to the WAL: to be made durable, and perhaps time for a checkpoint. */
  private committed(): void {
    this.wal?.noteCommit();
    this.checkpointer?.committed();
  }

  /** Resolves once everything committed so far is on disk. */
  async durable(): Promise<void> {
    if (this.wal?.pending) await this.wal.durable();
  }
}

export class SqliteTransaction implements Transaction {
  readonly provider = 'sqlite' as const;
  readonly adapterName = ADAPTER_NAME;
  // Prisma sends COMMIT / ROLLBACK as statements, then calls commit() / rollback()
  readonly options = { usePhantomQuery: false };
  private done = false;

  constructor(private readonly c: Connection) {}

  async queryRaw(q: SqlQuery): Promise<SqlResultSet> {
    return this.c.run(q, true);
  }

  async executeRaw(q: SqlQuery): Promise<number> {
    return this.c.run(q, false);
  }

  /** One statement now, in this transaction (sqlite-direct.ts); better-sqlite3's errors as they are. */
  step(sql: string, args: () => unknown[]): Step {
    return this.c.step(sql, args());
  }

  async commit(): Promise<void> {
    if (this.done) return;
    // Prisma has sent COMMIT; should it ever not have, commit here rather than lose the work
    if (this.c.db.inTransaction) {
      try {
        this.c.db.exec('COMMIT');
      } catch (e) {
        throw toAdapterError(e);
      }
    }
    this.end(true);
    await this.c.durable();
  }

  async rollback(): Promise<void> {
    if (this.done) return;
    if (this.c.db.inTransaction) {
      try {
        this.c.db.exec('ROLLBACK');
      } catch {}
    }
    this.end(false);
  }

  /** Gives the connection back (the next transaction starts while this one waits for the disk). */
  private end(committed: boolean): void {
    this.done = true;
    this.c.ended(committed);
    this.c.lane.release();
  }

  async createSavepoint(name: string): Promise<void> {
    this.c.db.exec(`SAVEPOINT ${name}`);
  }

  async rollbackToSavepoint(name: string): Promise<void> {
    this.c.db.exec(`ROLLBACK TO ${name}`);
  }

  async releaseSavepoint(name: string): Promise<void> {
    this.c.db.exec(`RELEASE SAVEPOINT ${name}`);
  }
}

export class SqliteAdapter implements SqlDriverAdapter {
  readonly provider = 'sqlite' as const;
  readonly adapterName = ADAPTER_NAME;

  constructor(readonly c: Connection) {}

  /**
   * One statement outside any transaction, once the connection is free. When it is free now (the
   * usual case), `f` runs at once, without the queue's promises; another process's lock, or a
   * connection in use, take the queue and the timer as before.
   */
  private alone<T>(f: () => T): Promise<T> {
    const c = this.c;
    if (c.lane.busy) return this.queued(f);
    c.lane.busy = true;
    let r: T;
    try {
      r = f();
    } catch (e) {
      if (!busyError(e)) {
        c.lane.release();
        return Promise.reject(e);
      }
      // another process holds the lock: keep the connection, wait on the timer
      c.lock.blockedSince ??= Date.now();
      return this.held(f);
    }
    c.lane.release();
    // a write: durable before its result; a read: what it read is durable
    return c.wal?.pending ? c.durable().then(() => r) : Promise.resolve(r);
  }

  private async queued<T>(f: () => T): Promise<T> {
    await this.c.lane.acquire();
    return this.held(f);
  }

  /** `f` on the connection this caller has, then the connection given back and the result durable. */
  private async held<T>(f: () => T): Promise<T> {
    let r: T;
    try {
      r = await this.c.unlocked(f);
    } finally {
      this.c.lane.release();
    }
    await this.c.durable();
    return r;
  }

  /** One statement outside any transaction (sqlite-direct.ts); better-sqlite3's errors as they are. */
  step(sql: string, args: () => unknown[]): Promise<Step> {
    return this.alone(() => this.c.step(sql, args()));
  }

  queryRaw(q: SqlQuery): Promise<SqlResultSet> {
    return this.alone(() => this.c.run(q, true));
  }

  executeRaw(q: SqlQuery): Promise<number> {
    return this.alone(() => this.c.run(q, false));
  }

  async executeScript(script: string): Promise<void> {
    await this.alone(() => {
      try {
        this.c.db.exec(script);
      } catch (e) {
        throw toAdapterError(e);
      }
      this.c.wal?.noteCommit();
    });
  }

  async startTransaction(level?: IsolationLevel): Promise<Transaction> {
    if (level && level !== 'SERIALIZABLE') {
      throw toAdapterError({ code: 'SQLITE_MISUSE', message: `isolation level ${level} is not supported` });
    }
    await this.c.lane.acquire(inReservedLane());
    try {
      await this.c.unlocked(() => this.c.run({ sql: BEGIN, args: [], argTypes: [] }, false));
    } catch (e) {
      this.c.lane.release();
      throw e;
    }
    return new SqliteTransaction(this.c);
  }

  /**
   * true when this process can write: what /healthz asks (reads go on while another process
   * holds the write lock; commands cannot). False once another process has been seen holding
   * the lock for `waitMs`, until a write of ours gets through again. The answer does not
   * change with what this process happens to be doing at the moment of the question: while
   * our own work has the connection, what that work last saw of the lock answers; while the
   * connection is free, the lock is tried (for up to `waitMs` from when it was first seen held,
   * then once per question, so that reads are not kept waiting).
   */
  async canWrite(waitMs: number): Promise<boolean> {
    const c = this.c;
    const stuck = () => c.lock.blockedSince !== null && Date.now() - c.lock.blockedSince >= waitMs;
    if (c.lane.busy) return !stuck();
    if (!(await c.lane.tryAcquire(waitMs))) return !stuck();
    try {
      for (;;) {
        try {
          c.db.exec(BEGIN);
          c.db.exec('ROLLBACK');
          c.lock.blockedSince = null;
          return true;
        } catch (e) {
          if (!isBusy(e)) return false;
          c.lock.blockedSince ??= Date.now();
          if (stuck()) return false;
        }
        await sleep(20);
      }
    } finally {
      c.lane.release();
    }
  }

  async dispose(): Promise<void> {
    await this.c.lane.acquire();
    try {
      // the thread's connection first: the last one to close checkpoints and removes the WAL
      await this.c.checkpointer?.close();
      this.c.db.close();
    } finally {
      this.c.lane.release();
    }
  }
}

export interface SqliteFactory extends SqlDriverAdapterFactory {
  /** commits and fsyncs (file databases in WAL mode); null for `:memory:` */
  readonly wal: WalSync | null;
  /** the connection Prisma opened (after its first query) */
  readonly adapter: SqliteAdapter | null;
  /** its checkpoint thread's keeper (file databases in WAL mode), once connected */
  readonly checkpointer: Checkpointer | null;
}

/**
 * The factory Prisma's client connects through. `path` is a file or `:memory:`. The
 * connection is set up here: WAL (file databases), `synchronous = NORMAL` with our own fsync
 * (or FULL where WAL is unavailable), the WAL's checkpoints on a thread of their own
 * (sqlite-checkpoint.ts), foreign keys on, busy_timeout 0 (we wait on a timer).
 */
export function sqliteAdapter(path: string, o: SqliteOptions = {}): SqliteFactory {
  const wal = path === ':memory:' ? null : new WalSync(`${path}-wal`);
  let adapter: SqliteAdapter | null = null;
  const busyTimeoutMs = o.busyTimeoutMs ?? 10_000;
  return {
    provider: 'sqlite',
    adapterName: ADAPTER_NAME,
    wal,
    get adapter() {
      return adapter;
    },
    get checkpointer() {
      return adapter?.c.checkpointer ?? null;
    },
    async connect(): Promise<SqlDriverAdapter> {
      const db = new Sqlite(path, { timeout: 0 });
      db.defaultSafeIntegers(true);
      // another process may be creating the file or holding a lock for a moment
      const mode = await unlocked(
        () => String(db.pragma('journal_mode = WAL', { simple: true })).toLowerCase(),
        busyTimeoutMs,
      );
      let walSync: WalSync | null = null;
      let checkpointer: Checkpointer | null = null;
      if (wal && mode === 'wal') {
        db.pragma('synchronous = NORMAL');
        wal.activate();
        walSync = wal;
        if (o.checkpoint !== false) {
          checkpointer = new Checkpointer(path, o.checkpoint);
          // past this, the connection checkpoints itself as before: the bound if the thread lags
          db.pragma(`wal_autocheckpoint = ${checkpointer.bound}`);
        }
      } else {
        db.pragma('synchronous = FULL');
      }
      db.pragma('foreign_keys = ON');
      adapter = new SqliteAdapter(new Connection(db, walSync, checkpointer, busyTimeoutMs, o.statements ?? 500));
      return adapter;
    },
  };
}
