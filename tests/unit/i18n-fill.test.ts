/**
 * src/i18n's `t` and `translator().fill` fill a text's placeholders from a template split once
 * (not two regular expressions at every message), and name the coordinating organisation only
 * where a text can say it. Property tests hold both to the first version (kept below as the
 * oracle), character for character: random templates (placeholders, plural forms, stray and
 * doubled braces, names absent from the parameters, `toString`), and every catalogue text with
 * random parameters (numbers, text, bilingual values, 1 and not 1 for plurals, `__proto__`).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { test } from 'vitest';
import type { Params } from '../../src/core/errors.ts';
import { coordinatorName, type OrgNames } from '../../src/domain/org-names.ts';
import { allMessages, type DirectoryNames, type MessageKey, t, translator } from '../../src/i18n/index.ts';

type Locale = 'ja' | 'en';

/** the first version, verbatim */
function oracleFill(template: string, params: Record<string, string | number>): string {
  return template
    .replace(/\{(\w+)\|([^{}|]*)\|([^{}|]*)\}/g, (m, name: string, one: string, other: string) =>
      name in params ? (Number(params[name]) === 1 ? one : other) : m,
    )
    .replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}
function oracleNames(locale: Locale, names: DirectoryNames | null | undefined): Record<string, string> {
  const c = names?.coordinator ?? null;
  return { coordinator: coordinatorName(c, locale, 'name'), coordinator_full: coordinatorName(c, locale, 'full') };
}
function oracleT(locale: Locale, key: MessageKey, params: Params, names?: DirectoryNames | null): string {
  const merged = allMessages();
  const template = merged[locale][key] ?? merged.ja[key] ?? key;
  const own = Object.fromEntries(
    Object.entries(params).map(([k, v]) => [k, typeof v === 'object' ? v[locale] : v] as const),
  );
  return oracleFill(template, { ...oracleNames(locale, names), ...own });
}

const ORG: OrgNames = { nameJa: '国家サイバー統括室', nameEn: 'National Cybersecurity Office', short: ['NCO'] };
const names = fc.constantFrom<DirectoryNames | null | undefined>(
  undefined,
  null,
  { coordinator: null },
  {
    coordinator: ORG,
  },
);
const locale = fc.constantFrom<Locale>('ja', 'en');
const NAMES = ['count', 'n', 'id', 'coordinator', 'coordinator_full', 'toString', 'x'];
const piece = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom('{', '}', '|', '{{', '}}', 'coordinator', '（', ' '),
  fc.constantFrom(...NAMES).map((n) => `{${n}}`),
  fc
    .tuple(fc.constantFrom(...NAMES), fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }))
    .map(([n, a, b]) => `{${n}|${a}|${b}}`),
);
const template = fc.array(piece, { maxLength: 8 }).map((p) => p.join(''));

test('translator().fill gives the first version’s text (property)', () => {
  fc.assert(
    fc.property(template, locale, names, (tpl, loc, nm) => {
      // twice: the second from the split template kept
      for (let i = 0; i < 2; i++) assert.equal(translator(loc, nm).fill(tpl), oracleFill(tpl, oracleNames(loc, nm)));
    }),
    { numRuns: 3000, seed: 20261203 },
  );
});

const keys = Object.keys(allMessages().ja) as MessageKey[];
const paramValue = fc.oneof(
  fc.constantFrom(0, 1, 2, 1.5, -1),
  fc.integer(),
  fc.string({ maxLength: 8 }),
  fc.constantFrom('{count}', '{coordinator}', '1'),
  fc.record({ ja: fc.string({ maxLength: 4 }), en: fc.string({ maxLength: 4 }) }),
);
const params = fc.dictionary(
  fc.oneof(fc.constantFrom(...NAMES, 'name', 'org', 'stage', 'kind', 'days', 'at', 'due', '__proto__'), fc.string()),
  paramValue,
  { maxKeys: 6 },
);

test('t gives the first version’s text for every catalogue text (property)', () => {
  fc.assert(
    fc.property(fc.constantFrom(...keys), params, locale, names, (key, p, loc, nm) => {
      assert.equal(t(loc, key, p as Params, nm), oracleT(loc, key, p as Params, nm));
    }),
    { numRuns: 3000, seed: 20261203 },
  );
  // and each text once with the parameters it names, as 1 and as 2
  for (const key of keys)
    for (const loc of ['ja', 'en'] as const)
      for (const n of [1, 2]) {
        const p: Params = {};
        for (const m of (allMessages()[loc][key] ?? '').matchAll(/\{(\w+)/g)) p[m[1] as string] = n;
        assert.equal(t(loc, key, p, { coordinator: ORG }), oracleT(loc, key, p, { coordinator: ORG }));
      }
});
