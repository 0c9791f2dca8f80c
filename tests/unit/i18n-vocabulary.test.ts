/**
 * Every message, help text and form label, rendered in both languages with sample values,
 * against the vocabulary of docs/glossary.md (issue 18): no word the glossary marks as not
 * ours, no English code inside Japanese (except where it is typed), no Japanese in English,
 * one date format.
 *
 * Today's offenders are listed in tests/unit/i18n-offenders.ts. The list only shrinks: a new
 * offence fails this test, and so does an entry that no longer offends (delete its line).
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { groups } from '../../commands/index.ts';
import { ROOT } from '../../src/app.ts';
import { allMessages, codeKey, LOCALES, t, translator } from '../../src/i18n/index.ts';
import { shippedNames } from '../../src/services/directory-seed.ts';
import { sampleParams } from '../helpers/message-samples.ts';
import { check, codeWords, forbiddenWords, type Offence } from '../helpers/vocabulary.ts';
import { OFFENDERS } from './i18n-offenders.ts';

const forbidden = forbiddenWords(ROOT);
const codes = codeWords();

/** `ja|message:incident.not_found|code|status`: where, which rule, which word. */
function entries(where: string, locale: string, offences: Offence[]): string[] {
  return offences.map((o) => `${locale}|${where}|${o.rule}|${o.word}`);
}

function everyOffence(): string[] {
  const found: string[] = [];
  const messages = allMessages();
  for (const locale of LOCALES) {
    for (const [key, template] of Object.entries(messages[locale])) {
      const params = sampleParams(key, template, locale);
      const rendered = t(locale, codeKey(key), params);
      found.push(
        ...entries(
          `message:${key}`,
          locale,
          check({ locale, rendered, template, samples: Object.values(params) }, forbidden, codes),
        ),
      );
    }
    // help texts as people read them: the directory's names filled in ({coordinator}: the shipped ones)
    const fill = translator(locale, shippedNames()).fill;
    for (const g of groups) {
      const texts: Array<[string, string]> = [[`help:${g.name}`, g.summary[locale]]];
      for (const c of g.commands) {
        const name = c.name ? `${g.name} ${c.name}` : g.name;
        texts.push([`help:${name}`, c.summary[locale]]);
        for (const [field, help] of Object.entries(c.fields ?? {})) texts.push([`help:${name}:${field}`, help[locale]]);
      }
      for (const [where, raw] of texts) {
        const text = fill(raw);
        found.push(
          ...entries(where, locale, check({ locale, rendered: text, template: text, samples: [] }, forbidden, codes)),
        );
      }
    }
  }
  return [...new Set(found)].sort();
}

test('the glossary has its machine-read tables, and the code list comes from the schemas', () => {
  assert.ok(
    forbidden.ja.some((f) => f.word === '督促'),
    'docs/glossary.md marks 督促 as not ours',
  );
  assert.ok(
    forbidden.ja.some((f) => f.word === '重要度'),
    'docs/glossary.md marks 重要度 as not ours',
  );
  for (const c of ['resolved', 'coordinator', 'implemented', 'attend', 'severity', 'entry', 'amber'])
    assert.ok(codes.has(c), `${c} is a code word`);
});

test('the checks catch what they are for (each rule on a made-up text)', () => {
  const run = (locale: 'ja' | 'en', rendered: string, template = rendered) =>
    check({ locale, rendered, template, samples: [] }, forbidden, codes).map((o) => `${o.rule}:${o.word}`);
  assert.deepEqual(run('ja', '役割 coordinator を付与しました。'), ['code:coordinator']);
  assert.deepEqual(run('ja', '状態を 対処完了（resolved）に変更しました。'), []);
  assert.deepEqual(run('ja', 'status（implemented）です。').sort(), ['code:implemented', 'code:status']);
  assert.deepEqual(run('ja', '/csirt incident update INC-2026-0001 status=resolved を実行してください。'), []);
  assert.deepEqual(run('ja', '役割は admin, coordinator, approver から指定してください。'), []);
  assert.deepEqual(run('ja', '【督促】回答をお願いします。'), ['forbidden:督促']);
  assert.deepEqual(run('ja', '回答状況をご確認ください。'), []);
  assert.deepEqual(run('ja', '期限は 2026-12-02 です。'), ['date:2026-12-02']);
  assert.deepEqual(run('ja', '日時（例: 2027-01-12 10:00）を指定してください。'), []);
  assert.deepEqual(run('en', 'Done（see below）.'), ['ja-punct:（', 'ja-punct:）']);
  assert.deepEqual(run('en', 'Acknowledged at 10:00 JST', 'Acknowledged ({at} JST)'), ['date:10:00', 'date:{at} JST']);
  assert.deepEqual(run('en', 'Reported by 1 organization(s).').sort(), ['forbidden:(s)', 'forbidden:organization']);
});

test('every message and help text follows the glossary (known offenders only shrink)', () => {
  const found = everyOffence();
  const known = new Set(OFFENDERS);
  const added = found.filter((e) => !known.has(e));
  const fixed = OFFENDERS.filter((e) => !found.includes(e));
  assert.deepEqual(
    { added, fixed },
    { added: [], fixed: [] },
    [
      'added: new text breaks a rule of docs/glossary.md — reword it (see the glossary for our word);',
      'fixed: these no longer offend — delete their lines from tests/unit/i18n-offenders.ts.',
    ].join('\n'),
  );
});
