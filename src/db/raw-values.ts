/**
 * Raw SQL's values and errors as Prisma's `$queryRawUnsafe` / `$executeRawUnsafe` make them, for
 * the statements we send straight to the driver adapter (direct.ts): the same arguments reach
 * the adapter, the same JavaScript values come back, the same errors are thrown.
 *
 * Written from @prisma/client 7.10.0's runtime (its sources ship in
 * node_modules/@prisma/client/runtime/client.js.map): serializeRawParameters.ts and
 * deserializeRawParameters.ts (the parameters, through JSON and back, folded into one pass),
 * client-engine-runtime's serialize-sql.ts `serializeRawSql` with deserializeRawResults.ts (the
 * rows), user-facing-error.ts `rethrowAsUserFacingRawError` and transaction-manager-error.ts
 * (the errors). tests/unit/db/direct-raw.test.ts holds both paths to the same answers.
 */
import type { ArgScalarType, ArgType, SqlResultSet } from '@prisma/driver-adapter-utils';
import { ColumnTypeEnum, isDriverAdapterError } from '@prisma/driver-adapter-utils';

/** What Prisma's runtime exports that the values and errors are built with (both clients share it). */
export interface PrismaRuntime {
  PrismaClientKnownRequestError: new (
    message: string,
    o: { code: string; clientVersion: string; meta?: Record<string, unknown> },
  ) => Error;
  PrismaClientValidationError: new (message: string, o: { clientVersion: string }) => Error;
  Decimal: new (v: string) => unknown;
  clientVersion: string;
}

const SCALAR = { bigint: 'bigint', date: 'datetime', decimal: 'decimal', bytes: 'bytes' } as const;

/** One parameter as Prisma hands it to the adapter, with its type. */
export function encode(p: unknown, rt: PrismaRuntime): { value: unknown; type: ArgScalarType } {
  // the JSON round trip: undefined, NaN and ±Infinity become null
  if (p === undefined || (typeof p === 'number' && !Number.isFinite(p))) return { value: null, type: 'unknown' };
  if (p === null || typeof p === 'boolean') return { value: p, type: 'unknown' };
  if (typeof p === 'number') return { value: p === 0 ? 0 : p, type: 'decimal' }; // JSON has no -0
  if (typeof p === 'string') return { value: p, type: 'string' };
  if (typeof p === 'bigint') return { value: p.toString(), type: SCALAR.bigint };
  if (p instanceof Date || Object.prototype.toString.call(p) === '[object Date]') {
    const d = p as Date;
    if (Number.isNaN(d.getTime()))
      throw new rt.PrismaClientValidationError('Provided Date object is invalid', { clientVersion: rt.clientVersion });
    return { value: d.toJSON(), type: SCALAR.date };
  }
  if (isDecimal(p)) return { value: (p as { toJSON(): string }).toJSON(), type: SCALAR.decimal };
  if (Buffer.isBuffer(p)) return { value: p.toString('base64'), type: SCALAR.bytes };
  if (p instanceof ArrayBuffer || p instanceof SharedArrayBuffer || bufferTag(p))
    return { value: Buffer.from(p as ArrayBuffer).toString('base64'), type: SCALAR.bytes };
  if (ArrayBuffer.isView(p))
    return { value: Buffer.from(p.buffer, p.byteOffset, p.byteLength).toString('base64'), type: SCALAR.bytes };
  if (typeof p === 'object') return { value: objectJson(p), type: 'unknown' };
  // a function or symbol: JSON.stringify leaves it out of an array as null
  return { value: null, type: 'unknown' };
}

function isDecimal(p: unknown): boolean {
  // decimal.js's own test (Decimal.isDecimal), without importing the class
  return (
    typeof p === 'object' && p !== null && (p as { constructor?: { name?: string } }).constructor?.name === 'Decimal'
  );
}

function bufferTag(p: unknown): boolean {
  const tag =
    typeof p === 'object' && p !== null ? (p as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] : null;
  return tag === 'ArrayBuffer' || tag === 'SharedArrayBuffer';
}

/** An object parameter as text: JSON, with big integers inside written as strings (Prisma's 'slow' path). */
function objectJson(o: object): string {
  try {
    return JSON.stringify(o);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    return JSON.stringify(preprocess(o));
  }
}

function preprocess(o: unknown): unknown {
  if (typeof o !== 'object' || o === null) return o;
  if (typeof (o as { toJSON?: unknown }).toJSON === 'function') return (o as { toJSON(): unknown }).toJSON();
  const inner = (v: unknown) => (typeof v === 'bigint' ? v.toString() : preprocess(v));
  if (Array.isArray(o)) return o.map(inner);
  const r: Record<string, unknown> = {};
  for (const k of Object.keys(o)) r[k] = inner((o as Record<string, unknown>)[k]);
  return r;
}

