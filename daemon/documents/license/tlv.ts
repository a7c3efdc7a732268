// The licence's files are flat sequences of simple TLVs: a one-byte tag (two bytes only after the 5F / 7F
// prefix, e.g. the photo's 5F40 — NOT whenever the low five bits are set as in BER: 1F is 免許の条件4 and is
// one byte), a BER length (short form, 81 xx, or 82 xx xx), and the
// value. A sequence ends at tag FF or at zero padding (docs/reference/license.md §4). Anything else that does not fit is
// malformed: the parser never reads past the buffer and never guesses.
import { ErrorCodes, KioskError } from '../../../core/errors.ts';

export interface LicenseTlv {
  tag: number;
  value: Buffer;
  /** Offset of the tag byte in the file (for error messages). */
  offset: number;
}

const malformed = (what: string, msg: string, offset: number) =>
  new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `${what}: ${msg} at offset ${offset}`, { offset });

export function parseLicenseTlvs(buf: Buffer, what: string): LicenseTlv[] {
  const out: LicenseTlv[] = [];
  let i = 0;
  while (i < buf.length) {
    const start = i;
    const first = buf[i++]!;
    if (first === 0xff) break; // end marker
    if (first === 0x00 && buf.subarray(start).every((b) => b === 0x00)) break; // zero padding
    let tag = first;
    if (first === 0x5f || first === 0x7f) {
      if (i >= buf.length) throw malformed(what, 'truncated two-byte tag', start);
      tag = (first << 8) | buf[i++]!;
    }
    if (i >= buf.length) throw malformed(what, 'missing length', start);
    let len = buf[i++]!;
    if (len === 0x81 || len === 0x82) {
      const n = len & 0x7f;
      if (i + n > buf.length) throw malformed(what, 'truncated length', start);
      len = n === 1 ? buf[i]! : buf.readUInt16BE(i);
      i += n;
    } else if (len > 0x7f) {
      throw malformed(what, `unsupported length byte ${len.toString(16)}`, start);
    }
    if (i + len > buf.length) throw malformed(what, `value of ${len} bytes runs past the end`, start);
    out.push({ tag, value: buf.subarray(i, i + len), offset: start });
    i += len;
  }
  return out;
}

/** Encode one TLV the way the parser reads it (for the virtual card and tests). */
export function encodeLicenseTlv(tag: number, value: Buffer): Buffer {
  const t = tag > 0xff ? Buffer.from([tag >> 8, tag & 0xff]) : Buffer.from([tag]);
  const n = value.length;
  if (n > 0xffff) throw new RangeError('TLV value too long');
  const l = n < 0x80 ? Buffer.from([n]) : n <= 0xff ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([t, l, value]);
}
