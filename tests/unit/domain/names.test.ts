/**
 * The anonymity check's matching (src/domain/names.ts) against hostile spellings: every name
 * kind of the shipped directory (official names, short names, codes) and incident ids, written
 * full-width, half-width, with zero-width and bidi characters inside, with every dash and hyphen
 * Unicode has, in Cyrillic look-alikes; and the words it must not mistake for a name.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { test } from 'vitest';
import {
  findName,
  findNames,
  foldName,
  type Name,
  namesOf,
  type OrgNames,
  redactNames,
  sameName,
  shortNameProblem,
} from '../../../src/domain/names.ts';
import { loadSeedDirectory } from '../../../src/services/directory-seed.ts';

const DIRECTORY: OrgNames[] = loadSeedDirectory().map((o) => ({
  code: o.code,
  nameJa: o.ja,
  nameEn: o.en,
  short: o.short ?? [],
}));
const ID = 'INC-2026-0001';
/** every organisation's names, and the incident INC-2026-0001 reported by maff */
const namesByOrg = new Map(DIRECTORY.map((o) => [o.code, namesOf(o, o.code === 'maff' ? [ID] : [])]));

/** Which organisation's name (and which name) the text gives away, if any. */
function who(text: string): string | null {
  for (const [code, names] of namesByOrg) {
    const hit = findName(text, names);
    if (hit) return `${code}:${hit.name.text}`;
  }
  return null;
}

const ZW = ['\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u00AD', '\u180E', '\uFE0F', '\u034F'];
const BIDI = [
  '\u202A',
  '\u202B',
  '\u202C',
  '\u202D',
  '\u202E',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
  '\u200E',
  '\u200F',
  '\u061C',
];

/** [text, what it names] — the rows a person would try by hand. */
const HOSTILE: [string, string][] = [
  // official names, short names, codes as written
  ['農林水産省で確認された攻撃', 'maff:農林水産省'],
  ['農水省で確認', 'maff:農水省'],
  ['厚労省の端末', 'mhlw:厚労省'],
  ['経産省', 'meti:経産省'],
  ['国交省', 'mlit:国交省'],
  ['文科省', 'mext:文科省'],
  ['総務省', 'mic:総務省'],
  ['seen at MAFF', 'maff:maff'],
  ['Ministry of Agriculture, Forestry and Fisheries', 'maff:Ministry of Agriculture, Forestry and Fisheries'],
  [`related to ${ID}`, `maff:${ID}`],
  // full-width and half-width
  ['ＭＡＦＦ', 'maff:maff'],
  ['ｍａｆｆ の端末', 'maff:maff'],
  ['ＭＥＴＩ', 'meti:meti'],
  ['ＩＮＣ－２０２６－０００１', `maff:${ID}`],
  ['INC-２０２６-０００１', `maff:${ID}`],
  ['ﾃﾞｼﾞﾀﾙ庁', 'digital:デジタル庁'],
  ['ﾃﾞ庁', 'digital:デ庁'],
  ['ＭＩＮＩＳＴＲＹ ＯＦ ＤＥＦＥＮＳＥ', 'mod:Ministry of Defense'],
  // zero-width and bidi characters inside
  ['農\u200B水省', 'maff:農水省'],
  ['農\u200D水\u2060省', 'maff:農水省'],
  ['厚\uFEFF労省', 'mhlw:厚労省'],
  ['ma\u200Bff', 'maff:maff'],
  ['m\u00ADa\u00ADf\u00ADf', 'maff:maff'],
  ['\u202Dmaff\u202C', 'maff:maff'],
  ['\u2066MAFF\u2069', 'maff:maff'],
  ['M\u200EA\u200FF\u061CF', 'maff:maff'],
  ['INC\u200B-2026-0001', `maff:${ID}`],
  ['INC-20\u200D26-00\u206601', `maff:${ID}`],
  ['経\uFE00産省', 'meti:経産省'],
  ['国\u034F交省', 'mlit:国交省'],
  // dashes and hyphens in the incident id
  ['INC‐2026‐0001', `maff:${ID}`],
  ['INC‑2026‑0001', `maff:${ID}`],
  ['INC–2026–0001', `maff:${ID}`],
  ['INC—2026—0001', `maff:${ID}`],
  ['INC−2026−0001', `maff:${ID}`],
  ['INCー2026ー0001', `maff:${ID}`],
  ['INCｰ2026ｰ0001', `maff:${ID}`],
  ['INC一2026一0001', `maff:${ID}`],
  ['INC⼀2026⼀0001', `maff:${ID}`],
  ['INC 2026 0001', `maff:${ID}`],
  ['INC20260001', `maff:${ID}`],
  ['INC-2026-1', `maff:${ID}`],
  ['inc/2026/0001', `maff:${ID}`],
  // names split or decorated
  ['農 水 省', 'maff:農水省'],
  ['農・水・省', 'maff:農水省'],
  ['農林\n水産省', 'maff:農林水産省'],
  ['Ministry of Agriculture Forestry and Fisheries', 'maff:Ministry of Agriculture, Forestry and Fisheries'],
  ['ministry  of\tjustice', 'moj:Ministry of Justice'],
  ['MinistryofJustice', 'moj:Ministry of Justice'],
  ['MAFF-CSIRT より', 'maff:maff'],
  ['www.maff.go.jp', 'maff:maff'],
  ['user@mhlw.go.jp', 'mhlw:mhlw'],
  ['(maff)', 'maff:maff'],
  ['「農水省」', 'maff:農水省'],
  ['maff農水省', 'maff:maff'],
  // look-alike letters, accents, other digits, compatibility forms
  ['МАFF', 'maff:maff'], // Cyrillic М, А
  ['mаff', 'maff:maff'], // Cyrillic а
  ['ΜΟD', 'mod:mod'], // Greek Μ, Ο
  ['Máff', 'maff:maff'],
  ['INC-٢٠٢٦-٠٠٠١', `maff:${ID}`], // Arabic-Indic digits
  ['INC-𝟐𝟎𝟐𝟔-𝟎𝟎𝟎𝟏', `maff:${ID}`], // mathematical digits
  ['INC-2026-000①', `maff:${ID}`],
  ['⾦融庁', 'fsa:金融庁'], // Kangxi radical ⾦
  ['ＪＦＳＡ', 'fsa:JFSA'],
  ['公取委', 'jftc:公取委'],
  ['個情委', 'ppc:個情委'],
  ['原子力規制庁', 'nra:原子力規制庁'],
  ['子供家庭庁', 'cfa:子供家庭庁'],
  ['Ministry of Health, Labor and Welfare', 'mhlw:Ministry of Health Labor and Welfare'],
  ['Ministry of Defence', 'mod:Ministry of Defence'],
  ['soumu.go.jp', 'mic:soumu'],
];

