/**
 * The one typeface of the bot's pictures: BIZ UDゴシック (Morisawa's universal-design gothic,
 * SIL Open Font License 1.1), shipped as the npm package @fontsource/biz-udgothic — no system
 * font is used. It is registered with Skia (@napi-rs/canvas) under a private family name, and
 * text is drawn only with characters the font has (others become 〓, the customary mark for a
 * missing character), so a picture looks the same on every machine.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { canvas } from './skia.ts';
import { coveredCodePoints } from './woff2-cmap.ts';

/** The family name the pictures use; private, so no system font can answer to it. */
export const FONT_FAMILY = 'csirt-bot BIZ UDGothic';
/** The font file inside its package (the full Japanese character set, regular weight). */
export const FONT_FILE = '@fontsource/biz-udgothic/files/biz-udgothic-japanese-400-normal.woff2';
const MISSING = '〓';

let loaded: { covered: Set<number> } | null = null;

/** Registers the font once per process and returns what it covers. */
export function pictureFont(): { family: string; covered: Set<number> } {
  if (!loaded) {
    const bytes = readFileSync(createRequire(import.meta.url).resolve(FONT_FILE));
    const { GlobalFonts } = canvas();
    GlobalFonts.register(bytes, FONT_FAMILY);
    if (!GlobalFonts.has(FONT_FAMILY)) throw new Error(`could not register the font ${FONT_FILE}`);
    loaded = { covered: coveredCodePoints(bytes) };
  }
  return { family: FONT_FAMILY, covered: loaded.covered };
}

/** `text` with every character the font lacks replaced by 〓 (controls dropped). */
export function drawable(text: string): string {
  const { covered } = pictureFont();
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) continue;
    out += covered.has(cp) ? ch : MISSING;
  }
  return out;
}
