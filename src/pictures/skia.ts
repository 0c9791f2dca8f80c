/**
 * Skia (@napi-rs/canvas), loaded on the first picture drawn: a native library of ~30 MB that
 * costs 80–200 ms to load, wanted only by `check status` (the heatmap). Every start used to pay
 * for it (tests/bench/startup.ts). The loading is synchronous (`require`), so the drawing code
 * keeps its plain synchronous shape.
 */
import { createRequire } from 'node:module';

type Canvas = typeof import('@napi-rs/canvas');
let skia: Canvas | undefined;

export function canvas(): Canvas {
  skia ??= createRequire(import.meta.url)('@napi-rs/canvas') as Canvas;
  return skia;
}
