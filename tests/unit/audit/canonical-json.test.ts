/**
 * The audit chain hashes canonicalJson's bytes: a chain written before a change must still verify
 * after it. src/audit/canonical-json.ts was rewritten to build its string in one pass; this
 * property test holds it to the first version (kept below as the oracle), byte for byte and
 * error for error, on any JSON-like value with Dates, bigints, undefined members, holes,
 * non-finite numbers, typed arrays and class instances.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { test } from 'vitest';
import { canonicalJson } from '../../../src/audit/canonical-json.ts';

/** the first version (session 3), verbatim */
function oracle(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return JSON.stringify(v);
    case 'number':
      if (!Number.isFinite(v)) throw new Error('canonicalJson: non-finite number');
      return JSON.stringify(v);
    case 'bigint':
      return JSON.stringify(v.toString());
    case 'object': {
      if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : oracle(x))).join(',')}]`;
      const keys = Object.keys(v as object)
        .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${oracle((v as Record<string, unknown>)[k])}`).join(',')}}`;
    }
    default:
      throw new Error(`canonicalJson: cannot encode ${typeof v}`);
  }
}

const outcome = (f: () => string) => {
  try {
    return { ok: true as const, v: f() };
  } catch (e) {
    return { ok: false as const, m: (e as Error).message, c: (e as Error).constructor };
  }
};

class Thing {
  b = 2;
  a = 1;
}

const leaf = fc.oneof(
  fc.string(),
  fc.constantFrom('', '国家サイバー統括室', '"quoted"\n', '\u2028', 'üñí'),
  // what JSON.stringify escapes or keeps (canonical-json.ts quote): lone and paired surrogates,
  // control characters, DEL, backslashes
  fc.constantFrom('\ud800', 'a\udc00b', '😀', '\u0000\u001f\u007f', 'back\\slash', '\t'),
  fc.string({ unit: 'binary' }),
  fc.double(),
  fc.constantFrom(0, -0, Number.NaN, Number.POSITIVE_INFINITY, 1e21, 2 ** 53 + 2),
  fc.integer(),
  fc.bigInt(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.date(), // invalid dates included: both throw
  fc.constant(0).map(() => new Uint8Array([3, 1, 2])),
  fc.constant(0).map(() => new Thing()),
  // biome-ignore lint/suspicious/noSparseArray: a hole is what this case is about
  fc.constant(0).map(() => [1, , 3]),
  fc.constant(0).map(() => Symbol('s')),
  fc.constant(0).map(() => () => 1),
);
const value = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: leaf },
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('a', 'B', '10', '2', 'é', 'ß', '__proto__x')), tie('v'), {
      maxKeys: 5,
    }),
  ),
})).v;

test('canonicalJson gives the first version’s bytes and errors (property)', () => {
  fc.assert(
    fc.property(value, (v) => {
      const want = outcome(() => oracle(v));
      const got = outcome(() => canonicalJson(v));
      assert.deepStrictEqual(got, want);
    }),
    { numRuns: 3000, seed: 20261203 },
  );
});
