import assert from 'node:assert/strict';
import { test } from 'vitest';
import v1 from '../../../data/catalog/v1.json' with { type: 'json' };
import {
  AREAS,
  CatalogError,
  COST_BANDS,
  catalog,
  createCatalogRegistry,
  item,
  latestVersion,
  MIN_ITEMS_PER_AREA,
  parseCatalog,
} from '../../../src/domain/catalog.ts';

test('the shipped catalogue validates and has at least 36 items', () => {
  const c = catalog();
  assert.equal(c.version, latestVersion);
  assert.ok(c.items.length >= 36, `only ${c.items.length} items`);
});

test('every item is valid: id prefix matches area, cost within band, bilingual text', () => {
  const prefix: Record<string, string> = {
    entry: 'ENT',
    internal: 'INT',
    exit: 'EXT',
    detection: 'DET',
    training: 'TRN',
    response: 'RSP',
    violation: 'VIO',
  };
  for (const it of catalog(1).items) {
    assert.equal(it.id.slice(0, 3), prefix[it.area], it.id);
    const band = COST_BANDS[it.costBand];
    assert.ok(it.typicalCost >= band.min && it.typicalCost < band.max, it.id);
    assert.ok(it.effectiveness > 0 && it.effectiveness < 1, it.id);
    assert.match(it.ja.title, /[\u3040-\u30ff\u4e00-\u9fff]/, `${it.id} ja title is Japanese`);
    assert.match(it.ja.description, /。$/, `${it.id} ja description ends with 。`);
    assert.match(it.en.description, /\.$/, `${it.id} en description ends with a full stop`);
    assert.ok(it.stages.length > 0, it.id);
  }
});

test('ids are unique, every area is covered with enough items', () => {
  const c = catalog(1);
  const ids = c.items.map((it) => it.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const a of AREAS) {
    const n = c.items.filter((it) => it.area === a).length;
    assert.ok(n >= MIN_ITEMS_PER_AREA, `${a}: ${n}`);
    assert.ok(
      c.areas.some((d) => d.id === a),
      `area ${a} defined`,
    );
  }
  assert.ok(Math.abs(c.areas.reduce((s, a) => s + a.weight, 0) - 1) < 1e-9);
});

test('invalid data is rejected with every problem listed', () => {
  const bad = structuredClone(v1) as { items: { id: string; typicalCost: number; area: string }[] };
  bad.items[1]!.id = bad.items[0]!.id;
  bad.items[2]!.typicalCost = 999_999_999;
  for (const it of bad.items) if (it.area === 'training') it.area = 'entry';
  assert.throws(
    () => parseCatalog(bad),
    (e: unknown) =>
      e instanceof CatalogError &&
      /duplicate item id/.test(e.message) &&
      /outside band/.test(e.message) &&
      /area training has 0 items/.test(e.message),
  );
});

test('an item retired in a later version still resolves for campaigns of the earlier one', () => {
  const v3 = structuredClone(v1) as typeof v1 & { retired?: unknown; items: Array<Record<string, unknown>> };
  v3.version = 3;
  v3.published = '2028-04-01';
  v3.items = v3.items.filter((it) => it.id !== 'VIO-07').map((it) => ({ ...it, sources: ['a document'] }));
  v3.retired = [{ id: 'VIO-07', replacedBy: 'INT-06' }];
  const reg = createCatalogRegistry([v1, v3]);
  assert.equal(reg.latestVersion, 3);
  assert.deepEqual(reg.versions, [1, 3]);
  assert.equal(reg.catalog().version, 3);
  assert.equal(reg.item(1, 'VIO-07')?.en.title, 'Disabling accounts on transfer or departure');
  assert.equal(reg.item(3, 'VIO-07'), undefined);
  assert.deepEqual(reg.catalog(3).retired, [{ id: 'VIO-07', replacedBy: 'INT-06' }]);
  assert.throws(() => reg.catalog(4), CatalogError);
});

test('from version 2 on, an item without a source is refused', () => {
  const bad = structuredClone(v1) as typeof v1;
  bad.version = 2;
  assert.throws(() => createCatalogRegistry([bad]).catalog(2), /ENT-01: no source/);
});

test("v2 is the default for new campaigns: today's measures are in it, each item with its sources", () => {
  const c = catalog();
  assert.equal(c.version, 2);
  for (const it of c.items) assert.ok((it.sources?.length ?? 0) >= 1, `${it.id} names a source`);
  const titles = c.items.map((it) => `${it.ja.title} ${it.ja.description} ${it.en.title}`).join('\n');
  for (const want of [
    /VPN/,
    /多要素主体認証/,
    /オフラインバックアップと復旧訓練/,
    /無害化/,
    /インターネット分離/,
    /外部委託先とクラウドサービス/,
    /Active Directory/,
    /ログの取得と保存期間/,
    /ログの常時監視/,
  ])
    assert.match(titles, want);
  assert.ok(
    c.items.some((it) => it.sources?.some((s) => /ISMAP/.test(s))),
    'ISMAP is cited',
  );
  assert.equal(c.areas.find((a) => a.id === 'violation')?.ja, '内部規律違反対策');
  // every v1 item is still asked (same id, same area) or retired with a replacement
  for (const old of catalog(1).items)
    assert.ok(
      c.items.some((it) => it.id === old.id && it.area === old.area) || c.retired.some((r) => r.id === old.id),
      old.id,
    );
  // the coordinating office is not named: its name is data
  assert.doesNotMatch(JSON.stringify(c.items.map((it) => [it.ja, it.en])), /NISC|内閣サイバーセキュリティセンター/);
});

test('the built-in lookup finds items by version', () => {
  assert.equal(item(1, 'ENT-01')?.area, 'entry');
  assert.equal(item(1, 'NOPE-01'), undefined);
});
