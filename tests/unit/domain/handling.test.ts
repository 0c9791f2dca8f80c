/** Handling marks (src/domain/handling.ts, data/handling-marks.json) and the two kinds (src/domain/advisory-kind.ts). */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { test } from 'vitest';
import data from '../../../data/handling-marks.json' with { type: 'json' };
import { expectsAck, kindOf, parseKind } from '../../../src/domain/advisory-kind.ts';
import {
  HANDLING_CODES,
  HANDLING_MARKS,
  handlingCodes,
  handlingText,
  marksBelowSources,
  marksMissing,
  parseHandling,
  storeHandling,
  strictestConfidentiality,
  weakerThanSources,
} from '../../../src/domain/handling.ts';
import { t as translate } from '../../../src/i18n/index.ts';
import { handlingLine } from '../../../src/services/marks-format.ts';

test('the list is the unified standards marks, 配付 as 公用文 writes it, each code and label once', () => {
  assert.deepEqual(
    HANDLING_MARKS.map((m) => m.ja).sort(),
    ['複製禁止', '配付禁止', '暗号化必須', '転送禁止', '関係者限り'].sort(),
  );
  assert.equal(new Set(HANDLING_CODES).size, HANDLING_CODES.length);
  for (const m of data.marks) {
    assert.match(m.code, /^[a-z]+(-[a-z]+)*$/);
    assert.equal(m.ja, m.ja.normalize('NFKC'));
  }
});

test('the messages name each mark exactly as the list does, in both languages', () => {
  for (const locale of ['ja', 'en'] as const) {
    const t = Object.assign(
      (key: Parameters<typeof translate>[1], p?: Parameters<typeof translate>[2]) => translate(locale, key, p),
      {
        fill: (s: string) => s,
      },
    );
    for (const m of HANDLING_MARKS) assert.equal(handlingLine(t, m.code), m[locale], `${locale} ${m.code}`);
  }
});

test('parse: codes, labels, English labels, full-width and dash variants, separators; none clears', () => {
  assert.deepEqual(parseHandling('関係者限り,複製禁止'), { ok: true, codes: ['need-to-know', 'no-copy'] });
  assert.deepEqual(parseHandling('複製禁止、関係者限り 複製禁止'), { ok: true, codes: ['need-to-know', 'no-copy'] });
  assert.deepEqual(parseHandling('ＮＯ－ＣＯＰＹ，need‐to‐know'), { ok: true, codes: ['need-to-know', 'no-copy'] });
  // spaces separate marks (an ideographic space too, after NFKC)
  assert.deepEqual(parseHandling('転送禁止\u3000配付禁止'), { ok: true, codes: ['no-distribution', 'no-forwarding'] });
  assert.deepEqual(parseHandling('encryption-required'), { ok: true, codes: ['encryption-required'] });
  assert.deepEqual(parseHandling('なし'), { ok: true, codes: [] });
  assert.deepEqual(parseHandling('none'), { ok: true, codes: [] });
});

test('parse: any set of marks, each as code, Japanese label, English label (quoted or not) or key form, in any order and separation, is read exactly', () => {
  const written = (m: (typeof HANDLING_MARKS)[number]) =>
    fc.constantFrom(
      m.code,
      m.ja,
      m.en,
      `"${m.en}"`,
      `「${m.en}」`,
      `“${m.en.toUpperCase()}”`,
      m.en.toLowerCase().replaceAll(' ', '-'),
      m.en.replaceAll(' ', '\u3000'),
    );
  const sep = fc.constantFrom(', ', ',', '、', ' ', '\u3000', ' , ');
  fc.assert(
    fc.property(
      fc
        .shuffledSubarray([...HANDLING_MARKS], { minLength: 1 })
        .chain((ms) =>
          fc.tuple(
            fc.constant(ms),
            fc.tuple(...ms.map(written)),
            fc.array(sep, { minLength: ms.length, maxLength: ms.length }),
          ),
        ),
      ([ms, texts, seps]) => {
        const raw = texts.map((x, i) => (i === 0 ? x : `${seps[i]}${x}`)).join('');
        const r = parseHandling(raw);
        const want = HANDLING_CODES.filter((c) => ms.some((m) => m.code === c));
        return r.ok && r.codes.join() === want.join();
      },
    ),
    { seed: 1818, numRuns: 400 },
  );
  // a word that starts no mark is named, with what follows it ("Need-to-know" alone is the code)
  assert.deepEqual(parseHandling('No copying, Need-to-know onl y'), {
    ok: false,
    code: 'input.handling',
    params: { value: 'onl y' },
  });
});

test('parse refuses what is not on the list, and every hidden character, naming it', () => {
  assert.deepEqual(parseHandling('配布先限定'), { ok: false, code: 'input.handling', params: { value: '配布先限定' } });
  assert.deepEqual(parseHandling('配布禁止'), { ok: false, code: 'input.handling', params: { value: '配布禁止' } });
  assert.deepEqual(parseHandling(''), { ok: false, code: 'input.handling', params: { value: '' } });
  for (const ch of ['\u200b', '\u200d', '\u202e', '\u2066', '\u00ad', '\ufeff', '\u0007', '\ufe0f']) {
    const r = parseHandling(`関係者${ch}限り`);
    assert.equal(r.ok, false, JSON.stringify(ch));
    assert.equal(!r.ok && r.code, 'input.invisible_char', JSON.stringify(ch));
  }
  // property: any text holding a format or control character is refused, whatever else it holds
  fc.assert(
    fc.property(
      fc.constantFrom(...HANDLING_MARKS.map((m) => m.ja)),
      fc.constantFrom('\u200b', '\u200c', '\u200e', '\u200f', '\u202a', '\u202d', '\u2069', '\u061c'),
      fc.nat(),
      (mark, ch, at) => {
        const i = at % (mark.length + 1);
        const r = parseHandling(mark.slice(0, i) + ch + mark.slice(i));
        return !r.ok && r.code === 'input.invisible_char';
      },
    ),
    { seed: 18, numRuns: 300 },
  );
});

