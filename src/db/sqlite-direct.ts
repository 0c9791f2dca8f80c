/**
 * Raw statements of ours on SQLite in one step (issue 19, item 7).
 *
 * direct.ts sends `db.query` / `db.execute` to the driver adapter with the arguments Prisma
 * would hand it (raw-values.ts `encodeArgs`: a Date becomes ISO text, a bigint a string, each
 * with its type), which our SQLite driver then converts for better-sqlite3 (sqlite-convert.ts
 * `mapArg`: the text back to a Date and to ISO text again, the string back to a bigint); the rows
 * come back the same way twice (`mapRow`, then `decodeRows`). Each value was converted twice and
 * each statement went through four or five promises (the adapter's, the availability guard's,
 * the connection queue's, the fsync wait's), each of them paying for the AsyncLocalStorage
 * contexts. Measured: about a third of a report's CPU.
 *
 * Here the two conversions are one (`sqliteArg` is `mapArg(encode(p))`, `sqliteRows` is
 * `decodeRows` of `mapRow` without the result set between them; shortcuts for the common types),
 * and a statement runs at once, synchronously, when nothing stands in its way: in a transaction
 * always (the transaction has the connection), outside one when the connection is free (else the
 * adapter's queue and lock timer, as before), behind the availability guard as before. Values,
 * errors and the order of statements are those of the general path
 * (tests/unit/db/sqlite-direct.test.ts against the composition; direct-raw.test.ts against
 * Prisma's own raw path).
 */
import type { ArgType, ColumnType } from '@prisma/driver-adapter-utils';
import { type Availability, READ } from './availability.ts';
import { decoder, encode, encodeArgs, type PrismaRuntime, rawError } from './raw-values.ts';
import { type SqliteAdapter, SqliteTransaction, type Step } from './sqlite-adapter.ts';
import { mapArg, mapRow, toAdapterError } from './sqlite-convert.ts';

/** A parameter encoded as Prisma encodes it, to be converted by `mapArg` when bound (`bindArgs`). */
class Encoded {
  constructor(
    readonly value: unknown,
    readonly type: ArgType,
  ) {}
}

/**
 * One parameter of `db.query` as better-sqlite3 binds it (`mapArg(encode(p))`), or, when it is
 * not one of the common types, as `encode` makes it, for `bindArgs`.
 */
function sqliteArg(p: unknown, rt: PrismaRuntime): unknown {
  switch (typeof p) {
    case 'string':
      return p;
    case 'number':
      return Number.isFinite(p) ? (p === 0 ? 0 : p) : null;
    case 'boolean':
      return p ? 1 : 0;
    case 'bigint':
      return p;
    case 'undefined':
      return null;
  }
  if (p === null) return null;
  if (p instanceof Date && Object.getPrototypeOf(p) === Date.prototype && !Object.hasOwn(p, 'toJSON')) {
    // encode: toJSON (= toISOString); mapArg: parsed again and written with "+00:00"
    if (!Number.isNaN(p.getTime())) return p.toISOString().replace('Z', '+00:00');
  }
  if (Array.isArray(p)) {
    const { args, argTypes } = encodeArgs([p], rt);
    return new Encoded(args[0], argTypes[0] as ArgType);
  }
  const e = encode(p, rt);
  return new Encoded(e.value, { scalarType: e.type, arity: 'scalar' });
}

/**
 * The parameters of `db.query(runner, sql, ...params)`, in two passes as before: every one
 * encoded here (so an invalid Date is refused as `encodeArgs` refuses it, before the statement
 * is sent), the rare ones left to `bindArgs`, on the connection (where the driver's `mapArg` ran).
 */
export function sqliteArgs(params: readonly unknown[], rt: PrismaRuntime): unknown[] {
  const out = new Array<unknown>(params.length);
  for (let i = 0; i < params.length; i++) out[i] = sqliteArg(params[i], rt);
  return out;
}

