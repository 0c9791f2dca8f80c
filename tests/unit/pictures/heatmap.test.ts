/**
 * The heatmap PNG (issue 18): the documented size, colours by score, and text pixels where the
 * Japanese organisation names, area names, title and numbers go — drawn by Skia with the BIZ
 * UDゴシック font from its npm package (a system font has no Japanese glyphs here, so ink in a
 * label box that differs from the missing-glyph mark proves the package font drew it).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pngjs from 'pngjs';
import { test } from 'vitest';
import { ROOT } from '../../../src/app.ts';
import { AREAS, type Area } from '../../../src/domain/catalog.ts';
import {
  cellRect,
  headerRect,
  heatmapSize,
  LAYOUT,
  labelRect,
  riskColour,
  titleRect,
} from '../../../src/domain/heatmap.ts';
import { drawable } from '../../../src/pictures/font.ts';
import { renderHeatmap } from '../../../src/pictures/heatmap.ts';

const LABELS: Record<Area, string> = {
  entry: '入口対策',
  internal: '内部対策',
  exit: '出口対策',
  detection: '検知・ログ',
  training: '教育・訓練',
  response: 'インシデント対応',
  violation: '内部規律違反対策',
};
const row = (label: string, f: (a: Area, i: number) => number | null) => ({
  label,
  areas: Object.fromEntries(AREAS.map((a, i) => [a, f(a, i)])) as Record<Area, number | null>,
});
const rows = [
  row('総務省', () => 95),
  row('外務省', () => 5),
  row('防衛省', (_, i) => i * 15),
  row('宮内庁', (a) => (a === 'exit' ? null : 50)),
];
const input = (rs = rows, extra: Partial<{ title: string }> = {}) => ({
  title: extra.title ?? '対策区分別の残存リスク（点検 CMP-2026-0001、令和8年度）',
  rows: rs,
  areaLabels: LABELS,
  legend: '残存リスク',
});

function pixel(png: pngjs.PNG, x: number, y: number): [number, number, number] {
  const i = (y * png.width + x) * 4;
  return [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
}
/** Dark (text) pixels inside a box. */
function ink(png: pngjs.PNG, box: { x: number; y: number; w: number; h: number }): number {
  let n = 0;
  for (let y = box.y; y < box.y + box.h; y++)
    for (let x = box.x; x < box.x + box.w; x++) if (pixel(png, x, y).every((v) => v < 100)) n++;
  return n;
}
/** The dark pixels of a box as a string, to compare two renderings. */
function shape(png: pngjs.PNG, box: { x: number; y: number; w: number; h: number }): string {
  let s = '';
  for (let y = box.y; y < box.y + box.h; y++)
    for (let x = box.x; x < box.x + box.w; x++) s += pixel(png, x, y).every((v) => v < 100) ? '#' : '.';
  return s;
}

test('the PNG decodes with the documented size for N organisations', () => {
  for (const n of [0, 1, 4, 25]) {
    const png = pngjs.PNG.sync.read(renderHeatmap(input(Array.from({ length: n }, (_, i) => rows[i % 4]!))));
    assert.deepEqual({ width: png.width, height: png.height }, { width: 1016, height: 140 + 30 * n });
    assert.deepEqual({ width: png.width, height: png.height }, heatmapSize(n));
  }
});

test('text pixels are present where the title, every area name, every organisation name and every number go', () => {
  const png = pngjs.PNG.sync.read(renderHeatmap(input()));
  assert.ok(ink(png, titleRect(rows.length)) > 150, 'title');
  for (const [col, a] of AREAS.entries()) assert.ok(ink(png, headerRect(col)) > 40, `area ${a}`);
  for (const [i, r] of rows.entries()) assert.ok(ink(png, labelRect(i)) > 40, `organisation ${r.label}`);
  const c = cellRect(0, 0);
  assert.ok(ink(png, { x: c.x + c.w / 2 - 15, y: c.y + 4, w: 30, h: c.h - 8 }) > 15, 'number in a cell');
  // nothing is drawn in the empty margin right of the grid's last column header
  assert.equal(ink(png, { x: 0, y: 0, w: LAYOUT.MARGIN - 2, h: heatmapSize(4).height }), 0);
});

test('Japanese is drawn with real glyphs of the packaged font, not the missing-glyph mark', () => {
  const real = pngjs.PNG.sync.read(renderHeatmap(input([row('農林水産省', () => 10)])));
  const marks = pngjs.PNG.sync.read(renderHeatmap(input([row('〓〓〓〓〓', () => 10)])));
  assert.notEqual(shape(real, labelRect(0)), shape(marks, labelRect(0)));
  // a character the font lacks becomes 〓 before drawing (never a system font's glyph)
  assert.equal(drawable('髙橋①'), '〓橋〓');
  assert.equal(drawable('内部規律違反 ABC'), '内部規律違反 ABC');
  const twin = pngjs.PNG.sync.read(renderHeatmap(input([row('〓橋', () => 10)])));
  const rare = pngjs.PNG.sync.read(renderHeatmap(input([row('髙橋', () => 10)])));
  assert.equal(shape(rare, labelRect(0)), shape(twin, labelRect(0)));
});

test('high-risk cells are reddish, low-risk greenish, missing grey', () => {
  const png = pngjs.PNG.sync.read(renderHeatmap(input()));
  const at = (r: number, c: number) => pixel(png, cellRect(r, c).x + 4, cellRect(r, c).y + 4);
  const [hr, hg, hb] = at(0, 0);
  assert.ok(hr > 180 && hr > hg + 80 && hr > hb + 80, `high cell ${[hr, hg, hb]}`);
  const [lr, lg, lb] = at(1, 3);
  assert.ok(lg > 120 && lg > lr + 50 && lg > lb + 50, `low cell ${[lr, lg, lb]}`);
  assert.deepEqual(at(3, AREAS.indexOf('exit')), [208, 208, 208]);
});

test('the colour scale runs green, yellow, red', () => {
  assert.deepEqual(riskColour(0), [34, 160, 70]);
  assert.deepEqual(riskColour(50), [245, 200, 30]);
  assert.deepEqual(riskColour(100), [215, 40, 40]);
  assert.deepEqual(riskColour(150), riskColour(100));
});

test('a long name is shrunk and cut to its box, never drawn over the cells', () => {
  const long = '国家サイバー統括室サイバーセキュリティ対策推進会議事務局横断監視チーム';
  const png = pngjs.PNG.sync.read(renderHeatmap(input([row(long, () => 0)])));
  const c = cellRect(0, 0);
  // the first cell's left edge stays the cell's colour (green at 0), not ink
  for (let y = c.y + 2; y < c.y + c.h - 2; y++) assert.deepEqual(pixel(png, c.x + 2, y), [34, 160, 70]);
  assert.ok(ink(png, labelRect(0)) > 80);
});

test('the README picture is a real heatmap of the documented size', () => {
  const png = pngjs.PNG.sync.read(readFileSync(join(ROOT, 'docs', 'heatmap-example.png')));
  assert.equal(png.width, heatmapSize(0).width);
  assert.equal((png.height - heatmapSize(0).height) % LAYOUT.CELL_H, 0);
});
