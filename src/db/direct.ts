/**
 * Raw SQL straight on the driver adapter (issue 19, item 7).
 *
 * `db.query` / `db.execute` used to go through Prisma's `$queryRawUnsafe`: its request pipeline
 * (JSON-encoding the parameters and decoding them again, a query plan, the transaction
 * manager's lookups, the result serialised and deserialised) cost 250–400 µs per statement,
 * about half the CPU of a report, for statements that need none of it. They now go to the same
 * driver adapter Prisma uses, through its public interfaces (@prisma/driver-adapter-utils):
 * - inside a `db.tx`, to the driver `Transaction` Prisma started for that attempt: the factory
 *   below sees `startTransaction` in the caller's async context and puts the transaction in the
 *   attempt's slot (reserved-lane.ts `starting`), which client.ts keeps in its `TxState`;
 * - outside, to the connected adapter (availability.ts's guard included, so "database away" is
 *   still seen and waited for).
 * Arguments, results and errors are made exactly as Prisma makes them (raw-values.ts).
 *
 * The transaction is wrapped here so that we know when it has ended: Prisma ends one by sending
 * COMMIT or ROLLBACK through it (on commit, rollback, or its `timeout`), and a statement after
 * that must fail as Prisma's would — never run: on SQLite the connection is free by then (the
 * statement would run on the bare connection, outside any transaction), on PostgreSQL the
 * connection is back in the pool (it would run in whatever uses it next).
 */

import type {
  IsolationLevel,
  SqlDriverAdapter,
  SqlDriverAdapterFactory,
  SqlQuery,
  SqlResultSet,
  Transaction,
} from '@prisma/driver-adapter-utils';
import { wrapAdapter } from './adapter-wrap.ts';
import { startSlot } from './reserved-lane.ts';

/** How a transaction ended, as Prisma's transaction manager records it. */
export type Ended = 'committed' | 'rolled_back';

/** The driver transaction of one `db.tx` attempt, filled in when Prisma has started it. */
export interface DriverSlot {
  tx?: TrackedTransaction;
}

/** A driver transaction, passed through, that knows when Prisma has ended it. */
export class TrackedTransaction implements Transaction {
  readonly provider: Transaction['provider'];
  readonly adapterName: string;
  readonly options: Transaction['options'];
  /** set the moment Prisma sends COMMIT / ROLLBACK or calls commit() / rollback() */
  ended: Ended | null = null;
  readonly startedAt = Date.now();
  createSavepoint?: (name: string) => Promise<void>;
  rollbackToSavepoint?: (name: string) => Promise<void>;
  releaseSavepoint?: (name: string) => Promise<void>;

  constructor(readonly inner: Transaction) {
    this.provider = inner.provider;
    this.adapterName = inner.adapterName;
    this.options = inner.options;
    if (inner.createSavepoint) this.createSavepoint = (n) => (inner.createSavepoint as (n: string) => Promise<void>)(n);
    if (inner.rollbackToSavepoint)
      this.rollbackToSavepoint = (n) => (inner.rollbackToSavepoint as (n: string) => Promise<void>)(n);
    if (inner.releaseSavepoint)
      this.releaseSavepoint = (n) => (inner.releaseSavepoint as (n: string) => Promise<void>)(n);
  }

  queryRaw(q: SqlQuery): Promise<SqlResultSet> {
    return this.inner.queryRaw(q);
  }

  executeRaw(q: SqlQuery): Promise<number> {
    // marked before it is sent: a statement of ours issued meanwhile must not follow it
    if (q.sql === 'COMMIT') this.ended ??= 'committed';
    else if (q.sql === 'ROLLBACK') this.ended ??= 'rolled_back';
    return this.inner.executeRaw(q);
  }

  commit(): Promise<void> {
    this.ended ??= 'committed';
    return this.inner.commit();
  }

  rollback(): Promise<void> {
    this.ended ??= 'rolled_back';
    return this.inner.rollback();
  }
}

export interface CapturingFactory extends SqlDriverAdapterFactory {
  /** the adapter Prisma connected (null before it connects and after it disposes of it) */
  readonly adapter: SqlDriverAdapter | null;
}

/**
 * The factory Prisma connects through (outermost): transactions are wrapped and put in the
 * starting attempt's slot; the connected adapter is kept for statements outside transactions.
 */
export function capturingFactory(inner: SqlDriverAdapterFactory): CapturingFactory {
  let connected: SqlDriverAdapter | null = null;
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    get adapter() {
      return connected;
    },
    async connect(): Promise<SqlDriverAdapter> {
      const a = await inner.connect();
      const adapter = wrapAdapter(a, {
        async startTransaction(level?: IsolationLevel): Promise<Transaction> {
          const slot = startSlot();
          const t = new TrackedTransaction(await a.startTransaction(level));
          if (slot) slot.tx = t;
          return t;
        },
        dispose: async () => {
          if (connected === a) connected = null;
          await a.dispose();
        },
      });
      connected = a;
      return adapter;
    },
  };
}