/** `sqliteArgs`'s result as better-sqlite3 binds it (in place). */
export function bindArgs(args: unknown[]): unknown[] {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a instanceof Encoded) args[i] = mapArg(a.value, a.type);
  }
  return args;
}

type Decode = (v: unknown) => unknown;

/** How a result's columns are decoded (kept per statement whose column types are all declared). */
interface Plan {
  decoders: (Decode | null)[];
  /** names unique and none `__proto__`: each row one plain object, built in column order */
  plain: boolean;
}

const plans = new WeakMap<readonly ColumnType[], Plan>();

function planOf(names: readonly string[], types: readonly ColumnType[], rt: PrismaRuntime): Plan {
  let p = plans.get(types);
  if (!p) {
    p = {
      decoders: types.map((t) => decoder(t, rt)),
      plain: new Set(names).size === names.length && !names.includes('__proto__'),
    };
    plans.set(types, p);
  }
  return p;
}

/** A reader's rows as `$queryRawUnsafe` returns them: `decodeRows` of `mapRow`. */
export function sqliteRows<T>(r: Exclude<Step, number>, rt: PrismaRuntime): T[] {
  const { names, types, values } = r;
  const { decoders, plain } = planOf(names, types, rt);
  // every value converted before any is decoded: the error thrown first is the same
  for (const row of values) mapRow(row, types);
  const out = new Array<T>(values.length);
  for (let i = 0; i < values.length; i++) {
    const row = values[i] as unknown[];
    const o: Record<string, unknown> = {};
    // decodeRows names every column first (null), then fills them in: the same keys in the same
    // order, unless a name repeats or is __proto__
    if (!plain) for (const n of names) o[n] = null;
    for (let j = 0; j < row.length; j++) {
      const v = row[j];
      const f = decoders[j];
      o[names[j] as string] = v === null || v === undefined || !f ? (v ?? null) : f(v);
    }
    out[i] = o as T;
  }
  return out;
}

/**
 * `db.query` / `db.execute` on SQLite: the statement's promise, or null when `on` is not one of
 * ours (then the general path).
 */
export function sqliteDirect(o: {
  /** where statements outside transactions go (client.ts `target`), and the adapter below it */
  outside: () => unknown;
  adapter: () => SqliteAdapter | null;
  availability: Availability;
  rt: PrismaRuntime;
}): (on: unknown, method: string, sql: string, params: readonly unknown[], rows: boolean) => Promise<unknown> | null {
  const { availability, rt } = o;
  const shape = (r: Step, rows: boolean, method: string): unknown => {
    try {
      if (typeof r === 'number') return rows ? [] : r;
      return rows ? sqliteRows(r, rt) : r.values.length;
    } catch (e) {
      throw rawError(e, method, rt);
    }
  };
  return (on, method, sql, params, rows) => {
    const tx = on instanceof SqliteTransaction ? on : null;
    const adapter = tx ? null : on === o.outside() ? o.adapter() : null;
    if (!tx && !adapter) return null;
    let args: unknown[];
    try {
      args = sqliteArgs(params, rt);
    } catch (e) {
      // as encodeArgs throws it (an invalid Date): not a raw query failure
      return Promise.reject(e);
    }
    if (tx) {
      // the transaction has the connection: now, as its queryRaw would
      let r: Step;
      try {
        r = tx.step(sql, () => bindArgs(args));
      } catch (e) {
        return Promise.reject(rawError(toAdapterError(e), method, rt));
      }
      try {
        return Promise.resolve(shape(r, rows, method));
      } catch (e) {
        return Promise.reject(e);
      }
    }
    const a = adapter as SqliteAdapter;
    // the availability guard, as availability.ts's wrapper runs it
    return availability
      .run(
        () =>
          a
            .step(sql, () => bindArgs(args))
            .catch((e: unknown) => {
              throw toAdapterError(e);
            }),
        READ.test(sql),
      )
      .then(
        (r) => shape(r, rows, method),
        (e: unknown) => {
          throw rawError(e, method, rt);
        },
      );
  };
}
