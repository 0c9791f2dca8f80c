/**
 * The residual-risk heatmap's layout and colours (pure): rows are organisations, columns the
 * seven areas, each cell coloured green → yellow → red by its 0–100 score, a legend below.
 * src/pictures/heatmap.ts draws it with a real text renderer and a Japanese font.
 */
import { AREAS, type Area } from './catalog.ts';

/** One organisation's row: its label (a name) and its 0–100 score per area (null: no data). */
export interface HeatmapRow {
  readonly label: string;
  readonly areas: Readonly<Record<Area, number | null>>;
}

/** What to draw, in the reader's language. */
export interface HeatmapInput {
  readonly title: string;
  readonly rows: readonly HeatmapRow[];
  /** column headings: the areas' names */
  readonly areaLabels: Readonly<Record<Area, string>>;
  /** the legend's caption (残存リスク / Residual risk) */
  readonly legend: string;
}

/**
 * The layout, in pixels.
 * width = 2·MARGIN + LABEL_W + 7·CELL_W = 1016;
 * height = MARGIN + TITLE_H + HEADER_H + n·CELL_H + LEGEND_GAP + LEGEND_H + MARGIN = 140 + 30·n.
 */
export const LAYOUT = {
  MARGIN: 16,
  TITLE_H: 36,
  HEADER_H: 28,
  LABEL_W: 200,
  CELL_W: 112,
  CELL_H: 30,
  LEGEND_GAP: 12,
  LEGEND_BAR_H: 14,
  LEGEND_H: 32,
  /** font sizes */
  TITLE_PX: 18,
  HEADER_PX: 13,
  LABEL_PX: 15,
  NUMBER_PX: 14,
  LEGEND_PX: 12,
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

/** Where row `row`'s organisation name goes (left of its cells). */
export function labelRect(row: number): { x: number; y: number; w: number; h: number } {
  const L = LAYOUT;
  return { x: L.MARGIN, y: cellRect(row, 0).y, w: L.LABEL_W - 8, h: L.CELL_H };
}

/** Where area column `col`'s heading goes (above its cells). */
export function headerRect(col: number): { x: number; y: number; w: number; h: number } {
  const L = LAYOUT;
  return { x: cellRect(0, col).x, y: L.MARGIN + L.TITLE_H, w: L.CELL_W, h: L.HEADER_H };
}

/** Where the title goes. */
export function titleRect(n: number): { x: number; y: number; w: number; h: number } {
  const L = LAYOUT;
  return { x: L.MARGIN, y: L.MARGIN, w: heatmapSize(n).width - 2 * L.MARGIN, h: L.TITLE_H };
}

export type Rgb = readonly [number, number, number];
const GREEN: Rgb = [34, 160, 70];
const YELLOW: Rgb = [245, 200, 30];
const RED: Rgb = [215, 40, 40];
export const NO_DATA: Rgb = [208, 208, 208];

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