test('stored form: list order, once each; a round trip through parse and store is stable', () => {
  fc.assert(
    fc.property(fc.subarray([...HANDLING_CODES]), fc.boolean(), (codes, labels) => {
      const typed = [...codes].reverse().map((c) => (labels ? HANDLING_MARKS.find((m) => m.code === c)?.ja : c));
      const r = parseHandling(typed.length ? typed.join(',') : 'none');
      if (!r.ok) return false;
      const stored = storeHandling(r.codes);
      return (
        stored === (codes.length ? HANDLING_CODES.filter((c) => codes.includes(c)).join(',') : null) &&
        handlingCodes(stored).join(',') === (stored ?? '')
      );
    }),
    { seed: 4, numRuns: 200 },
  );
  assert.deepEqual(handlingCodes('no-copy,made-up,need-to-know'), ['need-to-know', 'no-copy']);
  assert.equal(handlingText('no-copy,need-to-know', 'ja'), '関係者限り・複製禁止');
  assert.equal(handlingText('no-copy,need-to-know', 'en'), 'Need-to-know only, No copying');
  assert.equal(handlingText(null, 'ja'), '');
});

test('an advisory is never marked less strictly than a source', () => {
  const s = (incidentId: string, confidentiality: number | null, handling: string | null = null) => ({
    incidentId,
    confidentiality,
    handling,
  });
  const sources = [s('INC-1', 2), s('INC-2', null, 'no-copy'), s('INC-3', 3, 'need-to-know,no-copy')];
  assert.equal(strictestConfidentiality(sources), 3);
  assert.equal(strictestConfidentiality([s('INC-9', null)]), null);
  assert.deepEqual(weakerThanSources(3, sources), []);
  assert.deepEqual(
    weakerThanSources(2, sources).map((x) => x.incidentId),
    ['INC-3'],
  );
  assert.deepEqual(
    weakerThanSources(null, sources).map((x) => x.incidentId),
    ['INC-1', 'INC-3'],
  );
  assert.deepEqual(marksMissing('no-copy', sources), ['need-to-know']);
  assert.deepEqual(marksMissing('need-to-know,no-copy,no-forwarding', sources), []);
  // property: the strictest of the sources is never weaker than any of them
  fc.assert(
    fc.property(fc.array(fc.option(fc.integer({ min: 1, max: 3 }), { nil: null })), (levels) => {
      const list = levels.map((c, i) => s(`INC-${i}`, c));
      return weakerThanSources(strictestConfidentiality(list), list).length === 0;
    }),
    { seed: 7, numRuns: 200 },
  );
});

test('marksBelowSources (draft, submit, approval and the dispatcher): null exactly when the advisory is at least as strict as every source', () => {
  const code = fc.constantFrom(...HANDLING_CODES);
  const marks = fc.option(fc.uniqueArray(code, { maxLength: 3 }).map(storeHandling), { nil: null });
  const level = fc.option(fc.integer({ min: 1, max: 3 }), { nil: null });
  const source = fc.record({
    incidentId: fc.constantFrom('INC-1', 'INC-2', 'INC-3'),
    confidentiality: level,
    handling: marks,
  });
  fc.assert(
    fc.property(level, marks, fc.array(source, { maxLength: 4 }), (c, h, sources) => {
      const below = marksBelowSources({ confidentiality: c, handling: h }, sources);
      const weaker = weakerThanSources(c, sources);
      const missing = marksMissing(h, sources);
      if (weaker.length === 0 && missing.length === 0) return below === null;
      // every source named holds what the advisory lacks; raising the advisory to the strictest clears it
      const raised = marksBelowSources(
        {
          confidentiality: strictestConfidentiality(sources),
          handling: storeHandling([...handlingCodes(h), ...(below?.missing ?? [])]),
        },
        sources,
      );
      return (
        below !== null &&
        below.weaker.length === weaker.length &&
        below.missing.join() === missing.join() &&
        below.holders.every((x) => handlingCodes(x.handling).some((m) => missing.includes(m))) &&
        raised === null
      );
    }),
    { seed: 18, numRuns: 300 },
  );
});

test('kinds: warning (default, acknowledged) and info (not); Japanese words and full-width accepted', () => {
  assert.equal(parseKind('warning'), 'warning');
  assert.equal(parseKind('ＩＮＦＯ'), 'info');
  assert.equal(parseKind('情報提供'), 'info');
  assert.equal(parseKind('注意喚起'), 'warning');
  assert.equal(parseKind('alert'), null);
  // folded as ids are (src/domain/ids.ts foldCode): a choice between two words, matched exactly after folding
  assert.equal(parseKind('情報\u200b提供'), 'info');
  assert.equal(parseKind('情報提供です'), null);
  assert.equal(kindOf({ kind: null }), 'warning');
  assert.equal(kindOf({ kind: 'made-up' }), 'warning');
  assert.equal(expectsAck({ kind: 'info' }), false);
  assert.equal(expectsAck({ kind: 'warning' }), true);
  assert.equal(expectsAck({}), true);
});
