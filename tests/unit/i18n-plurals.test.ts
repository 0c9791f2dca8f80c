/**
 * English parity (issue 18 item 8): a count decides the form of the noun after it — "1
 * indicator", "2 indicators" — never "indicator(s)" nor "1 organisations". Messages write
 * `{count} {count|indicator|indicators}` (src/i18n/index.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { allMessages, codeKey, t } from '../../src/i18n/index.ts';

/** The nouns our English messages count. */
const COUNTED = [
  'organisation',
  'indicator',
  'item',
  'answer',
  'recipient',
  'delivery',
  'day',
  'hour',
  'reminder',
  'post',
  'character',
  'second',
  'report',
  'copy',
];
const plural = (w: string) => (w.endsWith('y') && w !== 'day' ? `${w.slice(0, -1)}ies` : `${w}s`);
/** `1 organisations`, `1 other organisations`, `1 pending deliveries`, `1 business days` */
const ONE_WITH_PLURAL = new RegExp(
  `\\b1 (?:other |pending |delivered |business )?(?:${COUNTED.map(plural).join('|')})\\b`,
);
/** `2 organisation` */
const MANY_WITH_SINGULAR = new RegExp(`\\b2 (?:other |pending |delivered |business )?(?:${COUNTED.join('|')})\\b(?!s)`);

function renderAll(n: string): Array<[string, string]> {
  return Object.entries(allMessages().en).map(([key, template]) => {
    const params: Record<string, string> = {};
    for (const m of template.matchAll(/\{(\w+)/g)) params[m[1] as string] = n;
    return [key, t('en', codeKey(key), params)];
  });
}

test('the plural form follows the count: {n|one|other}', () => {
  assert.equal(
    t('en', 'report.done', { id: 'INC-2026-0001', count: 1 }).match(/\d+ indicators? registered/)?.[0],
    '1 indicator registered',
  );
  assert.equal(
    t('en', 'report.done', { id: 'INC-2026-0001', count: 0 }).match(/\d+ indicators? registered/)?.[0],
    '0 indicators registered',
  );
  assert.match(t('en', 'ioc.others', { count: 1 }), /reports of 1 other organisation \(/);
  assert.match(t('en', 'ioc.others', { count: 3 }), /reports of 3 other organisations \(/);
  assert.match(t('en', 'rule.business_days', { n: 1 }), /^within 1 business day$/);
  assert.match(t('en', 'check.reminder_title', { id: 'CMP-2026-0001', days: 1 }), /1 day left/);
  // a placeholder with no value stays as written, like {param}
  assert.match(t('en', 'ioc.others', {}), /\{count\|organisation\|organisations\}/);
  // Japanese has no plural: the same text whatever the count
  assert.equal(
    t('ja', 'report.done', { id: 'X', count: 1 }).replace('1', 'N'),
    t('ja', 'report.done', { id: 'X', count: 2 }).replace('2', 'N'),
  );
});

test('no English message says "1 organisations" or "2 organisation", nor "(s)"', () => {
  const one = renderAll('1').filter(([, s]) => ONE_WITH_PLURAL.test(s) || s.includes('(s)'));
  assert.deepEqual(
    one.map(([k, s]) => `${k}: ${s.match(ONE_WITH_PLURAL)?.[0] ?? '(s)'}`),
    [],
  );
  const many = renderAll('2').filter(([, s]) => MANY_WITH_SINGULAR.test(s));
  assert.deepEqual(
    many.map(([k, s]) => `${k}: ${s.match(MANY_WITH_SINGULAR)?.[0]}`),
    [],
  );
});
