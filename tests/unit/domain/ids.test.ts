import assert from 'node:assert/strict';
import fc from 'fast-check';
import { test } from 'vitest';
import { canonicalId, foldCode, highestIdsIn, parseId, YEAR_ID_PREFIXES } from '../../../src/domain/ids.ts';

const fullWidth = (s: string) => s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

test('every kind of id is read case-insensitively, full-width, with dash variants and stray marks', () => {
  assert.equal(parseId('inc-2026-0001'), 'INC-2026-0001');
  assert.equal(parseId(' Adv-2026-0012 ', 'ADV'), 'ADV-2026-0012');
  assert.equal(parseId('ｍｔｇ－２０２６－０００３', 'MTG'), 'MTG-2026-0003');
  assert.equal(parseId('CMP―2026―0001', 'CMP'), 'CMP-2026-0001');
  assert.equal(parseId('drlー2026ー0001', 'DRL'), 'DRL-2026-0001');
  // systems keep the organisation code in lower case, as stored
  assert.equal(parseId('SYS-MAFF-001', 'SYS'), 'SYS-maff-001');
  assert.equal(parseId('sys-maff-001'), 'SYS-maff-001');
  assert.equal(parseId('ＳＹＳ－ｍａｆｆ－００１'), 'SYS-maff-001');
  assert.equal(parseId('SYS-mof-tax-012'), 'SYS-mof-tax-012');
  assert.equal(parseId('\u200bINC-2026-0001\u200e'), 'INC-2026-0001');
});

test('what is not an id of the kind asked for is null (and kept as typed by canonicalId)', () => {
  for (const bad of ['', 'INC', 'INC-26-0001', 'INC-2026-01', 'INC 2026 0001', 'XYZ-2026-0001', 'SYS-1maff-001']) {
    assert.equal(parseId(bad), null, bad);
  }
  assert.equal(parseId('INC-2026-0001', 'ADV'), null);
  assert.equal(parseId('SYS-maff-001', ['INC', 'ADV']), null);
  assert.equal(canonicalId(' adv-x ', 'ADV'), 'adv-x');
  assert.equal(parseId('x'.repeat(500)), null);
});

test('property: any year id, however cased or widened, reads back as itself', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...YEAR_ID_PREFIXES),
      fc.integer({ min: 2000, max: 2099 }),
      fc.integer({ min: 1, max: 99999 }),
      fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
      fc.constantFrom('-', '－', '‐', '–', '—', '−', 'ー'),
      fc.boolean(),
      (prefix, fy, n, upper, dash, wide) => {
        const id = `${prefix}-${fy}-${String(n).padStart(4, '0')}`;
        const cased = [...prefix].map((c, i) => (upper[i] ? c : c.toLowerCase())).join('');
        let typed = `${cased}${dash}${fy}${dash}${String(n).padStart(4, '0')}`;
        if (wide) typed = fullWidth(typed);
        assert.equal(parseId(typed, prefix), id);
      },
    ),
    { seed: 16_001, numRuns: 500 },
  );
});

test('foldCode undoes width and dashes but keeps the case', () => {
  assert.equal(foldCode('ＥＮＴ－０１'), 'ENT-01');
  assert.equal(foldCode(' ｍａｆｆ '), 'maff');
});

test('highestIdsIn: the highest number per sequence, wherever the ids stand in a text (restore)', () => {
  const m = highestIdsIn(
    '{"text":"INC-2026-0007 と INC-2026-0012、ADV-2026-0003；MTG-2025-0100\\nSYS-maff-007 SYS-soumu-cao-012 INC-2027-0001"}',
  );
  assert.deepEqual(Object.fromEntries(m), {
    'INC-2026': 12,
    'ADV-2026': 3,
    'MTG-2025': 100,
    'SYS-maff': 7,
    'SYS-soumu-cao': 12,
    'INC-2027': 1,
  });
  // not ids: glued to letters or digits, too few digits, another prefix
  assert.deepEqual(
    Object.fromEntries(highestIdsIn('XINC-2026-0009 INC-2026-009 INC-2026-000912345678901 ABC-2026-0001 INC-26-0001')),
    {},
  );
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          prefix: fc.constantFrom(...YEAR_ID_PREFIXES),
          fy: fc.integer({ min: 2000, max: 2099 }),
          n: fc.integer({ min: 1, max: 99999 }),
          sep: fc.constantFrom(' ', '\n', '、', '"', '(', '：', '|'),
        }),
        { maxLength: 20 },
      ),
      (ids) => {
        const text = ids.map((i) => `${i.sep}${i.prefix}-${i.fy}-${String(i.n).padStart(4, '0')}${i.sep}`).join('');
        const expected = new Map<string, number>();
        for (const i of ids) {
          const k = `${i.prefix}-${i.fy}`;
          expected.set(k, Math.max(expected.get(k) ?? 0, i.n));
        }
        assert.deepEqual(highestIdsIn(text), expected);
      },
    ),
  );
});