/** The parameters of `$queryRawUnsafe(sql, ...params)` as the adapter receives them. */
export function encodeArgs(params: readonly unknown[], rt: PrismaRuntime): { args: unknown[]; argTypes: ArgType[] } {
  const args: unknown[] = [];
  const argTypes: ArgType[] = [];
  for (const p of params) {
    if (Array.isArray(p)) {
      const items = p.map((x) => (Array.isArray(x) ? encodeList(x, rt) : encode(x, rt)));
      args.push(items.map((i) => i.value));
      argTypes.push({ scalarType: items.length > 0 ? (items[0]?.type ?? 'unknown') : 'unknown', arity: 'list' });
    } else {
      const e = encode(p, rt);
      args.push(e.value);
      argTypes.push({ scalarType: e.type, arity: 'scalar' });
    }
  }
  return { args, argTypes };
}

// a list inside a list: values decoded as Prisma does, its type unknown
function encodeList(p: unknown[], rt: PrismaRuntime): { value: unknown; type: ArgScalarType } {
  return { value: p.map((x) => (Array.isArray(x) ? encodeList(x, rt).value : encode(x, rt).value)), type: 'unknown' };
}

type Decode = (v: unknown) => unknown;

const int32: Decode = (v) => (typeof v === 'number' ? Math.trunc(v) : Math.trunc(Number(v)));
const int64: Decode = (v) => (typeof v === 'number' ? BigInt(Math.trunc(v)) : BigInt(v as string));
const bool: Decode = (v) => (typeof v === 'boolean' ? v : typeof v === 'number' ? v === 1 : v === 'true' || v === '1');
const date: Decode = (v) => new Date(v as string);
const bytes: Decode = (v) => new Uint8Array(Buffer.from(v as string, 'base64'));
const json: Decode = (v) => JSON.parse(v as string);
const list =
  (f: Decode): Decode =>
  (v) =>
    (v as unknown[]).map((x) => (x === null ? null : f(x)));

/** How one column's values are decoded, by its type; null: as they are. */
export function decoder(type: number, rt: PrismaRuntime): Decode | null {
  switch (type) {
    case ColumnTypeEnum.Int32:
      return int32;
    case ColumnTypeEnum.Int64:
      return int64;
    case ColumnTypeEnum.Boolean:
      return bool;
    case ColumnTypeEnum.Json:
      return json;
    case ColumnTypeEnum.DateTime:
    case ColumnTypeEnum.Date:
      return date;
    case ColumnTypeEnum.Time:
      return (v) => new Date(`1970-01-01T${v}Z`);
    case ColumnTypeEnum.Bytes:
      return bytes;
    case ColumnTypeEnum.Numeric:
      return (v) => new rt.Decimal(v as string);
    case ColumnTypeEnum.Int32Array:
      return list(int32);
    case ColumnTypeEnum.Int64Array:
      return list(int64);
    case ColumnTypeEnum.BooleanArray:
      return list(bool);
    case ColumnTypeEnum.JsonArray:
      return list(json);
    case ColumnTypeEnum.DateTimeArray:
    case ColumnTypeEnum.DateArray:
      return list(date);
    case ColumnTypeEnum.TimeArray:
      return list((v) => new Date(`1970-01-01T${v}Z`));
    case ColumnTypeEnum.BytesArray:
      return list(bytes);
    case ColumnTypeEnum.NumericArray:
      return list((v) => new rt.Decimal(v as string));
    default:
      return null;
  }
}

/** The rows of a result set as `$queryRawUnsafe` returns them: objects by column name, values by column type. */
export function decodeRows<T>(rs: SqlResultSet, rt: PrismaRuntime): T[] {
  const names = rs.columnNames;
  const decoders = rs.columnTypes.map((t) => decoder(t, rt));
  const out: T[] = [];
  for (const row of rs.rows) {
    const o: Record<string, unknown> = {};
    for (const n of names) o[n] = null;
    for (let j = 0; j < row.length; j++) {
      const v = row[j];
      const f = decoders[j];
      o[names[j] as string] = v === null || v === undefined || !f ? (v ?? null) : f(v);
    }
    out.push(o as T);
  }
  return out;
}

/** How Prisma prefixes the message of an error of `prisma.<method>()` (its error format 'colorless'). */
function invocation(method: string, message: string): string {
  return `\nInvalid \`prisma.${method}()\` invocation:\n\n\n${message}`;
}

/**
 * A failure of the adapter as Prisma's raw path throws it: a driver adapter error becomes the
 * P2010 "Raw query failed" known request error carrying it in `meta.driverAdapterError`
 * (user-facing-error.ts); anything else goes on as it is.
 */
export function rawError(e: unknown, method: string, rt: PrismaRuntime): unknown {
  if (!isDriverAdapterError(e)) {
    // Prisma's request handler marks what it lets through (RequestHandler.ts)
    if (e !== null && typeof e === 'object') (e as { clientVersion?: string }).clientVersion = rt.clientVersion;
    return e;
  }
  const c = e.cause as { originalCode?: string; originalMessage?: string };
  const text = c.originalMessage ?? rendered(e.cause as unknown as Record<string, unknown>) ?? e.message ?? 'N/A';
  const message = `Raw query failed. Code: \`${c.originalCode ?? 'N/A'}\`. Message: \`${text}\``;
  return new rt.PrismaClientKnownRequestError(invocation(method, message), {
    code: 'P2010',
    clientVersion: rt.clientVersion,
    meta: { driverAdapterError: e },
  });
}

