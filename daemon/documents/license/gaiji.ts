// 外字 (external glyphs) of the licence: FFF1–FFF7 in a text refer to glyphs 1–7. Glyphs 1–2 are in
// DF1/EF03 (外字) under tags 48 (外字1) and 49 (外字2) — soft-studio/NFC_DriversLicenseReader
// DriversLicenseReader.java parse_tag, cases 0x48/0x49 — so EF03's glyphs are numbered by tag. Glyphs 3–7
// are added later in DF1/EF05 (記載事項変更（外字）), whose tags no public source gives: numbered by order.
//
// Bitmap format — OUR DECISION, UNVERIFIED against the police specification (not retrievable here):
// the public field list is "文字構成 n, 外字 n" per glyph, and the file sizes in docs/reference/license.md §2 are
// EF03 = 264 = 2 × 132 and EF05 = 663 = 3 + 5 × 132. 132 = tag (1) + length 81 81 (2) + 129 value bytes,
// i.e. one TLV per glyph whose value is 文字構成 (1 byte) ‖ a 128-byte bitmap = 32 × 32 dots, 1 bit per
// dot, rows top to bottom, most significant bit = leftmost dot, 1 = ink. We also accept the two-TLV form
// (a 1-byte 文字構成 TLV followed by a 128-byte bitmap TLV). EF05 may start with a 1-byte 追記の有無 TLV,
// which is skipped.
import { at } from '../../../core/checked.ts';
import { encodeGreyPng } from '../../../core/png.ts';
import { LICENSE_TLV } from './constants.ts';

export const GLYPH_SIDE = 32;
export const GLYPH_BYTES = (GLYPH_SIDE * GLYPH_SIDE) / 8;

export interface Glyph {
  /** 1–7, as referenced by FFF1–FFF7. */
  index: number;
  /** The 文字構成 byte, kept as read (its meaning is not documented in our sources). */
  composition: number | null;
  width: number;
  height: number;
  bitmap: Buffer;
}

function glyphsOf(raw: Buffer, what: string, firstIndex: number, max: number): Glyph[] {
  const tlvs = LICENSE_TLV.all(raw, what);
  const out: Glyph[] = [];
  let pendingComposition: number | null = null;
  for (const t of tlvs) {
    if (out.length >= max) break;
    if (t.value.length === GLYPH_BYTES + 1) {
      out.push(glyph(firstIndex + out.length, at(t.value, 0), t.value.subarray(1)));
      pendingComposition = null;
    } else if (t.value.length === GLYPH_BYTES) {
      out.push(glyph(firstIndex + out.length, pendingComposition, t.value));
      pendingComposition = null;
    } else if (t.value.length === 1) {
      pendingComposition = at(t.value, 0);
    }
  }
  // An all-zero bitmap is an unused slot, not a glyph.
  return out.filter((g) => g.bitmap.some((b) => b !== 0));
}

function glyph(index: number, composition: number | null, bitmap: Buffer): Glyph {
  return { index, composition, width: GLYPH_SIDE, height: GLYPH_SIDE, bitmap: Buffer.from(bitmap) };
}

/** DF1/EF03 tags: 外字1 = 48, 外字2 = 49 (soft-studio parse_tag). */
export const GAIJI_TAGS: ReadonlyMap<number, number> = new Map([
  [0x48, 1],
  [0x49, 2],
]);

/** DF1/EF03: glyph 1 from tag 48, glyph 2 from tag 49; other tags are not glyphs. */
export function parseGaijiFile(raw: Buffer): Glyph[] {
  const out: Glyph[] = [];
  for (const t of LICENSE_TLV.all(raw, 'DF1/EF03')) {
    const index = GAIJI_TAGS.get(t.tag);
    if (index === undefined || out.some((g) => g.index === index)) continue;
    if (t.value.length === GLYPH_BYTES + 1) out.push(glyph(index, at(t.value, 0), t.value.subarray(1)));
    else if (t.value.length === GLYPH_BYTES) out.push(glyph(index, null, t.value));
  }
  return out.filter((g) => g.bitmap.some((b) => b !== 0));
}

/** DF1/EF05: glyphs 3–7 (the leading 追記の有無 byte, if any, is a 1-byte TLV followed by a glyph, see above). */
export function parseChangedGaijiFile(raw: Buffer): Glyph[] {
  // 追記の有無 and a lone 文字構成 are both 1-byte TLVs; a 1-byte TLV directly followed by another 1-byte TLV
  // or by a 129-byte glyph cannot be a 文字構成, so glyphsOf's pending value is simply overwritten.
  return glyphsOf(raw, 'DF1/EF05', 3, 5);
}

export function glyphInk(g: Glyph, x: number, y: number): boolean {
  const bit = y * g.width + x;
  return ((at(g.bitmap, bit >> 3) >> (7 - (bit & 7))) & 1) === 1;
}

export function glyphPng(g: Glyph): Buffer {
  return encodeGreyPng(g.width, g.height, (x, y) => (glyphInk(g, x, y) ? 0x00 : 0xff));
}

export function glyphDataUrl(g: Glyph): string {
  return `data:image/png;base64,${glyphPng(g).toString('base64')}`;
}

/** Text-art rendering (tests, CLI debugging): '#' = ink. */
export function glyphArt(g: Glyph): string[] {
  const rows: string[] = [];
  for (let y = 0; y < g.height; y++) {
    let r = '';
    for (let x = 0; x < g.width; x++) r += glyphInk(g, x, y) ? '#' : '.';
    rows.push(r);
  }
  return rows;
}
