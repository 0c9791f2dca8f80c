/**
 * fieldShape (src/core/schema-info.ts) keeps each schema's shape once worked out. Property: for
 * many generated field schemas (optional / default / nullable / preprocess / array wrappers
 * around a string with or without a max, an enum, a number; with or without `long` meta), asked
 * in a random order and again, each answer is the generator's own account of the schema, so a
 * kept answer never leaks to another schema. And every field of every command: the kept answer
 * is what a fresh look says, the same object each time, frozen.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { test } from 'vitest';
import * as z from 'zod';
import { groups } from '../../../commands/index.ts';
import { type FieldShape, fieldShape, shapeOf } from '../../../src/core/schema-info.ts';

type Wrap = 'optional' | 'default' | 'nullable' | 'preprocess' | 'array';
const leaf = fc.oneof(
  fc.record({
    kind: fc.constant('string' as const),
    max: fc.option(fc.integer({ min: 1, max: 5000 }), { nil: undefined }),
  }),
  fc.record({
    kind: fc.constant('enum' as const),
    options: fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd'), { minLength: 1 }),
  }),
  fc.record({ kind: fc.constant('number' as const) }),
);
const spec = fc.record({
  leaf,
  long: fc.boolean(),
  wraps: fc.array(fc.constantFrom<Wrap>('optional', 'default', 'nullable', 'preprocess', 'array'), { maxLength: 4 }),
});
type Spec = typeof spec extends fc.Arbitrary<infer T> ? T : never;

/** the schema a spec describes, and what fieldShape must say of it */
function build(s: Spec): { schema: z.ZodType; expected: FieldShape } {
  let schema: z.ZodType;
  const expected: FieldShape = { optional: false, array: false };
  if (s.leaf.kind === 'string') {
    schema = s.leaf.max === undefined ? z.string() : z.string().max(s.leaf.max);
    if (s.leaf.max !== undefined) expected.maxLength = s.leaf.max;
  } else if (s.leaf.kind === 'enum') {
    schema = z.enum(s.leaf.options as [string, ...string[]]);
    expected.options = [...s.leaf.options];
  } else schema = z.number();
  if (s.long) {
    schema = schema.meta({ long: true });
    expected.long = true;
  }
  for (const w of s.wraps) {
    if (w === 'optional') schema = schema.optional();
    else if (w === 'nullable') schema = schema.nullable();
    else if (w === 'default') schema = schema.default(null as never);
    else if (w === 'preprocess') schema = z.preprocess((x) => x, schema);
    else schema = z.array(schema);
    if (w === 'optional' || w === 'nullable' || w === 'default') expected.optional = true;
    if (w === 'array') expected.array = true;
  }
  return { schema, expected };
}

test('property: each schema gets its own shape, asked in any order and again', () => {
  fc.assert(
    fc.property(
      fc.array(spec, { minLength: 1, maxLength: 12 }),
      fc.array(fc.nat(), { maxLength: 30 }),
      (specs, order) => {
        const built = specs.map(build);
        const asks = [...order.map((i) => i % built.length), ...built.keys(), ...built.keys()];
        for (const i of asks) {
          const { schema, expected } = built[i] as (typeof built)[number];
          assert.deepEqual({ ...fieldShape(schema) }, expected);
        }
      },
    ),
    { numRuns: 1500 },
  );
});

test("every command's fields: the kept shape is a fresh look's, the same object each time, frozen", () => {
  let fields = 0;
  for (const g of groups)
    for (const c of g.commands)
      for (const s of Object.values(c.schema.shape as Record<string, z.ZodType>)) {
        const first = fieldShape(s);
        assert.deepEqual({ ...first }, shapeOf(s));
        assert.equal(fieldShape(s), first);
        assert.ok(Object.isFrozen(first) && (first.options === undefined || Object.isFrozen(first.options)));
        fields++;
      }
  assert.ok(fields > 50, `${fields} fields`);
});
