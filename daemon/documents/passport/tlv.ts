// BER-TLV reader/writer for the LDS (data groups, SOD) and the protocol objects (SM DOs, PACE dynamic
// authentication data). BER-tolerant on purpose: real SODs use indefinite lengths (an NZ SOD starts
// `77 82 08 52 30 80 …`, docs/reference/passport.md §8) and non-minimal length forms. Never throws anything but a
// KioskError(CARD_MALFORMED_RESPONSE), never reads past its buffer, and bounds nesting depth.
import { ErrorCodes, KioskError } from '../../../core/errors.ts';

export interface Tlv {
  /** Tag bytes as a number, e.g. 0x61, 0x5F1F, 0x7F49. */
  tag: number;
  constructed: boolean;
  /** Value bytes (for indefinite lengths: up to, not including, the end-of-contents octets). */
  value: Buffer;
  /** The whole element: tag ‖ length ‖ value (‖ 00 00 for indefinite lengths). */
  raw: Buffer;
  indefinite: boolean;
}

const MAX_DEPTH = 32;

function bad(msg: string): KioskError {
  return new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `TLV: ${msg}`);
}

/** Parse one element at `offset`. */
export function readTlv(buf: Buffer, offset = 0, depth = 0): Tlv {
  if (depth > MAX_DEPTH) throw bad('nesting too deep');
  let i = offset;
  if (i >= buf.length) throw bad('no tag');
  const first = buf[i++]!;
  let tag = first;
  if ((first & 0x1f) === 0x1f) {
    let n = 0;
    do {
      if (i >= buf.length) throw bad('truncated tag');
      if (++n > 3) throw bad('tag longer than 4 bytes');
      tag = tag * 256 + buf[i]!;
    } while (buf[i++]! & 0x80);
  }
  const constructed = (first & 0x20) !== 0;
  if (i >= buf.length) throw bad('no length');
  const lb = buf[i++]!;
  if (lb === 0x80) {
    if (!constructed) throw bad('indefinite length on a primitive element');
    const start = i;
    for (;;) {
      if (i + 1 < buf.length && buf[i] === 0 && buf[i + 1] === 0) break;
      if (i >= buf.length) throw bad('missing end-of-contents');
      i += readTlv(buf, i, depth + 1).raw.length;
    }
    return { tag, constructed, value: buf.subarray(start, i), raw: buf.subarray(offset, i + 2), indefinite: true };
  }
  let len = lb;
  if (lb > 0x80) {
    const n = lb & 0x7f;
    if (n > 4) throw bad('length field longer than 4 bytes');
    if (i + n > buf.length) throw bad('truncated length');
    len = 0;
    for (let k = 0; k < n; k++) len = len * 256 + buf[i++]!;
  }
  if (i + len > buf.length) throw bad(`length ${len} runs past the data`);
  return { tag, constructed, value: buf.subarray(i, i + len), raw: buf.subarray(offset, i + len), indefinite: false };
}

/** All consecutive elements in `buf` (tolerating 00/FF padding between them, as EFs often carry). */
export function readAll(buf: Buffer, depth = 0): Tlv[] {
  const out: Tlv[] = [];
  let i = 0;
  while (i < buf.length) {
    if (buf[i] === 0x00 || buf[i] === 0xff) {
      i++;
      continue;
    }
    const t = readTlv(buf, i, depth);
    out.push(t);
    i += t.raw.length;
  }
  return out;
}

/** Children of a constructed element. */
export function children(t: Tlv): Tlv[] {
  if (!t.constructed) throw bad(`tag ${t.tag.toString(16)} is not constructed`);
  const out: Tlv[] = [];
  let i = 0;
  while (i < t.value.length) {
    const c = readTlv(t.value, i, 1);
    out.push(c);
    i += c.raw.length;
  }
  return out;
}

export function find(list: readonly Tlv[], tag: number): Tlv | undefined {
  return list.find((t) => t.tag === tag);
}

export function need(list: readonly Tlv[], tag: number, what: string): Tlv {
  const t = find(list, tag);
  if (!t) throw bad(`${what}: tag ${tag.toString(16).toUpperCase()} missing`);
  return t;
}

function tagBytes(tag: number): Buffer {
  const bytes: number[] = [];
  let t = tag;
  do {
    bytes.unshift(t & 0xff);
    t = Math.floor(t / 256);
  } while (t > 0);
  return Buffer.from(bytes);
}

export function encodeLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  if (n < 0x100) return Buffer.from([0x81, n]);
  if (n < 0x10000) return Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.from([0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]);
}

/** DER-style encoding (definite, minimal length). */
export function tlv(tag: number, ...value: Buffer[]): Buffer {
  const v = Buffer.concat(value);
  return Buffer.concat([tagBytes(tag), encodeLength(v.length), v]);
}

// ---- ASN.1 helpers on top of the same reader ----

export function decodeOid(value: Buffer): string {
  if (value.length === 0) throw bad('empty OID');
  const parts: number[] = [];
  let acc = 0;
  for (let i = 0; i < value.length; i++) {
    acc = acc * 128 + (value[i]! & 0x7f);
    if (acc > Number.MAX_SAFE_INTEGER / 256) throw bad('OID arc too large');
    if (!(value[i]! & 0x80)) {
      if (parts.length === 0) parts.push(acc < 80 ? Math.floor(acc / 40) : 2, acc < 80 ? acc % 40 : acc - 80);
      else parts.push(acc);
      acc = 0;
    } else if (i === value.length - 1) throw bad('truncated OID');
  }
  return parts.join('.');
}

export function encodeOidValue(oid: string): Buffer {
  const arcs = oid.split('.').map(Number);
  const out: number[] = [];
  const push = (n: number) => {
    const b: number[] = [n & 0x7f];
    for (n = Math.floor(n / 128); n > 0; n = Math.floor(n / 128)) b.unshift((n & 0x7f) | 0x80);
    out.push(...b);
  };
  push(arcs[0]! * 40 + arcs[1]!);
  for (const a of arcs.slice(2)) push(a);
  return Buffer.from(out);
}

export const oidTlv = (oid: string): Buffer => tlv(0x06, encodeOidValue(oid));

/** Unsigned big-endian INTEGER value → number (small integers: versions, parameter ids). */
export function smallInt(t: Tlv): number {
  if (t.tag !== 0x02 || t.value.length === 0 || t.value.length > 6) throw bad('expected a small INTEGER');
  let n = 0;
  for (const b of t.value) n = n * 256 + b;
  return n;
}

export function intTlv(n: number): Buffer {
  const bytes: number[] = [];
  do {
    bytes.unshift(n & 0xff);
    n = Math.floor(n / 256);
  } while (n > 0);
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return tlv(0x02, Buffer.from(bytes));
}
