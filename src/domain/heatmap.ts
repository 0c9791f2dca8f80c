/**
 * Residual-risk heatmap as a PNG, drawn on the server without a browser or system fonts:
 * rows are organisations (by code), columns the seven areas, each cell coloured
 * green → yellow → red by its 0–100 score with the number printed in it, a legend below.
 * Text is ASCII only (the embedded 5×7 font); other characters print as '?'.
 */
import pngjs from 'pngjs';
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyphPixel, textWidth } from './bitmap-font.ts';
import { AREAS, type Area } from './catalog.ts';

/** One organisation's row: its code and its 0–100 score per area (null: no data). */
export interface HeatmapRow {
  readonly org: string;
  readonly areas: Readonly<Record<Area, number | null>>;
}

/** What to draw. */
export interface HeatmapInput {
  /** ASCII title; cut to fit the width. */
  readonly title: string;
  readonly rows: readonly HeatmapRow[];
  /** Column headings (ASCII, at most 8 characters show); default English short names. */
  readonly areaLabels?: Readonly<Record<Area, string>>;
}

/** Default column headings. */
export const AREA_SHORT: Readonly<Record<Area, string>> = {
  entry: 'Entry',
  internal: 'Internal',
  exit: 'Exit',
  detection: 'Detect',
  training: 'Training',
  response: 'Response',
  violation: 'Insider',
};

/**
 * The layout, in pixels. Text is the 5×7 font scaled ×2 (12 px advance, 14 px high).
 * width = 2·MARGIN + LABEL_W + 7·CELL_W = 908;
 * height = MARGIN + TITLE_H + HEADER_H + n·CELL_H + LEGEND_GAP + LEGEND_H + MARGIN = 134 + 28·n.
 */
export const LAYOUT = {
  SCALE: 2,
  MARGIN: 16,
  TITLE_H: 30,
  HEADER_H: 24,
  LABEL_W: 120,
  CELL_W: 108,
  CELL_H: 28,
  LEGEND_GAP: 16,
  LEGEND_BAR_H: 14,
  LEGEND_H: 32,
} as const;

/** Image size for n organisations. */
export function heatmapSize(n: number): { width: number; height: number } {
  const L = LAYOUT;
  return {
    width: 2 * L.MARGIN + L.LABEL_W + AREAS.length * L.CELL_W,
    height: L.MARGIN + L.TITLE_H + L.HEADER_H + n * L.CELL_H + L.LEGEND_GAP + L.LEGEND_H + L.MARGIN,
  };
}

/** The rectangle of the cell for row `row` (0-based) and area column `col` (0-based). */
export function cellRect(row: number, col: number): { x: number; y: number; w: number; h: number } {
  const L = LAYOUT;
  return {
    x: L.MARGIN + L.LABEL_W + col * L.CELL_W,
    y: L.MARGIN + L.TITLE_H + L.HEADER_H + row * L.CELL_H,
    w: L.CELL_W,
    h: L.CELL_H,
  };
}

type Rgb = readonly [number, number, number];
const GREEN: Rgb = [34, 160, 70];
const YELLOW: Rgb = [245, 200, 30];
const RED: Rgb = [215, 40, 40];
const NO_DATA: Rgb = [208, 208, 208];
const WHITE: Rgb = [255, 255, 255];
const INK: Rgb = [24, 24, 24];
const GRID: Rgb = [255, 255, 255];

const mix = (a: Rgb, b: Rgb, t: number): Rgb => [
  Math.round(a[0] + (b[0] - a[0]) * t),
  Math.round(a[1] + (b[1] - a[1]) * t),
  Math.round(a[2] + (b[2] - a[2]) * t),
];

/** Cell colour for a 0–100 score: green at 0, yellow at 50, red at 100 (clamped). */
export function riskColour(score: number): Rgb {
  const s = Math.min(100, Math.max(0, score)) / 100;
  return s <= 0.5 ? mix(GREEN, YELLOW, s * 2) : mix(YELLOW, RED, (s - 0.5) * 2);
}

