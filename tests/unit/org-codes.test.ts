/**
 * The one rule that reads a typed organisation code (src/domain/org-codes.ts): folded like every
 * code, an alias read as its organisation's code; a directory whose aliases contradict its codes
 * is refused when loaded.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { test } from 'vitest';
import { aliasesOf, aliasHolder, aliasTable, canonicalOrgCode } from '../../src/domain/org-codes.ts';
import { loadSeedDirectory, shippedAliases } from '../../src/services/directory-seed.ts';

const DIR = [{ code: 'nisc', aliases: ['nco'] }, { code: 'maff' }, { code: 'mext', aliases: ['monbusho', 'ＳＴＡ'] }];

test('an alias, however spelt, is read as its organisation’s code; a code stays itself', () => {
  const table = aliasTable(DIR);
  for (const typed of ['nco', 'NCO', 'ｎｃｏ', 'Ｎｃｏ', 'n\u200bco', '\ufeffnco', 'nc\u00ado', ' nco ', 'n\u2060co'])
    assert.equal(canonicalOrgCode(typed, table), 'nisc', JSON.stringify(typed));
  assert.equal(canonicalOrgCode('ＭＡＦＦ', table), 'maff');
  assert.equal(canonicalOrgCode('nisc', table), 'nisc');
  assert.equal(canonicalOrgCode('sta', table), 'mext');
  // not an alias: left as typed (folded), for the "not registered" message
  assert.equal(canonicalOrgCode('ncoo', table), 'ncoo');
  assert.equal(aliasHolder('NCO', table), 'nisc');
  assert.equal(aliasHolder('nisc', table), null);
  assert.deepEqual(aliasesOf('mext', table), ['monbusho', 'sta']);
  assert.deepEqual(aliasesOf('maff', table), []);
});

test('a directory whose aliases contradict it is refused when loaded', () => {
  assert.throws(
    () => aliasTable([{ code: 'nisc', aliases: ['maff'] }, { code: 'maff' }]),
    /alias "maff" of nisc is the code/,
  );
  // folded first: a full-width spelling of a code is that code
  assert.throws(() => aliasTable([{ code: 'nisc', aliases: ['ＭＡＦＦ'] }, { code: 'maff' }]), /is the code/);
  assert.throws(() => aliasTable([{ code: 'nisc', aliases: ['nisc'] }]), /is the code/);
  assert.throws(
    () =>
      aliasTable([
        { code: 'nisc', aliases: ['nco'] },
        { code: 'maff', aliases: ['NCO'] },
      ]),
    /claimed by both nisc and maff/,
  );
  assert.throws(() => aliasTable([{ code: 'nisc', aliases: ['国家'] }]), /not an organisation code/);
  assert.throws(() => aliasTable([{ code: 'nisc', aliases: ['all'] }]), /every organisation/);
});

test('the shipped directory gives nco to nisc, and no alias is a code', () => {
  const table = shippedAliases();
  assert.equal(canonicalOrgCode('nco', table), 'nisc');
  const codes = new Set(loadSeedDirectory().map((o) => o.code));
  for (const alias of table.keys()) assert.ok(!codes.has(alias), alias);
});

test('property: inserting invisible characters, widening or changing case never changes the code read', () => {
  const table = aliasTable(DIR);
  const invisible = fc.constantFrom('\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u202e', '\u2066');
  const typed = fc.constantFrom('nco', 'nisc', 'maff', 'monbusho', 'sta', 'other-org');
  fc.assert(
    fc.property(
      typed,
      fc.array(fc.tuple(fc.nat(), invisible)),
      fc.boolean(),
      fc.boolean(),
      (code, marks, wide, upper) => {
        let s = upper ? code.toUpperCase() : code;
        if (wide) s = [...s].map((ch) => (ch === '-' ? '－' : String.fromCharCode(ch.charCodeAt(0) + 0xfee0))).join('');
        const chars = [...s];
        for (const [at, mark] of marks) chars.splice(at % (chars.length + 1), 0, mark);
        assert.equal(canonicalOrgCode(chars.join(''), table), canonicalOrgCode(code, table));
      },
    ),
  );
});
