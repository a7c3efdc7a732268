// External merge sort of CRL entries by serial, in bounded memory.
//
// A generation database is a WITHOUT ROWID B-tree keyed by the serial; it builds fastest when rows arrive
// in key order (every insert appends to the rightmost leaf). CRLs list serials in any order, and SQLite's
// own sorter (INSERT … SELECT … ORDER BY) costs more than parsing and inserting together. So entries are
// collected into a fixed-size run buffer, each full run is sorted in place (MSD radix on the serial
// bytes) and spilled to one temporary file, and the runs are merged (binary heap) into the caller's
// sink. A CRL that fits in one run never touches the disk. Memory: one run buffer + its index arrays +
// one read buffer per run while merging.
//
// Order: serials compare as byte strings, a serial that is a prefix of another sorting first — the same
// order as SQLite's BLOB comparison (memcmp over the common length, then the shorter first). Sorting is
// only a speed-up: the database enforces the key, so the order must be right for speed, not for truth.
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { MAX_SERIAL } from './crl-entries.ts';

/**
 * Receives entries in serial order. `serial` is a view into a buffer that is reused: it stays valid while
 * the next VIEW_LIFETIME entries are emitted (enough for a batch of bound parameters); copy it to keep it.
 */
export type SortedEntrySink = (serial: Buffer, packed: number, invalidity: number) => void;
export const VIEW_LIFETIME = 1024;

const PAYLOAD = 16; // packed (float64 LE) + invalidity (float64 LE, NaN when absent)
const MAX_RECORD = 1 + MAX_SERIAL + PAYLOAD;
const MIN_RECORD = 1 + 1 + PAYLOAD;
const SMALL = 24; // ranges this short are insertion-sorted
export const DEFAULT_RUN_BYTES = 4 << 20; // small enough that sorting a run stays mostly in cache
const READ_CHUNK = 64 << 10;
// a cursor refills only after consuming a whole chunk of records: that is what VIEW_LIFETIME relies on
if ((READ_CHUNK - MAX_RECORD) / MAX_RECORD <= VIEW_LIFETIME) throw new Error('READ_CHUNK too small for VIEW_LIFETIME');

export class EntrySorter {
  private readonly run: Buffer;
  private used = 0;
  private offs: Uint32Array;
  private keys: Uint32Array; // first 4 serial bytes of each record (zero-padded), for the radix passes
  private tmp: Uint32Array;
  private tmpKeys: Uint32Array;
  private n = 0;
  private inOrder = true;
  private readonly runs: { start: number; end: number }[] = [];
  private fd = -1;
  private spilled = 0;
  private out?: Buffer;
  /** entries added so far */
  count = 0;

  /** `spillPath` is created only when the entries do not fit in one run. */
  constructor(
    private readonly spillPath: string,
    runBytes = DEFAULT_RUN_BYTES,
  ) {
    this.run = Buffer.allocUnsafe(Math.max(runBytes, MAX_RECORD));
    const cap = Math.min(65536, Math.ceil(this.run.length / MIN_RECORD));
    this.offs = new Uint32Array(cap);
    this.keys = new Uint32Array(cap);
    this.tmp = new Uint32Array(cap);
    this.tmpKeys = new Uint32Array(cap);
  }

  /** Add the entry whose serial is buf[s..e) (at most MAX_SERIAL bytes). */
  add(buf: Buffer, s: number, e: number, packed: number, invalidity: number): void {
    const sl = e - s;
    if (sl > MAX_SERIAL) throw new RangeError('serial too long');
    if (this.used + 1 + sl + PAYLOAD > this.run.length) this.spill();
    if (this.n === this.offs.length) this.grow();
    const r = this.run;
    const o = this.used;
    r[o] = sl;
    for (let i = 0; i < sl; i++) r[o + 1 + i] = buf[s + i]!;
    this.keys[this.n] = ((buf[s]! << 24) | ((sl > 1 ? buf[s + 1]! : 0) << 16) | ((sl > 2 ? buf[s + 2]! : 0) << 8) | (sl > 3 ? buf[s + 3]! : 0)) >>> 0;
    r.writeDoubleLE(packed, o + 1 + sl);
    r.writeDoubleLE(invalidity, o + 9 + sl);
    if (this.inOrder && this.n > 0 && compareAt(r, this.offs[this.n - 1]!, r, o, 0) > 0) this.inOrder = false;
    this.offs[this.n++] = o;
    this.used = o + 1 + sl + PAYLOAD;
    this.count++;
  }