/**
 * The message Prisma writes for an adapter error that carries no message of the database's own
 * (user-facing-error.ts `renderErrorMessage`): pg's socket errors, a column type it cannot read.
 */
function rendered(c: Record<string, unknown>): string | undefined {
  const constraint = (x: unknown): string => {
    const k = x as { fields?: string[]; index?: string; foreignKey?: unknown } | undefined;
    if (k?.fields) return `fields: (${k.fields.map((f) => `\`${f}\``).join(', ')})`;
    if (k?.index) return `constraint: \`${k.index}\``;
    if (k?.foreignKey) return 'foreign key';
    return '(not available)';
  };
  const na = (v: unknown) => (v ?? '(not available)') as string;
  switch (c.kind) {
    case 'AuthenticationFailed':
      return `Authentication failed against the database server, the provided database credentials for \`${na(c.user)}\` are not valid`;
    case 'DatabaseNotReachable': {
      const address = c.host && c.port ? `${c.host}:${c.port}` : c.host;
      return `Can't reach database server${address ? ` at ${address}` : ''}`;
    }
    case 'DatabaseDoesNotExist':
      return `Database \`${na(c.db)}\` does not exist on the database server`;
    case 'SocketTimeout':
      return 'Operation has timed out';
    case 'DatabaseAlreadyExists':
      return `Database \`${na(c.db)}\` already exists on the database server`;
    case 'DatabaseAccessDenied':
      return `User was denied access on the database \`${na(c.db)}\``;
    case 'TlsConnectionError':
      return `Error opening a TLS connection: ${c.reason}`;
    case 'ConnectionClosed':
      return 'Server has closed the connection.';
    case 'TransactionAlreadyClosed':
      return c.cause as string;
    case 'LengthMismatch':
      return `The provided value for the column is too long for the column's type. Column: ${na(c.column)}`;
    case 'UniqueConstraintViolation':
      return `Unique constraint failed on the ${constraint(c.constraint)}`;
    case 'ForeignKeyConstraintViolation':
    case 'RestrictViolation':
      return `Foreign key constraint violated on the ${constraint(c.constraint)}`;
    case 'UnsupportedNativeDataType':
      return `Failed to deserialize column of type '${c.type}'. If you're using $queryRaw and this column is explicitly marked as \`Unsupported\` in your Prisma schema, try casting this column to any supported Prisma type such as \`String\`.`;
    case 'NullConstraintViolation':
      return `Null constraint violation on the ${constraint(c.constraint)}`;
    case 'ValueOutOfRange':
      return `Value out of range for the type: ${c.cause}`;
    case 'TableDoesNotExist':
      return `The table \`${na(c.table)}\` does not exist in the current database.`;
    case 'ColumnNotFound':
      return `The column \`${na(c.column)}\` does not exist in the current database.`;
    case 'InvalidIsolationLevel':
      return `Error in connector: Conversion error: ${c.level}`;
    case 'InconsistentColumnData':
      return `Inconsistent column data: ${c.cause}`;
    case 'MissingFullTextSearchIndex':
      return 'Cannot find a fulltext index to use for the native search, try adding a @@fulltext([Fields...]) to your schema';
    case 'TransactionWriteConflict':
      return 'Transaction failed due to a write conflict or a deadlock. Please retry your transaction';
    case 'GenericJs':
      return `Error in external connector (id ${c.id})`;
    case 'TooManyConnections':
      return `Too many database connections opened: ${c.cause}`;
    case 'InvalidInputValue':
      return `Invalid input value: ${c.message}`;
    default:
      return undefined;
  }
}

/**
 * A statement on a transaction that has ended, as Prisma's transaction manager refuses it
 * (transaction-manager-error.ts, P2028): client.ts's RETRYABLE reads these words.
 */
export function closedError(
  method: string,
  how: 'committed' | 'rolled_back' | 'timed_out',
  rt: PrismaRuntime,
  timing?: { timeout: number; timeTaken: number },
): Error {
  const op = 'query';
  const text =
    how === 'committed'
      ? `Transaction already closed: A ${op} cannot be executed on a committed transaction.`
      : how === 'rolled_back'
        ? `Transaction already closed: A ${op} cannot be executed on a transaction that was rolled back.`
        : `A ${op} cannot be executed on an expired transaction. The timeout for this transaction was ${timing?.timeout} ms, however ${timing?.timeTaken} ms passed since the start of the transaction. Consider increasing the interactive transaction timeout or doing less work in the transaction.`;
  return new rt.PrismaClientKnownRequestError(invocation(method, `Transaction API error: ${text}`), {
    code: 'P2028',
    clientVersion: rt.clientVersion,
    meta: how === 'timed_out' ? { operation: op, ...timing } : {},
  });
}
