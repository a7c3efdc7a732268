// Shift_JIS (CP932) encoder for the printer's kanji mode. Node can decode shift_jis (WHATWG, which is
// CP932) but has no encoder, so the table is built once, lazily, by decoding every double-byte code.
//
// Rules:
// - The first code that decodes to a character wins, except the IBM-extension duplicates in rows
//   FA–FC are preferred over the NEC-selected duplicates in ED–EE (the WHATWG encoder does the same),
//   because Epson kanji ROMs have the FA–FC block.
// - User-defined area F0–F9 (PUA) is never produced: the printer has no glyphs there.
// - Characters that JIS-based text uses where CP932 has a different code point (WAVE DASH 〜, MINUS
//   SIGN −, ¢ £ ¬, DOUBLE VERTICAL LINE ‖) are mapped to the CP932 glyph, and ¥ to the full-width ￥
//   (the printer stays in the USA international set, so 0x5C prints as a backslash).
// - C0/C1 control characters are never passed through — text from a card must not be able to inject an
//   ESC/POS command — and become a space.
// - Anything else outside CP932 (JIS X 0213 kanji such as 𠮷, IVS selectors, emoji) becomes 〓 (GETA MARK)
//   and is counted; callers report the count, never the text.

import { defined } from '../../core/checked.ts';

export const SUBSTITUTE_CHAR = '〓';
const SUBSTITUTE = Buffer.from([0x81, 0xac]);

let table: Map<number, number> | null = null;

function buildTable(): Map<number, number> {
  const dec = new TextDecoder('shift_jis', { fatal: true });
  const t = new Map<number, number>();
  const add = (lead: number, trail: number, allowOverride: boolean) => {
    let s: string;
    try {
      s = dec.decode(Uint8Array.of(lead, trail));
    } catch {
      return;
    }
    const cp = s.codePointAt(0);
    if (cp === undefined) return;
    if (s.length !== 1 || cp === 0xfffd) return;
    if (cp >= 0xe000 && cp <= 0xf8ff) return; // user-defined area
    if (!t.has(cp) || allowOverride) t.set(cp, (lead << 8) | trail);
  };
  for (let lead = 0x81; lead <= 0xfc; lead++) {
    if (lead > 0x9f && lead < 0xe0) continue;
    if (lead >= 0xf0 && lead <= 0xf9) continue;
    for (let trail = 0x40; trail <= 0xfc; trail++) {
      if (trail === 0x7f) continue;
      add(lead, trail, lead >= 0xfa);
    }
  }
  // JIS-vs-CP932 variants (see header)
  const alias: [number, number][] = [
    [0x301c, 0x8160], // WAVE DASH → ～
    [0x2016, 0x8161], // DOUBLE VERTICAL LINE → ∥
    [0x2212, 0x817c], // MINUS SIGN → －
    [0x00a2, 0x8191], // ¢ → ￠
    [0x00a3, 0x8192], // £ → ￡
    [0x00ac, 0x81ca], // ¬ → ￢
    [0x00a5, 0x818f], // ¥ → ￥
    [0x203e, 0x8150], // OVERLINE → ￣
  ];
  for (const [cp, code] of alias) if (!t.has(cp)) t.set(cp, code);
  return t;
}

function doubleByteTable(): Map<number, number> {
  table ??= buildTable();
  return table;
}

export interface EncodeResult {
  bytes: Buffer;
  /** Characters replaced by 〓 (outside CP932). Report the count; never log the source text. */
  substituted: number;
  /** Control characters replaced by a space. */
  controlsRemoved: number;
}

export function encodeShiftJis(text: string): EncodeResult {
  const t = doubleByteTable();
  const out: number[] = [];
  let substituted = 0;
  let controlsRemoved = 0;
  for (const ch of text) {
    const cp = defined(ch.codePointAt(0));
    if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp < 0xa0)) {
      out.push(0x20);
      controlsRemoved++;
    } else if (cp < 0x7f) {
      out.push(cp);
    } else if (cp >= 0xff61 && cp <= 0xff9f) {
      out.push(cp - 0xff61 + 0xa1); // half-width katakana (single byte with ESC t 1)
    } else if ((cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef)) {
      // variation selectors (IVS): the base character is printed in its default shape
      substituted++;
    } else {
      const code = t.get(cp);
      if (code === undefined) {
        out.push(...SUBSTITUTE);
        substituted++;
      } else out.push(code >> 8, code & 0xff);
    }
  }
  return { bytes: Buffer.from(out), substituted, controlsRemoved };
}

/** Display width in half-width columns (ASCII and half-width kana 1, everything else 2). */
export function displayWidth(text: string): number {
  let w = 0;
  for (const ch of text) {
    const cp = defined(ch.codePointAt(0));
    if ((cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef)) continue;
    w += cp < 0x80 || (cp >= 0xff61 && cp <= 0xff9f) ? 1 : 2;
  }
  return w;
}

/** Test/diagnostic helper: Shift_JIS bytes back to text. */
export function decodeShiftJis(bytes: Uint8Array): string {
  return new TextDecoder('shift_jis').decode(bytes);
}
