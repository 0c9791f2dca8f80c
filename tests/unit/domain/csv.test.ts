import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { test } from 'vitest';
import { csvField, toCsv } from '../../../src/domain/csv.ts';

const parseCsv = (text: string): string[][] => parse(text, { bom: true, relax_column_count: false }) as string[][];

test('round-trips Japanese text, commas, quotes and newlines through csv-parse', () => {
  const rows = [
    ['組織', 'システム', '項目', '状況', '備考'],
    ['mic', 'SYS-0001', 'ENT-01', 'partial', '「脆弱性修正」は、来年度に対応予定'],
    ['mofa', 'SYS-0002', 'VIO-01', 'missing', 'He said "Winny" was\r\nremoved, then\nre-installed'],
    ['mod', 'SYS-0003', 'EXT-04', 'na', ''],
  ];
  const text = toCsv(rows);
  assert.ok(text.startsWith('\uFEFF'));
  assert.ok(text.endsWith('\r\n'));
  // a line end inside a cell comes back as LF: every field is cleaned first (src/domain/text.ts)
  assert.deepEqual(
    parseCsv(text),
    rows.map((r) => r.map((c) => c.replaceAll('\r\n', '\n'))),
  );
});

test('numbers and null', () => {
  const text = toCsv([[1, -2.5, null, 3_000_000, Number.NaN]]);
  assert.equal(text, '\uFEFF1,-2.5,,3000000,\r\n');
  assert.deepEqual(parseCsv(text), [['1', '-2.5', '', '3000000', '']]);
});

test('formula injection is neutralised, plain numbers are not', () => {
  assert.equal(csvField('=HYPERLINK("http://x","y")'), `"'=HYPERLINK(""http://x"",""y"")"`);
  assert.equal(csvField('+81-3-5253-2111'), "'+81-3-5253-2111");
  assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(csvField('\tcmd'), "'\tcmd");
  assert.equal(csvField('\rcmd'), `"'\ncmd"`);
  assert.equal(csvField('\ncmd'), `"'\ncmd"`);
  assert.equal(csvField('-cmd|calc'), "'-cmd|calc");
  assert.equal(csvField('-12.5'), '-12.5');
  assert.equal(csvField('+3'), '+3');
  assert.equal(csvField('1e6'), '1e6');
  const rows = [['=1+1', '-5', 'a=b']];
  assert.deepEqual(parseCsv(toCsv(rows)), [["'=1+1", '-5', 'a=b']]);
});

test('empty input is just the BOM; quoting only where needed', () => {
  assert.equal(toCsv([]), '\uFEFF');
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField(''), '');
});
