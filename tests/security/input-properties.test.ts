/**
 * Property-based tests of what reads user input without a database (fast-check, seed 424242):
 * - the command parser (more in tests/unit/core/parser.test.ts);
 * - the indicator normaliser (more in tests/unit/domain/indicators.test.ts);
 * - every registry command's zod schema: 1,000 arbitrary records each through
 *   `schema.safeParse` + describeIssues.
 * Any input gives a result or a localised error, never a crash. The same commands through the
 * router on a real database: tests/security/properties.test.ts. These touch no database, so
 * they run once (the sqlite project), not again on PostgreSQL (issue 19 item 7).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { test } from 'vitest';
import { escapeText } from '../../src/adapters/slack/escape.ts';
import { isUserError } from '../../src/core/errors.ts';
import { parseArgs, quoteArg } from '../../src/core/parser.ts';
import { describeIssues } from '../../src/core/schema-info.ts';
import { defang, MAX_INDICATOR_LENGTH, normalizeIndicator } from '../../src/domain/indicators.ts';
import { translator } from '../../src/i18n/index.ts';
import { COMMANDS, huge, piece, recordFor, SEED } from '../helpers/hostile-input.ts';

const SCHEMA_RUNS = 1000;

// ---------------------------------------------------------------- parser
test(`parser: any line parses or fails with a parse.* UserError (${SCHEMA_RUNS} cases)`, () => {
  const line = fc.oneof(
    fc
      .array(fc.oneof(piece, fc.string({ unit: 'grapheme', maxLength: 6 }), fc.constant(' ')), { maxLength: 30 })
      .map((a) => a.join('')),
    fc.string({ unit: 'binary', maxLength: 200 }),
    huge,
  );
  fc.assert(
    fc.property(line, (s) => {
      try {
        const p = parseArgs(s);
        for (const [k] of p.pairs) assert.match(k, /^[a-z][a-z0-9_-]*$/, 'keys are plain lower-case words');
        for (const w of p.words) assert.notEqual(w, '', 'no empty word unless quoted');
      } catch (e) {
        if (!isUserError(e)) throw e;
        assert.match(e.code, /^parse\./);
      }
    }),
    { seed: SEED, numRuns: SCHEMA_RUNS },
  );
});

test(`parser: any value survives quoteArg → parse as the same single value, or fails cleanly (${SCHEMA_RUNS} cases)`, () => {
  const value = fc.oneof(
    fc.array(piece, { minLength: 1, maxLength: 5 }).map((a) => a.join('')),
    fc.string({ maxLength: 30 }),
  );
  fc.assert(
    fc.property(value, value, (a, b) => {
      const clean = (v: string) => v.replace(/\r\n?/g, '\n').trim();
      if (clean(a) !== a || clean(b) !== b || a === '' || b === '') return;
      try {
        const p = parseArgs(`report k=${quoteArg(a)} j=${quoteArg(b)}`);
        // another key's value never leaks into this one ('=' and quotes inside values stay values)
        assert.deepEqual(p.pairs, [
          ['k', a],
          ['j', b],
        ]);
        assert.deepEqual(p.words, ['report']);
      } catch (e) {
        if (!isUserError(e)) throw e;
      }
    }),
    { seed: SEED, numRuns: SCHEMA_RUNS },
  );
});

// ---------------------------------------------------------------- indicator normaliser
test(`indicators: the normalised value is inert (no space or control; markup only in URL paths, escaped in chat), bounded, idempotent (${SCHEMA_RUNS} cases)`, () => {
  const input = fc.oneof(
    fc.array(piece, { maxLength: 6 }).map((a) => a.join('')),
    fc.string({ unit: 'grapheme', maxLength: 60 }),
    fc.webUrl({ withQueryParameters: true, withFragments: true }),
    fc.domain(),
    fc.emailAddress(),
    fc.ipV6(),
    huge,
  );
  fc.assert(
    fc.property(input, (s) => {
      const r = normalizeIndicator(s);
      if (!r.ok) {
        assert.equal(r.code, 'ioc.invalid');
        return;
      }
      const v = r.indicator.value;
      assert.ok(v.length > 0 && v.length <= MAX_INDICATOR_LENGTH, 'bounded');
      assert.doesNotMatch(
        v,
        /[\s\p{Cc}\p{Cf}\p{Cs}]/u,
        `no space, control or invisible character: ${JSON.stringify(v)}`,
      );
      // a URL's path and query are kept exactly (an indicator must match what was seen), so they
      // may hold '<', '>' or '"'; every other type never does, and chat renders escape them
      if (r.indicator.type !== 'url') assert.doesNotMatch(v, /[<>"]/, `no markup: ${JSON.stringify(v)}`);
      assert.doesNotMatch(escapeText(defang(v)), /[<>]/, 'Slack text of the defanged value has no live markup');
      const again = normalizeIndicator(v);
      assert.ok(again.ok && again.indicator.value === v, 'idempotent');
      assert.doesNotMatch(defang(v), /\bhttps?:\/\//i, 'defanged: no live scheme');
    }),
    { seed: SEED, numRuns: SCHEMA_RUNS },
  );
});

// ---------------------------------------------------------------- schemas, directly
test(`every command's schema: ${SCHEMA_RUNS} arbitrary records each through safeParse + describeIssues`, () => {
  const t = { ja: translator('ja'), en: translator('en') };
  let cases = 0;
  for (const { name, def } of COMMANDS) {
    fc.assert(
      fc.property(recordFor(def.schema), fc.constantFrom('ja' as const, 'en' as const), (raw, locale) => {
        cases++;
        const r = def.schema.safeParse(raw);
        if (r.success) return;
        const text = describeIssues(r.error.issues, t[locale]);
        assert.ok(text.length > 0, `${name}: issues described`);
        assert.doesNotMatch(text, /: [a-z_]+\.[a-z_.]+$/m, `${name}: no untranslated message key in ${text}`);
      }),
      { seed: SEED, numRuns: SCHEMA_RUNS },
    );
  }
  console.log(`schemas: ${COMMANDS.length} commands × ${SCHEMA_RUNS} records = ${cases} safeParse cases`);
});
