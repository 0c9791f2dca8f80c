/**
 * Which characters a WOFF2 font has glyphs for, read from its `cmap` table (formats 4 and 12),
 * so that text is drawn only with our font: a character it lacks is replaced before drawing
 * instead of being taken from whatever system font the machine has (W3C WOFF2 §5, OpenType cmap).
 */
import { brotliDecompressSync } from 'node:zlib';

const CMAP_INDEX = 0; // the WOFF2 known-table index of 'cmap'
const GLYF_INDEX = 10;
const LOCA_INDEX = 11;

/** UIntBase128 (WOFF2 §4.2): 7 bits a byte, high bit set on all but the last, at most 5 bytes. */
function base128(buf: Buffer, at: { pos: number }): number {
  let v = 0;
  for (let i = 0; i < 5; i++) {
    const b = buf[at.pos++] as number;
    if (i === 0 && b === 0x80) throw new Error('woff2: UIntBase128 with a leading zero');
    v = v * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) return v;
  }
  throw new Error('woff2: UIntBase128 longer than 5 bytes');
}

/** The `cmap` table of a WOFF2 file, decompressed. */
function cmapTable(woff2: Buffer): Buffer {
  if (woff2.toString('latin1', 0, 4) !== 'wOF2') throw new Error('not a WOFF2 file');
  if (woff2.toString('latin1', 4, 8) === 'ttcf') throw new Error('woff2: font collections are not supported');
  const numTables = woff2.readUInt16BE(12);
  const compressedSize = woff2.readUInt32BE(20);
  const at = { pos: 48 };
  let offset = 0;
  let cmap: { offset: number; length: number } | null = null;
  for (let i = 0; i < numTables; i++) {
    const flags = woff2[at.pos++] as number;
    const index = flags & 0x3f;
    if (index === 63) at.pos += 4; // an arbitrary tag follows
    const version = flags >> 6;
    const origLength = base128(woff2, at);
    // glyf and loca are transformed unless version 3; every other table unless version 0
    const transformed = index === GLYF_INDEX || index === LOCA_INDEX ? version !== 3 : version !== 0;
    const length = transformed ? base128(woff2, at) : origLength;
    if (index === CMAP_INDEX) cmap = { offset, length };
    offset += length;
  }
  if (!cmap) throw new Error('woff2: no cmap table');
  const data = brotliDecompressSync(woff2.subarray(at.pos, at.pos + compressedSize));
  return data.subarray(cmap.offset, cmap.offset + cmap.length);
}

/** The code points a WOFF2 font maps to a glyph other than .notdef. */
export function coveredCodePoints(woff2: Buffer): Set<number> {
  const cmap = cmapTable(woff2);
  const n = cmap.readUInt16BE(2);
  const subtables = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const r = 4 + i * 8;
    subtables.set(`${cmap.readUInt16BE(r)}/${cmap.readUInt16BE(r + 2)}`, cmap.readUInt32BE(r + 4));
  }
  // full Unicode first (3/10, 0/4), then the BMP (3/1, 0/3)
  const pick = ['3/10', '0/4', '3/1', '0/3'].map((k) => subtables.get(k)).find((o) => o !== undefined);
  if (pick === undefined) throw new Error('woff2: no Unicode cmap subtable');
  const out = new Set<number>();
  const format = cmap.readUInt16BE(pick);
  if (format === 12) {
    const groups = cmap.readUInt32BE(pick + 12);
    for (let g = 0; g < groups; g++) {
      const r = pick + 16 + g * 12;
      const start = cmap.readUInt32BE(r);
      const end = cmap.readUInt32BE(r + 4);
      const glyph = cmap.readUInt32BE(r + 8);
      for (let c = start; c <= end; c++) if (glyph + (c - start) !== 0) out.add(c);
    }
  } else if (format === 4) {
    const segs = cmap.readUInt16BE(pick + 6) / 2;
    const ends = pick + 14;
    const starts = ends + segs * 2 + 2;
    const deltas = starts + segs * 2;
    const rangeOffsets = deltas + segs * 2;
    for (let s = 0; s < segs; s++) {
      const end = cmap.readUInt16BE(ends + s * 2);
      const start = cmap.readUInt16BE(starts + s * 2);
      const delta = cmap.readInt16BE(deltas + s * 2);
      const ro = cmap.readUInt16BE(rangeOffsets + s * 2);
      for (let c = start; c <= end && c !== 0xffff; c++) {
        let glyph: number;
        if (ro === 0) glyph = (c + delta) & 0xffff;
        else {
          const g = cmap.readUInt16BE(rangeOffsets + s * 2 + ro + (c - start) * 2);
          glyph = g === 0 ? 0 : (g + delta) & 0xffff;
        }
        if (glyph !== 0) out.add(c);
      }
    }
  } else throw new Error(`woff2: cmap format ${format} is not supported`);
  return out;
}
