/**
 * The database handle: one Prisma Client per provider (generated from the same models), a
 * transaction helper that behaves the same on SQLite and PostgreSQL, and raw SQL with the
 * provider's placeholders.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SqlQueryable } from '@prisma/driver-adapter-utils';
import { Availability, DatabaseUnavailable, guardedFactory, unavailable } from './availability.ts';
import { type CapturingFactory, capturingFactory, type DriverSlot } from './direct.ts';
import type { Prisma, PrismaClient as SqliteClient } from './generated/sqlite/client.ts';
import { statementNames } from './pg-statements.ts';
import { type Provider, providerOf, sqlitePath } from './provider.ts';
import { queryCompilerModule } from './query-compiler.ts';
import { ownTransaction, RawOnlyTx, rawOnly } from './raw-tx.ts';
import { closedError, decodeRows, encodeArgs, type PrismaRuntime, rawError } from './raw-values.ts';
import { laneFactory, starting } from './reserved-lane.ts';
import { afterCommit, assertNotInTx, checkedClient, committed, currentGuard, runInTx, type TxState } from './scope.ts';
import { type SqliteFactory, sqliteAdapter } from './sqlite-adapter.ts';
import type { Checkpointer } from './sqlite-checkpoint.ts';
import { sqliteDirect } from './sqlite-direct.ts';
import type { DurabilityStats } from './sqlite-durable.ts';
import { baselineWasmOnly } from './wasm.ts';

/** The client type our code is written against (both generated clients have this shape). */
export type Prisma$ = SqliteClient;
export type Tx = Prisma.TransactionClient;
export type { Provider } from './provider.ts';

export interface Database {
  readonly provider: Provider;
  readonly prisma: Prisma$;
  /**
   * Runs `fn` in one transaction. On SQLite it first takes the write lock (so several
   * processes on one file queue for it instead of failing on upgrade); on both it retries a
   * few times on lock timeouts, deadlocks and serialisation failures. Inside `fn` every
   * statement goes through `tx` (scope.ts: anything else fails at once).
   */
  tx<T>(fn: (tx: Tx) => Promise<T>, opts?: TxOptions): Promise<T>;
  /** false while the database cannot be reached (availability.ts): /healthz says 503 */
  readonly available: boolean;
  /**
   * Runs `fn` once the current transaction has committed (at once, outside a transaction),
   * outside every transaction's scope: work a transaction starts for afterwards.
   */
  afterCommit(fn: () => unknown): void;
  /** Raw SQL written with `?` placeholders, rewritten to `$n` on PostgreSQL. */
  query<T = Record<string, unknown>>(runner: Tx | Prisma$, sql: string, ...params: unknown[]): Promise<T[]>;
  execute(runner: Tx | Prisma$, sql: string, ...params: unknown[]): Promise<number>;
  /**
   * How the raw statements went (direct.ts): straight to the driver adapter, or through Prisma
   * (a handle not ours, nothing connected, ALTER on PostgreSQL). The seam test holds it to
   * "all direct", so that an adapter interface that changed under us is seen.
   */
  readonly rawPaths: { direct: number; prisma: number };
  /** true when the database answers */
  ping(): Promise<boolean>;
  /** SQLite file databases: commits and the fsyncs that made them durable (sqlite-durable.ts) */
  readonly durability?: { readonly stats: DurabilityStats; readonly pending: boolean };
  /** SQLite file databases in WAL mode: the WAL checkpoint thread's keeper (sqlite-checkpoint.ts), once connected */
  readonly checkpointer?: Checkpointer | null;
  close(): Promise<void>;
}

export interface TxOptions {
  /**
   * How long this transaction may wait for the database, all tries together (default 60 s):
   * locks held by others, the database away. A request that must be journalled before the
   * platform's deadline gives a short one.
   */
  waitMs?: number;
  /**
   * In the reserved lane (reserved-lane.ts): on PostgreSQL the transaction takes its connection
   * from a small pool of its own, never queueing behind the main pool. For the short
   * transactions that answer a platform before its deadline. (SQLite: one writer at a time
   * either way.)
   */
  reserved?: boolean;
  /** How long the transaction may run once started (default 60 s; Prisma rolls it back after). */
  timeoutMs?: number;
  /**
   * Every statement of the callback is raw SQL (`db.query` / `db.execute`, tagged `$queryRaw` /
   * `$executeRaw`); a model call on its `tx` fails at once with `RawOnlyTx`, on both providers.
   * On SQLite the transaction is then ours (BEGIN IMMEDIATE … COMMIT on the connection, raw-tx.ts)
   * instead of Prisma's interactive transaction, whose own machinery cost a report batch or an
   * admission more than their statements' JavaScript (issue 19, item 7).
   */
  raw?: boolean;
}

