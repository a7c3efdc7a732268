// The kiosk's one BER-TLV reader and writer (ISO/IEC 8825-1 = X.690 §8.1 BER/§10 DER, ISO/IEC 7816-4 §5.2
// BER-TLV data objects, docs/reference/). Every document, certificate, CRL and OCSP reader parses through
// it; what differs between them is a set of rules, not a second parser:
//   tags          'ber'      X.690 high-tag-number form: 1F-class first octet, more octets while bit 8 is set
//                 'one-byte' multi-octet tags refused (X.509, CRLs and OCSP never use them)
//                 'pair-1f'  a 1F-class first octet is followed by exactly one more (the residence card's DF D1,
//                            whose second octet has bit 8 set, which strict BER would read as "more follow")
//                 'pair-5f7f' two octets only after 5F or 7F (the driving licence: its 1F is a one-octet tag)
//   lengths       how many long-form octets (81…84), whether they must be minimal (DER), whether the
//                 indefinite form (80 … 00 00) may open a constructed element (real ICAO SODs use it)
//   padding       how 00/FF filler in a card file is treated; endMarker: a tag octet that ends a file
//   maxDepth      nesting bound; code / lengthCode: the KioskError codes a malformed input ends as
// The reader never reads past its buffer or a parent's bounds, never throws anything but a KioskError
// of the rules' code, and bounds both tag size (4 octets) and nesting depth.
import { at } from '../../core/checked.ts';
import { ErrorCodes, KioskError, type ErrorCode } from '../../core/errors.ts';

export interface Tlv {
  /** Tag octets as one number, e.g. 0x61, 0x5F1F, 0x7F49, 0xFF20. */
  tag: number;
  constructed: boolean;
  /** The length was the indefinite form: `value` stops before, `raw` includes, the 00 00 end-of-contents. */
  indefinite: boolean;
  /** The buffer the offsets below point into. */
  buf: Buffer;
  /** Offset of the first tag octet. */
  start: number;
  /** Offset of the first value octet. */
  valueStart: number;
  /** Offset just past the value (before the end-of-contents octets of an indefinite length). */
  valueEnd: number;
  /** Offset just past the whole element. */
  end: number;
  /** buf[valueStart, valueEnd) */
  value: Buffer;
  /** buf[start, end): tag ‖ length ‖ value (‖ 00 00). */
  raw: Buffer;
  /** Nesting depth at which the element was read (0 for a top-level element). */
  depth: number;
}

export interface TlvHeader {
  tag: number;
  constructed: boolean;
  /** Offset of the first value octet. */
  valueStart: number;
  /** Value length, or INDEFINITE. */
  length: number;
}

export type TagForm = 'ber' | 'one-byte' | 'pair-1f' | 'pair-5f7f';
/** 'none': every octet belongs to an element; 'between': 00/FF octets between elements are skipped;
 *  'trailing': a run of one filler octet (00 or FF) to the end ends the list; 'strict-trailing': the first
 *  00/FF at a tag position ends the list, and everything after it must be the same filler. */
export type Padding = 'none' | 'between' | 'trailing' | 'strict-trailing';

export interface TlvRules {
  tags: TagForm;
  /** Most long-form length octets (the 0x8n form, n ≤ this); 1…4. */
  maxLengthOctets: number;
  /** Long-form lengths must be the shortest (X.690 §10.1: no leading 00 octet, no 81 xx below 80). */
  minimalLengths: boolean;
  /** The indefinite form on constructed elements (X.690 §8.1.3.6). */
  indefinite: boolean;
  padding: Padding;
  /** A tag octet that ends a list (the licence's FF); undefined: none. */
  endMarker?: number;
  maxDepth: number;
  code: ErrorCode;
  /** Code for length errors (truncated, too long, overrunning); defaults to `code`. */
  lengthCode?: ErrorCode;
}

const DEFAULTS: TlvRules = {
  tags: 'ber',
  maxLengthOctets: 4,
  minimalLengths: false,
  indefinite: true,
  padding: 'between',
  maxDepth: 32,
  code: ErrorCodes.CARD_MALFORMED_RESPONSE,
};

const hex = (n: number) => n.toString(16).toUpperCase().padStart(2, '0');

