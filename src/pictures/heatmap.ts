/**
 * Draws the residual-risk heatmap (layout and colours: src/domain/heatmap.ts) as a PNG with
 * Skia (@napi-rs/canvas): Japanese organisation and area names in BIZ UDゴシック from its npm
 * package (src/pictures/font.ts), no system font and no browser. Text that does not fit its
 * box is shrunk, then cut with an ellipsis.
 */
import type { SKRSContext2D } from '@napi-rs/canvas';
import { AREAS } from '../domain/catalog.ts';
import {
  cellRect,
  type HeatmapInput,
  headerRect,
  heatmapSize,
  LAYOUT,
  labelRect,
  NO_DATA,
  type Rgb,
  riskColour,
  titleRect,
} from '../domain/heatmap.ts';
import { drawable, pictureFont } from './font.ts';
import { canvas as skia } from './skia.ts';

const INK = '#181818';
const rgb = (c: Rgb) => `rgb(${c[0]},${c[1]},${c[2]})`;

type Box = { x: number; y: number; w: number; h: number };

/** Draws `text` in `box` (left-aligned or centred), shrinking to 70% and then cutting with … to fit. */
function fitText(g: SKRSContext2D, text: string, box: Box, px: number, align: 'left' | 'center'): void {
  const family = pictureFont().family;
  let s = drawable(text);
  let size = px;
  g.font = `${size}px "${family}"`;
  while (g.measureText(s).width > box.w && size > Math.ceil(px * 0.7)) {
    size -= 1;
    g.font = `${size}px "${family}"`;
  }
  if (g.measureText(s).width > box.w) {
    const chars = [...s];
    while (chars.length > 1 && g.measureText(`${chars.join('')}…`).width > box.w) chars.pop();
    s = `${chars.join('')}…`;
  }
  g.textAlign = align;
  g.textBaseline = 'middle';
  g.fillText(s, align === 'center' ? box.x + box.w / 2 : box.x, box.y + box.h / 2);
}

/** Render the heatmap; returns the PNG file's bytes. */
export function renderHeatmap(input: HeatmapInput): Buffer {
  const L = LAYOUT;
  const n = input.rows.length;
  const { width, height } = heatmapSize(n);
  const canvas = skia().createCanvas(width, height);
  const g = canvas.getContext('2d');
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, width, height);
  g.fillStyle = INK;
  fitText(g, input.title, titleRect(n), L.TITLE_PX, 'left');

  AREAS.forEach((area, col) => {
    g.fillStyle = INK;
    fitText(
      g,
      input.areaLabels[area],
      { ...headerRect(col), x: headerRect(col).x + 2, w: L.CELL_W - 4 },
      L.HEADER_PX,
      'center',
    );
  });

  input.rows.forEach((row, r) => {
    g.fillStyle = INK;
    fitText(g, row.label, labelRect(r), L.LABEL_PX, 'left');
    AREAS.forEach((area, col) => {
      const cell = cellRect(r, col);
      const v = row.areas[area];
      const known = v !== null && Number.isFinite(v);
      g.fillStyle = '#ffffff';
      g.fillRect(cell.x, cell.y, cell.w, cell.h);
      g.fillStyle = rgb(known ? riskColour(v) : NO_DATA);
      g.fillRect(cell.x + 1, cell.y + 1, cell.w - 2, cell.h - 2);
      g.fillStyle = INK;
      fitText(g, known ? String(Math.round(Math.min(100, Math.max(0, v)))) : '-', cell, L.NUMBER_PX, 'center');
    });
  });

  // legend: a gradient bar under the grid with ticks every 25 points
  const barX = L.MARGIN + L.LABEL_W;
  const barW = AREAS.length * L.CELL_W;
  const barY = cellRect(n, 0).y + L.LEGEND_GAP;
  g.fillStyle = INK;
  fitText(g, input.legend, { x: L.MARGIN, y: barY, w: L.LABEL_W - 8, h: L.LEGEND_BAR_H }, L.LEGEND_PX, 'left');
  for (let i = 0; i < barW; i++) {
    g.fillStyle = rgb(riskColour((100 * i) / (barW - 1)));
    g.fillRect(barX + i, barY, 1, L.LEGEND_BAR_H);
  }
  g.fillStyle = INK;
  for (const t of [0, 25, 50, 75, 100]) {
    const tx = barX + Math.round(((barW - 1) * t) / 100);
    const w = 40;
    const x = Math.min(Math.max(tx - w / 2, barX), barX + barW - w);
    fitText(
      g,
      String(t),
      { x, y: barY + L.LEGEND_BAR_H + 2, w, h: L.LEGEND_H - L.LEGEND_BAR_H - 2 },
      L.LEGEND_PX,
      'center',
    );
  }
  return canvas.toBuffer('image/png');
}
