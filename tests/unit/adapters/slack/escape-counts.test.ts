/**
 * clip, chunkEscaped (src/adapters/slack/escape.ts) and blockText (render.ts) skip work for the
 * common case (a string within the limit, a text that fits whole, characters counted without an
 * array; issue 19 item 7: a report's Slack rendering allocated ~22 kB). The same results as
 * their first versions, kept below as oracles, on any text: surrogate pairs, lone surrogates,
 * line breaks, the characters Slack escapes and backquote runs.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { test } from 'vitest';
import { chunkEscaped, clip, escapeCode, escapeText } from '../../../../src/adapters/slack/escape.ts';
import { blockText } from '../../../../src/adapters/slack/render.ts';

function clipBefore(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}

function chunkBefore(raw: string, max: number, esc: (s: string) => string = escapeText): string[] {
  const out: string[] = [];
  let cur = '';
  const push = (piece: string) => {
    if (esc(cur + piece).length <= max) cur += piece;
    else if (esc(piece).length <= max) {
      if (cur) out.push(esc(cur));
      cur = piece;
    } else {
      for (const ch of piece) {
        if (esc(cur + ch).length > max) {
          out.push(esc(cur));
          cur = '';
        }
        cur += ch;
      }
    }
  };
  const lines = raw.split('\n');
  for (const [i, l] of lines.entries()) push(i < lines.length - 1 ? `${l}\n` : l);
  if (cur || out.length === 0) out.push(esc(cur));
  return out;
}

function blockTextBefore(v: unknown): number {
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + blockTextBefore(x), 0);
  if (typeof v !== 'object' || v === null) return 0;
  let n = 0;
  for (const [k, x] of Object.entries(v))
    n += k === 'text' && typeof x === 'string' ? [...x].length : blockTextBefore(x);
  return n;
}

const text = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'binary', maxLength: 8 }),
      fc.constantFrom('\n', '&', '<', '>', '`', '```', '😀', '\ud800', '\udc00', '国家', 'é'),
    ),
    { maxLength: 30 },
  )
  .map((xs) => xs.join(''));

test('clip gives what it gave before, for any text and limit (property)', () => {
  fc.assert(
    fc.property(text, fc.integer({ min: 1, max: 40 }), (s, max) => {
      assert.equal(clip(s, max), clipBefore(s, max));
    }),
    { numRuns: 2000 },
  );
});

test('chunkEscaped gives the same pieces as before, with escapeText and escapeCode (property)', () => {
  fc.assert(
    fc.property(text, fc.integer({ min: 6, max: 60 }), fc.boolean(), (s, max, code) => {
      const esc = code ? escapeCode : escapeText;
      assert.deepEqual(chunkEscaped(s, max, esc), chunkBefore(s, max, esc));
    }),
    { numRuns: 2000 },
  );
});

test('blockText counts the characters of every text as before (property)', () => {
  const block = fc.letrec((tie) => ({
    v: fc.oneof(
      { depthSize: 'small' },
      text,
      fc.integer(),
      fc.constant(null),
      fc.array(tie('v'), { maxLength: 4 }),
      fc.dictionary(fc.constantFrom('text', 'type', 'elements', 'fields', 'title'), tie('v'), { maxKeys: 4 }),
    ),
  })).v;
  fc.assert(
    fc.property(block, (b) => {
      assert.equal(blockText(b), blockTextBefore(b));
    }),
    { numRuns: 2000 },
  );
});
