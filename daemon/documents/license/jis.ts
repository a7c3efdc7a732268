import { at, defined } from '../../../core/checked.ts';
// Licence text encodings (docs/reference/license.md §7, §7.1):
//  - kanji/kana fields are raw JIS X 0208 row/cell pairs (each byte 21–7E, no escapes). Adding 0x80 to both
//    bytes gives EUC-JP, which Node's full-ICU TextDecoder('euc-jp') decodes;
//  - FFF1–FFF7 are 外字 1–7 (glyph bitmaps in DF1/EF03 and EF05), FFFA is 欠字 (a character the issuing
//    system could not represent), any other FFxx is undefined;
//  - digits, numbers and dates are JIS X 0201 (ASCII except 5C = ¥, 7E = ‾, A1–DF half-width katakana);
//  - DF1 dates are era digit + YYMMDD; MF/EF01 dates are BCD YYYYMMDD.

/** One piece of a licence text: plain characters, an external glyph, or a marker for a missing one. */
export type TextRun = { kind: 'text'; text: string } | { kind: 'gaiji'; index: number } | { kind: 'missing' } | { kind: 'undefined-code'; code: number };

export interface LicenseText {
  runs: TextRun[];
  /** The text with 〓 (U+3013, 下駄記号) where a glyph is external, missing or undefined. */
  plain: string;
  /** The field had bytes that are not JIS X 0208 (shown as U+FFFD). */
  invalid: boolean;
}

/** What a licence shows for a character it cannot print (FFFA), and our stand-in for any non-text run. */
export const GETA = '〓';

const eucJp = new TextDecoder('euc-jp');

function isJisByte(b: number): boolean {
  return b >= 0x21 && b <= 0x7e;
}

/** Decode a JIS X 0208 field. Trailing full-width spaces and NUL padding are dropped. */
export function decodeJisX0208(raw: Buffer): LicenseText {
  const runs: TextRun[] = [];
  let invalid = false;
  let pending: number[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    const text = eucJp.decode(Buffer.from(pending));
    if (text.includes('\uFFFD')) invalid = true;
    const last = runs[runs.length - 1];
    if (last?.kind === 'text') last.text += text;
    else runs.push({ kind: 'text', text });
    pending = [];
  };
  let end = raw.length;
  while (end > 0 && raw[end - 1] === 0x00) end--;
  for (let i = 0; i < end; i += 2) {
    const hi = at(raw, i);
    const lo = raw[i + 1];
    if (lo === undefined) {
      flush();
      runs.push({ kind: 'text', text: '\uFFFD' });
      invalid = true;
      break;
    }
    if (hi === 0xff) {
      flush();
      const code = (hi << 8) | lo;
      if (lo >= 0xf1 && lo <= 0xf7) runs.push({ kind: 'gaiji', index: lo - 0xf0 });
      else if (lo === 0xfa) runs.push({ kind: 'missing' });
      else runs.push({ kind: 'undefined-code', code });
    } else if (isJisByte(hi) && isJisByte(lo)) {
      pending.push(hi + 0x80, lo + 0x80);
    } else {
      flush();
      runs.push({ kind: 'text', text: '\uFFFD' });
      invalid = true;
    }
  }
  flush();
  // Trailing full-width spaces (JIS 2121) are padding, not content.
  const last = runs[runs.length - 1];
  if (last?.kind === 'text') {
    last.text = last.text.replace(/[\u3000]+$/, '');
    if (last.text === '') runs.pop();
  }
  return { runs, plain: plainOf(runs), invalid };
}

export function plainOf(runs: readonly TextRun[]): string {
  return runs.map((r) => (r.kind === 'text' ? r.text : GETA)).join('');
}

export function textOf(s: string): LicenseText {
  return { runs: s ? [{ kind: 'text', text: s }] : [], plain: s, invalid: false };
}

/** JIS X 0201 (Roman + half-width katakana). Bytes outside the set become U+FFFD. */
export function decodeJisX0201(raw: Buffer): string {
  let out = '';
  for (const b of raw) {
    if (b === 0x5c) out += '¥';
    else if (b === 0x7e) out += '‾';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else if (b >= 0xa1 && b <= 0xdf) out += String.fromCharCode(0xff61 + (b - 0xa1));
    else if (b === 0x00)
      continue; // padding
    else out += '\uFFFD';
  }
  return out.replace(/ +$/, '');
}

/** Gregorian start year of each era digit: 1 明治 … 5 令和. */
export const ERA_START: Readonly<Record<string, { year: number; name: string }>> = {
  '1': { year: 1868, name: '明治' },
  '2': { year: 1912, name: '大正' },
  '3': { year: 1926, name: '昭和' },
  '4': { year: 1989, name: '平成' },
  '5': { year: 2019, name: '令和' },
};

function isoDate(y: number, m: number, d: number): string | null {
  if (m < 1 || m > 12 || d < 1 || d > 31) return null;
  const t = new Date(Date.UTC(y, m - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return null;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** "4010108" → "1989-01-08". Null for anything that is not a real calendar date in a known era. */
export function parseEraDate(s: string): string | null {
  const m = /^([1-5])(\d{2})(\d{2})(\d{2})$/.exec(s);
  if (!m) return null;
  const era = defined(ERA_START[at(m, 1)]);
  const yy = Number(m[2]);
  if (yy < 1) return null;
  return isoDate(era.year + yy - 1, Number(m[3]), Number(m[4]));
}

/** BCD YYYYMMDD (4 bytes) → ISO date, or null. */
export function parseBcdDate(b: Buffer): string | null {
  if (b.length !== 4) return null;
  const hex = b.toString('hex');
  if (!/^\d{8}$/.test(hex)) return null;
  return isoDate(Number(hex.slice(0, 4)), Number(hex.slice(4, 6)), Number(hex.slice(6, 8)));
}

const JST_OFFSET_MS = 9 * 3600_000;

/**
 * A licence whose 有効期間の末日 is D is valid through D (Japan time) and expires at D+1 00:00 JST
 * (docs/reference/license.md §5). The kiosk's clock is UTC-based; the offset is applied here, not from the OS zone.
 */
export function isExpired(expiryIso: string, now: Date): boolean {
  const [y, m, d] = expiryIso.split('-').map(Number) as [number, number, number];
  const expiresAt = Date.UTC(y, m - 1, d + 1) - JST_OFFSET_MS;
  return now.getTime() >= expiresAt;
}
