/**
 * src/db/sqlite-direct.ts folds two conversions into one: what Prisma's raw path hands the
 * adapter (raw-values.ts `encode`) and what our SQLite driver binds (sqlite-convert.ts `mapArg`);
 * the rows likewise (`mapRow`, then `decodeRows`). Its shortcuts (strings, numbers, bigints,
 * booleans, plain Dates; one object per row built in column order) must give exactly what the
 * two steps give: a property test with the composition as the oracle, on hostile values too
 * (-0, NaN, invalid and far-future Dates, a Date with its own toJSON, a Date subclass, nested
 * lists, bytes, repeated and `__proto__` column names). Database-free.
 */
import assert from 'node:assert/strict';
import { type ColumnType, ColumnTypeEnum } from '@prisma/driver-adapter-utils';
import fc from 'fast-check';
import { test } from 'vitest';
import { Prisma } from '../../../src/db/generated/sqlite/client.ts';
import { decodeRows, encodeArgs, type PrismaRuntime } from '../../../src/db/raw-values.ts';
import { mapArg, mapRow } from '../../../src/db/sqlite-convert.ts';
import { bindArgs, sqliteArgs, sqliteRows } from '../../../src/db/sqlite-direct.ts';

const rt: PrismaRuntime = {
  PrismaClientKnownRequestError:
    Prisma.PrismaClientKnownRequestError as unknown as PrismaRuntime['PrismaClientKnownRequestError'],
  PrismaClientValidationError:
    Prisma.PrismaClientValidationError as unknown as PrismaRuntime['PrismaClientValidationError'],
  Decimal: Prisma.Decimal as unknown as PrismaRuntime['Decimal'],
  clientVersion: Prisma.prismaVersion.client,
};

type Outcome = { ok: true; v: unknown[] } | { ok: false; phase: 'encode' | 'bind'; e: unknown };

/**
 * the two steps: what encodeArgs hands the adapter (its errors are thrown before the statement is
 * sent), then what the adapter binds (its errors are the driver's, on the connection)
 */
function oracleArgs(params: unknown[]): Outcome {
  let encoded: ReturnType<typeof encodeArgs>;
  try {
    encoded = encodeArgs(params, rt);
  } catch (e) {
    return { ok: false, phase: 'encode', e };
  }
  try {
    return { ok: true, v: encoded.args.map((a, i) => mapArg(a, encoded.argTypes[i])) };
  } catch (e) {
    return { ok: false, phase: 'bind', e };
  }
}

function fusedArgs(params: unknown[]): Outcome {
  let args: unknown[];
  try {
    args = sqliteArgs(params, rt);
  } catch (e) {
    return { ok: false, phase: 'encode', e };
  }
  try {
    return { ok: true, v: bindArgs(args) };
  } catch (e) {
    return { ok: false, phase: 'bind', e };
  }
}

class MyDate extends Date {
  override toJSON(): string {
    return 'not a date';
  }
}
const ownToJson = () => {
  const d = new Date('2026-12-03T20:00:00.123Z');
  Object.defineProperty(d, 'toJSON', { value: () => '2001-01-01T00:00:00.000Z' });
  return d;
};

const scalar = fc.oneof(
  fc.string(),
  fc.constantFrom('', '0', 'true', '2026-12-03T20:00:00Z', '国家サイバー統括室'),
  fc.double(),
  fc.constantFrom(0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 53, -(2 ** 53) - 2),
  fc.integer(),
  fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.date(), // invalid dates included
  fc.constantFrom(
    new Date('+010000-01-01T00:00:00.000Z'),
    new Date('-000001-06-01T12:00:00.000Z'),
    new Date(Number.NaN),
  ),
  fc.date({ noInvalidDate: true }).map((d) => new MyDate(d.getTime())),
  fc.constant(0).map(ownToJson),
  fc.uint8Array({ maxLength: 8 }).map((a) => Buffer.from(a)),
  fc.uint8Array({ maxLength: 8 }),
  fc.constant(0).map(() => new Prisma.Decimal('12.50')),
  fc.jsonValue(),
  fc.dictionary(fc.string(), fc.oneof(fc.integer(), fc.string(), fc.bigInt())),
);
const param = fc.oneof(
  { weight: 5, arbitrary: scalar },
  fc.array(scalar, { maxLength: 3 }),
  fc.array(fc.array(scalar, { maxLength: 2 }), { maxLength: 2 }),
);

