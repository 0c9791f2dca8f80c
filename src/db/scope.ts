/**
 * What the database layer knows about the code calling it: whether that code runs inside a
 * `db.tx` callback (and which), and the command journal's guard (src/inbox).
 *
 * The rule it enforces, on both providers: **inside a transaction, every statement goes through
 * its `tx`**. A statement on the plain handle (`db.prisma`, `db.query(db.prisma, …)`) or a second
 * `db.tx`, awaited inside a `db.tx` callback, would wait for the connection its own transaction
 * holds on SQLite (one connection, serialised: sqlite-adapter.ts) and on PostgreSQL run outside
 * the transaction on another pooled connection (not seeing its writes, possibly waiting on its
 * locks, and exhausting the pool under load). So it fails at once with `StatementOutsideTx`.
 * Work a transaction starts for afterwards (waking the dispatcher, a purge) is handed to
 * `afterCommit`, which runs it once the transaction has committed, outside its scope.
 */
import { contextSlot } from './async-context.ts';
import type { DriverSlot } from './direct.ts';

/**
 * Work that must commit with the first transaction started in an async scope: the command
 * journal (src/inbox) deletes an acknowledged command's entry in the same transaction as the
 * command's own change, so a crash leaves either both or neither. `run` may throw to abort.
 */
export interface FirstTxGuard {
  pending: boolean;
  run(tx: unknown): Promise<void>;
  /**
   * Guards of one group may run together in one transaction (a batch of reports,
   * group-commit.ts): one statement for all of them instead of one each.
   */
  group?: GuardGroup;
}

/** Runs several guards of its kind at once. */
export interface GuardGroup {
  /** for each guard, in order: null when done, else what its own `run` would have thrown */
  runAll(tx: unknown, guards: readonly FirstTxGuard[]): Promise<(Error | null)[]>;
}

/** A transaction of `db.tx`, while its callback may still issue statements. */
export interface TxState {
  open: boolean;
  /** what afterCommit() queued: run once it has committed */
  readonly after: (() => unknown)[];
  /** the driver transaction Prisma started for it (direct.ts): where db.query sends its statements */
  readonly driver?: DriverSlot;
  /** its `timeout` (ms): a statement after Prisma rolled it back then is refused as Prisma refuses it */
  readonly timeoutMs?: number;
}

interface Scope {
  guard?: FirstTxGuard;
  tx?: TxState;
}

const scope = contextSlot<Scope>('db scope');

export class StatementOutsideTx extends Error {
  constructor(what: string) {
    super(
      `${what} inside a transaction: use its \`tx\` (a statement on the plain database handle would ` +
        'wait for, or run outside, the transaction that waits for it); work for after the commit goes to db.afterCommit',
    );
    this.name = 'StatementOutsideTx';
  }
}

/** The guard of the current scope (src/inbox), if any. */
export function currentGuard(): FirstTxGuard | undefined {
  return scope.get()?.guard;
}

/** Throws when called from inside an open `db.tx` callback. */
export function assertNotInTx(what: string): void {
  if (scope.get()?.tx?.open) throw new StatementOutsideTx(what);
}

/** Runs `fn` as the callback of the transaction `tx` (keeping the current guard). */
export function runInTx<T>(tx: TxState, fn: () => T): T {
  return scope.run({ guard: scope.get()?.guard, tx }, fn);
}

/** Runs `work` with `guard`: its first transaction carries the guard's work (src/inbox). */
export function runWithGuard<T>(guard: FirstTxGuard, work: () => T): T {
  // a new scope inside a transaction's callback would hide that transaction from the rule
  assertNotInTx('a command (the journal’s scope)');
  return scope.run({ guard }, work);
}

/** Runs `fn` outside any transaction's and any guard's scope (background work). */
export function outsideScope<T>(fn: () => T): T {
  return scope.run(undefined, fn);
}

/**
 * Runs `fn` soon, outside every scope; inside a `db.tx` callback, only once that transaction
 * has committed (and never when it rolls back). `fn` reports its own failures.
 */
export function afterCommit(fn: () => unknown): void {
  const tx = scope.get()?.tx;
  if (tx?.open) tx.after.push(fn);
  else detach(fn);
}

/** Runs what a committed transaction queued. */
export function committed(tx: TxState): void {
  tx.open = false;
  for (const fn of tx.after.splice(0)) detach(fn);
}

function detach(fn: () => unknown): void {
  outsideScope(() =>
    setImmediate(() => {
      void Promise.resolve()
        .then(fn)
        .catch(() => {});
    }),
  );
}

const RAW = new Set(['$queryRaw', '$queryRawUnsafe', '$executeRaw', '$executeRawUnsafe']);

/**
 * The plain database handle as callers get it (`db.prisma`): every model call and raw query is
 * checked against the rule above when it is made, in the caller's own async context. (Not in
 * the driver adapter: Prisma batches the queries of one tick together and runs them in the
 * context of the first, which may be another code path's transaction.)
 */
export function checkedClient<T extends object>(
  client: T,
  /** raw methods answered by these instead (client.ts: straight to the driver; they check the rule themselves) */
  direct: Partial<Record<string, (...a: never[]) => unknown>> = {},
): T {
  const models = new Map<string, unknown>();
  const wrap = (target: object, fn: (...a: unknown[]) => unknown, what: string) =>
    function (this: unknown, ...args: unknown[]) {
      assertNotInTx(what);
      return fn.apply(target, args);
    };
  return new Proxy(client, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof prop !== 'string') return v;
      const d = direct[prop];
      if (d) return d;
      if (RAW.has(prop) && typeof v === 'function')
        return wrap(target, v as (...a: unknown[]) => unknown, 'a statement on the database handle');
      if (prop.startsWith('$') || v === null || typeof v !== 'object') return v;
      let model = models.get(prop);
      if (!model) {
        const methods = new Map<string | symbol, unknown>();
        model = new Proxy(v, {
          get(m, name, r) {
            const f = Reflect.get(m, name, r) as unknown;
            if (typeof f !== 'function') return f;
            let w = methods.get(name);
            if (!w) {
              w = wrap(m, f as (...a: unknown[]) => unknown, 'a statement on the database handle');
              methods.set(name, w);
            }
            return w;
          },
        });
        models.set(prop, model);
      }
      return model;
    },
  });
}
