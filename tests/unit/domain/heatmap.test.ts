import assert from 'node:assert/strict';
import pngjs from 'pngjs';
import { test } from 'vitest';
import { AREAS, type Area } from '../../../src/domain/catalog.ts';
import { cellRect, heatmapSize, LAYOUT, renderHeatmap, riskColour } from '../../../src/domain/heatmap.ts';

const row = (org: string, f: (a: Area, i: number) => number | null) => ({
  org,
  areas: Object.fromEntries(AREAS.map((a, i) => [a, f(a, i)])) as Record<Area, number | null>,
});

const rows = [
  row('mic', () => 95),
  row('mofa', () => 5),
  row('mod', (_, i) => i * 15),
  row('kunaicho', (a) => (a === 'exit' ? null : 50)),
];

function pixel(png: pngjs.PNG, x: number, y: number): [number, number, number] {
  const i = (y * png.width + x) * 4;
  return [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
}

/** A point inside the cell away from the centred number. */
const probe = (r: number, c: number) => {
  const rect = cellRect(r, c);
  return { x: rect.x + 4, y: rect.y + 4 };
};

test('the PNG decodes with the documented size for N organisations', () => {
  for (const n of [0, 1, 4, 25]) {
    const buf = renderHeatmap({
      title: 'Residual risk',
      rows: rows.concat(rows, rows, rows, rows, rows, rows).slice(0, n),
    });
    const png = pngjs.PNG.sync.read(buf);
    assert.equal(png.width, 908);
    assert.equal(png.height, 134 + 28 * n);
    assert.deepEqual({ width: png.width, height: png.height }, heatmapSize(n));
  }
  assert.equal(heatmapSize(3).height, LAYOUT.MARGIN * 2 + LAYOUT.TITLE_H + LAYOUT.HEADER_H + 3 * LAYOUT.CELL_H + 48);
});

test('high-risk cells are reddish, low-risk greenish, missing grey, and numbers are drawn', () => {
  const png = pngjs.PNG.sync.read(renderHeatmap({ title: 'Residual risk by organisation and area (FY2026)', rows }));
  const hi = probe(0, 0);
  const [hr, hg, hb] = pixel(png, hi.x, hi.y);
  assert.ok(hr > 180 && hr > hg + 80 && hr > hb + 80, `high cell ${[hr, hg, hb]}`);
  const lo = probe(1, 3);
  const [lr, lg, lb] = pixel(png, lo.x, lo.y);
  assert.ok(lg > 120 && lg > lr + 50 && lg > lb + 50, `low cell ${[lr, lg, lb]}`);
  const na = probe(3, AREAS.indexOf('exit'));
  assert.deepEqual(pixel(png, na.x, na.y), [208, 208, 208]);
  // the number in a cell leaves dark pixels near its centre
  const c = cellRect(0, 0);
  let dark = 0;
  for (let y = c.y; y < c.y + c.h; y++) {
    for (let x = c.x; x < c.x + c.w; x++) if (pixel(png, x, y).every((v) => v < 60)) dark++;
  }
  assert.ok(dark > 20, `digits drawn (${dark} dark pixels)`);
});

test('the colour scale runs green, yellow, red', () => {
  assert.deepEqual(riskColour(0), [34, 160, 70]);
  assert.deepEqual(riskColour(50), [245, 200, 30]);
  assert.deepEqual(riskColour(100), [215, 40, 40]);
  assert.deepEqual(riskColour(150), riskColour(100));
});

test('non-ASCII labels do not break rendering', () => {
  const buf = renderHeatmap({ title: '残存リスク', rows: [row('総務省', () => 40)] });
  assert.equal(pngjs.PNG.sync.read(buf).height, heatmapSize(1).height);
});
