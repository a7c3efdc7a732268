// A file read forward in fixed-size chunks into one reusable buffer. It hashes the whole file (SHA-256
// of the CRL as stored) and feeds the tbsCertList byte range to the signature verifier as bytes arrive,
// so a CRL of any size is read once with memory bounded by the chunk size.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createHash, type Hash, type Verify } from 'node:crypto';
import { KioskError, ErrorCodes } from '../../errors.ts';

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
  private readonly fileHash: Hash = createHash('sha256');
  private verify?: Verify;
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
    this.fileHash.update(this.buf.subarray(this.end, this.end + n));
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

  /** Start feeding [tbsStart, tbsEnd) to `v`; bytes already read are fed at once. */
  startVerifier(v: Verify, tbsStart: number, tbsEnd: number): void {
    if (tbsStart < this.base) throw new Error('TBS start already discarded');
    this.pin = Infinity;
    this.verify = v;
    this.hashedUpTo = tbsStart;
    this.tbsEnd = tbsEnd;
    this.feedVerifier();
  }

  private feedVerifier(): void {
    if (!this.verify) return;
    const upTo = Math.min(this.base + this.end, this.tbsEnd);
    if (upTo > this.hashedUpTo) {
      this.verify.update(this.buf.subarray(this.hashedUpTo - this.base, upTo - this.base));
      this.hashedUpTo = upTo;
    }
  }

  /** SHA-256 of every byte read (the whole file once EOF was reached). */
  fileSha256(): string {
    while (this.fill()) this.pos = this.end; // drain so the digest covers the whole file
    return this.fileHash.digest('hex');
  }
}
