/**
 * Fitting and splitting a message by total size (src/core/fit.ts), property-tested against a
 * small oracle: the message as a sequence of atoms (characters of text, rows of a table, fields)
 * which the parts must give back in order, nothing added, nothing lost unless `clipped`.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { test } from 'vitest';
import { fitBlocks, splitBlocks } from '../../../src/core/fit.ts';
import type { Block } from '../../../src/core/reply.ts';

const FC = { seed: 230023, numRuns: 500 } as const;

/** What a platform would count: characters of every string, 2 between blocks. */
const cost = (b: Block): number => {
  const n = (s: string) => [...s].length;
  switch (b.kind) {
    case 'table':
      return (
        2 + b.head.reduce((a, h) => a + n(h), 0) + b.rows.reduce((a, r) => a + r.reduce((x, c) => x + n(c) + 1, 0), 0)
      );
    case 'fields':
      return 2 + b.fields.reduce((a, [k, v]) => a + n(k) + n(v) + 2, 0);
    default:
      return 2 + n(b.text);
  }
};

/** The atoms of the blocks, in order (a cut's "…" is not one). */
const atoms = (blocks: readonly Block[]): string[] =>
  blocks.flatMap((b) => {
    switch (b.kind) {
      case 'table':
        return b.rows.map((r) => `row ${JSON.stringify(r)}`);
      case 'fields':
        return b.fields.map((f) => `field ${JSON.stringify(f)}`);
      default:
        return [...b.text.replace(/…$/, '')].map((c) => `${b.kind} ${c}`);
    }
  });

// no "…" in generated text: the oracle tells a cut by it
const str = (max: number) =>
  fc.string({ maxLength: max, unit: fc.constantFrom('a', 'b', '経', '過', ' ', '\n', '😀') });
const cell = str(20);
const block: fc.Arbitrary<Block> = fc.oneof(
  str(300).map((text) => ({ kind: 'text' as const, text })),
  str(40).map((text) => ({ kind: 'heading' as const, text })),
  str(200).map((text) => ({ kind: 'code' as const, text })),
  fc
    .array(fc.tuple(cell, cell), { maxLength: 30 })
    .map((rows) => ({ kind: 'table' as const, head: ['at', 'event'], rows: rows.map((r) => [...r]) })),
  fc
    .array(fc.tuple(cell, cell), { maxLength: 30 })
    .map((fields) => ({ kind: 'fields' as const, fields: fields.map((f) => [...f] as [string, string]) })),
);
const blocks = fc.array(block, { maxLength: 12 });
/** large enough for any one atom (a row, a field) with its block's head */
const budget = fc.integer({ min: 70, max: 900 });

test('split without a part limit: every part within budget, the atoms given back in order, blocks that fit kept whole', () => {
  fc.assert(
    fc.property(blocks, budget, (bs, max) => {
      const s = splitBlocks(bs, max, cost, 1000);
      assert.equal(s.clipped, false);
      assert.ok(s.parts.length >= 1);
      for (const p of s.parts) assert.ok(p.reduce((a, b) => a + cost(b), 0) <= max);
      assert.deepEqual(atoms(s.parts.flat()), atoms(bs));
      for (const b of bs) {
        if (cost(b) <= max) assert.ok(s.parts.some((p) => p.some((x) => JSON.stringify(x) === JSON.stringify(b))));
      }
      // no part but the only one is empty
      if (s.parts.length > 1) for (const p of s.parts) assert.ok(p.length > 0);
    }),
    FC,
  );
});

test('split with a part limit: at most that many parts, a prefix of the atoms, clipped whenever something is missing', () => {
  fc.assert(
    fc.property(blocks, budget, fc.integer({ min: 1, max: 4 }), (bs, max, limit) => {
      const s = splitBlocks(bs, max, cost, limit);
      assert.ok(s.parts.length <= limit);
      for (const p of s.parts) assert.ok(p.reduce((a, b) => a + cost(b), 0) <= max);
      const all = atoms(bs);
      const got = atoms(s.parts.flat());
      assert.deepEqual(got, all.slice(0, got.length));
      if (got.length < all.length) assert.ok(s.clipped, 'clipped when something is missing');
      if (!s.clipped) assert.deepEqual(got, all);
    }),
    FC,
  );
});

test('fit (one message): within budget, a prefix of the atoms, clipped when something is missing', () => {
  fc.assert(
    fc.property(blocks, budget, (bs, max) => {
      const f = fitBlocks(bs, max, cost);
      assert.ok(f.blocks.reduce((a, b) => a + cost(b), 0) <= max);
      const all = atoms(bs);
      const got = atoms(f.blocks);
      assert.deepEqual(got, all.slice(0, got.length));
      if (!f.clipped) assert.deepEqual(got, all);
    }),
    FC,
  );
});

test('a table cut between rows keeps its head in the next part; a long text continues where it was cut', () => {
  const rows = Array.from({ length: 10 }, (_, i) => [`${i}`, 'x'.repeat(20)]);
  const s = splitBlocks([{ kind: 'table', head: ['at', 'event'], rows }], 100, cost, 10);
  assert.ok(s.parts.length > 1);
  for (const p of s.parts) assert.deepEqual((p[0] as { head: string[] }).head, ['at', 'event']);
  const t = splitBlocks([{ kind: 'text', text: 'あ'.repeat(250) }], 100, cost, 10);
  assert.deepEqual(
    t.parts.map((p) => [...(p[0] as { text: string }).text].length),
    [98, 98, 56],
    'each cut ends with "…" within the budget; the rest continues',
  );
});

test('a single row larger than an empty message cannot be shown: it is left out and said so, the rest still comes', () => {
  const s = splitBlocks(
    [
      { kind: 'table', head: ['a'], rows: [['y'.repeat(500)]] },
      { kind: 'text', text: 'after' },
    ],
    100,
    cost,
    10,
  );
  assert.equal(s.clipped, true);
  assert.deepEqual(atoms(s.parts.flat()), atoms([{ kind: 'text', text: 'after' }]));
});
