/**
 * Values between better-sqlite3 and Prisma's driver adapter interface, and SQLite errors as
 * Prisma's mapped errors (so a unique violation is P2002, a busy database a retryable timeout).
 *
 * Ported from @prisma/adapter-better-sqlite3 7.10.0 (src/conversion.ts, src/errors.ts),
 * Copyright Prisma Data, Inc., Apache License 2.0
 * (node_modules/@prisma/adapter-better-sqlite3/LICENSE), so that our own adapter
 * (sqlite-adapter.ts) stores and reads values exactly as that adapter did: dates as ISO-8601
 * text with "+00:00", booleans as 0/1, integers read as BigInt and narrowed when safe.
 */
import {
  type ArgType,
  type ColumnType,
  ColumnTypeEnum,
  DriverAdapterError,
  type Error as MappedError,
} from '@prisma/driver-adapter-utils';

function declType(decl: string | null): ColumnType | null {
  if (decl === null) return null;
  switch (decl.toUpperCase()) {
    case '':
      return null;
    case 'DECIMAL':
      return ColumnTypeEnum.Numeric;
    case 'FLOAT':
      return ColumnTypeEnum.Float;
    case 'DOUBLE':
    case 'DOUBLE PRECISION':
    case 'NUMERIC':
    case 'REAL':
      return ColumnTypeEnum.Double;
    case 'TINYINT':
    case 'SMALLINT':
    case 'MEDIUMINT':
    case 'INT':
    case 'INTEGER':
    case 'SERIAL':
    case 'INT2':
      return ColumnTypeEnum.Int32;
    case 'BIGINT':
    case 'UNSIGNED BIG INT':
    case 'INT8':
      return ColumnTypeEnum.Int64;
    case 'DATETIME':
    case 'TIMESTAMP':
      return ColumnTypeEnum.DateTime;
    case 'TIME':
      return ColumnTypeEnum.Time;
    case 'DATE':
      return ColumnTypeEnum.Date;
    case 'TEXT':
    case 'CLOB':
    case 'CHARACTER':
    case 'VARCHAR':
    case 'VARYING CHARACTER':
    case 'NCHAR':
    case 'NATIVE CHARACTER':
    case 'NVARCHAR':
      return ColumnTypeEnum.Text;
    case 'BLOB':
      return ColumnTypeEnum.Bytes;
    case 'BOOLEAN':
      return ColumnTypeEnum.Boolean;
    case 'JSONB':
      return ColumnTypeEnum.Json;
    default:
      return null;
  }
}

function inferType(value: unknown): ColumnType {
  switch (typeof value) {
    case 'string':
      return ColumnTypeEnum.Text;
    case 'bigint':
      return ColumnTypeEnum.Int64;
    case 'boolean':
      return ColumnTypeEnum.Boolean;
    case 'number':
      return ColumnTypeEnum.UnknownNumber;
    case 'object':
      if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return ColumnTypeEnum.Bytes;
      break;
  }
  throw new Error(`unexpected value of type ${typeof value}`);
}

/** The column types a statement declares (null: undeclared, known only from its values). */
export function declaredTypes(declared: readonly (string | null)[]): (ColumnType | null)[] {
  return declared.map(declType);
}

/**
 * Column types from the declared ones (`declaredTypes`), or from the first non-null value of an
 * undeclared column.
 */
export function resolveTypes(declared: readonly (ColumnType | null)[], rows: readonly unknown[][]): ColumnType[] {
  return declared.map((t, i) => {
    if (t !== null) return t;
    for (const row of rows) if (row[i] !== null) return inferType(row[i]);
    return ColumnTypeEnum.Int32;
  });
}

/** One value of a column of type `t` as Prisma expects it. */
export function mapValue(v: unknown, t: ColumnType | undefined): unknown {
  if (typeof v === 'number' && (t === ColumnTypeEnum.Int32 || t === ColumnTypeEnum.Int64) && !Number.isInteger(v)) {
    return Math.trunc(v);
  }
  if ((typeof v === 'number' || typeof v === 'bigint') && t === ColumnTypeEnum.DateTime) {
    return new Date(Number(v)).toISOString();
  }
  if (typeof v === 'bigint') {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : v.toString();
  }
  return v;
}

