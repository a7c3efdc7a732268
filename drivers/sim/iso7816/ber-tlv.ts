// The virtual cards' one BER-TLV codec (ISO/IEC 8825-1 as ISO/IEC 7816-4 §5.2 and ICAO 9303-10 §4.4 use
// it: tags of one or more bytes written as their big-endian octets, definite lengths in the shortest
// form), shared by every emulator: passport, My Number card, driving licence, residence card and the card
// OS's FCP. It is deliberately NOT the daemon's reader (daemon/encoding/ber-tlv.ts): the card side is the
// independent evidence the reader is tested against, so an encoding mistake must show up as a failure
// between the two instead of being made twice (test/unit/sim/import-boundary.test.ts keeps them apart).
// The card only parses what a host sends it (DER), so indefinite lengths are refused. Length fields and OID
// contents are written by the project's DER builder (core/der-build.ts), also on the card/issuer side.
import { encodeLength, oidContent } from '../../../core/der-build.ts';

export interface CardTlv {
  tag: number;
  value: Buffer;
  /** The whole element: tag ‖ length ‖ value. */
  raw: Buffer;
}

/** Tag bytes of a tag number written as its big-endian bytes (0x7F49 → 7F 49, 0x30 → 30). */
function tagBytes(tag: number): Buffer {
  const out: number[] = [];
  for (let t = tag; t > 0; t = Math.floor(t / 256)) out.unshift(t & 0xff);
  return Buffer.from(out.length ? out : [0]);
}

export function tlv(tag: number, ...value: Buffer[]): Buffer {
  const v = Buffer.concat(value);
  return Buffer.concat([tagBytes(tag), encodeLength(v.length), v]);
}

/** INTEGER of a small non-negative number, minimal two's complement. */
export function intTlv(n: number): Buffer {
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  if (out.length === 0 || (out[0] ?? 0) & 0x80) out.unshift(0);
  return tlv(0x02, Buffer.from(out));
}

/** OBJECT IDENTIFIER contents (X.690 §8.19): the builder side's, core/der-build.ts. */
export const encodeOidValue = oidContent;

export const oidTlv = (oid: string): Buffer => tlv(0x06, encodeOidValue(oid));

export function decodeOid(value: Buffer): string {
  const arcs: bigint[] = [];
  let v = 0n;
  for (const b of value) {
    v = (v << 7n) | BigInt(b & 0x7f);
    if (!(b & 0x80)) {
      arcs.push(v);
      v = 0n;
    }
  }
  const [a0, ...rest] = arcs;
  if (a0 === undefined) throw new RangeError('empty OID');
  const first = a0 < 80n ? a0 / 40n : 2n;
  return [first, a0 - first * 40n, ...rest].join('.');
}

/** One element at `offset`; throws RangeError on truncation or an indefinite length. */
export function readTlv(buf: Buffer, offset = 0): CardTlv {
  let i = offset;
  const t0 = buf[i++];
  if (t0 === undefined) throw new RangeError('TLV: no tag');
  let tag = t0;
  if ((tag & 0x1f) === 0x1f) {
    for (;;) {
      const b = buf[i++];
      if (b === undefined) throw new RangeError('TLV: truncated tag');
      tag = tag * 256 + b;
      if (!(b & 0x80)) break;
    }
  }
  const l0 = buf[i++];
  if (l0 === undefined) throw new RangeError('TLV: no length');
  let len = l0;
  if (len === 0x80) throw new RangeError('TLV: indefinite length');
  if (len > 0x80) {
    const n = len & 0x7f;
    if (n > 3 || i + n > buf.length) throw new RangeError('TLV: bad length');
    len = 0;
    for (let k = 0; k < n; k++) len = len * 256 + (buf[i++] ?? 0); // i + n ≤ buf.length: checked above
  }
  if (i + len > buf.length) throw new RangeError('TLV: value truncated');
  return { tag, value: buf.subarray(i, i + len), raw: buf.subarray(offset, i + len) };
}

/** Every element of a concatenation. */
export function readAll(buf: Buffer): CardTlv[] {
  const out: CardTlv[] = [];
  for (let i = 0; i < buf.length; ) {
    const t = readTlv(buf, i);
    out.push(t);
    i += t.raw.length;
  }
  return out;
}

export const children = (t: CardTlv): CardTlv[] => readAll(t.value);