test(`hostile spellings: ${HOSTILE.length} rows, each names the organisation it spells`, () => {
  assert.ok(HOSTILE.length >= 60);
  const wrong: string[] = [];
  for (const [text, expected] of HOSTILE) {
    const got = who(text);
    if (got !== expected) wrong.push(`${JSON.stringify(text)}: expected ${expected}, got ${got}`);
  }
  assert.deepEqual(wrong, []);
});

test('every dash and hyphen in Unicode (and the ones drawn alike) inside the incident id', () => {
  const dashes = [...Array(0x20000).keys()]
    .filter((c) => c < 0xd800 || c > 0xdfff)
    .map((c) => String.fromCodePoint(c))
    .filter((ch) => /\p{Dash}/u.test(ch));
  const alike = ['ー', 'ｰ', '一', '⼀', '─', '━', '➖', '⁃', '˗', '〜', '～', '﹘', '‒'];
  const all = [...new Set([...dashes, ...alike])];
  assert.ok(all.length >= 35, `${all.length} dashes`);
  const missed = all.filter((d) => !findName(`see INC${d}2026${d}0001 now`, namesByOrg.get('maff') as Name[]));
  assert.deepEqual(
    missed.map((d) => `U+${d.codePointAt(0)?.toString(16)}`),
    [],
  );
});

test('every zero-width, format and bidi character, alone or in runs, inside each kind of name', () => {
  const maff = namesByOrg.get('maff') as Name[];
  for (const inv of [...ZW, ...BIDI]) {
    for (const [text, name] of [
      [`農${inv}水省`, '農水省'],
      [`M${inv}A${inv}F${inv}F`, 'maff'],
      [`INC-${inv}2026-0${inv}001`, ID],
      [`農林水産${inv}${inv}省`, '農林水産省'],
    ] as const) {
      assert.equal(findName(text, maff)?.name.text, name, JSON.stringify(text));
    }
  }
});

test('what is not a name: an org code inside another word, ordinary words, other organisations', () => {
  const NOT: [string, string][] = [
    ['mofa', 'mof'], // Ministry of Foreign Affairs, not of Finance
    ['model', 'mod'],
    ['modify the mod_ssl config', 'mod'],
    ['environment variables', 'env'],
    ['RC4 and rc4-hmac', 'rc'],
    ['src/arc', 'rc'],
    ['cascade', 'cas'],
    ['ppc64le', 'ppc'],
    ['nisca', 'nisc'],
    ['microphone', 'mic'],
    ['digitally signed', 'digital'],
    ['INC-2026-0010', 'maff'],
    ['INC-2026-00011', 'maff'],
    ['INC-2027-0001', 'maff'],
    ['第一報', 'maff'],
    ['センターの設定', 'nisc'],
    ['水産業', 'maff'],
    ['農林業', 'maff'],
    ['財務', 'mof'],
  ];
  for (const [text, code] of NOT) {
    assert.equal(findName(text, namesByOrg.get(code) as Name[]), null, `${JSON.stringify(text)} must not name ${code}`);
  }
});