/** Connections of the reserved lane, per process (PostgreSQL). */
const RESERVED_CONNECTIONS = 2;

/**
 * How long a transaction may run once started when it names no `timeoutMs`: one value for
 * Prisma's interactive transaction and for ours (raw-tx.ts), and for the "expired" error both give.
 */
const TX_TIMEOUT_MS = 60_000;

export { DatabaseUnavailable, databaseAway } from './availability.ts';
export { runWithGuard } from './scope.ts';
export { RawOnlyTx };

// Deadlocks, serialisation failures, busy SQLite, and a transaction that could not start in
// time (every pooled connection busy under a burst: nothing ran, so trying again is safe —
// failing would lose a command that was already acknowledged).
// A transaction that ran past its time (Prisma's `timeout`) was rolled back by Prisma: nothing of
// it committed, so it too is tried again while time is left, and is "the database could not be
// had in time" after that (an acknowledged command then stays in the journal and runs again,
// instead of being dropped with an error: seen in the chaos test at load 11-18, a report waiting
// on the busy pool past 60 s).
const RETRYABLE =
  /P2034|P1008|SocketTimeout|SQLITE_BUSY|database is locked|deadlock detected|could not serialize|40001|40P01|Unable to start a transaction in the given time|Transaction not found|Transaction already closed|expired transaction/i;

/**
 * Starts what opening `url`'s database will wait for, in the background: the compile of its
 * client's query compiler (query-compiler.ts). createApp calls it first, so that the compile
 * runs while the migrations are checked and the modules load.
 */
export function prepareDatabase(url: string): void {
  void queryCompilerModule(providerOf(url));
}

