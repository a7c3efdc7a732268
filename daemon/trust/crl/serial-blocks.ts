// The revoked serials of a generation, as blocks: block i holds every entry whose serial hash (see
// serial-hash.ts) has i as its top `bits` bits, sorted by hash. A lookup hashes the serial, fetches one
// block by its integer key (one B-tree descent, one page) and binary-searches it; a full import writes one
// row per ~BLOCK_TARGET entries instead of one per entry (SQLite row inserts were 43% of a 5M import).
//
// Block: [n u32 LE][width u8][3 bytes 0] n records of (width + 8) bytes, then the invalidity table.
//   record: [serial length u8][serial, zero-padded to width][revocationDate int48 LE, seconds][flags u8]
//   flags: low 4 bits = CRLReason + 1 (0 = none); HAS_INVALIDITY = the record has an invalidityDate
//   invalidity table: per flagged record, ascending: [record index u32 LE][invalidityDate int48 LE]
// Fixed-width records make the binary search plain index arithmetic; invalidityDate is rare, so it lives
// apart instead of widening every record.
import { HAS_INVALIDITY } from './entry-partitioner.ts';
import { hashSerial } from './serial-hash.ts';

export const BLOCK_TARGET = 128;
const HEADER = 8;
const INV = 10;

export interface RevokedRow {
  revoked_at: number;
  reason: number | null;
  invalidity: number | null;
}

/**
 * Hash bits that select a block, for n entries: about BLOCK_TARGET entries per block, and at least 8 so
 * that no block spans two of the partitioner's partitions (a small CRL just has a few sparse blocks).
 */
export function blockBits(n: number): number {
  let bits = 8;
  while (bits < 24 && n / 2 ** bits > BLOCK_TARGET) bits++;
  return bits;
}

export function blockOf(hash: number, bits: number): number {
  return bits === 0 ? 0 : hash >>> (32 - bits);
}

/**
 * Builds blocks from entries arriving in ascending hash order (EntryPartitioner.finish; call `end` at each
 * partitionDone). Of entries with equal serials only the first is kept: a CRL listing a serial twice
 * revokes it once. The block handed to `sink` is a view of a reused buffer, valid during the call.
 */
export class BlockEncoder {
  private id = -1;
  private rec: Buffer = Buffer.alloc(0);
  private offs = new Uint32Array(1024);
  private hashes = new Uint32Array(1024);
  private n = 0;
  private out = Buffer.alloc(64 << 10);
  /** entries written (duplicates dropped) */
  kept = 0;

  constructor(
    private readonly bits: number,
    private readonly sink: (id: number, block: Buffer) => void,
  ) {}

  push = (hash: number, rec: Buffer, off: number): void => {
    const id = blockOf(hash, this.bits);
    if (id !== this.id || rec !== this.rec) {
      this.end();
      this.id = id;
      this.rec = rec;
    }
    // same hash → maybe the same serial: compare with the kept entries of this hash
    for (let j = this.n - 1; j >= 0 && this.hashes[j] === hash; j--) {
      if (sameSerial(rec, this.offs[j] ?? 0, rec, off)) return;
    }
    if (this.n === this.offs.length) {
      const o = new Uint32Array(this.n * 2);
      o.set(this.offs);
      this.offs = o;
      const h = new Uint32Array(this.n * 2);
      h.set(this.hashes);
      this.hashes = h;
    }
    this.offs[this.n] = off;
    this.hashes[this.n++] = hash;
  };

