/**
 * Writes docs/heatmap-example.png, the picture in the README: the heatmap of a made-up
 * inspection, with Japanese organisation and area names (catalogue v2). `npm run heatmap:example`
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../src/app.ts';
import { AREAS, type Area, catalog } from '../src/domain/catalog.ts';
import { renderHeatmap } from '../src/pictures/heatmap.ts';

const cat = catalog();
const orgs = ['農林水産省', '財務省', '総務省', '厚生労働省', '国土交通省', '個人情報保護委員会'];
// deterministic made-up scores: a different profile per organisation
const rows = orgs.map((label, r) => ({
  label,
  areas: Object.fromEntries(
    AREAS.map((a, i) => [a, r === 5 && i === 2 ? null : (r * 37 + i * 23 + 11) % 100]),
  ) as Record<Area, number | null>,
}));
const png = renderHeatmap({
  title: '対策区分別の残存リスク（点検 CMP-2026-0001、令和8年度）',
  rows,
  areaLabels: Object.fromEntries(cat.areas.map((a) => [a.id, a.ja])) as Record<Area, string>,
  legend: '残存リスク',
});
writeFileSync(join(ROOT, 'docs', 'heatmap-example.png'), png);
console.log(`docs/heatmap-example.png: ${png.length} bytes`);
