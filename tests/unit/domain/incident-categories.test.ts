import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'vitest';
import { ROOT } from '../../../src/app.ts';
import { CATEGORIES, findCategory } from '../../../src/domain/incident-categories.ts';

// the Reference Security Incident Taxonomy (source and licence: tests/fixtures/README.md)
const rsit = JSON.parse(readFileSync(join(ROOT, 'tests', 'fixtures', 'domain', 'rsit.json'), 'utf8')) as {
  predicates: { value: string }[];
  values: { predicate: string; entry: { value: string }[] }[];
};

test('the eleven categories of PRODUCT.md §4 with their Japanese labels', () => {
  assert.deepEqual(
    CATEGORIES.map((c) => `${c.code} ${c.ja}`),
    [
      'targeted-email 標的型メール',
      'malware マルウェア感染',
      'unauthorized-access 不正アクセス',
      'dos サービス妨害',
      'defacement ウェブ改ざん',
      'data-leak 情報漏えい',
      'phishing フィッシング',
      'scan スキャン',
      'p2p-file-sharing ファイル共有ソフト',
      'lost-media 記録媒体の紛失',
      'other その他',
    ],
  );
});

test('every category maps to a class and type that exist in the RSIT (tests/fixtures/domain/rsit.json)', () => {
  const classes = new Set(rsit.predicates.map((p) => p.value));
  for (const c of CATEGORIES) {
    assert.ok(classes.has(c.rsit.class), `${c.code}: class ${c.rsit.class}`);
    const types = rsit.values.find((v) => v.predicate === c.rsit.class)?.entry.map((e) => e.value) ?? [];
    assert.ok(types.includes(c.rsit.type), `${c.code}: type ${c.rsit.class}/${c.rsit.type}`);
  }
});

test('a category is found by code or Japanese label', () => {
  assert.equal(findCategory('マルウェア感染')?.code, 'malware');
  assert.equal(findCategory(' Phishing ')?.code, 'phishing');
  assert.equal(findCategory('nonsense'), null);
});
