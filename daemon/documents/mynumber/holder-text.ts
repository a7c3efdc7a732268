import { defined } from '../../../core/checked.ts';
// Holder names and addresses as the card stores them (Unicode, incl. characters outside JIS X 0208 such as
// 𠮷 U+20BB7 or 髙 U+9AD9), and an explicit JIS X 0208-only rendering for consumers that cannot show more
// (a receipt printer's kanji ROM, a legacy back office). The original text is never altered; the
// substitution is a separate, labelled value, and callers log only the counts — never the text.
export const GETA = '〓';

let jis0208: Set<number> | null = null;

/**
 * JIS X 0208 as Unicode code points: rows 1–8 (non-kanji) and 16–84 (kanji levels 1 and 2), decoded
 * through the EUC-JP table Node ships (WHATWG index-jis0208). Rows 9–15 and 85–94 are left out on
 * purpose: there the WHATWG table carries the NEC/IBM vendor extensions (①, ㈱, 髙, 﨑 …), which are
 * not JIS X 0208.
 */
function jisX0208Set(): Set<number> {
  if (jis0208) return jis0208;
  const set = new Set<number>();
  const dec = new TextDecoder('euc-jp', { fatal: true });
  for (let row = 1; row <= 84; row++) {
    if (row > 8 && row < 16) continue;
    for (let cell = 1; cell <= 94; cell++) {
      let s: string;
      try {
        s = dec.decode(Uint8Array.of(0xa0 + row, 0xa0 + cell));
      } catch {
        continue;
      }
      const cp = s.codePointAt(0);
      if (cp === undefined) continue;
      if (s.length === 1 && cp !== 0xfffd && !(cp >= 0xe000 && cp <= 0xf8ff)) set.add(cp);
    }
  }
  // The same JIS X 0208 code points under the other common Unicode mapping (CP932-style vs JIS-style).
  for (const cp of [0x301c, 0xff5e, 0x2016, 0x2225, 0x2212, 0xff0d, 0x00a2, 0xffe0, 0x00a3, 0xffe1, 0x00ac, 0xffe2]) set.add(cp);
  jis0208 = set;
  return set;
}

/** True when the character is ASCII (JIS X 0201 roman, minus controls) or in JIS X 0208. */
export function inJisX0208(ch: string): boolean {
  const cp = ch.codePointAt(0);
  if (cp === undefined) return false;
  if (cp >= 0x20 && cp < 0x7f) return true;
  return jisX0208Set().has(cp);
}

const isVariationSelector = (cp: number) => (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef);

export interface HolderText {
  /** Exactly as the card stores it. */
  text: string;
  /** Characters (code points, variation selectors included) outside JIS X 0208. */
  outsideJisX0208: number;
  /** A rendering that uses only JIS X 0208 (plus ASCII). Equal to `text` when nothing is outside. */
  jisX0208: string;
  /** How `jisX0208` was made: nothing to do, the card's own substitute text, or 〓 per character. */
  substitution: 'none' | 'card-substitute' | 'geta';
}

function countOutside(text: string): number {
  let n = 0;
  for (const ch of text) if (!inJisX0208(ch)) n++;
  return n;
}

/**
 * `cardSubstitute` is the card's own alternate-character text (JPKI signing certificate, OIDs …5.5.2 /
 * …5.5.6) and is preferred when it is itself within JIS X 0208. Otherwise every character outside becomes
 * 〓 (GETA MARK, the JIS convention for "character not available"); a variation selector is dropped, so the
 * base character is shown in its default shape, and counts as a substitution.
 */
export function holderText(text: string, cardSubstitute?: string | null): HolderText {
  const outside = countOutside(text);
  if (outside === 0) return { text, outsideJisX0208: 0, jisX0208: text, substitution: 'none' };
  if (cardSubstitute && countOutside(cardSubstitute) === 0) {
    return { text, outsideJisX0208: outside, jisX0208: cardSubstitute, substitution: 'card-substitute' };
  }
  let out = '';
  for (const ch of text) {
    const cp = defined(ch.codePointAt(0));
    if (inJisX0208(ch)) out += ch;
    else if (!isVariationSelector(cp)) out += GETA;
  }
  return { text, outsideJisX0208: outside, jisX0208: out, substitution: 'geta' };
}

/** The one log line a substitution produces: field name and counts, never the text. */
export function substitutionLogLine(context: string, field: string, t: HolderText): string | null {
  if (t.substitution === 'none') return null;
  return `${context}: ${field} has ${t.outsideJisX0208} character(s) outside JIS X 0208; JIS X 0208 rendering by ${t.substitution}`;
}
