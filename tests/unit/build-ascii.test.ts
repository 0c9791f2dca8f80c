/**
 * The build writes dist/ as ASCII (scripts/build.mjs asciiOnly; issue 19: V8 keeps a source with
 * one non-ASCII character as two bytes a character). The escapes must mean what was written:
 * the Japanese patterns of the date and list parsers, astral characters with and without the
 * u flag, a tagged template's cooked text.
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { asciiOnly } from '../../scripts/build.mjs';

const run = (code: string): unknown => new Function(code)();

test('regular expressions, templates and comments escaped mean the same', () => {
  const code = `// 日本時間の表記
    const html = (s, ...v) => s.reduce((a, x, i) => a + (v[i - 1] ?? '') + x);
    return [
      '令和8年12月3日（木）午後3時半'.replace(/^(令和|平成)\\s*(元|\\d{1,2})\\s*年/, 'R').replace(/[（(]([日月火水木金土])[）)]/u, '$1').split(/[,、，]/),
      /😀/.test('😀'), /^😀$/u.test('😀'), /^.$/u.test('😀'), /[０-９]/g[Symbol.replace]('１２', 'd'),
      html\`<h2>\${'見出し'}（\${1}）</h2>\`, \`\${'年'}度\`,
    ];`;
  const ascii = asciiOnly(code);
  assert.ok(/^[\x00-\x7f]*$/.test(ascii), ascii);
  assert.deepEqual(run(ascii), run(code));
  assert.deepEqual(run(ascii), [['R12月3日木午後3時半'], true, true, true, 'dd', '<h2>見出し（1）</h2>', '年度']);
});

test('a non-ASCII character after a backslash stops the build', () => {
  assert.throws(() => asciiOnly('const r = /\\（/;', 'x.js'), /x\.js: an escaped non-ASCII character/);
  assert.equal(asciiOnly('const r = "plain";'), 'const r = "plain";');
});
