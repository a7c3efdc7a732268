// Tofu check inside the fresh root file system (plain node, nothing from the repository installed):
// reads the screen's DOM as Chromium dumped it (--dump-dom, after its scripts ran), takes the visible
// text, and prints every character no installed font covers — Chromium would draw those as boxes.
// Font coverage comes from fontconfig (fc-list), which is what Chromium draws text through.
// Usage: node tofu.mjs DOM.html  → exit 0 and "no tofu (N distinct characters)", exit 1 and the list, or
// exit 2 when the dump is not the idle screen yet (empty, or no Japanese text: the caller may dump again).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const html = readFileSync(process.argv[2], 'utf8');
const text = html
  .replace(/<(script|style|template)\b[\s\S]*?<\/\1>/gi, ' ')
  .replace(/<[^>]*>/g, ' ')
  .replace(/&(#x?[0-9a-f]+|[a-z]+);/gi, (_m, e) =>
    e[0] === '#' ? String.fromCodePoint(e[1].toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)) : ' ',
  );
const ranges = [];
for (const tok of execFileSync('fc-list', ['--format', '%{charset}\n'], { encoding: 'utf8', maxBuffer: 64 << 20 }).split(/\s+/)) {
  if (!tok) continue;
  const [a, b] = tok.split('-');
  ranges.push([parseInt(a, 16), b === undefined ? parseInt(a, 16) : parseInt(b, 16)]);
}
const seen = new Set();
const missing = [];
for (const ch of text) {
  const cp = /** @type {number} */ (ch.codePointAt(0)); // ch is one code point, never empty
  if (cp < 0x21 || /\s/u.test(ch) || (cp >= 0xfe00 && cp <= 0xfe0f) || seen.has(cp)) continue;
  seen.add(cp);
  if (!ranges.some(([lo, hi]) => cp >= lo && cp <= hi)) missing.push(`${ch} U+${cp.toString(16).toUpperCase()}`);
}
const cjk = [...seen].filter((cp) => cp >= 0x3040 && cp <= 0x9fff).length;
if (seen.size < 10 || cjk === 0) {
  console.log(`tofu check: the page text has ${seen.size} distinct characters, ${cjk} Japanese: not the idle screen?`);
  process.exit(2);
}
if (missing.length) {
  console.log(`TOFU: ${missing.length} characters no installed font has: ${missing.join(' ')}`);
  process.exit(1);
}
console.log(`no tofu (${seen.size} distinct characters, ${cjk} of them Japanese, ${ranges.length} font ranges)`);
