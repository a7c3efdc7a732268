// Tofu check without looking at pixels: Chromium draws text through fontconfig, falling back per
// character to any installed font, so a character no installed font covers is drawn as a box. This asks
// fontconfig once for every font's character set and reports the characters of a text none of them has.
import { execFileSync } from 'node:child_process';

let ranges: Array<[number, number]> | null = null;

function coverage(): Array<[number, number]> {
  if (ranges) return ranges;
  const out = execFileSync('fc-list', ['--format', '%{charset}\n'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const all: Array<[number, number]> = [];
  for (const tok of out.split(/\s+/)) {
    if (!tok) continue;
    const [a, b] = tok.split('-');
    const lo = Number.parseInt(a!, 16);
    all.push([lo, b === undefined ? lo : Number.parseInt(b, 16)]);
  }
  return (ranges = all);
}

/** Whether some installed font covers a code point (remembered: the matrix asks for the same few hundred). */
const covered = new Map<number, boolean>();
function isCovered(cp: number): boolean {
  let yes = covered.get(cp);
  if (yes === undefined) {
    yes = coverage().some(([lo, hi]) => cp >= lo && cp <= hi);
    covered.set(cp, yes);
  }
  return yes;
}

/** Distinct characters of `text` that no installed font covers (whitespace and controls ignored). */
export function missingGlyphs(text: string): string[] {
  const missing = new Set<string>();
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x21 || /\s/u.test(ch) || (cp >= 0xfe00 && cp <= 0xfe0f)) continue;
    if (!isCovered(cp)) missing.add(`${ch} U+${cp.toString(16).toUpperCase()}`);
  }
  return [...missing];
}
