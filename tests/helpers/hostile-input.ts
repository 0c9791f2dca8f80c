/**
 * Hostile input for the property tests (fast-check): strings made of pieces that break parsers,
 * chat markup and databases, and arbitrary records for a command's zod schema. Shared by the
 * database-free properties (tests/security/input-properties.test.ts) and the router's
 * (tests/security/properties.test.ts), so both send the same kinds of input.
 */
import fc from 'fast-check';
import type { z } from 'zod';
import { groups } from '../../commands/index.ts';
import { fieldShape } from '../../src/core/schema-info.ts';

/** The seed of both files (docs/security.md). */
export const SEED = 424242;

const PIECES = [
  '=',
  '＝',
  '"',
  '“',
  '”',
  '「',
  '」',
  "'",
  '\\',
  '\u0000',
  '\u0007',
  '\u001b[31m',
  '\n',
  '\r\n',
  '\t',
  '\u3000',
  '\u00a0',
  '\u200b',
  '\u202e',
  '\ufeff',
  '<!channel>',
  '<@U0ADMIN>',
  '<https://evil.example|gov.example>',
  '@here',
  '&amp;',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a hostile literal, not a template
  '${x}',
  '%s',
  '__proto__',
  'constructor',
  'INC-2026-0001',
  'inc-2026-0001',
  'SYS-maff-001',
  'CMP-2026-0001',
  'MTG-2026-0001',
  'ADV-2026-0001',
  'maff',
  'mof',
  'nisc',
  'all',
  'yes',
  'no',
  '0',
  '1',
  '-1',
  '1e309',
  'NaN',
  '9007199254740993',
  '2026-12-01',
  '2026-12-01 10:00',
  '2026-02-30',
  'console:maff-poc',
  '192.0.2.1',
  'hxxp://evil[.]example/a?b=c',
  'd41d8cd98f00b204e9800998ecf8427e',
  '\ud800',
  '😀',
  '👨‍👩‍👧',
  '日本語',
  'ﾃｽﾄ',
  'e\u0301',
];
export const piece = fc.constantFrom(...PIECES);
export const huge = fc
  .tuple(fc.constantFrom('a', 'あ', '😀', '=', '"', ' '), fc.integer({ min: 3000, max: 9000 }))
  .map(([c, n]) => c.repeat(n));
const hostile = (options: string[] = []) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.array(piece, { minLength: 1, maxLength: 6 }).map((a) => a.join('')) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: huge },
    { weight: 1, arbitrary: fc.constant('') },
    ...(options.length ? [{ weight: 3, arbitrary: fc.constantFrom(...options) }] : []),
  );

export type Raw = Record<string, string | string[]>;

/** Arbitrary records for one schema: its own keys (often), other keys (sometimes), any values. */
export function recordFor(schema: z.ZodObject): fc.Arbitrary<Raw> {
  const shape = schema.shape as Record<string, z.ZodType>;
  const keys = Object.keys(shape);
  const options = keys.flatMap((k) => fieldShape(shape[k] as z.ZodType).options ?? []);
  const value = hostile(options);
  const key = fc.oneof(
    { weight: 5, arbitrary: keys.length ? fc.constantFrom(...keys) : fc.constant('x') },
    { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'x', 'ORG', 'ioc') },
    { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  );
  return fc.dictionary(key, fc.oneof(value, fc.array(value, { maxLength: 4 })), { maxKeys: 8 });
}

/** Every registry command, named as typed (`group sub`). */
export const COMMANDS = groups.flatMap((g) =>
  g.commands.map((c) => ({ name: c.name ? `${g.name} ${c.name}` : g.name, def: c })),
);
