// Just enough DER for OCSP (RFC 6960): building the request and reading the response with byte offsets
// (the signature covers the exact bytes of tbsResponseData, so nothing is re-encoded). Reading is the one
// TLV codec's (daemon/encoding/ber-tlv.ts) under DER rules: one-octet tags, definite minimal lengths only,
// every element inside its parent, failures as OCSP_BAD_RESPONSE.
import { ErrorCodes, KioskError } from '../../../core/errors.ts';
import { decodeOid, derCodec, oidTlv, tlv, type Tlv } from '../../encoding/ber-tlv.ts';

export type Node = Tlv;

const bad = (msg: string) => new KioskError(ErrorCodes.OCSP_BAD_RESPONSE, `OCSP: ${msg}`);
const OCSP_DER = derCodec(ErrorCodes.OCSP_BAD_RESPONSE);

export const readNode = (buf: Buffer, pos: number, limit = buf.length): Node => OCSP_DER.read(buf, pos, 'OCSP', limit);
export const value = (n: Node) => n.value;
export const raw = (n: Node) => n.raw;
/** The children of a constructed element. */
export const children = (n: Node): Node[] => OCSP_DER.children(n, 'OCSP');

export function expect(n: Node | undefined, tag: number, what: string): Node {
  if (!n || n.tag !== tag) throw bad(`expected ${what}`);
  return n;
}

export function parseDer(buf: Buffer): Node {
  const n = readNode(buf, 0);
  if (n.end !== buf.length) throw bad('trailing bytes');
  return n;
}

export const oidText = (n: Node): string => decodeOid(value(n), 'OCSP', ErrorCodes.OCSP_BAD_RESPONSE);

/** GeneralizedTime YYYYMMDDHHMMSS[.f]Z → Date. */
export function generalizedTime(n: Node): Date {
  if (n.tag !== 0x18) throw bad('expected GeneralizedTime');
  const s = value(n).toString('latin1');
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/.exec(s);
  if (!m) throw bad('GeneralizedTime not in UTC form');
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

// ---- building (the same codec's writer: one-octet tags, shortest lengths, i.e. DER) ----

export { tlv };
export const seq = (...parts: Buffer[]) => tlv(0x30, ...parts);
export const octets = (b: Buffer) => tlv(0x04, b);
export const oid = oidTlv;
