// Leak detector for the 12-digit My Number (check digit per docs/reference/vectors.md §6): used as a last guard before
// anything is printed and by the tests. It flags any run of exactly 12 digits (ASCII or full-width)
// whose 12th digit is a valid check digit. It never returns or logs the digits it found.

export function myNumberCheckDigit(first11: string): number {
  let sum = 0;
  for (let n = 1; n <= 11; n++) {
    const p = first11.charCodeAt(11 - n) - 48;
    const q = n <= 6 ? n + 1 : n - 5;
    sum += p * q;
  }
  const r = sum % 11;
  return r <= 1 ? 0 : 11 - r;
}

/** Count of 12-digit runs in `text` that pass the My Number check digit. */
export function countMyNumberLike(text: string): number {
  const ascii = text.replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  let n = 0;
  for (const m of ascii.matchAll(/(?<![0-9])[0-9]{12}(?![0-9])/g)) {
    if (myNumberCheckDigit(m[0].slice(0, 11)) === Number(m[0][11])) n++;
  }
  return n;
}
