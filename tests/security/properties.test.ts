/**
 * Property-based tests of everything that reads user input (fast-check, seed 424242):
 * - the command parser (more in tests/unit/core/parser.test.ts);
 * - the indicator normaliser (more in tests/unit/domain/indicators.test.ts);
 * - every registry command's zod schema, two ways:
 *   1,000 arbitrary records per schema through `schema.safeParse` + describeIssues (fast), and
 *   100 arbitrary records per command through the full router on a real database (slow: each
 *   run is a command), as the admin or a ministry PoC, given as form values or as a typed line.
 * Any input gives a reply (ok or a localised error), never an internal error, never an
 * unhandled rejection, and never a partial write (not ok → every table's row count unchanged).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { afterAll, beforeAll, test } from 'vitest';
import type { z } from 'zod';
import { groups } from '../../commands/index.ts';
import { consoleRefs } from '../../src/adapters/console/refs.ts';
import { escapeText } from '../../src/adapters/slack/escape.ts';
import { isUserError } from '../../src/core/errors.ts';
import { parseArgs, quoteArg } from '../../src/core/parser.ts';
import { replyToText } from '../../src/core/reply.ts';
import { describeIssues, fieldShape } from '../../src/core/schema-info.ts';
import { Prisma } from '../../src/db/generated/sqlite/client.ts';
import { defang, MAX_INDICATOR_LENGTH, normalizeIndicator } from '../../src/domain/indicators.ts';
import { translator } from '../../src/i18n/index.ts';
import { type TestApp, testApp } from '../helpers/app.ts';
import { PERSONAS, registerPersonas } from '../helpers/personas.ts';

const SEED = 424242;
const SCHEMA_RUNS = 1000;
// the everyday size; npm run test:deep runs 100 (scripts/test-files.mjs DEEP_ENV)
const ROUTER_RUNS_PER_COMMAND = Number(process.env.PROPERTY_ROUTER_RUNS ?? 25);

const rejections: unknown[] = [];
const onRejection = (e: unknown) => rejections.push(e);
process.on('unhandledRejection', onRejection);

// ---------------------------------------------------------------- hostile strings
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
const piece = fc.constantFrom(...PIECES);
const huge = fc
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

type Raw = Record<string, string | string[]>;

/** Arbitrary records for one schema: its own keys (often), other keys (sometimes), any values. */
function recordFor(schema: z.ZodObject): fc.Arbitrary<Raw> {
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

const COMMANDS = groups.flatMap((g) =>
  g.commands.map((c) => ({ name: c.name ? `${g.name} ${c.name}` : g.name, def: c })),
);

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

// ---------------------------------------------------------------- schemas, through the router
let t: TestApp;
let countSql = '';
beforeAll(async () => {
  t = await testApp({ env: { MAX_FIELD_LENGTH: '4000' } });
  await registerPersonas(t);
  countSql = `SELECT ${Object.values(Prisma.ModelName)
    .map((m) => `(SELECT COUNT(*) FROM "${m}") AS "${m}"`)
    .join(', ')}`;
  // some state for ids to hit: an incident, a system, a campaign, a meeting
  for (const [who, cmd] of [
    [PERSONAS.poc, 'report category=malware summary="seed" ioc=192.0.2.1'],
    [PERSONAS.poc, 'system add name="seed" confidentiality=2 exposure=internet'],
    [PERSONAS.coordinator, 'check campaign open due=2027-01-15'],
    [PERSONAS.coordinator, 'meeting schedule title="seed" start="2026-12-10 10:00"'],
  ] as const) {
    const o = await t.run(who, cmd);
    assert.equal(o.status, 'ok', `${cmd}: ${replyToText(o.reply)}`);
  }
});
afterAll(async () => {
  await t.close();
  process.off('unhandledRejection', onRejection);
});

async function counts(): Promise<Record<string, number>> {
  const [row] = await t.app.db.query<Record<string, number | bigint>>(t.app.db.prisma, countSql);
  return Object.fromEntries(Object.entries(row ?? {}).map(([k, v]) => [k, Number(v)]));
}

function asLine(command: string, raw: Raw): string {
  const parts = [command];
  for (const [k, v] of Object.entries(raw))
    for (const x of Array.isArray(v) ? v : [v]) parts.push(`${k}=${quoteArg(x)}`);
  return parts.join(' ');
}

test(`every command through the router: ${ROUTER_RUNS_PER_COMMAND} arbitrary records each, never a crash or a partial write`, async () => {
  const tally: Record<string, number> = {};
  let runs = 0;
  let snapshot = await counts();
  for (const { name, def } of COMMANDS) {
    await fc.assert(
      fc.asyncProperty(
        recordFor(def.schema),
        fc.constantFrom(PERSONAS.admin, PERSONAS.poc, PERSONAS.otherPoc),
        fc.boolean(),
        async (raw, who, typed) => {
          runs++;
          const o = await t.app.router.handle({
            platform: 'console',
            identity: who,
            text: typed ? asLine(name, raw) : name,
            ...(typed ? {} : { formValues: raw }),
            channelId: null,
            refs: consoleRefs,
            unlimited: true,
          });
          await t.app.dispatcher.drain();
          tally[o.status] = (tally[o.status] ?? 0) + 1;
          const text = replyToText(o.reply);
          assert.notEqual(o.status, 'error', `${name} as ${who} with ${JSON.stringify(raw).slice(0, 300)}: ${text}`);
          assert.ok(text.length > 0, `${name}: a reply`);
          const now = await counts();
          if (o.status !== 'ok') assert.deepEqual(now, snapshot, `${name} (${o.code}): nothing written`);
          snapshot = now;
        },
      ),
      { seed: SEED, numRuns: ROUTER_RUNS_PER_COMMAND },
    );
  }
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(rejections, [], 'no unhandled rejection');
  console.log(
    `router: ${COMMANDS.length} commands × ${ROUTER_RUNS_PER_COMMAND} records = ${runs} runs; outcomes ${JSON.stringify(tally)}`,
  );
});
