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

/** Hash bits that select a block, for n entries: about BLOCK_TARGET entries per block. */
export function blockBits(n: number): number {
  let bits = 0;
  while (bits < 24 && n / 2 ** bits > BLOCK_TARGET) bits++;
  return bits;
}

export function blockOf(hash: number, bits: number): number {
  return bits === 0 ? 0 : hash >>> (32 - bits);
}

/**
 * Builds blocks from entries arriving in ascending hash order (EntryPartitioner.finish). Of entries with
 * equal serials only the first is kept: a CRL listing a serial twice revokes it once.
 */
export class BlockEncoder {
  private id = -1;
  private recs: Buffer[] = [];
  private offs: number[] = [];
  private hashes: number[] = [];
  /** entries written (duplicates dropped) */
  kept = 0;

  constructor(
    private readonly bits: number,
    private readonly sink: (id: number, block: Buffer) => void,
  ) {}

  push = (hash: number, rec: Buffer, off: number): void => {
    const id = blockOf(hash, this.bits);
    if (id !== this.id) {
      this.flush();
      this.id = id;
    }
    // same hash → maybe the same serial: compare with the kept entries of this hash
    for (let j = this.hashes.length - 1; j >= 0 && this.hashes[j] === hash; j--) {
      if (sameSerial(this.recs[j]!, this.offs[j]!, rec, off)) return;
    }
    this.recs.push(rec);
    this.offs.push(off);
    this.hashes.push(hash);
  };

  /** Write the last block. */
  end(): void {
    this.flush();
  }

  private flush(): void {
    const n = this.recs.length;
    if (n === 0) return;
    let width = 0;
    let inv = 0;
    for (let i = 0; i < n; i++) {
      const r = this.recs[i]!;
      const a = this.offs[i]!;
      if (r[a]! > width) width = r[a]!;
      if (r[a + 1 + r[a]! + 6]! & HAS_INVALIDITY) inv++;
    }
    const rs = width + 8;
    const out = Buffer.alloc(HEADER + n * rs + inv * INV);
    out.writeUInt32LE(n, 0);
    out[4] = width;
    let t = HEADER + n * rs;
    for (let i = 0; i < n; i++) {
      const r = this.recs[i]!;
      const a = this.offs[i]!;
      const len = r[a]!;
      const o = HEADER + i * rs;
      r.copy(out, o, a, a + 1 + len);
      r.copy(out, o + 1 + width, a + 1 + len, a + 1 + len + 7);
      if (r[a + 1 + len + 6]! & HAS_INVALIDITY) {
        out.writeUInt32LE(i, t);
        r.copy(out, t + 4, a + 1 + len + 7, a + 1 + len + 13);
        t += INV;
      }
    }
    this.sink(this.id, out);
    this.kept += n;
    this.recs = [];
    this.offs = [];
    this.hashes = [];
  }
}

function sameSerial(a: Buffer, ao: number, b: Buffer, bo: number): boolean {
  const len = a[ao]!;
  if (b[bo] !== len) return false;
  for (let i = 1; i <= len; i++) if (a[ao + i] !== b[bo + i]) return false;
  return true;
}

/** The entry for `serial` (hash `hash`) in a block, or undefined. Throws RangeError on a corrupt block. */
export function findInBlock(block: Buffer, serial: Uint8Array, hash: number, seed: number): RevokedRow | undefined {
  const n = block.readUInt32LE(0);
  const width = block[4]!;
  const rs = width + 8;
  if (block.length < HEADER + n * rs) throw new RangeError('serial block is truncated');
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const o = HEADER + mid * rs;
    if (hashSerial(block, o + 1, o + 1 + block[o]!, seed) < hash) lo = mid + 1;
    else hi = mid;
  }
  const len = serial.length;
  for (let i = lo; i < n; i++) {
    const o = HEADER + i * rs;
    if (hashSerial(block, o + 1, o + 1 + block[o]!, seed) !== hash) return undefined;
    if (block[o] !== len) continue;
    let j = 0;
    while (j < len && block[o + 1 + j] === serial[j]) j++;
    if (j < len) continue;
    const flags = block[o + 1 + width + 6]!;
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
  const width = block[4]!;
  const rs = width + 8;
  for (let i = 0; i < n; i++) {
    const o = HEADER + i * rs;
    const flags = block[o + 1 + width + 6]!;
    const reason = (flags & 15) - 1;
    yield [
      Buffer.from(block.subarray(o + 1, o + 1 + block[o]!)),
      {
        revoked_at: block.readIntLE(o + 1 + width, 6),
        reason: reason < 0 ? null : reason,
        invalidity: flags & HAS_INVALIDITY ? invalidityOf(block, HEADER + n * rs, i) : null,
      },
    ];
  }
}