test('the limits, written down: what the first line does not see (consent to the final text is the second)', () => {
  const LIMITS: [string, string][] = [
    ['INC_2026_0001', 'maff'], // `_` joins words, so that mod_ssl is not mod
    ['M A F F', 'maff'], // letters spaced out
    ['ma-ff', 'maff'],
    ['MAFF2026', 'maff'], // glued to digits, so that RC4 is not rc
    ['のうすいしょう', 'maff'], // the reading, in kana
    // reversed on screen by an override: stored text is cleaned of bidi controls first
    // (src/domain/text.ts), so what is shown is what is checked
    ['\u202Effam\u202C', 'maff'],
  ];
  for (const [text, code] of LIMITS) assert.equal(findName(text, namesByOrg.get(code) as Name[]), null, text);
});

test('hits give the original text back, so the drafter sees what to remove', () => {
  const text = '件名: ＭＡ\u200BＦＦ と 農・水省 の件 (INC‐2026‐0001)';
  const hits = findNames(text, namesByOrg.get('maff') as Name[]);
  assert.deepEqual(
    hits.map((h) => h.found),
    ['ＭＡ\u200BＦＦ', '農・水省', 'INC‐2026‐0001'],
  );
  assert.equal(redactNames(text, namesByOrg.get('maff') as Name[], '某省'), '件名: 某省 と 某省 の件 (某省)');
});

test('the longer of two overlapping names wins (MAFF-CSIRT over MAFF)', () => {
  const names = namesOf({ code: 'maff', nameJa: '農林水産省', nameEn: 'x y', short: ['MAFF-CSIRT'] });
  assert.deepEqual(
    findNames('ＭＡＦＦ－ＣＳＩＲＴ です', names).map((h) => h.name.text),
    ['MAFF-CSIRT'],
  );
});

test('folding: what is compared', () => {
  assert.equal(foldName('ＩＮＣ－２０２６－０００１'), 'inc 2026 0001');
  assert.equal(foldName('農 林・水産省'), '農林水産省');
  assert.equal(foldName('サイバーセキュリティ'), foldName('サイバ―セキュリティ'));
  assert.equal(foldName('第一'), '第一');
  assert.equal(foldName('ﾃﾞｼﾞﾀﾙ'), 'デジタル');
  assert.ok(sameName('ＭＡＦＦ', 'maff'));
  assert.ok(!sameName('mof', 'mofa'));
});

test('short names: at least two letters or digits, not a number alone', () => {
  assert.equal(shortNameProblem('農'), 'too_short');
  assert.equal(shortNameProblem('・'), 'too_short');
  assert.equal(shortNameProblem('２０２６'), 'number');
  assert.equal(shortNameProblem('デ庁'), null);
  assert.equal(shortNameProblem('MOE'), null);
});

test('the shipped directory: every organisation has its names, no name belongs to two organisations', () => {
  const owner = new Map<string, string>();
  for (const o of DIRECTORY) {
    for (const n of namesOf(o)) {
      const f = foldName(n.text);
      assert.ok(!owner.has(f) || owner.get(f) === o.code, `${n.text}: ${owner.get(f)} and ${o.code}`);
      owner.set(f, o.code);
      if (n.kind === 'short') assert.equal(shortNameProblem(n.text), null, n.text);
    }
  }
  for (const s of ['農水省', '厚労省', '経産省', '国交省', '文科省']) assert.ok(owner.has(foldName(s)), s);
});

// properties: a name disguised by random insertions and substitutions is still found

const maffNames = namesByOrg.get('maff') as Name[];
const invisible = fc.constantFrom(...ZW, ...BIDI);
const FULL = (s: string) => s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

test('property: invisible characters anywhere, full-width anywhere, in any name of maff, still found', () => {
  fc.assert(
    fc.property(
      fc.constantFrom('農林水産省', '農水省', 'MAFF', ID, 'Ministry of Agriculture, Forestry and Fisheries'),
      fc.array(fc.tuple(fc.nat(), invisible), { maxLength: 6 }),
      fc.array(fc.nat(), { maxLength: 6 }),
      fc.string({ maxLength: 8, unit: fc.constantFrom('あ', '、', ' ', '。', '（') }),
      (name, inserts, widen, around) => {
        const chars = [...name];
        for (const i of widen) {
          const k = i % chars.length;
          chars[k] = FULL(chars[k] as string);
        }
        for (const [i, ch] of inserts) chars.splice(i % (chars.length + 1), 0, ch);
        const text = `${around}${chars.join('')}${around}`;
        const hit = findName(text, maffNames);
        assert.ok(hit, JSON.stringify(text));
        assert.equal(redactNames(text, maffNames, '＊').includes('水産'), false);
      },
    ),
    { seed: 15, numRuns: 500 },
  );
});

test('property: text made of other organisations’ names never names maff', () => {
  const others = DIRECTORY.filter((o) => o.code !== 'maff').flatMap((o) => namesOf(o).map((n) => n.text));
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...others, '、', ' ', 'の', '-', '\u200B'), { maxLength: 12 }), (parts) => {
      assert.equal(findName(parts.join(''), maffNames), null, JSON.stringify(parts.join('')));
    }),
    { seed: 15, numRuns: 500 },
  );
});