  /** Hand every entry to `sink` in serial order. */
  finish(sink: SortedEntrySink): void {
    if (this.runs.length === 0) {
      this.sortRun();
      const r = this.run;
      for (let i = 0; i < this.n; i++) emit(r, this.offs[i]!, sink);
      return;
    }
    if (this.n > 0) this.spill();
    mergeRuns(this.fd, this.runs, sink);
  }

  /** Close the spill file (the caller deletes it). */
  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private grow(): void {
    const len = this.offs.length * 2;
    const offs = new Uint32Array(len);
    offs.set(this.offs);
    const keys = new Uint32Array(len);
    keys.set(this.keys);
    this.offs = offs;
    this.keys = keys;
    this.tmp = new Uint32Array(len);
    this.tmpKeys = new Uint32Array(len);
  }

  /**
   * LSD radix sort of (first 4 bytes, offset) pairs — compact arrays, so the passes stay in cache — then
   * the rare groups that share their first 4 bytes are ordered by full serial (MSD radix on the records).
   */
  private sortRun(): void {
    const n = this.n;
    if (this.inOrder || n < 2) return;
    let k = this.keys;
    let o = this.offs;
    let k2 = this.tmpKeys;
    let o2 = this.tmp;
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
    // three passes: the sorted pairs ended in the scratch arrays
    this.keys = k;
    this.offs = o;
    this.tmpKeys = k2;
    this.tmp = o2;
    for (let i = 0; i < n; ) {
      let j = i + 1;
      while (j < n && k[j] === k[i]) j++;
      if (j - i > 1) msd(this.run, o, o2, i, j, 0);
      i = j;
    }
  }

  /** Sort the current run and append it to the spill file. */
  private spill(): void {
    this.sortRun();
    if (this.fd < 0) this.fd = openSync(this.spillPath, 'w+', 0o600);
    const out = (this.out ??= Buffer.allocUnsafe(1 << 20));
    const start = this.spilled;
    let p = 0;
    for (let i = 0; i < this.n; i++) {
      const o = this.offs[i]!;
      const size = 1 + this.run[o]! + PAYLOAD;
      if (p + size > out.length) {
        writeAll(this.fd, out, p);
        this.spilled += p;
        p = 0;
      }
      for (let b = 0; b < size; b++) out[p + b] = this.run[o + b]!;
      p += size;
    }
    writeAll(this.fd, out, p);
    this.spilled += p;
    this.runs.push({ start, end: this.spilled });
    this.n = 0;
    this.used = 0;
    this.inOrder = true;
  }
}

function writeAll(fd: number, b: Buffer, len: number): void {
  let w = 0;
  while (w < len) w += writeSync(fd, b, w, len - w);
}

function emit(r: Buffer, o: number, sink: SortedEntrySink): void {
  const sl = r[o]!;
  sink(r.subarray(o + 1, o + 1 + sl), r.readDoubleLE(o + 1 + sl), r.readDoubleLE(o + 9 + sl));
}

/** Compare the serials of the records at a (in ab) and b (in bb), from byte d on. */
function compareAt(ab: Buffer, a: number, bb: Buffer, b: number, d: number): number {
  const la = ab[a]!;
  const lb = bb[b]!;
  const m = la < lb ? la : lb;
  for (let i = d; i < m; i++) {
    const x = ab[a + 1 + i]! - bb[b + 1 + i]!;
    if (x !== 0) return x;
  }
  return la - lb;
}

