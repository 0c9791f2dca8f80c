import assert from 'node:assert/strict';
import fc from 'fast-check';
import { test } from 'vitest';
import { isUserError } from '../../../src/core/errors.ts';
import { parseArgs, quoteArg } from '../../../src/core/parser.ts';

const cases: [string, string[], [string, string][]][] = [
  ['/csirt help', ['help'], []],
  ['help report', ['help', 'report'], []],
  [
    'report category=malware summary="two words"',
    ['report'],
    [
      ['category', 'malware'],
      ['summary', 'two words'],
    ],
  ],
  ['report summary=“curly quotes”', ['report'], [['summary', 'curly quotes']]],
  ['report summary=「かぎ括弧 の 値」', ['report'], [['summary', 'かぎ括弧 の 値']]],
  [
    '報告\u3000category=malware\u3000summary=全角空白',
    ['報告'],
    [
      ['category', 'malware'],
      ['summary', '全角空白'],
    ],
  ],
  [
    'report ioc=a ioc=b IOC=c',
    ['report'],
    [
      ['ioc', 'a'],
      ['ioc', 'b'],
      ['ioc', 'c'],
    ],
  ],
  ['poc add <@U123ABC|bob> org=maff', ['poc', 'add', '<@U123ABC|bob>'], [['org', 'maff']]],
  ['org set maff channel=<#C999|maff-csirt>', ['org', 'set', 'maff'], [['channel', '<#C999|maff-csirt>']]],
  ['org set maff channel=~maff-csirt', ['org', 'set', 'maff'], [['channel', '~maff-csirt']]],
  ['report tlp＝amber', ['report'], [['tlp', 'amber']]],
  ['incident show INC-2026-0001', ['incident', 'show', 'INC-2026-0001'], []],
  ['report ioc=hxxp://evil[.]example/a?b=c', ['report'], [['ioc', 'hxxp://evil[.]example/a?b=c']]],
  ['ioc check http://x.example/?q=1', ['ioc', 'check', 'http://x.example/?q=1'], []],
  ['report summary=', ['report'], [['summary', '']]],
  ['"quoted word" next', ['quoted word', 'next'], []],
];

test('parser: canonical forms', () => {
  for (const [input, words, pairs] of cases) {
    assert.deepEqual(parseArgs(input), { words, pairs }, input);
  }
});

test('parser: errors name what to fix', () => {
  for (const [input, code] of [
    ['report summary="open', 'parse.unterminated_quote'],
    ['report summary=「open', 'parse.unterminated_quote'],
    ['report summary="a"b', 'parse.after_quote'],
    ['report =x', 'parse.bad_key'],
    ['report 1x=y', 'parse.bad_key'],
  ] as const) {
    assert.throws(
      () => parseArgs(input),
      (e) => isUserError(e) && e.code === code,
      input,
    );
  }
});

test('parser: any input parses or gives a UserError, never anything else (1,000 cases)', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme-composite', maxLength: 200 }), (s) => {
      try {
        parseArgs(s);
      } catch (e) {
        if (!isUserError(e)) throw e;
      }
    }),
    { seed: 424242, numRuns: 1000 },
  );
});

test('parser: a quoted value round-trips through quoteArg', () => {
  fc.assert(
    fc.property(
      fc.string({ maxLength: 80 }).filter((s) => !/[\r\n]/.test(s) && s.trim() === s && s.length > 0),
      (v) => {
        const q = quoteArg(v);
        let parsed: ReturnType<typeof parseArgs>;
        try {
          parsed = parseArgs(`x k=${q}`);
        } catch (e) {
          // values holding every kind of quote cannot be quoted; they must at least fail cleanly
          assert.ok(isUserError(e));
          return;
        }
        assert.deepEqual(parsed.pairs, [['k', v]]);
      },
    ),
    { seed: 424242, numRuns: 1000 },
  );
});
