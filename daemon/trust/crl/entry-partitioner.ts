// CRL entries grouped by the hash of their serial, in bounded memory, for building a generation's serial
// blocks (see serial-blocks.ts). As entries stream past, each is appended — after its hash — to one of 256
// partition buffers chosen by the hash's top byte; a full partition buffer is appended to the spill file
// (so a CRL that fits never touches the disk, and one that does not is written once, sequentially). Once
// the CRL has verified, `finish` hands every entry over in ascending hash order: partition by partition,
// each read back whole and radix-sorted on its hashes. Both steps keep file order among equal hashes, so
// of two entries with one serial the first in the file comes first.
//
// Why hashes and not serial order: a partition pass plus a radix sort of 32-bit numbers replaces an
// external merge sort on variable-length byte strings (which took 39% of a 5M import), and hashed blocks
// are evenly filled whatever the serials look like. Memory: the partition buffers, and at the end one
// partition (~1/256 of the entries) with its index arrays.
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { MAX_SERIAL } from './crl-entries.ts';
import { hashSerial } from './serial-hash.ts';

/**
 * Record: [serial length u8][serial][revokedAt int48 LE][flags u8][invalidity int48 LE, when flagged].
 * flags: low 4 bits = CRLReason + 1 (0 = no reason code), HAS_INVALIDITY = an invalidityDate follows.
 * In the partitions each record follows its hash (u32 LE).
 */
export const HAS_INVALIDITY = 0x10;
const MAX_RECORD = 1 + MAX_SERIAL + 7 + 6;
export const DEFAULT_BUFFER_BYTES = 32 << 20;
const PARTITIONS = 256;

/** Receives the record at rec[off] (see above); rec stays valid until the partition's end (see finish). */
export type HashedEntrySink = (hash: number, rec: Buffer, off: number) => void;

export function recordSize(rec: Buffer, off: number): number {
  const len = rec[off];
  const flags = len === undefined ? undefined : rec[off + 1 + len + 6];
  if (len === undefined || flags === undefined) throw new RangeError('CRL record runs past its buffer');
  return 1 + len + 7 + (flags & HAS_INVALIDITY ? 6 : 0);
}

/** Write an entry as a record at out[o]; returns the offset after it. */
export function writeRecord(out: Buffer, o: number, serial: Uint8Array, s: number, e: number, revokedAt: number, reason: number, invalidity: number): number {
  const len = e - s;
  if (s < 0 || e > serial.length) throw new RangeError('serial outside its buffer');
  out[o] = len;
  for (let i = 0; i < len; i++) out[o + 1 + i] = serial[s + i] ?? 0;
  let p = o + 1 + len;
  writeInt48(out, p, revokedAt);
  const inv = !Number.isNaN(invalidity);
  out[p + 6] = (reason + 1) | (inv ? HAS_INVALIDITY : 0);
  p += 7;
  if (inv) {
    writeInt48(out, p, invalidity);
    p += 6;
  }
  return p;
}

/** A whole number of seconds (|v| < 2^47) as 6 bytes, little-endian two's complement (= Buffer#readIntLE(o, 6)). */
function writeInt48(out: Buffer, o: number, v: number): void {
  const hi = Math.floor(v / 4294967296);
  const lo = v - hi * 4294967296;
  out[o] = lo & 255;
  out[o + 1] = (lo >>> 8) & 255;
  out[o + 2] = (lo >>> 16) & 255;
  out[o + 3] = lo >>> 24;
  out[o + 4] = hi & 255;
  out[o + 5] = (hi >> 8) & 255;
}

interface Extent {
  pos: number;
  bytes: number;
}

export class EntryPartitioner {
  private readonly parts: Buffer[] = [];
  // fill and counts are indexed by partition (0..255, in bounds), so their `?? 0` never applies
  private readonly fill = new Int32Array(PARTITIONS);
  private readonly counts = new Int32Array(PARTITIONS);
  private readonly extents: Extent[][] = Array.from({ length: PARTITIONS }, () => []);
  private fd = -1;
  private fileBytes = 0;
  /** entries added so far */
  count = 0;

  /** `spillPath` is created only when the entries do not fit in the partition buffers. */
  constructor(
    private readonly spillPath: string,
    readonly seed: number,
    bufferBytes = DEFAULT_BUFFER_BYTES,
  ) {
    const each = Math.max(Math.floor(bufferBytes / PARTITIONS), 4 + MAX_RECORD);
    for (let p = 0; p < PARTITIONS; p++) this.parts.push(Buffer.allocUnsafe(each));
  }