function fail(rules: TlvRules, length: boolean, what: string, msg: string, offset: number): KioskError {
  return new KioskError(length ? (rules.lengthCode ?? rules.code) : rules.code, `${what}: ${msg} at offset ${offset}`, { offset });
}

/** Result of decodeLength when the input ends before the length does (a streaming caller reads more). */
export const NEED_MORE = -1;
/** Result of decodeLength for the indefinite form (only where the rules allow it). */
export const INDEFINITE = -2;

/**
 * The length field at buf[p] (the octet after the tag) within buf[…, end): `length * 8 + octets of the
 * length field`, NEED_MORE when it is cut off at `end`, INDEFINITE for 80 (where allowed). The one length
 * decoder: the element reader below and the CRL's streaming entry loop both call it.
 */
export function decodeLength(buf: Uint8Array, p: number, end: number, rules: TlvRules, what = 'TLV', constructed = true): number {
  if (p >= end) return NEED_MORE;
  const b = at(buf, p, rules.code, what);
  if (b < 0x80) return b * 8 + 1;
  if (b === 0x80) {
    if (!rules.indefinite) throw fail(rules, true, what, 'indefinite length is not allowed', p);
    if (!constructed) throw fail(rules, true, what, 'indefinite length on a primitive element', p);
    return INDEFINITE;
  }
  const n = b & 0x7f;
  if (n > rules.maxLengthOctets) throw fail(rules, true, what, `unsupported length form ${hex(b)}`, p);
  if (p + 1 + n > end) return NEED_MORE;
  let len = 0;
  for (let i = 1; i <= n; i++) len = len * 256 + at(buf, p + i, rules.code, what);
  if (rules.minimalLengths && (buf[p + 1] === 0 || len < 0x80)) throw fail(rules, true, what, 'non-minimal length', p);
  return len * 8 + 1 + n;
}

/** A reader and writer under one set of rules. */
export class TlvCodec {
  readonly rules: TlvRules;

  constructor(rules: Partial<TlvRules> = {}) {
    this.rules = { ...DEFAULTS, ...rules };
  }

  /** Tag and length of the element at `from` (its value need not be there yet: a file's first bytes). */
  header(buf: Uint8Array, from = 0, what = 'TLV', limit = buf.length): TlvHeader {
    const r = this.rules;
    if (limit > buf.length) limit = buf.length;
    let i = from;
    if (i >= limit) throw fail(r, false, what, 'element expected', from);
    const first = at(buf, i++, r.code, what);
    let tag = first;
    const highTag = (first & 0x1f) === 0x1f;
    if (r.tags === 'ber' && highTag) {
      let n = 0;
      for (;;) {
        if (i >= limit) throw fail(r, false, what, 'truncated tag', from);
        if (++n > 3) throw fail(r, false, what, 'tag longer than 4 octets', from);
        const b = at(buf, i++, r.code, what);
        tag = tag * 256 + b;
        if ((b & 0x80) === 0) break;
      }
    } else if ((r.tags === 'pair-1f' && highTag) || (r.tags === 'pair-5f7f' && (first === 0x5f || first === 0x7f))) {
      if (i >= limit) throw fail(r, false, what, 'truncated tag', from);
      tag = tag * 256 + at(buf, i++, r.code, what);
    } else if (r.tags === 'one-byte' && highTag) {
      throw fail(r, false, what, 'multi-octet tag', from);
    }
    const constructed = (first & 0x20) !== 0;
    if (i >= limit) throw fail(r, true, what, `tag ${hex(tag)} without length`, from);
    const l = decodeLength(buf, i, limit, r, what, constructed);
    if (l === NEED_MORE) throw fail(r, true, what, 'truncated length', from);
    if (l === INDEFINITE) return { tag, constructed, valueStart: i + 1, length: INDEFINITE };
    return { tag, constructed, valueStart: i + (l & 7), length: (l - (l & 7)) / 8 };
  }

