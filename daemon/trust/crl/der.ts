// Strict DER over an in-memory buffer for the small, bounded parts of a CRL (header fields, extensions,
// signature) and of certificates, on the kiosk's one TLV codec (daemon/encoding/ber-tlv.ts) under DER rules
// with the CRL's error codes: a tag problem is CRL_MALFORMED, a length problem CRL_LENGTH. The bulk of a
// CRL (its entries) is parsed by the streaming reader (crl-reader.ts, crl-entries.ts), which decodes its
// lengths with the same codec's decodeLength.
import { at } from '../../../core/checked.ts';
import { KioskError, ErrorCodes } from '../../../core/errors.ts';
import { decodeLength as decodeTlvLength, derCodec, NEED_MORE, type Tlv } from '../../encoding/ber-tlv.ts';

export type { Tlv };

export function malformed(message: string, detail: Record<string, string | number> = {}): KioskError {
  return new KioskError(ErrorCodes.CRL_MALFORMED, message, detail);
}
export function lengthError(message: string, detail: Record<string, string | number> = {}): KioskError {
  return new KioskError(ErrorCodes.CRL_LENGTH, message, detail);
}

/** X.690 DER with the CRL's error codes. */
export const CRL_DER = derCodec(ErrorCodes.CRL_MALFORMED, ErrorCodes.CRL_LENGTH);

/**
 * The DER length at `p` (the byte after the tag): [length, octets of the length field], or undefined when
 * more input is needed. Indefinite, non-minimal and over-4-octet lengths are CRL_LENGTH errors.
 */
export function decodeLength(buf: Uint8Array, p: number, end: number, what = 'CRL'): [number, number] | undefined {
  const l = decodeTlvLength(buf, p, end, CRL_DER.rules, what);
  if (l === NEED_MORE) return undefined;
  return [(l - (l & 7)) / 8, l & 7];
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
    if (this.pos >= this.end) throw malformed(`missing ${what}`);
    const tag = at(this.buf, this.pos, ErrorCodes.CRL_LENGTH, what);
    if (expectedTag !== undefined && tag !== expectedTag) {
      throw malformed(`unexpected tag in ${what}`, { expected: expectedTag, got: tag });
    }
    const t = CRL_DER.read(this.buf, this.pos, what, this.end);
    this.pos = t.end;
    return t;
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
  while (i < v.length - 1 && ((v[i] === 0 && at(v, i + 1) < 0x80) || (v[i] === 0xff && at(v, i + 1) >= 0x80))) i++;
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
  return at(mag, 0) >= 0x80 ? Buffer.concat([Buffer.from([0]), mag]) : Buffer.from(mag);
}

/** Unsigned INTEGER content → lowercase hex without leading zeros (CRL numbers). */
export function integerHex(v: Uint8Array): string {
  const first = v[0];
  if (first === undefined) throw malformed('empty INTEGER');
  if (first >= 0x80) throw malformed('negative INTEGER where a non-negative one is required');
  const h = Buffer.from(v).toString('hex').replace(/^0+/, '');
  return h === '' ? '0' : h;
}

/** Compare two non-negative hex integers (no leading zeros). */
export function compareHexInt(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Days from 1970-01-01 to 1 January of `year` (proleptic Gregorian). */
function daysBeforeYear(year: number): number {
  const y1 = year - 1;
  return 365 * (year - 1970) + (Math.floor(y1 / 4) - Math.floor(y1 / 100) + Math.floor(y1 / 400) - 477);
}
function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}
// Days before each month, indexed 1..12, common years then leap years (index 13 + month).
const DAYS_BEFORE_MONTH = Int32Array.of(0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 0, 0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335);
const DAYS_IN_MONTH = Int32Array.of(0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31);
// UTCTime's two-digit years (RFC 5280 §4.1.2.5.1: 50–99 are 19YY, 00–49 are 20YY), resolved once: the
// entry loop decodes one UTCTime per revoked certificate, millions per CRL, so no division runs there.
const UTC_YEAR_DAYS = Int32Array.from({ length: 100 }, (_, yy) => daysBeforeYear(yy < 50 ? 2000 + yy : 1900 + yy));
const UTC_YEAR_LEAP = Uint8Array.from({ length: 100 }, (_, yy) => (isLeap(yy < 50 ? 2000 + yy : 1900 + yy) ? 13 : 0));

/** The two decimal digits at b[p], b[p+1] as a number, or -1 when either is missing or not a digit. */
function digits2(b: Uint8Array, p: number): number {
  const hi = b[p];
  const lo = b[p + 1];
  if (hi === undefined || lo === undefined) return -1;
  const a = hi - 48;
  const c = lo - 48;
  // unsigned: a byte below '0' wraps to a large number, so one comparison per digit
  if (a >>> 0 > 9 || c >>> 0 > 9) return -1;
  return a * 10 + c;
}

/**
 * UTCTime (tag 0x17, "YYMMDDHHMMSSZ") or GeneralizedTime (0x18, "YYYYMMDDHHMMSSZ") at [p, p+len) →
 * seconds since the epoch. Returns NaN when the value is not a valid RFC 5280 time.
 */
export function decodeTime(b: Uint8Array, tag: number, p: number, len: number): number {
  let yearDays: number;
  let leap: number; // 13 in a leap year: the offset of the leap rows in the month tables
  if (tag === 0x17 && len === 13) {
    const yy = digits2(b, p);
    if (yy < 0) return NaN;
    yearDays = UTC_YEAR_DAYS[yy] ?? Number.NaN;
    leap = UTC_YEAR_LEAP[yy] ?? 0;
    p += 2;
  } else if (tag === 0x18 && len === 15) {
    const hi = digits2(b, p);
    const lo = digits2(b, p + 2);
    if (hi < 0 || lo < 0) return NaN;
    const year = hi * 100 + lo;
    yearDays = daysBeforeYear(year);
    leap = isLeap(year) ? 13 : 0;
    p += 4;
  } else return NaN;
  const mo = digits2(b, p);
  const d = digits2(b, p + 2);
  const h = digits2(b, p + 4);
  const mi = digits2(b, p + 6);
  const s = digits2(b, p + 8);
  if (b[p + 10] !== 0x5a) return NaN; // 'Z'
  if (mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) return NaN;
  // mo is 1..12 (checked above), so both lookups are inside the tables
  if (d > (DAYS_IN_MONTH[leap + mo] ?? 0)) return NaN;
  const days = yearDays + (DAYS_BEFORE_MONTH[leap + mo] ?? Number.NaN) + d - 1;
  return days * 86400 + h * 3600 + mi * 60 + s;
}

export function isoFromSeconds(s: number): string {
  return new Date(s * 1000).toISOString().replace('.000Z', 'Z');
}
