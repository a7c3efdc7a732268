// Strict BER-TLV reading for card files and DER fragments (ISO/IEC 7816-4 §5.2, X.690 §8.1): multi-byte
// tags (e.g. the My Number card's private tags FF20, DF21), definite lengths up to 3 length octets, and
// every length checked against its enclosing bounds. Card data is untrusted input: a malformed file must
// end as CARD_MALFORMED_RESPONSE, never as an out-of-range read or a silently truncated field.
import { ErrorCodes, KioskError } from '../../../core/errors.ts';

export interface Tlv {
  /** The tag octets as one number (FF20 → 0xff20, 30 → 0x30). */
  tag: number;
  /** Offset of the first tag octet within the parsed buffer. */
  start: number;
  /** Offset of the first value octet. */
  valueStart: number;
  /** Offset just past the value. */
  end: number;
  value: Buffer;
  constructed: boolean;
}

const bad = (what: string, msg: string) => new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `${what}: ${msg}`);

/** The TLV starting at `pos`, which must end at or before `limit`. */
export function readTlv(buf: Buffer, pos: number, limit: number, what: string): Tlv {
  if (limit > buf.length) limit = buf.length;
  const start = pos;
  if (pos >= limit) throw bad(what, `TLV expected at ${pos}`);
  const first = buf[pos++]!;
  let tag = first;
  if ((first & 0x1f) === 0x1f) {
    let n = 0;
    for (;;) {
      if (pos >= limit) throw bad(what, 'truncated tag');
      const b = buf[pos++]!;
      tag = tag * 256 + b;
      if (++n > 3) throw bad(what, 'tag longer than 4 octets');
      if ((b & 0x80) === 0) break;
    }
  }
  if (pos >= limit) throw bad(what, 'truncated length');
  const l0 = buf[pos++]!;
  let len = l0;
  if (l0 === 0x80) throw bad(what, 'indefinite length is not allowed');
  if (l0 > 0x80) {
    const n = l0 & 0x7f;
    if (n > 3) throw bad(what, `length of ${n} octets`);
    if (pos + n > limit) throw bad(what, 'truncated length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos++]!;
  }
  if (pos + len > limit) throw bad(what, `value of ${len} bytes overruns its container`);
  return { tag, start, valueStart: pos, end: pos + len, value: buf.subarray(pos, pos + len), constructed: (first & 0x20) !== 0 };
}

/** All TLVs in buf[from, to), back to back. Trailing 00/FF padding is tolerated only when `padding` is set. */
export function readTlvs(buf: Buffer, what: string, from = 0, to = buf.length, padding = false): Tlv[] {
  const out: Tlv[] = [];
  let pos = from;
  while (pos < to) {
    if (padding && (buf[pos] === 0x00 || buf[pos] === 0xff) && buf.subarray(pos, to).every((b) => b === buf[pos])) break;
    const t = readTlv(buf, pos, to, what);
    out.push(t);
    pos = t.end;
  }
  return out;
}

/** The children of a constructed TLV, with offsets relative to the same buffer as the parent. */
export function children(buf: Buffer, parent: Tlv, what: string): Tlv[] {
  return readTlvs(buf, what, parent.valueStart, parent.end);
}

const hex = (tag: number) => tag.toString(16).toUpperCase();

/** The children of the one template a card file holds, which must carry `tag` (e.g. FF20, FF30). */
export function templateChildren(buf: Buffer, tag: number, what: string): Tlv[] {
  const root = readTlv(buf, 0, buf.length, what);
  if (root.tag !== tag) throw bad(what, `template ${hex(root.tag)} is not ${hex(tag)}`);
  return children(buf, root, what);
}

/** Exactly these tags, in this order: a signed record's layout is fixed, so anything else is refused. */
export function requireSequence(list: readonly Tlv[], tags: readonly number[], what: string): Tlv[] {
  if (list.length !== tags.length || list.some((t, i) => t.tag !== tags[i])) throw bad(what, `expected ${tags.map(hex).join(', ')}`);
  return [...list];
}

/** The first TLV with `tag` among `list`, or throws when it is required. */
export function find(list: readonly Tlv[], tag: number): Tlv | undefined {
  return list.find((t) => t.tag === tag);
}

export function requireTag(list: readonly Tlv[], tag: number, what: string): Tlv {
  const t = find(list, tag);
  if (!t) throw bad(what, `tag ${hex(tag)} missing`);
  return t;
}

/** Dotted OID from DER content octets (X.690 §8.19). */
export function decodeOid(v: Buffer, what: string): string {
  if (v.length === 0) throw bad(what, 'empty OID');
  const arcs: number[] = [];
  let acc = 0;
  let octets = 0;
  for (const b of v) {
    if (octets === 0 && b === 0x80) throw bad(what, 'OID arc with a leading 80 octet');
    acc = acc * 128 + (b & 0x7f);
    if (++octets > 8) throw bad(what, 'OID arc too long');
    if ((b & 0x80) === 0) {
      arcs.push(acc);
      acc = 0;
      octets = 0;
    }
  }
  if (octets !== 0) throw bad(what, 'truncated OID');
  const first = arcs.shift()!;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...arcs].join('.');
}
