// Encoders of the virtual licence, its own (the reader only decodes). JIS X 0208 row/cell codes come from
// the platform's EUC-JP table (EUC-JP = JIS X 0208 row/cell + 0x80 on each byte, a property of the
// standards, not of our reader). `{外字N}` in a string becomes FFF0+N, `{欠字}` becomes FFFA.
const eucJp = new TextDecoder('euc-jp', { fatal: false });

let table: Map<string, number> | null = null;
function jisTable(): Map<string, number> {
  if (table) return table;
  table = new Map();
  for (let hi = 0x21; hi <= 0x7e; hi++) {
    for (let lo = 0x21; lo <= 0x7e; lo++) {
      const ch = eucJp.decode(Buffer.from([hi + 0x80, lo + 0x80]));
      if (ch.length === 1 && ch !== '\uFFFD' && !table.has(ch)) table.set(ch, (hi << 8) | lo);
    }
  }
  return table;
}

export function encodeJisX0208(s: string): Buffer {
  const out: number[] = [];
  const re = /\{外字([1-7])\}|\{欠字\}|([\s\S])/gu;
  for (const m of s.matchAll(re)) {
    if (m[1]) out.push(0xff, 0xf0 + Number(m[1]));
    else if (m[0] === '{欠字}') out.push(0xff, 0xfa);
    else {
      const code = m[2] === undefined ? undefined : jisTable().get(m[2]);
      if (code === undefined) throw new RangeError(`'${m[2]}' is not in JIS X 0208 (use {外字N})`);
      out.push(code >> 8, code & 0xff);
    }
  }
  return Buffer.from(out);
}

export function encodeJisX0201(s: string): Buffer {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0; // a string's character has a code point
    if (c >= 0x20 && c < 0x7f) out.push(c);
    else if (c >= 0xff61 && c <= 0xff9f) out.push(0xa1 + (c - 0xff61));
    else throw new RangeError(`'${ch}' is not in JIS X 0201`);
  }
  return Buffer.from(out);
}

/** ISO date → era digit + YYMMDD as text (the era in force on that day). */
export function eraDateText(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const ymd = y * 10000 + m * 100 + d;
  const eras: [number, number, string][] = [
    [20190501, 2019, '5'],
    [19890108, 1989, '4'],
    [19261225, 1926, '3'],
    [19120730, 1912, '2'],
    [18680101, 1868, '1'],
  ];
  const era = eras.find(([start]) => ymd >= start);
  if (!era) throw new RangeError(`no era for ${iso}`);
  const yy = y - era[1] + 1;
  return `${era[2]}${String(yy).padStart(2, '0')}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`;
}

/** ISO date → era digit + YYMMDD in JIS X 0201 (DF1/EF01 dates). */
export function encodeEraDate(iso: string): Buffer {
  return encodeJisX0201(eraDateText(iso));
}

/** ISO date → the same seven characters as full-width JIS X 0208 digits (change records: "7 JIS X 0208 characters"). */
export function encodeEraDateJisX0208(iso: string): Buffer {
  return encodeJisX0208(eraDateText(iso).replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d))));
}

export function encodeBcdDate(iso: string): Buffer {
  return Buffer.from(iso.replace(/-/g, ''), 'hex');
}
