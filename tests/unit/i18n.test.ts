import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'vitest';
import { ROOT } from '../../src/app.ts';
import { allMessages } from '../../src/i18n/index.ts';

test('ja and en have the same keys and the same {parameters}', () => {
  const { ja, en } = allMessages();
  assert.deepEqual(Object.keys(ja).sort(), Object.keys(en).sort());
  for (const k of Object.keys(ja)) {
    const params = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    assert.deepEqual(params(ja[k] as string), params(en[k] as string), k);
  }
});

test('every UserError code and t() key used in the code has a message', () => {
  const { ja } = allMessages();
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((n) => {
      const p = join(d, n);
      return statSync(p).isDirectory() ? (n === 'generated' ? [] : walk(p)) : p.endsWith('.ts') ? [p] : [];
    });
  const missing: string[] = [];
  for (const f of [...walk(join(ROOT, 'src')), ...walk(join(ROOT, 'commands'))]) {
    const src = readFileSync(f, 'utf8');
    for (const m of src.matchAll(/(?:new UserError\(|\bt\()\s*'([a-z_]+\.[a-z_.]+)'/g)) {
      if (!((m[1] as string) in ja)) missing.push(`${f.slice(ROOT.length + 1)}: ${m[1]}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('Japanese messages are polite (です・ます) and English ones carry no Japanese', () => {
  const { ja, en } = allMessages();
  for (const [k, v] of Object.entries(en)) assert.doesNotMatch(v, /[\u3040-\u30ff\u4e00-\u9faf]/, k);
  const sentences = Object.entries(ja).filter(([, v]) => /。$/.test(v));
  for (const [k, v] of sentences) // a polite ending, possibly followed by a parenthetical note: 「…を指定ください（a、b）。」
    assert.match(v, /(です|ます|ください|ません|でした|ました)(（[^）]*）|[）」])?。/, k);
});
