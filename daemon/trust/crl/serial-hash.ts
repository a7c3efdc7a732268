// Where a serial lives in a generation: MurmurHash3 x86_32 (Austin Appleby, public domain; the reference
// is SMHasher's MurmurHash3.cpp) of the serial's INTEGER content, with a seed chosen at random for each
// generation and stored in it. The hash only spreads serials evenly over the blocks (serials of one CA
// share long prefixes, so their bytes alone would not); a random seed keeps even a CA-signed CRL built to
// collide from piling its entries into one block. Lookups always compare the serial itself.
// Bytes outside b read as 0 (`?? 0`, what `|` made of undefined before): callers pass ranges they checked.
export function hashSerial(b: Uint8Array, s: number, e: number, seed: number): number {
  let h = seed | 0;
  let i = s;
  for (; i + 4 <= e; i += 4) {
    let k = (b[i] ?? 0) | ((b[i + 1] ?? 0) << 8) | ((b[i + 2] ?? 0) << 16) | ((b[i + 3] ?? 0) << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = e - i;
  if (tail > 0) {
    let k = b[i] ?? 0;
    if (tail > 1) k |= (b[i + 1] ?? 0) << 8;
    if (tail > 2) k |= (b[i + 2] ?? 0) << 16;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= e - s;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