/** One row as Prisma expects it (in place). */
export function mapRow(row: unknown[], types: readonly ColumnType[]): unknown[] {
  for (let i = 0; i < row.length; i++) row[i] = mapValue(row[i], types[i]);
  return row;
}

/** One argument as better-sqlite3 binds it. */
export function mapArg(arg: unknown, type: ArgType | undefined): unknown {
  if (arg === null || arg === undefined) return null;
  const scalar = type?.scalarType;
  if (typeof arg === 'string') {
    if (scalar === 'int') return Number.parseInt(arg, 10);
    if (scalar === 'float' || scalar === 'decimal') return Number.parseFloat(arg);
    if (scalar === 'bigint') return BigInt(arg);
    if (scalar === 'datetime') return isoDate(new Date(arg));
    if (scalar === 'bytes') return Buffer.from(arg, 'base64');
    return arg;
  }
  if (typeof arg === 'boolean') return arg ? 1 : 0;
  if (arg instanceof Date) return isoDate(arg);
  return arg;
}

const isoDate = (d: Date) => d.toISOString().replace('Z', '+00:00');

const SQLITE_BUSY = 5;

/** true for SQLITE_BUSY and its extended codes (another connection holds a lock we need). */
export function isBusy(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  if (typeof code !== 'string') return false;
  if (code.startsWith('SQLITE_BUSY')) return true;
  const ext = extendedCode(code);
  return ext !== undefined && (ext & 0xff) === SQLITE_BUSY;
}

function extendedCode(code: string): number | undefined {
  const prefix = 'UNKNOWN_SQLITE_ERROR_';
  if (!code.startsWith(prefix)) return undefined;
  const n = Number(code.slice(prefix.length));
  return Number.isInteger(n) ? n : undefined;
}

/** A better-sqlite3 error as the DriverAdapterError Prisma maps to its own codes; anything else as it is. */
export function toAdapterError(e: unknown): unknown {
  const err = e as { code?: unknown; message?: unknown };
  if (typeof err?.code !== 'string' || typeof err.message !== 'string') return e;
  return new DriverAdapterError({
    originalCode: err.code,
    originalMessage: err.message,
    ...mapped(err.code, err.message),
  });
}

function mapped(code: string, message: string): MappedError {
  const fields = () =>
    message
      .split('constraint failed: ')
      .at(1)
      ?.split(', ')
      .map((f) => f.split('.').pop() as string);
  switch (code) {
    case 'SQLITE_CONSTRAINT_UNIQUE':
    case 'SQLITE_CONSTRAINT_PRIMARYKEY': {
      const f = fields();
      const columns = message.split('constraint failed: ').at(1)?.split(', ');
      const table = columns?.at(0)?.split('.').slice(0, -1).join('.') || undefined;
      return { kind: 'UniqueConstraintViolation', constraint: f ? { fields: f } : undefined, table };
    }
    case 'SQLITE_CONSTRAINT_NOTNULL': {
      const f = fields();
      return { kind: 'NullConstraintViolation', constraint: f ? { fields: f } : undefined };
    }
    case 'SQLITE_CONSTRAINT_FOREIGNKEY':
    case 'SQLITE_CONSTRAINT_TRIGGER':
      return { kind: 'ForeignKeyConstraintViolation', constraint: { foreignKey: {} } };
  }
  if (isBusy({ code })) return { kind: 'SocketTimeout' };
  if (message.startsWith('no such table')) return { kind: 'TableDoesNotExist', table: message.split(': ').at(1) };
  if (message.startsWith('no such column')) return { kind: 'ColumnNotFound', column: message.split(': ').at(1) };
  if (message.includes('has no column named '))
    return { kind: 'ColumnNotFound', column: message.split('has no column named ').at(1) };
  return { kind: 'sqlite', extendedCode: extendedCode(code) ?? 1, message };
}