  /** Add the entry whose serial is buf[s..e); the arguments are those of the CRL reader's onEntry. */
  add = (buf: Buffer, s: number, e: number, revokedAt: number, reason: number, invalidity: number): void => {
    if (e - s > MAX_SERIAL || e <= s) throw new RangeError('serial length out of range');
    const h = hashSerial(buf, s, e, this.seed);
    const p = h >>> 24;
    const part = this.parts[p];
    if (part === undefined) throw new RangeError('no partition for the hash');
    if ((this.fill[p] ?? 0) + 4 + MAX_RECORD > part.length) this.spill(p);
    const o = this.fill[p] ?? 0;
    part.writeUInt32LE(h, o);
    this.fill[p] = writeRecord(part, o + 4, buf, s, e, revokedAt, reason, invalidity);
    this.counts[p] = (this.counts[p] ?? 0) + 1;
    this.count++;
  };

  /**
   * Hand every entry to `sink` in ascending hash order (stable). `rec` stays valid until `partitionDone`,
   * called after each partition; partitions hold the hashes with one top byte each, so a partition ends
   * between blocks of 8 or more hash bits.
   */
  finish(sink: HashedEntrySink, partitionDone: () => void = () => {}): void {
    let hashes = new Uint32Array(0);
    let offs = new Uint32Array(0);
    let back = Buffer.alloc(0);
    for (let p = 0; p < PARTITIONS; p++) {
      const count = this.counts[p] ?? 0;
      if (count === 0) continue;
      let part = this.parts[p];
      let bytes = this.fill[p] ?? 0;
      const filled = bytes;
      const list = this.extents[p];
      if (part === undefined || list === undefined) throw new RangeError('partition missing');
      if (list.length > 0) {
        // the spilled extents, then what is still in memory
        for (const x of list) bytes += x.bytes;
        if (back.length < bytes) back = Buffer.allocUnsafe(bytes);
        let at = 0;
        for (const x of list) at += readAll(this.fd, back, at, x.bytes, x.pos);
        part.copy(back, at, 0, filled);
        part = back;
      }
      if (hashes.length < count) {
        hashes = new Uint32Array(count);
        offs = new Uint32Array(count);
      }
      for (let i = 0, o = 0; i < count; i++) {
        hashes[i] = part.readUInt32LE(o);
        offs[i] = o + 4;
        o += 4 + recordSize(part, o + 4);
      }
      visitSorted(part, hashes, offs, count, sink);
      partitionDone();
    }
  }

  /** Close the spill file (the caller deletes it). */
  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  /** Append partition p's buffer to the spill file. */
  private spill(p: number): void {
    if (this.fd < 0) this.fd = openSync(this.spillPath, 'w+', 0o600);
    const bytes = this.fill[p] ?? 0;
    const part = this.parts[p];
    const list = this.extents[p];
    if (part === undefined || list === undefined) throw new RangeError('partition missing');
    writeAll(this.fd, part, bytes);
    list.push({ pos: this.fileBytes, bytes });
    this.fileBytes += bytes;
    this.fill[p] = 0;
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

/**
 * LSD radix sort of (hash, offset) pairs on the low 24 bits (the top byte is the partition's), stable; then visit in order.
 * Every index below is in bounds (i < n, a digit < 4096), so the `?? 0` defaults never apply.
 */
function visitSorted(rec: Buffer, hashes: Uint32Array, offs: Uint32Array, n: number, sink: HashedEntrySink): void {
  let k: Uint32Array = hashes.subarray(0, n);
  let o: Uint32Array = offs.subarray(0, n);
  let k2: Uint32Array = new Uint32Array(n);
  let o2: Uint32Array = new Uint32Array(n);
  const count = new Int32Array(4096);
  for (const shift of [0, 12]) {
    count.fill(0);
    for (let i = 0; i < n; i++) {
      const digit = ((k[i] ?? 0) >>> shift) & 4095;
      count[digit] = (count[digit] ?? 0) + 1;
    }
    let sum = 0;
    for (let b = 0; b < 4096; b++) {
      const c = count[b] ?? 0;
      count[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const ki = k[i] ?? 0;
      const digit = (ki >>> shift) & 4095;
      const d = count[digit] ?? 0;
      count[digit] = d + 1;
      k2[d] = ki;
      o2[d] = o[i] ?? 0;
    }
    [k, k2] = [k2, k];
    [o, o2] = [o2, o];
  }
  for (let i = 0; i < n; i++) sink(k[i] ?? 0, rec, o[i] ?? 0);
}
