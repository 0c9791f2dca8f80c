/**
 * A 5×7 bitmap font for printable ASCII (0x20–0x7E), so pictures need no system fonts.
 * Each glyph is five column bytes, left to right; bit 0 is the top row.
 */
/**
 * Glyph table: each line starts with the code of its first character (hex), then five glyphs
 * for that code and the next four: ` !"#$`, `%&'()`, … `z{|}~`.
 */
const GLYPHS: readonly string[] = `
20 0000000000 00005f0000 0007000700 147f147f14 242a7f2a12
25 2313086462 3649552250 0005030000 001c224100 0041221c00
2a 082a1c2a08 08083e0808 0050300000 0808080808 0060600000
2f 2010080402 3e5149453e 00427f4000 4261514946 2141454b31
34 1814127f10 2745454539 3c4a494930 0171090503 3649494936
39 064949291e 0036360000 0056360000 0814224100 1414141414
3e 0041221408 0201510906 324979413e 7e1111117e 7f49494936
43 3e41414122 7f4141221c 7f49494941 7f09090101 3e41415132
48 7f0808087f 00417f4100 2040413f01 7f08142241 7f40404040
4d 7f0204027f 7f0408107f 3e4141413e 7f09090906 3e4151215e
52 7f09192946 4649494931 01017f0101 3f4040403f 1f2040201f
57 7f2018207f 6314081463 0304780403 6151494543 007f414100
5c 0204081020 0041417f00 0402010204 4040404040 0001020400
61 2054545478 7f48444438 3844444420 384444487f 3854545418
66 087e090102 0c5252523e 7f08040478 00447d4000 2040443d00
6b 007f102844 00417f4000 7c04180478 7c08040478 3844444438
70 7c14141408 081414187c 7c08040408 4854545420 043f444020
75 3c4040207c 1c2040201c 3c4030403c 4428102844 0c5050503c
7a 4464544c44 0008364100 00007f0000 0041360800 0804081008
`
  .trim()
  .split('\n')
  .flatMap((line) => line.split(' ').slice(1));

/** Glyph width and height in font pixels, and the advance (width plus one column of space). */
export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 7;
export const GLYPH_ADVANCE = 6;

/** Whether the pixel at (x, y) of a character's glyph is set; unknown characters draw as '?'. */
export function glyphPixel(ch: string, x: number, y: number): boolean {
  const code = ch.charCodeAt(0);
  const hex = GLYPHS[code >= 0x20 && code <= 0x7e ? code - 0x20 : 0x3f - 0x20]!;
  const column = Number.parseInt(hex.slice(x * 2, x * 2 + 2), 16);
  return ((column >> y) & 1) === 1;
}

/** Width in font pixels of a string (no trailing space column). */
export function textWidth(text: string): number {
  return text.length === 0 ? 0 : text.length * GLYPH_ADVANCE - 1;
}