export async function openDatabase(
  url: string,
  opts: {
    busyTimeoutMs?: number;
    poolSize?: number;
    /** PostgreSQL: how long a statement waits for a connection of the pool (default 10 s) */
    connectTimeoutMs?: number;
    /** PostgreSQL: false sends every statement unnamed (pg-statements.ts; default named) */
    preparedStatements?: boolean;
    /** SQLite: where the WAL checkpoint thread's failures are told (default: a process warning) */
    log?: { warn(obj: object, msg: string): void };
  } = {},
): Promise<Database> {
  const provider = providerOf(url);
  let prisma: Prisma$;
  let sqlite: SqliteFactory | undefined;
  /** the adapter below Prisma, where raw statements go (direct.ts) */
  let capture: CapturingFactory;
  let rt: PrismaRuntime;
  /** Prisma's raw SQL fragment (what a tagged template builds) */
  let Sql: SqlClass;
  /** PostgreSQL: the pool's state, said when a transaction gives up (busy, or the database away) */
  let poolState = (): string | undefined => undefined;
  const availability = new Availability();
  let closeProbes = async (): Promise<void> => {};
  baselineWasmOnly();
  if (provider === 'sqlite') {
    const path = sqlitePath(url);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    // Only the provider in use is loaded: each generated client brings its own query compiler
    // (WebAssembly), and each adapter its driver.
    prepareDatabase(url);
    const { PrismaClient, Prisma } = await import('./generated/sqlite/client.ts');
    rt = runtimeOf(Prisma);
    Sql = Prisma.Sql as unknown as SqlClass;
    const log = opts.log;
    sqlite = sqliteAdapter(path, {
      busyTimeoutMs: opts.busyTimeoutMs ?? 10_000,
      ...(log && {
        checkpoint: {
          onError: (err: Error) =>
            log.warn(
              { err },
              'SQLite checkpoint thread failed; the connection checkpoints itself until a new one runs',
            ),
        },
      }),
    });
    capture = capturingFactory(guardedFactory(sqlite, availability));
    prisma = new PrismaClient({ adapter: capture });
  } else {
    prepareDatabase(url);
    const [{ PrismaPg }, { PrismaClient, Prisma }, { default: pg }] = await Promise.all([
      import('@prisma/adapter-pg'),
      import('./generated/postgresql/client.ts'),
      import('pg'),
    ]);
    // our own pool, so that every connection has an error listener for as long as it lives: a
    // server that goes down sends "terminating connection" to connections checked out between
    // two statements too, and an 'error' event nobody listens to would end the process (the
    // statement that meets the dead connection fails, and availability.ts takes over)
    const newPool = (max: number) => {
      const pool = new pg.Pool({
        connectionString: url,
        max,
        connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
      });
      pool.on('error', () => {});
      pool.on('connect', (client) => client.on('error', () => {}));
      return pool;
    };
    // the main pool, and a small one of its own for the reserved lane (reserved-lane.ts)
    const pool = newPool(opts.poolSize ?? 10);
    const spare = newPool(RESERVED_CONNECTIONS);
    const use = (p: InstanceType<typeof pg.Pool>) =>
      `${p.totalCount - p.idleCount} of ${p.options.max} connections in use, ${p.waitingCount} waiting`;
    poolState = () => `pool: ${use(pool)}; reserved: ${use(spare)}`;
    const free = (p: InstanceType<typeof pg.Pool>) =>
      p.waitingCount === 0 && (p.idleCount > 0 || p.totalCount < (p.options.max ?? 10));
    // named statements (pg-statements.ts): parsed once per connection, not at every execution
    const names = opts.preparedStatements === false ? () => '' : statementNames();
    const pgOptions = { disposeExternalPool: true, statementNameGenerator: (q: { sql: string }) => names(q.sql) ?? '' };
    const adapter = laneFactory(
      new PrismaPg(pool, pgOptions),
      new PrismaPg(spare, pgOptions),
      // the main pool while it has room (a burst is not held to two connections); else the
      // reserved one, or whichever has the shorter queue when both are full
      () => (free(pool) ? 'main' : free(spare) || spare.waitingCount <= pool.waitingCount ? 'spare' : 'main'),
    );
    // the availability probe asks on a connection of its own: pg-pool's "timeout exceeded when
    // trying to connect" also means "every connection of the pool is in use", and a probe queued
    // behind them kept the database counted as away (and /healthz down) while it answered
    const probes = newPool(1);
    closeProbes = () => probes.end();
    rt = runtimeOf(Prisma);
    Sql = Prisma.Sql as unknown as SqlClass;
    capture = capturingFactory(guardedFactory(adapter, availability, () => probes.query('SELECT 1')));
    prisma = new PrismaClient({ adapter: capture }) as unknown as Prisma$;
  }
  await prisma.$connect();
  const durability = sqlite?.wal ?? undefined;
  const rewrite = (sql: string) => {
    if (provider === 'sqlite') return sql;
    let n = 0;
    return sql.replace(/\?/g, () => `$${++n}`);
  };
  /** the state of each transaction, by the `tx` its callback was given */
  const txStates = new WeakMap<object, TxState>();
  const rawPaths = { direct: 0, prisma: 0 };
  /** SQLite: our own connection's statements in one step (sqlite-direct.ts) */
  const fast = sqlite
    ? sqliteDirect({
        outside: () => capture.adapter,
        adapter: () => sqlite?.adapter ?? null,
        availability,
        rt,
      })
    : null;
  /** One statement sent straight to `on`, values and errors as Prisma's raw path makes them. */
  const direct = (
    on: SqlQueryable,
    method: string,
    sql: string,
    params: readonly unknown[],
    rows: boolean,
  ): Promise<unknown> => {
    rawPaths.direct++;
    return fast?.(on, method, sql, params, rows) ?? general(on, method, sql, params, rows);
  };
  const general = async (on: SqlQueryable, method: string, sql: string, params: readonly unknown[], rows: boolean) => {
    const q = { sql, ...encodeArgs(params, rt) };
    try {
      return rows ? decodeRows(await on.queryRaw(q), rt) : await on.executeRaw(q);
    } catch (e) {
      throw rawError(e, method, rt);
    }
  };
  /**
   * `$queryRaw` / `$executeRaw` (the tagged templates, and Prisma.sql fragments) of a handle,
   * direct as `db.query` is; `prismaOf` is Prisma's own handle, for what stays Prisma's.
   */
  const tagged =
    (runner: object, prismaOf: Tx | Prisma$, rows: boolean) =>
    // not async (one promise less per statement); whatever it refuses is a rejected promise
    (query: unknown, ...values: unknown[]): Promise<unknown> => {
      const method = rows ? '$queryRaw' : '$executeRaw';
      let s: SqlFragment | null;
      let sql: string | null;
      let on: SqlQueryable | null;
      try {
        if (runner === prisma) assertNotInTx('a statement on the database handle');
        s =
          Array.isArray(query) && (query as { raw?: unknown }).raw !== undefined
            ? new Sql(query as readonly string[], values)
            : query instanceof Sql
              ? query
              : null;
        sql = s && (provider === 'sqlite' ? s.sql : s.text);
        on = s && sql !== null ? target(runner as Tx, method, sql, s.values.length) : null;
        if (!s || sql === null || !on) {
          rawPaths.prisma++;
          // Prisma's promises are lazy: resolved here so that it runs whether or not the caller awaits
          return Promise.resolve(
            (prismaOf[method] as (q: unknown, ...v: unknown[]) => Promise<unknown>)(query, ...values),
          );
        }
      } catch (e) {
        return Promise.reject(e);
      }
      return direct(on, method, sql, s.values, rows);
    };
  /**
   * Where a raw statement on `runner` goes (direct.ts): the driver transaction of its `db.tx`, or
   * the adapter outside transactions; null: through Prisma (a handle we do not know, or none
   * connected). Refuses as Prisma would a statement on a transaction that has ended.
   */
  const target = (runner: Tx | Prisma$, method: string, sql: string, n: number): SqlQueryable | null => {
    // Prisma refuses ALTER with parameters on PostgreSQL (rawQueryArgsMapper.ts): let it
    if (provider === 'postgresql' && n > 0 && /^\s*alter\s/i.test(sql)) return null;
    if (runner === db.prisma || runner === prisma) {
      assertNotInTx('a statement on the database handle');
      return capture.adapter;
    }
    const state = txStates.get(runner);
    const t = state?.driver?.tx;
    if (!state || !t) return null;
    if (t.ended === null && state.open) return t.inner;
    const how = t.ended ?? 'committed';
    const taken = Date.now() - t.startedAt;
    if (how === 'rolled_back' && state.timeoutMs !== undefined && taken >= state.timeoutMs)
      throw closedError(method, 'timed_out', rt, { timeout: state.timeoutMs, timeTaken: taken });
    throw closedError(method, how, rt);
  };
  const db: Database = {
    provider,
    rawPaths,
    prisma: checkedClient(prisma, {
      $queryRaw: tagged(prisma, prisma, true),
      $executeRaw: tagged(prisma, prisma, false),
    }),
    ...(durability?.active ? { durability } : {}),
    get checkpointer() {
      return sqlite?.checkpointer ?? null;
    },
    get available() {
      return availability.available;
    },
    async tx(fn, o = {}) {
      assertNotInTx('a second transaction (db.tx)');
      const guard = currentGuard();
      const deadline = Date.now() + (o.waitMs ?? 60_000);
      const timeoutMs = o.timeoutMs ?? TX_TIMEOUT_MS;
      for (let attempt = 1; ; attempt++) {
        let guarded = false;
        const slot: DriverSlot = {};
        const state: TxState = { open: true, after: [], driver: slot, timeoutMs };
        try {
          const left = deadline - Date.now();
          if (left <= 0 || (!availability.available && left < 1000))
            throw new DatabaseUnavailable(undefined, poolState());
          const maxWait = Math.min(30_000, left);
          // the callback's body, on its handle (Prisma's, or ours: `raw` on SQLite)
          const body = (tx: Tx) => {
            txStates.set(tx, state);
            return runInTx(state, async () => {
              if (guard?.pending) {
                guard.pending = false;
                guarded = true;
                await guard.run(tx);
              }
              return fn(tx);
            });
          };
          const own = o.raw === true && sqlite !== undefined ? capture.adapter : null;
          const start = () =>
            own
              ? ownTransaction(own, slot, {
                  maxWait,
                  timeoutMs,
                  rt,
                  run: () => {
                    // raw statements only: they go to the driver transaction put in `slot`
                    const methods: Record<string, unknown> = {};
                    const tx = rawOnly(methods) as Tx;
                    methods.$queryRaw = tagged(tx, rawOnly({}) as Tx, true);
                    methods.$executeRaw = tagged(tx, rawOnly({}) as Tx, false);
                    return body(tx);
                  },
                })
              : prisma.$transaction(
                  (prismaTx) => {
                    // the callback's handle: Prisma's, with its tagged raw SQL direct (the rest is Prisma's)
                    const queryRaw = (...a: unknown[]) => q(...(a as [unknown]));
                    const executeRaw = (...a: unknown[]) => e(...(a as [unknown]));
                    const tx = new Proxy(prismaTx, {
                      get: (t, p, r) => {
                        if (p === '$queryRaw') return queryRaw;
                        if (p === '$executeRaw') return executeRaw;
                        // `raw` promised raw SQL only: a model call fails here too (as on SQLite's own transaction)
                        if (o.raw && typeof p === 'string' && !p.startsWith('$') && p !== 'then')
                          throw new RawOnlyTx(p);
                        return Reflect.get(t, p, r);
                      },
                    });
                    const q = tagged(tx, prismaTx, true);
                    const e = tagged(tx, prismaTx, false);
                    return body(tx);
                  },
                  { maxWait, timeout: timeoutMs },
                );
          const r = await starting({ reserved: o.reserved === true, by: Date.now() + maxWait, slot }, start);
          committed(state);
          return r;
        } catch (e) {
          state.open = false;
          if (guarded && guard) guard.pending = true; // rolled back: the next transaction carries it
          // the database went away: wait for it (the next start waits in availability.ts)
          const away = unavailable(e) !== null;
          if (away) availability.lost();
          const retryable =
            away || RETRYABLE.test(String((e as Error)?.message) + String((e as { code?: string })?.code));
          if (!retryable) throw e;
          // the database could not be had in the time given (away, or locked by others throughout),
          // or every retry met a lock: nothing of this transaction committed
          if (Date.now() >= deadline || (!away && attempt >= 8)) throw new DatabaseUnavailable(e, poolState());
          await new Promise((r) => setTimeout(r, Math.random() * 20 * 2 ** Math.min(attempt, 6)));
        }
      }
    },
    afterCommit,
    // not async: one promise per statement, not three (each pays for the AsyncLocalStorage
    // contexts); a refusal is still a rejected promise, never a throw
    query<T>(runner: Tx | Prisma$, sql: string, ...params: unknown[]): Promise<T[]> {
      let on: SqlQueryable | null;
      try {
        on = target(runner, '$queryRawUnsafe', sql, params.length);
      } catch (e) {
        return Promise.reject(e);
      }
      if (!on) {
        rawPaths.prisma++;
        // Prisma's promises are lazy: resolved here so that it runs whether or not the caller awaits
        return Promise.resolve(runner.$queryRawUnsafe(rewrite(sql), ...params)) as Promise<T[]>;
      }
      return direct(on, '$queryRawUnsafe', rewrite(sql), params, true) as Promise<T[]>;
    },
    execute(runner, sql, ...params): Promise<number> {
      let on: SqlQueryable | null;
      try {
        on = target(runner, '$executeRawUnsafe', sql, params.length);
      } catch (e) {
        return Promise.reject(e);
      }
      if (!on) {
        rawPaths.prisma++;
        return Promise.resolve(runner.$executeRawUnsafe(rewrite(sql), ...params));
      }
      return direct(on, '$executeRawUnsafe', rewrite(sql), params, false) as Promise<number>;
    },
    async ping() {
      try {
        // SQLite: reads go on while another process holds the write lock, commands cannot
        if (sqlite?.adapter) return await sqlite.adapter.canWrite(1000);
        return await availability.check();
      } catch {
        return false;
      }
    },
    async close() {
      await prisma.$disconnect();
      await closeProbes().catch(() => {});
    },
  };
  return db;
}

/** What raw-values.ts builds values and errors with, from a generated client's namespace. */
function runtimeOf(ns: {
  PrismaClientKnownRequestError: unknown;
  PrismaClientValidationError: unknown;
  Decimal: unknown;
  prismaVersion: { client: string };
}): PrismaRuntime {
  return {
    PrismaClientKnownRequestError: ns.PrismaClientKnownRequestError as PrismaRuntime['PrismaClientKnownRequestError'],
    PrismaClientValidationError: ns.PrismaClientValidationError as PrismaRuntime['PrismaClientValidationError'],
    Decimal: ns.Decimal as PrismaRuntime['Decimal'],
    clientVersion: ns.prismaVersion.client,
  };
}

/** Prisma's `Sql` (runtime.Sql): a template's text with `?` (`sql`) or `$n` (`text`) and its values. */
interface SqlFragment {
  readonly sql: string;
  readonly text: string;
  readonly values: unknown[];
}
type SqlClass = new (strings: readonly string[], values: readonly unknown[]) => SqlFragment;
