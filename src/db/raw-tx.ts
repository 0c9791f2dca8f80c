/**
 * A transaction of raw statements only (`db.tx(fn, { raw: true })`, issue 19, item 7).
 *
 * On SQLite it is ours: the connection's `BEGIN IMMEDIATE` (the driver's `startTransaction`,
 * through the availability guard, in the caller's lane), the callback's statements straight on
 * that driver transaction (direct.ts, sqlite-direct.ts), then `COMMIT` and the wait for the disk
 * (sqlite-durable.ts) — what Prisma's interactive transaction does around the same driver calls,
 * without its transaction manager, its timers and tracing, and the promises of each (measured:
 * ~0.07 ms of Prisma's own JavaScript per report at the maximum, with the async-hook and garbage
 * collector's work its promises bring on top). Kept as Prisma keeps them:
 * - `maxWait`: a start not had in that time fails as Prisma's does (P2028, tried again by
 *   client.ts); a start that comes later is rolled back at once;
 * - `timeout`: a transaction still open after it is rolled back, and its statements and its end
 *   then fail as Prisma's would (client.ts `target`: the slot's transaction has ended).
 *
 * Because no Prisma transaction exists, a model call (`tx.incident.create(…)`) could not be in
 * it: it would wait for the connection its own transaction holds. So the callback's handle has
 * only the raw methods, and anything else on it fails at once with `RawOnlyTx` — on PostgreSQL
 * too (client.ts), so that a test on either provider catches a model call in such a callback.
 */
import type { SqlDriverAdapter } from '@prisma/driver-adapter-utils';
import { type DriverSlot, TrackedTransaction } from './direct.ts';
import { closedError, type PrismaRuntime } from './raw-values.ts';

export class RawOnlyTx extends Error {
  constructor(what: string) {
    super(
      `\`tx.${what}\` in a transaction of raw statements only (db.tx with \`raw: true\`): use db.query / db.execute ` +
        'or the tagged $queryRaw / $executeRaw, or drop `raw`',
    );
    this.name = 'RawOnlyTx';
  }
}

/**
 * The callback's handle: `methods` (the raw ones), and for anything else a `RawOnlyTx` thrown
 * where it is used. `then` is left undefined (the handle is not a promise).
 */
export function rawOnly(methods: Record<string, unknown>): object {
  return new Proxy(methods, {
    get(m, p) {
      if (typeof p !== 'string' || p === 'then') return undefined;
      if (Object.hasOwn(m, p)) return m[p];
      throw new RawOnlyTx(p);
    },
  });
}

/** Prisma's error for a start not had within `maxWait` (client.ts tries it again). */
function startTimeout(rt: PrismaRuntime, maxWait: number): Error {
  return new rt.PrismaClientKnownRequestError(
    `Transaction API error: Unable to start a transaction in the given time (maxWait ${maxWait} ms).`,
    { code: 'P2028', clientVersion: rt.clientVersion },
  );
}

/**
 * Runs `run` in a driver transaction of `adapter` (put in `slot`, where client.ts sends the raw
 * statements), commits it and waits until it is durable; rolls it back when `run` fails.
 */
export async function ownTransaction<T>(
  adapter: SqlDriverAdapter,
  slot: DriverSlot,
  o: { maxWait: number; timeoutMs: number; rt: PrismaRuntime; run: () => Promise<T> },
): Promise<T> {
  const begun = adapter.startTransaction();
  let waited: NodeJS.Timeout | undefined;
  let late = false;
  let inner: Awaited<typeof begun>;
  try {
    inner = await Promise.race([
      begun,
      new Promise<never>((_, reject) => {
        waited = setTimeout(() => {
          late = true;
          reject(startTimeout(o.rt, o.maxWait));
        }, o.maxWait);
      }),
    ]);
  } catch (e) {
    // a start that comes after its time gives its connection back at once
    if (late) void begun.then((t) => t.rollback()).catch(() => {});
    throw e;
  } finally {
    clearTimeout(waited);
  }
  const t = new TrackedTransaction(inner);
  slot.tx = t;
  const expiry = setTimeout(() => {
    void t.rollback().catch(() => {});
  }, o.timeoutMs);
  try {
    const r = await o.run();
    if (t.ended !== null) {
      // rolled back when its time was up (Prisma: the transaction had expired)
      throw closedError('$transaction', 'timed_out', o.rt, {
        timeout: o.timeoutMs,
        timeTaken: Date.now() - t.startedAt,
      });
    }
    await t.commit();
    return r;
  } catch (e) {
    t.ended ??= 'rolled_back';
    // also after a COMMIT that failed: the connection is given back either way (a no-op once ended)
    await inner.rollback().catch(() => {});
    throw e;
  } finally {
    clearTimeout(expiry);
  }
}
