/**
 * A reserved lane for the transactions that must not queue behind everything else.
 *
 * A platform request is journalled in one short transaction before it is acknowledged, within
 * the platform's deadline (src/inbox/journal.ts `admit`). On PostgreSQL every transaction takes a
 * connection from the pool, first come first served. When the database comes back after an
 * outage, the work that waited for it (commands run again, the dispatcher, the scheduler) asks
 * for connections all at once: measured in tests/e2e/db-outage at load 12, 10 of 10 in use and
 * 60–87 waiting, for about 5 s. A request arriving then was answered "please try again" although
 * the database was up.
 *
 * So transactions started with `db.tx(fn, { reserved: true })` take their connection from a small pool of
 * their own; everything else uses the main pool. Both are plain driver adapters behind Prisma's
 * public `SqlDriverAdapterFactory` interface: this factory connects both and, when Prisma starts
 * a transaction, picks the adapter by the caller's async context.
 *
 * On SQLite there is one connection and no second pool: a reserved transaction waits only for
 * the transaction that has the connection and goes ahead of the ordinary ones queued for it
 * (sqlite-adapter.ts `Lane`).
 */

import type { SqlDriverAdapter, SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { wrapAdapter } from './adapter-wrap.ts';
import { contextSlot } from './async-context.ts';
import type { DriverSlot } from './direct.ts';

/**
 * What the caller of `db.tx` wants of the transaction's start, seen by the driver adapters below
 * Prisma: the lane, and the time after which the caller has given up on it (Prisma's `maxWait`).
 */
interface Start {
  reserved: boolean;
  by: number;
  /** where the driver transaction Prisma starts for this caller is put (direct.ts) */
  slot?: DriverSlot;
}

const start = contextSlot<Start>('transaction start');

/** Runs `fn` (which starts one transaction) with these wishes for its start. */
export function starting<T>(s: Start, fn: () => Promise<T>): Promise<T> {
  return start.run(s, fn);
}

/** Whether the caller runs in the reserved lane. */
export function inReservedLane(): boolean {
  return start.get()?.reserved === true;
}

/** The slot of the transaction being started in the caller's context (direct.ts), if any. */
export function startSlot(): DriverSlot | undefined {
  return start.get()?.slot;
}

/**
 * When the caller gives up waiting for its transaction to start (epoch ms), if it said so. A
 * start still waiting for the database after that is abandoned instead of going on: Prisma has
 * already answered the caller, and a start that went on would only take a connection (in the
 * worst case a reserved one) when the database comes back, to be rolled back at once.
 */
export function startDeadline(): number | undefined {
  return start.get()?.by;
}

/**
 * One factory over two: statements outside transactions and ordinary transactions go to `main`;
 * a transaction started in the reserved lane goes where `choose` says (the main pool while it has
 * a connection free and nobody waiting, so that a burst of requests is not held to the reserved
 * pool's few connections; the reserved pool otherwise).
 */
export function laneFactory(
  main: SqlDriverAdapterFactory,
  spare: SqlDriverAdapterFactory,
  choose: () => 'main' | 'spare' = () => 'spare',
): SqlDriverAdapterFactory {
  return {
    provider: main.provider,
    adapterName: main.adapterName,
    async connect(): Promise<SqlDriverAdapter> {
      const [a, b] = await Promise.all([main.connect(), spare.connect()]);
      return wrapAdapter(a, {
        startTransaction: (level) => (inReservedLane() && choose() === 'spare' ? b : a).startTransaction(level),
        dispose: async () => {
          await Promise.all([a.dispose(), b.dispose()]);
        },
      });
    },
  };
}
