// Minimal strict DER reading over an in-memory buffer: the small, bounded parts of a CRL (header fields,
// extensions, signature) and of certificates. The bulk of a CRL (its entries) is parsed by the streaming
// reader in crl-reader.ts, which uses the same length/time rules inline for speed.
import { KioskError, ErrorCodes } from '../../../core/errors.ts';

export interface Tlv {
  tag: number;
  /** offset of the tag byte */
  start: number;
  /** offset of the first content byte */
  valueStart: number;
  /** offset just past the element */
  end: number;
}

export function malformed(message: string, detail: Record<string, string | number> = {}): KioskError {
  return new KioskError(ErrorCodes.CRL_MALFORMED, message, detail);
}
export function lengthError(message: string, detail: Record<string, string | number> = {}): KioskError {
  return new KioskError(ErrorCodes.CRL_LENGTH, message, detail);
}

/**
 * Decode a DER length at `p` (the byte after the tag). Returns [length, headerBytesAfterTag], or
 * undefined when more input is needed. Rejects indefinite, non-minimal and > 4-byte lengths.
 */
export function decodeLength(buf: Uint8Array, p: number, end: number): [number, number] | undefined {
  if (p >= end) return undefined;
  const b = buf[p]!;
  if (b < 0x80) return [b, 1];
  const n = b & 0x7f;
  if (n === 0) throw lengthError('indefinite length is not DER');
  if (n > 4) throw lengthError('length field longer than 4 bytes', { bytes: n });
  if (p + 1 + n > end) return undefined;
  let len = 0;
  for (let i = 1; i <= n; i++) len = len * 256 + buf[p + i]!;
  if (buf[p + 1] === 0 || len < 0x80) throw lengthError('non-minimal DER length');
  return [len, 1 + n];
}

/** Reads consecutive TLVs inside [pos, end) of a fully buffered element. */
export class DerReader {
  constructor(
    readonly buf: Buffer,
    public pos = 0,
    readonly end = buf.length,
  ) {}

  get done(): boolean {
    return this.pos >= this.end;
  }

  peekTag(): number | undefined {
    return this.pos < this.end ? this.buf[this.pos] : undefined;
  }

  read(expectedTag?: number, what = 'element'): Tlv {
    const start = this.pos;
    if (start >= this.end) throw malformed(`missing ${what}`);
    const tag = this.buf[start]!;
    if ((tag & 0x1f) === 0x1f) throw malformed(`multi-byte tag in ${what}`);
    if (expectedTag !== undefined && tag !== expectedTag) {
      throw malformed(`unexpected tag in ${what}`, { expected: expectedTag, got: tag });
    }
    const l = decodeLength(this.buf, start + 1, this.end);
    if (!l) throw lengthError(`truncated ${what}`);
    const valueStart = start + 1 + l[1];
    const end = valueStart + l[0];
    if (end > this.end) throw lengthError(`${what} runs past its container`);
    this.pos = end;
    return { tag, start, valueStart, end };
  }

  /** A reader over the content of a constructed element just read. */
  inner(t: Tlv): DerReader {
    return new DerReader(this.buf, t.valueStart, t.end);
  }

  bytes(t: Tlv): Buffer {
    return this.buf.subarray(t.start, t.end);
  }
  value(t: Tlv): Buffer {
    return this.buf.subarray(t.valueStart, t.end);
  }

  expectEnd(what: string): void {
    if (this.pos !== this.end) throw malformed(`unexpected data after ${what}`);
  }
}

/** Canonical content bytes of a DER INTEGER (redundant sign bytes removed), as used for serial keys. */
export function canonicalInteger(v: Uint8Array): Buffer {
  let i = 0;
  while (i < v.length - 1 && ((v[i] === 0 && v[i + 1]! < 0x80) || (v[i] === 0xff && v[i + 1]! >= 0x80))) i++;
  return Buffer.from(v.subarray(i));
}

/** Hex digits (any case, leading zero bytes allowed) → canonical DER INTEGER content of that positive number. */
export function serialFromHex(hex: string): Buffer {
  if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length > 128) {
    throw new KioskError(ErrorCodes.USAGE, 'serial must be hex digits without separators');
  }
  let mag = Buffer.from(hex.length % 2 ? '0' + hex : hex, 'hex');
  let i = 0;
  while (i < mag.length - 1 && mag[i] === 0) i++;
  mag = mag.subarray(i);
  return mag[0]! >= 0x80 ? Buffer.concat([Buffer.from([0]), mag]) : Buffer.from(mag);
}

/** Unsigned INTEGER content → lowercase hex without leading zeros (CRL numbers). */
export function integerHex(v: Uint8Array): string {
  if (v.length === 0) throw malformed('empty INTEGER');
  if (v[0]! >= 0x80) throw malformed('negative INTEGER where a non-negative one is required');
  const h = Buffer.from(v).toString('hex').replace(/^0+/, '');
  return h === '' ? '0' : h;
}

/** Compare two non-negative hex integers (no leading zeros). */
export function compareHexInt(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

const DAYS_BEFORE_MONTH = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

function digits2(b: Uint8Array, p: number): number {
  const a = b[p]! - 48;
  const c = b[p + 1]! - 48;
  if (a < 0 || a > 9 || c < 0 || c > 9) return -1;
  return a * 10 + c;
}

/**
 * UTCTime (tag 0x17, "YYMMDDHHMMSSZ") or GeneralizedTime (0x18, "YYYYMMDDHHMMSSZ") at [p, p+len) →
 * seconds since the epoch. Returns NaN when the value is not a valid RFC 5280 time.
 */
export function decodeTime(b: Uint8Array, tag: number, p: number, len: number): number {
  let year: number;
  if (tag === 0x17) {
    if (len !== 13) return NaN;
    const yy = digits2(b, p);
    if (yy < 0) return NaN;
    year = yy < 50 ? 2000 + yy : 1900 + yy;
    p += 2;
  } else if (tag === 0x18) {
    if (len !== 15) return NaN;
    const hi = digits2(b, p);
    const lo = digits2(b, p + 2);
    if (hi < 0 || lo < 0) return NaN;
    year = hi * 100 + lo;
    p += 4;
  } else return NaN;
  const mo = digits2(b, p);
  const d = digits2(b, p + 2);
  const h = digits2(b, p + 4);
  const mi = digits2(b, p + 6);
  const s = digits2(b, p + 8);
  if (b[p + 10] !== 0x5a) return NaN; // 'Z'
  if (mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) return NaN;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const dim = mo === 2 ? (leap ? 29 : 28) : mo === 4 || mo === 6 || mo === 9 || mo === 11 ? 30 : 31;
  if (d > dim) return NaN;
  // days since 1970-01-01 (proleptic Gregorian)
  const y1 = year - 1;
  const days =
    365 * (year - 1970) +
    (Math.floor(y1 / 4) - Math.floor(y1 / 100) + Math.floor(y1 / 400) - 477) +
    DAYS_BEFORE_MONTH[mo - 1]! +
    (mo > 2 && leap ? 1 : 0) +
    d -
    1;
  return days * 86400 + h * 3600 + mi * 60 + s;
}

export function isoFromSeconds(s: number): string {
  return new Date(s * 1000).toISOString().replace('.000Z', 'Z');
}