test('sqliteArgs binds what encodeArgs then mapArg bind, errors included (property)', () => {
  fc.assert(
    fc.property(fc.array(param, { maxLength: 6 }), (params) => {
      const want = oracleArgs(params);
      const got = fusedArgs(params);
      assert.equal(got.ok, want.ok);
      if (got.ok && want.ok) assert.deepStrictEqual(got.v, want.v);
      else if (!got.ok && !want.ok) {
        assert.equal(got.phase, want.phase);
        assert.equal((got.e as Error).constructor, (want.e as Error).constructor);
        assert.equal((got.e as Error).message, (want.e as Error).message);
      }
    }),
    { numRuns: 2000, seed: 20261203 },
  );
});

// column types a SQLite result can have (sqlite-convert.ts declType / inferType)
const TYPES: ColumnType[] = [
  ColumnTypeEnum.Int32,
  ColumnTypeEnum.Int64,
  ColumnTypeEnum.Float,
  ColumnTypeEnum.Double,
  ColumnTypeEnum.Numeric,
  ColumnTypeEnum.Boolean,
  ColumnTypeEnum.Text,
  ColumnTypeEnum.DateTime,
  ColumnTypeEnum.Date,
  ColumnTypeEnum.Time,
  ColumnTypeEnum.Bytes,
  ColumnTypeEnum.Json,
  ColumnTypeEnum.UnknownNumber,
];
// what better-sqlite3 returns (safe integers on): bigints, doubles, text, blobs, null
const stored = (t: ColumnType) => {
  const common = [fc.constant(null), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })];
  switch (t) {
    case ColumnTypeEnum.DateTime:
    case ColumnTypeEnum.Date:
      return fc.oneof(
        ...common,
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString().replace('Z', '+00:00')),
      );
    case ColumnTypeEnum.Time:
      return fc.oneof(fc.constant(null), fc.constantFrom('12:34:56', '00:00:00.5'));
    case ColumnTypeEnum.Json:
      return fc.oneof(
        fc.constant(null),
        fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'),
      );
    case ColumnTypeEnum.Bytes:
      return fc.oneof(
        fc.constant(null),
        fc.uint8Array({ maxLength: 6 }).map((a) => Buffer.from(a)),
      );
    case ColumnTypeEnum.Numeric:
      return fc.oneof(fc.constant(null), fc.constantFrom('1.5', '-0.25', '100'));
    case ColumnTypeEnum.Boolean:
      return fc.oneof(...common, fc.constantFrom(0n, 1n));
    default:
      return fc.oneof(...common, fc.double({ noNaN: true }), fc.string());
  }
};
const NAMES = ['id', 'a', 'b', 'n', '__proto__', 'constructor', '日本語'];
const result = fc
  .array(fc.record({ name: fc.constantFrom(...NAMES), type: fc.constantFrom(...TYPES) }), {
    minLength: 1,
    maxLength: 5,
  })
  .chain((cols) =>
    fc.record({
      names: fc.constant(cols.map((c) => c.name)),
      types: fc.constant(cols.map((c) => c.type)),
      values: fc.array(fc.tuple(...cols.map((c) => stored(c.type))), { maxLength: 4 }),
    }),
  );

test('sqliteRows decodes what mapRow then decodeRows decode, key order and prototypes included (property)', () => {
  fc.assert(
    fc.property(result, ({ names, types, values }) => {
      const copy = () => values.map((r) => [...r]);
      let want: unknown;
      let wantErr: unknown = null;
      try {
        want = decodeRows({ columnNames: names, columnTypes: types, rows: copy().map((r) => mapRow(r, types)) }, rt);
      } catch (e) {
        wantErr = e;
      }
      let got: unknown;
      let gotErr: unknown = null;
      try {
        got = sqliteRows({ names, types, values: copy() }, rt);
      } catch (e) {
        gotErr = e;
      }
      assert.equal(gotErr === null, wantErr === null);
      if (wantErr !== null) {
        assert.equal((gotErr as Error).constructor, (wantErr as Error).constructor);
        assert.equal((gotErr as Error).message, (wantErr as Error).message);
        return;
      }
      // an invalid Date is not deep-equal to another (NaN): compared by class and text
      const canon = (rows: unknown) =>
        (rows as Record<string, unknown>[]).map((o) => {
          const c: Record<string, unknown> = Object.create(Object.getPrototypeOf(o));
          for (const k of Object.keys(o)) {
            const v = o[k];
            c[k] = v instanceof Date && Number.isNaN(v.getTime()) ? 'Invalid Date' : v;
          }
          return c;
        });
      assert.deepStrictEqual(canon(got), canon(want));
      // deepStrictEqual compares prototypes; the key order too
      (got as object[]).forEach((o, i) => {
        assert.deepEqual(Object.keys(o), Object.keys((want as object[])[i] as object));
        assert.equal(Object.getPrototypeOf(o), Object.getPrototypeOf((want as object[])[i]));
      });
    }),
    { numRuns: 1500, seed: 20261203 },
  );
});