  /** The element at `at`, which must end at or before `limit`. */
  read(buf: Buffer, at = 0, what = 'TLV', limit = buf.length, depth = 0): Tlv {
    const r = this.rules;
    if (limit > buf.length) limit = buf.length;
    if (depth > r.maxDepth) throw fail(r, false, what, 'nesting too deep', at);
    const { tag, constructed, valueStart, length } = this.header(buf, at, what, limit);
    if (length === INDEFINITE) {
      let j = valueStart;
      for (;;) {
        if (j + 1 < limit && buf[j] === 0 && buf[j + 1] === 0) break;
        if (j >= limit) throw fail(r, true, what, 'missing end-of-contents', at);
        j = this.read(buf, j, what, limit, depth + 1).end;
      }
      return element(buf, tag, constructed, true, at, valueStart, j, j + 2, depth);
    }
    if (valueStart + length > limit) throw fail(r, true, what, `length ${length} runs past the data (${limit - valueStart} left)`, at);
    return element(buf, tag, constructed, false, at, valueStart, valueStart + length, valueStart + length, depth);
  }

  /** The elements in buf[from, to), back to back, with the rules' padding and end marker. */
  all(buf: Buffer, what = 'TLV', from = 0, to = buf.length, padding: Padding = this.rules.padding, depth = 0): Tlv[] {
    const out: Tlv[] = [];
    const end = Math.min(to, buf.length);
    let i = from;
    while (i < end) {
      const b = at(buf, i, this.rules.code, what);
      if (b === this.rules.endMarker) break;
      if (padding !== 'none' && (b === 0x00 || b === 0xff)) {
        if (padding === 'between') {
          i++;
          continue;
        }
        let k = i;
        while (k < end && buf[k] === b) k++;
        if (k === end) break;
        if (padding === 'strict-trailing') throw fail(this.rules, false, what, 'data after padding', k);
      }
      const t = this.read(buf, i, what, end, depth);
      out.push(t);
      i = t.end;
    }
    return out;
  }

  /** The children of a constructed element, offsets in the same buffer as the parent's. */
  children(t: Tlv, what = 'TLV'): Tlv[] {
    if (!t.constructed) throw fail(this.rules, false, what, `tag ${hex(t.tag)} is not constructed`, t.start);
    return this.all(t.buf, what, t.valueStart, t.valueEnd, 'none', t.depth + 1);
  }

  /** The children of the one template a card file starts with, which must carry `tag` (e.g. FF20). */
  template(buf: Buffer, tag: number, what: string): Tlv[] {
    const root = this.read(buf, 0, what);
    if (root.tag !== tag) throw fail(this.rules, false, what, `template ${hex(root.tag)} is not ${hex(tag)}`, 0);
    return this.all(buf, what, root.valueStart, root.valueEnd, 'none', 1);
  }

  /** Tag ‖ length ‖ value with the shortest length form; a value too long for the rules is a RangeError. */
  tlv(tag: number, ...value: Buffer[]): Buffer {
    const v = value.length === 1 ? at(value, 0) : Buffer.concat(value);
    const len = encodeLength(v.length);
    if (len.length - 1 > this.rules.maxLengthOctets) throw new RangeError(`TLV value of ${v.length} bytes is too long for these rules`);
    return Buffer.concat([tagOctets(tag), len, v]);
  }
}

function element(
  buf: Buffer,
  tag: number,
  constructed: boolean,
  indefinite: boolean,
  start: number,
  valueStart: number,
  valueEnd: number,
  end: number,
  depth: number,
): Tlv {
  return {
    tag,
    constructed,
    indefinite,
    buf,
    start,
    valueStart,
    valueEnd,
    end,
    value: buf.subarray(valueStart, valueEnd),
    raw: buf.subarray(start, end),
    depth,
  };
}

/** X.690 BER as ICAO 9303-10 uses it for the LDS, SOD and protocol objects: indefinite lengths, non-minimal
 *  length forms and 00/FF filler between elements all tolerated (an NZ SOD starts `77 82 08 52 30 80 …`). */
export const BER = new TlvCodec();
/** ISO/IEC 7816-4 §5.2 BER-TLV data objects of a card file: definite lengths only; filler only where a
 *  caller asks for it ('trailing'). */
export const CARD_BER = new TlvCodec({ indefinite: false, padding: 'none' });
/** X.690 DER as X.509, CRLs and OCSP use it: one-octet tags, definite minimal lengths. */
export const derCodec = (code: ErrorCode, lengthCode?: ErrorCode): TlvCodec =>
  new TlvCodec({ tags: 'one-byte', minimalLengths: true, indefinite: false, padding: 'none', code, ...(lengthCode ? { lengthCode } : {}) });

