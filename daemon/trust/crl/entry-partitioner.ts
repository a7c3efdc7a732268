// CRL entries grouped by the hash of their serial, in bounded memory, for building a generation's serial
// blocks (see serial-blocks.ts). Entries are packed into one arena as they stream past; when it is full,
// they are counting-sorted into 256 partitions by the hash's top byte and appended to one spill file (a
// CRL that fits never touches the disk). Once the CRL has verified, `finish` hands every entry over in
// ascending hash order: partition by partition, each read back whole and radix-sorted on its hashes.
// Both sorts are stable, so of two entries with one serial the first in the file comes first.
//
// Why hashes and not serial order: a partition pass plus a radix sort of 32-bit numbers replaces an
// external merge sort on variable-length byte strings (which took 39% of a 5M import), and hashed blocks
// are evenly filled whatever the serials look like. Memory: the arena, two index arrays, and one
// partition (~1/256 of the entries) at the end.
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { MAX_SERIAL } from './crl-entries.ts';
import { hashSerial } from './serial-hash.ts';

/**
 * Arena record: [serial length u8][serial][revokedAt int48 LE][flags u8][invalidity int48 LE, when flagged].
 * flags: low 4 bits = CRLReason + 1 (0 = no reason code), HAS_INVALIDITY = an invalidityDate follows.
 */
export const HAS_INVALIDITY = 0x10;
const MAX_RECORD = 1 + MAX_SERIAL + 7 + 6;
const MIN_RECORD = 1 + 1 + 7;
export const DEFAULT_ARENA_BYTES = 32 << 20;
const PARTITIONS = 256;

/** Receives the record at rec[off] (see above); rec is never rewritten, so it stays valid after `finish`. */
export type HashedEntrySink = (hash: number, rec: Buffer, off: number) => void;

export function recordSize(rec: Buffer, off: number): number {
  const len = rec[off]!;
  return 1 + len + 7 + (rec[off + 1 + len + 6]! & HAS_INVALIDITY ? 6 : 0);
}

/** Write an entry as an arena record at out[o]; returns the offset after it. */
export function writeRecord(out: Buffer, o: number, serial: Uint8Array, s: number, e: number, revokedAt: number, reason: number, invalidity: number): number {
  const len = e - s;
  out[o] = len;
  for (let i = 0; i < len; i++) out[o + 1 + i] = serial[s + i]!;
  let p = o + 1 + len;
  out.writeIntLE(revokedAt, p, 6);
  const inv = invalidity === invalidity; // not NaN
  out[p + 6] = (reason + 1) | (inv ? HAS_INVALIDITY : 0);
  p += 7;
  if (inv) {
    out.writeIntLE(invalidity, p, 6);
    p += 6;
  }
  return p;
}

interface Extent {
  pos: number;
  bytes: number;
  count: number;
}

export class EntryPartitioner {
  private readonly arena: Buffer;
  private used = 0;
  private hashes: Uint32Array;
  private offs: Uint32Array;
  private n = 0;
  private fd = -1;
  private spilled = 0;
  private readonly extents: Extent[][] = Array.from({ length: PARTITIONS }, () => []);
  private out?: Buffer;
  /** entries added so far */
  count = 0;

  /** `spillPath` is created only when the entries do not fit in the arena. */
  constructor(
    private readonly spillPath: string,
    readonly seed: number,
    arenaBytes = DEFAULT_ARENA_BYTES,
  ) {
    this.arena = Buffer.allocUnsafe(Math.max(arenaBytes, MAX_RECORD));
    const cap = Math.min(1 << 16, Math.ceil(this.arena.length / MIN_RECORD));
    this.hashes = new Uint32Array(cap);
    this.offs = new Uint32Array(cap);
  }

  /** Add the entry whose serial is buf[s..e); the arguments are those of the CRL reader's onEntry. */
  add = (buf: Buffer, s: number, e: number, revokedAt: number, reason: number, invalidity: number): void => {
    if (e - s > MAX_SERIAL || e <= s) throw new RangeError('serial length out of range');
    if (this.used + MAX_RECORD > this.arena.length) this.spill();
    if (this.n === this.offs.length) this.grow();
    this.hashes[this.n] = hashSerial(buf, s, e, this.seed);
    this.offs[this.n++] = this.used;
    this.used = writeRecord(this.arena, this.used, buf, s, e, revokedAt, reason, invalidity);
    this.count++;
  };

