// Just enough DER for OCSP (RFC 6960): building the request and reading the response with byte offsets
// (the signature covers the exact bytes of tbsResponseData, so nothing is re-encoded). Strict: definite
// minimal lengths only, every element inside its parent.
import { ErrorCodes, KioskError } from '../../../core/errors.ts';

export interface Node {
  tag: number;
  /** whole element (tag + length + value) */
  start: number;
  end: number;
  /** value bytes */
  vStart: number;
  buf: Buffer;
}

const bad = (msg: string) => new KioskError(ErrorCodes.OCSP_BAD_RESPONSE, `OCSP: ${msg}`);

export function readNode(buf: Buffer, pos: number, limit = buf.length): Node {
  if (pos + 2 > limit) throw bad('truncated element');
  const tag = buf[pos]!;
  if ((tag & 0x1f) === 0x1f) throw bad('multi-byte tags are not used in OCSP');
  let len = buf[pos + 1]!;
  let p = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw bad('indefinite or oversized length');
    if (p + n > limit) throw bad('truncated length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i]!;
    if (buf[p] === 0 || len < 0x80) throw bad('non-minimal length');
    p += n;
  }
  if (p + len > limit) throw bad('element runs past its parent');
  return { tag, start: pos, end: p + len, vStart: p, buf };
}

export const value = (n: Node) => n.buf.subarray(n.vStart, n.end);
export const raw = (n: Node) => n.buf.subarray(n.start, n.end);

/** The children of a constructed element. */
export function children(n: Node): Node[] {
  const out: Node[] = [];
  let p = n.vStart;
  while (p < n.end) {
    const c = readNode(n.buf, p, n.end);
    out.push(c);
    p = c.end;
  }
  return out;
}

export function expect(n: Node | undefined, tag: number, what: string): Node {
  if (!n || n.tag !== tag) throw bad(`expected ${what}`);
  return n;
}

export function parseDer(buf: Buffer): Node {
  const n = readNode(buf, 0);
  if (n.end !== buf.length) throw bad('trailing bytes');
  return n;
}

export function oidText(n: Node): string {
  const v = value(n);
  const out: number[] = [];
  let acc = 0;
  for (const b of v) {
    acc = acc * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      if (out.length === 0) out.push(acc < 80 ? Math.floor(acc / 40) : 2, acc < 80 ? acc % 40 : acc - 80);
      else out.push(acc);
      acc = 0;
    }
  }
  return out.join('.');
}

/** GeneralizedTime YYYYMMDDHHMMSS[.f]Z → Date. */
export function generalizedTime(n: Node): Date {
  if (n.tag !== 0x18) throw bad('expected GeneralizedTime');
  const s = value(n).toString('latin1');
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/.exec(s);
  if (!m) throw bad('GeneralizedTime not in UTC form');
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

// ---- building ----

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const v = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), length(v.length), v]);
}

export const seq = (...parts: Buffer[]) => tlv(0x30, ...parts);
export const octets = (b: Buffer) => tlv(0x04, b);

export function oid(text: string): Buffer {
  const a = text.split('.').map(Number);
  const out: number[] = [a[0]! * 40 + a[1]!];
  for (const n of a.slice(2)) {
    const parts: number[] = [];
    let v = n;
    do {
      parts.unshift(v & 0x7f);
      v = Math.floor(v / 128);
    } while (v > 0);
    for (let i = 0; i < parts.length - 1; i++) parts[i]! |= 0x80;
    out.push(...parts);
  }
  return tlv(0x06, Buffer.from(out));
}
