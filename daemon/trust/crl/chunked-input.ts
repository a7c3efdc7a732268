// A file read forward in fixed-size chunks into one reusable buffer. It feeds the tbsCertList byte range
// to the signature verifier as bytes arrive, so a CRL of any size is read — and hashed — once, with
// memory bounded by the chunk size. (The bytes outside the TBS are few and small: the reader keeps
// copies of them for the CRL's fingerprint, see crl-reader.ts.)
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { KioskError, ErrorCodes } from '../../../core/errors.ts';

/** Anything fed the TBS bytes in order (a Hash, a Verify). */
export interface ByteSink {
  update(b: Buffer): unknown;
}

export class ChunkedInput {
  readonly buf: Buffer;
  /** index in buf of the next unconsumed byte */
  pos = 0;
  /** index in buf just past the valid bytes */
  end = 0;
  /** absolute file offset of buf[0] */
  base = 0;
  eof = false;
  readonly size: number;
  private readonly fd: number;
  private sinks: ByteSink[] = [];
  private hashedUpTo = 0;
  private tbsEnd = 0;
  /** absolute offset below which bytes must be kept in the buffer (the TBS start, until hashing starts) */
  pin = Infinity;

  constructor(
    path: string,
    private readonly chunkSize: number,
    headroom: number,
    private readonly onFill?: (bytesRead: number) => void,
  ) {
    try {
      this.fd = openSync(path, 'r');
    } catch (e) {
      throw new KioskError(ErrorCodes.CRL_MALFORMED, `cannot open CRL file ${path}`, {
        errno: (e as NodeJS.ErrnoException).code,
      });
    }
    this.size = fstatSync(this.fd).size;
    this.buf = Buffer.allocUnsafe(chunkSize + headroom);
  }

  close(): void {
    closeSync(this.fd);
  }

  /** Absolute offset of the next unconsumed byte. */
  get offset(): number {
    return this.base + this.pos;
  }

  get available(): number {
    return this.end - this.pos;
  }

  /** Read one more chunk (moving unconsumed bytes to the front). Returns false at end of file. */
  fill(): boolean {
    if (this.eof) return false;
    const drop = Math.min(this.pos, Math.max(0, this.pin - this.base));
    if (drop > 0) {
      this.buf.copyWithin(0, drop, this.end);
      this.base += drop;
      this.end -= drop;
      this.pos -= drop;
    }
    const room = Math.min(this.chunkSize, this.buf.length - this.end);
    const n = room > 0 ? readSync(this.fd, this.buf, this.end, room, null) : 0;
    if (n === 0) {
      if (room > 0) this.eof = true;
      return false;
    }
    this.end += n;
    this.feedVerifier();
    this.onFill?.(this.base + this.end);
    return true;
  }

  /** Make at least n bytes available; false when the file ends first. */
  ensure(n: number): boolean {
    while (this.end - this.pos < n) if (!this.fill()) return this.end - this.pos >= n;
    return true;
  }

  /** Start feeding [tbsStart, tbsEnd) to the sinks; bytes already read are fed at once. */
  startVerifier(sinks: ByteSink[], tbsStart: number, tbsEnd: number): void {
    if (tbsStart < this.base) throw new Error('TBS start already discarded');
    this.pin = Infinity;
    this.sinks = sinks;
    this.hashedUpTo = tbsStart;
    this.tbsEnd = tbsEnd;
    this.feedVerifier();
  }

  private feedVerifier(): void {
    if (this.sinks.length === 0) return;
    const upTo = Math.min(this.base + this.end, this.tbsEnd);
    if (upTo > this.hashedUpTo) {
      const part = this.buf.subarray(this.hashedUpTo - this.base, upTo - this.base);
      for (const s of this.sinks) s.update(part);
      this.hashedUpTo = upTo;
    }
  }
}