  /** Hand every entry to `sink` in ascending hash order (stable). */
  finish(sink: HashedEntrySink): void {
    if (this.fd < 0) {
      visitSorted(this.arena, this.hashes, this.offs, this.n, sink);
      return;
    }
    if (this.n > 0) this.spill();
    for (const list of this.extents) {
      let bytes = 0;
      let count = 0;
      for (const x of list) {
        bytes += x.bytes;
        count += x.count;
      }
      if (count === 0) continue;
      const part = Buffer.allocUnsafe(bytes);
      let at = 0;
      for (const x of list) at += readAll(this.fd, part, at, x.bytes, x.pos);
      const hashes = new Uint32Array(count);
      const offs = new Uint32Array(count);
      for (let i = 0, o = 0; i < count; i++) {
        offs[i] = o;
        hashes[i] = hashSerial(part, o + 1, o + 1 + part[o]!, this.seed);
        o += recordSize(part, o);
      }
      visitSorted(part, hashes, offs, count, sink);
    }
  }

  /** Close the spill file (the caller deletes it). */
  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private grow(): void {
    const h = new Uint32Array(this.hashes.length * 2);
    h.set(this.hashes);
    const o = new Uint32Array(this.offs.length * 2);
    o.set(this.offs);
    this.hashes = h;
    this.offs = o;
  }

  /** Counting-sort the arena's records by partition and append them to the spill file. */
  private spill(): void {
    if (this.fd < 0) this.fd = openSync(this.spillPath, 'w+', 0o600);
    const n = this.n;
    const start = new Int32Array(PARTITIONS + 1);
    for (let i = 0; i < n; i++) start[(this.hashes[i]! >>> 24) + 1]!++;
    for (let p = 0; p < PARTITIONS; p++) start[p + 1]! += start[p]!;
    const counts = start.slice(0, PARTITIONS);
    const order = new Uint32Array(n);
    const next = start.slice(0, PARTITIONS);
    for (let i = 0; i < n; i++) order[next[this.hashes[i]! >>> 24]!++] = this.offs[i]!;
    const out = (this.out ??= Buffer.allocUnsafe(1 << 20));
    let q = 0;
    for (let p = 0; p < PARTITIONS; p++) {
      const c = start[p + 1]! - counts[p]!;
      if (c === 0) continue;
      const pos = this.spilled + q;
      let bytes = 0;
      for (let k = counts[p]!; k < start[p + 1]!; k++) {
        const o = order[k]!;
        const size = recordSize(this.arena, o);
        if (q + size > out.length) {
          writeAll(this.fd, out, q);
          this.spilled += q;
          q = 0;
        }
        this.arena.copy(out, q, o, o + size);
        q += size;
        bytes += size;
      }
      this.extents[p]!.push({ pos, bytes, count: c });
    }
    writeAll(this.fd, out, q);
    this.spilled += q;
    this.n = 0;
    this.used = 0;
  }
}

function writeAll(fd: number, b: Buffer, len: number): void {
  let w = 0;
  while (w < len) w += writeSync(fd, b, w, len - w);
}

function readAll(fd: number, b: Buffer, at: number, len: number, pos: number): number {
  let got = 0;
  while (got < len) {
    const k = readSync(fd, b, at + got, len - got, pos + got);
    if (k === 0) throw new Error('spill file ended early');
    got += k;
  }
  return got;
}

/** LSD radix sort of (hash, offset) pairs (3 passes of 11/11/10 bits, stable), then visit in order. */
function visitSorted(rec: Buffer, hashes: Uint32Array, offs: Uint32Array, n: number, sink: HashedEntrySink): void {
  let k: Uint32Array = hashes.subarray(0, n);
  let o: Uint32Array = offs.subarray(0, n);
  let k2: Uint32Array = new Uint32Array(n);
  let o2: Uint32Array = new Uint32Array(n);
  const count = new Int32Array(2048);
  for (const [shift, bits] of [
    [0, 11],
    [11, 11],
    [22, 10],
  ] as const) {
    const mask = (1 << bits) - 1;
    count.fill(0);
    for (let i = 0; i < n; i++) count[(k[i]! >>> shift) & mask]!++;
    let sum = 0;
    for (let b = 0; b <= mask; b++) {
      const c = count[b]!;
      count[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const d = count[(k[i]! >>> shift) & mask]!++;
      k2[d] = k[i]!;
      o2[d] = o[i]!;
    }
    [k, k2] = [k2, k];
    [o, o2] = [o2, o];
  }
  for (let i = 0; i < n; i++) sink(k[i]!, rec, o[i]!);
}