/** MSD radix sort of record offsets a[lo..hi) by serial byte d onwards; bucket 0 = serial already ended. */
function msd(r: Buffer, a: Uint32Array, tmp: Uint32Array, lo: number, hi: number, d: number): void {
  for (;;) {
    if (hi - lo <= SMALL) {
      insertion(r, a, lo, hi, d);
      return;
    }
    const count = new Int32Array(258);
    for (let i = lo; i < hi; i++) {
      const o = a[i]!;
      count[(d < r[o]! ? r[o + 1 + d]! + 1 : 0) + 1]!++;
    }
    // one bucket only (a shared prefix byte): go one byte deeper without moving anything
    let single = -1;
    for (let b = 1; b < 258; b++) {
      if (count[b] === hi - lo) single = b - 1;
      if (count[b] !== 0) break;
    }
    if (single === 0) return; // every serial ended here: all equal
    if (single > 0) {
      d++;
      continue;
    }
    for (let b = 1; b < 258; b++) count[b]! += count[b - 1]!;
    for (let i = lo; i < hi; i++) {
      const o = a[i]!;
      tmp[lo + count[d < r[o]! ? r[o + 1 + d]! + 1 : 0]!++] = o;
    }
    a.set(tmp.subarray(lo, hi), lo);
    // count[b] is now the end of bucket b; bucket 0 (ended serials) needs no further sorting
    for (let b = 1; b < 257; b++) {
      const s = lo + count[b - 1]!;
      const e = lo + count[b]!;
      if (e - s > 1) msd(r, a, tmp, s, e, d + 1);
    }
    return;
  }
}

function insertion(r: Buffer, a: Uint32Array, lo: number, hi: number, d: number): void {
  for (let i = lo + 1; i < hi; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= lo && compareAt(r, a[j]!, r, v, d) > 0) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = v;
  }
}

/**
 * Sequential reader of one spilled run, double-buffered: a refill reads into the other buffer, so views
 * handed out from this one stay intact while at least a whole chunk of records (over VIEW_LIFETIME) is
 * emitted — and no buffer is allocated per refill (allocation churn would show up as RSS).
 */
class RunCursor {
  buf: Buffer;
  p = 0;
  private other: Buffer;
  private lim = 0;
  private next: number;

  constructor(
    private readonly fd: number,
    start: number,
    private readonly end: number,
  ) {
    this.next = start;
    this.buf = Buffer.allocUnsafe(READ_CHUNK + MAX_RECORD);
    this.other = Buffer.allocUnsafe(READ_CHUNK + MAX_RECORD);
  }

  /** Make the next record available at buf[p]; false when the run is exhausted. */
  ready(): boolean {
    const left = this.lim - this.p;
    if (left >= MAX_RECORD || (left > 0 && left >= 1 + this.buf[this.p]! + PAYLOAD)) return true;
    if (this.next >= this.end) {
      if (left > 0) throw new Error('spill file ends inside a record');
      return false;
    }
    const want = Math.min(READ_CHUNK, this.end - this.next);
    const nb = this.other;
    this.buf.copy(nb, 0, this.p, this.lim);
    let got = 0;
    while (got < want) {
      const k = readSync(this.fd, nb, left + got, want - got, this.next + got);
      if (k === 0) throw new Error('spill file ended early');
      got += k;
    }
    this.next += want;
    this.other = this.buf;
    this.buf = nb;
    this.p = 0;
    this.lim = left + want;
    return true;
  }

  skip(): void {
    this.p += 1 + this.buf[this.p]! + PAYLOAD;
  }
}

function mergeRuns(fd: number, runs: { start: number; end: number }[], sink: SortedEntrySink): void {
  const heap: RunCursor[] = [];
  for (const run of runs) {
    const c = new RunCursor(fd, run.start, run.end);
    if (c.ready()) heap.push(c);
  }
  const less = (x: RunCursor, y: RunCursor) => compareAt(x.buf, x.p, y.buf, y.p, 0) < 0;
  const down = (i: number) => {
    const n = heap.length;
    const c = heap[i]!;
    for (;;) {
      let k = 2 * i + 1;
      if (k >= n) break;
      if (k + 1 < n && less(heap[k + 1]!, heap[k]!)) k++;
      if (!less(heap[k]!, c)) break;
      heap[i] = heap[k]!;
      i = k;
    }
    heap[i] = c;
  };
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
  while (heap.length > 0) {
    const top = heap[0]!;
    emit(top.buf, top.p, sink);
    top.skip();
    if (!top.ready()) {
      const last = heap.pop()!;
      if (heap.length === 0) break;
      heap[0] = last;
    }
    down(0);
  }
}