class Canvas {
  readonly png: pngjs.PNG;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.png = new pngjs.PNG({ width, height });
    this.fill(0, 0, width, height, WHITE);
  }

  fill(x0: number, y0: number, w: number, h: number, c: Rgb): void {
    const x1 = Math.min(this.width, x0 + w);
    const y1 = Math.min(this.height, y0 + h);
    for (let y = Math.max(0, y0); y < y1; y++) {
      for (let x = Math.max(0, x0); x < x1; x++) {
        const i = (y * this.width + x) * 4;
        this.png.data[i] = c[0];
        this.png.data[i + 1] = c[1];
        this.png.data[i + 2] = c[2];
        this.png.data[i + 3] = 255;
      }
    }
  }

  /** Draw ASCII text with its top-left corner at (x, y). */
  text(x: number, y: number, s: string, c: Rgb = INK): void {
    const k = LAYOUT.SCALE;
    let cx = x;
    for (const ch of s) {
      for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
        for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
          if (glyphPixel(ch, gx, gy)) this.fill(cx + gx * k, y + gy * k, k, k, c);
        }
      }
      cx += (GLYPH_WIDTH + 1) * k;
    }
  }

  /** Draw text centred in a box. */
  centred(x: number, y: number, w: number, h: number, s: string, c: Rgb = INK): void {
    const k = LAYOUT.SCALE;
    this.text(x + Math.floor((w - textWidth(s) * k) / 2), y + Math.floor((h - GLYPH_HEIGHT * k) / 2), s, c);
  }
}

/** Printable ASCII only, cut to at most `max` characters. */
function ascii(s: string, max: number): string {
  const clean = [...s].map((ch) => (/^[\x20-\x7e]$/.test(ch) ? ch : '?')).join('');
  return clean.length > max ? clean.slice(0, max) : clean;
}

/** Render the heatmap; returns the PNG file's bytes. */
export function renderHeatmap(input: HeatmapInput): Buffer {
  const L = LAYOUT;
  const k = L.SCALE;
  const { width, height } = heatmapSize(input.rows.length);
  const charsIn = (px: number) => Math.floor((px + k) / ((GLYPH_WIDTH + 1) * k));
  const cv = new Canvas(width, height);
  const labels = input.areaLabels ?? AREA_SHORT;

  cv.text(L.MARGIN, L.MARGIN, ascii(input.title, charsIn(width - 2 * L.MARGIN)));

  const headerY = L.MARGIN + L.TITLE_H;
  AREAS.forEach((area, col) => {
    const { x } = cellRect(0, col);
    cv.centred(x, headerY, L.CELL_W, L.HEADER_H, ascii(labels[area], charsIn(L.CELL_W - 4)));
  });

  input.rows.forEach((row, r) => {
    const { y } = cellRect(r, 0);
    cv.text(L.MARGIN, y + Math.floor((L.CELL_H - GLYPH_HEIGHT * k) / 2), ascii(row.org, charsIn(L.LABEL_W - 8)));
    AREAS.forEach((area, col) => {
      const cell = cellRect(r, col);
      const v = row.areas[area];
      const known = v !== null && Number.isFinite(v);
      cv.fill(cell.x, cell.y, cell.w, cell.h, GRID);
      cv.fill(cell.x + 1, cell.y + 1, cell.w - 2, cell.h - 2, known ? riskColour(v) : NO_DATA);
      cv.centred(cell.x, cell.y, cell.w, cell.h, known ? String(Math.round(Math.min(100, Math.max(0, v)))) : '-');
    });
  });

  // legend: a gradient bar under the grid with ticks every 25 points
  const barX = L.MARGIN + L.LABEL_W;
  const barW = AREAS.length * L.CELL_W;
  const barY = cellRect(input.rows.length, 0).y + L.LEGEND_GAP;
  cv.text(L.MARGIN, barY, 'Risk');
  for (let i = 0; i < barW; i++) cv.fill(barX + i, barY, 1, L.LEGEND_BAR_H, riskColour((100 * i) / (barW - 1)));
  const tickY = barY + L.LEGEND_BAR_H + 2;
  for (const t of [0, 25, 50, 75, 100]) {
    const tx = barX + Math.round(((barW - 1) * t) / 100);
    const label = String(t);
    const lw = textWidth(label) * k;
    cv.text(Math.min(Math.max(tx - Math.floor(lw / 2), barX), barX + barW - lw), tickY, label);
  }
  return pngjs.PNG.sync.write(cv.png);
}