  /** Write the block being built, if any. */
  end = (): void => {
    const n = this.n;
    if (n === 0) return;
    const r = this.rec;
    let width = 0;
    let inv = 0;
    for (let i = 0; i < n; i++) {
      const a = this.offs[i] ?? 0;
      const len = r[a];
      const flags = len === undefined ? undefined : r[a + 1 + len + 6];
      if (len === undefined || flags === undefined) throw new RangeError('CRL record runs past its buffer');
      if (len > width) width = len;
      if (flags & HAS_INVALIDITY) inv++;
    }
    const rs = width + 8;
    const size = HEADER + n * rs + inv * INV;
    if (this.out.length < size) this.out = Buffer.alloc(size * 2);
    const out = this.out;
    out.fill(0, 0, size);
    out.writeUInt32LE(n, 0);
    out[4] = width;
    let t = HEADER + n * rs;
    for (let i = 0; i < n; i++) {
      // the first loop read each record's length and flags, so every byte below is in r
      const a = this.offs[i] ?? 0;
      const len = r[a] ?? 0;
      const o = HEADER + i * rs;
      for (let b = 0; b <= len; b++) out[o + b] = r[a + b] ?? 0; // length and serial
      const w = o + 1 + width;
      const src = a + 1 + len;
      for (let b = 0; b < 7; b++) out[w + b] = r[src + b] ?? 0; // revocationDate and flags
      if ((r[src + 6] ?? 0) & HAS_INVALIDITY) {
        out.writeUInt32LE(i, t);
        if (src + 13 > r.length) throw new RangeError('CRL record runs past its buffer');
        for (let b = 0; b < 6; b++) out[t + 4 + b] = r[src + 7 + b] ?? 0;
        t += INV;
      }
    }
    this.sink(this.id, out.subarray(0, size));
    this.kept += n;
    this.n = 0;
  };
}

function sameSerial(a: Buffer, ao: number, b: Buffer, bo: number): boolean {
  const len = a[ao];
  if (len === undefined || b[bo] !== len) return false;
  for (let i = 1; i <= len; i++) if (a[ao + i] !== b[bo + i]) return false;
  return true;
}

/** The entry for `serial` (hash `hash`) in a block, or undefined. Throws RangeError on a corrupt block. */
export function findInBlock(block: Buffer, serial: Uint8Array, hash: number, seed: number): RevokedRow | undefined {
  const n = block.readUInt32LE(0);
  const width = block[4];
  if (width === undefined) throw new RangeError('serial block is truncated');
  const rs = width + 8;
  if (block.length < HEADER + n * rs) throw new RangeError('serial block is truncated');
  // every record lies inside block (checked above): its length and flags bytes are there
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const o = HEADER + mid * rs;
    if (hashSerial(block, o + 1, o + 1 + (block[o] ?? 0), seed) < hash) lo = mid + 1;
    else hi = mid;
  }
  const len = serial.length;
  for (let i = lo; i < n; i++) {
    const o = HEADER + i * rs;
    if (hashSerial(block, o + 1, o + 1 + (block[o] ?? 0), seed) !== hash) return undefined;
    if (block[o] !== len) continue;
    let j = 0;
    while (j < len && block[o + 1 + j] === serial[j]) j++;
    if (j < len) continue;
    const flags = block[o + 1 + width + 6] ?? 0;
    const reason = (flags & 15) - 1;
    return {
      revoked_at: block.readIntLE(o + 1 + width, 6),
      reason: reason < 0 ? null : reason,
      invalidity: flags & HAS_INVALIDITY ? invalidityOf(block, HEADER + n * rs, i) : null,
    };
  }
  return undefined;
}

function invalidityOf(block: Buffer, table: number, index: number): number | null {
  for (let t = table; t + INV <= block.length; t += INV) if (block.readUInt32LE(t) === index) return block.readIntLE(t + 4, 6);
  throw new RangeError('serial block invalidity table lacks an entry');
}

/** Every entry of a block: (serial, row) pairs (status counts, tests, exports). */
export function* blockEntries(block: Buffer): Generator<[Buffer, RevokedRow]> {
  const n = block.readUInt32LE(0);
  const width = block[4];
  if (width === undefined || block.length < HEADER + n * (width + 8)) throw new RangeError('serial block is truncated');
  const rs = width + 8;
  for (let i = 0; i < n; i++) {
    const o = HEADER + i * rs;
    const flags = block[o + 1 + width + 6] ?? 0; // in block: checked above
    const reason = (flags & 15) - 1;
    yield [
      Buffer.from(block.subarray(o + 1, o + 1 + (block[o] ?? 0))),
      {
        revoked_at: block.readIntLE(o + 1 + width, 6),
        reason: reason < 0 ? null : reason,
        invalidity: flags & HAS_INVALIDITY ? invalidityOf(block, HEADER + n * rs, i) : null,
      },
    ];
  }
}