// ---- the BER codec's reader as functions (the passport and the ASN.1 helpers) ----

export const readTlv = (buf: Buffer, at = 0): Tlv => BER.read(buf, at);
export const readAll = (buf: Buffer): Tlv[] => BER.all(buf);
export const children = (t: Tlv): Tlv[] => BER.children(t);
export const tlv = (tag: number, ...value: Buffer[]): Buffer => BER.tlv(tag, ...value);

// ---- lists of elements ----

export function find(list: readonly Tlv[], tag: number): Tlv | undefined {
  return list.find((t) => t.tag === tag);
}

/** The first element with `tag`, or a CARD_MALFORMED_RESPONSE naming what is missing. */
export function need(list: readonly Tlv[], tag: number, what: string, code: ErrorCode = ErrorCodes.CARD_MALFORMED_RESPONSE): Tlv {
  const t = find(list, tag);
  if (!t) throw new KioskError(code, `${what}: tag ${hex(tag)} missing`);
  return t;
}

/** Exactly these tags, in this order (a signed record's layout is fixed, so anything else is refused). */
export function expectTags(list: readonly Tlv[], tags: readonly number[], what: string, code: ErrorCode = ErrorCodes.CARD_MALFORMED_RESPONSE): Tlv[] {
  if (list.length !== tags.length || list.some((t, i) => t.tag !== tags[i])) throw new KioskError(code, `${what}: expected ${tags.map(hex).join(', ')}`);
  return [...list];
}

/** Tag → value; a tag appearing twice is malformed (a spliced file must not pass as the first copy). */
export function uniqueTags(list: readonly Tlv[], what: string, code: ErrorCode = ErrorCodes.CARD_MALFORMED_RESPONSE): Map<number, Buffer> {
  const m = new Map<number, Buffer>();
  for (const t of list) {
    if (m.has(t.tag)) throw new KioskError(code, `${what}: tag ${hex(t.tag)} appears twice`);
    m.set(t.tag, t.value);
  }
  return m;
}

// ---- writing ----

/** Tag octets of a tag number written as its big-endian bytes (0x7F49 → 7F 49, 0x30 → 30, 0 → 00). */
export function tagOctets(tag: number): Buffer {
  const out: number[] = [];
  for (let t = tag; t > 0; t = Math.floor(t / 256)) out.unshift(t & 0xff);
  return Buffer.from(out.length ? out : [0]);
}

/** The shortest definite length field (X.690 §8.1.3.3–5, §10.1). */
export function encodeLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return Buffer.from([0x80 | out.length, ...out]);
}

// ---- ASN.1 primitive values ----

/** OID content octets: first two arcs as 40·a+b, base-128 with continuation bits. */
export function encodeOidValue(oid: string): Buffer {
  const arcs = oid.split('.').map(Number);
  const out: number[] = [];
  const push = (n: number) => {
    const b: number[] = [n & 0x7f];
    for (n = Math.floor(n / 128); n > 0; n = Math.floor(n / 128)) b.unshift((n & 0x7f) | 0x80);
    out.push(...b);
  };
  push(at(arcs, 0, ErrorCodes.INTERNAL, 'OID') * 40 + at(arcs, 1, ErrorCodes.INTERNAL, 'OID'));
  for (const a of arcs.slice(2)) push(a);
  return Buffer.from(out);
}

export const oidTlv = (oid: string): Buffer => tlv(0x06, encodeOidValue(oid));

/** Unsigned big-endian INTEGER → number (small integers: versions, parameter ids). */
export function smallInt(t: Tlv, code: ErrorCode = ErrorCodes.CARD_MALFORMED_RESPONSE): number {
  if (t.tag !== 0x02 || t.value.length === 0 || t.value.length > 6) throw new KioskError(code, 'TLV: expected a small INTEGER');
  let n = 0;
  for (const b of t.value) n = n * 256 + b;
  return n;
}

/** INTEGER of a small non-negative number, minimal two's complement. */
export function intTlv(n: number): Buffer {
  const bytes: number[] = [];
  do {
    bytes.unshift(n & 0xff);
    n = Math.floor(n / 256);
  } while (n > 0);
  if (at(bytes, 0) & 0x80) bytes.unshift(0);
  return tlv(0x02, Buffer.from(bytes));
}
