// The daemon's one entry to the ASN.1 stack for PKI structures (certificates, CMS, OCSP, CSRs):
// asn1js decodes BER/DER, @peculiar/asn1-* schemas map it to typed objects. This module adds what the
// kiosk needs around them: every failure is a KioskError with the caller's stable code, trailing bytes are
// refused, DER-only inputs (OCSP) are checked for definite, minimal encodings, and OIDs are decoded in one
// place. Card-side TLVs (data groups, JPKI/licence/residence files) stay with daemon/encoding/ber-tlv.ts.
import { AsnParser } from '@peculiar/asn1-schema';
import * as asn1js from 'asn1js';
import { ErrorCodes, KioskError, type ErrorCode } from '../../core/errors.ts';

export interface Asn1Options {
  /** Stable code of every failure. */
  code: ErrorCode;
  /** What is parsed, for the message ("CMS", "OCSP"). */
  what: string;
  /**
   * Refuse BER: indefinite lengths, long or padded length and tag forms, constructed strings — in the
   * whole tree (true), or down to this depth (0: the outer element only) where deeper parts are someone
   * else's to judge (a certificate's extensions and key are read by node:crypto and x509-extensions.ts).
   */
  der?: boolean | number;
}

const fail = (o: Asn1Options, msg: string) => new KioskError(o.code, `${o.what}: ${msg}`);

const view = (b: Uint8Array): Uint8Array => (b instanceof Uint8Array ? b : new Uint8Array(b));

/**
 * Decodes exactly one element filling `bytes`. The node limit is the input's size (every element takes at
 * least two octets, so it never refuses well-formed input); depth and content length keep asn1js's limits.
 * OCTET STRING contents are not speculatively decoded (the schemas say where an encapsulation is).
 */
export function decodeAsn1(bytes: Uint8Array, o: Asn1Options): asn1js.AsnType {
  const input = view(bytes);
  let r: ReturnType<typeof asn1js.fromBER>;
  try {
    r = asn1js.fromBER(input, { parseEmbedded: false, maxNodes: input.length + 1 });
  } catch (e) {
    throw fail(o, `not BER (${e instanceof Error ? e.name : 'error'})`);
  }
  if (r.offset === -1 || r.result.error) throw fail(o, `not BER (${r.result.error || 'truncated'})`);
  if (r.offset !== input.length) throw fail(o, 'trailing bytes');
  if (o.der !== undefined && o.der !== false) assertDer(r.result, o, o.der === true ? Number.POSITIVE_INFINITY : o.der);
  return r.result;
}

/** Decodes `bytes` and maps them onto the schema class `type`; any mismatch is the caller's code. */
export function parseAsn1<T>(bytes: Uint8Array, type: new () => T, o: Asn1Options): T {
  return fromAsn1(decodeAsn1(bytes, o), type, o);
}

/** Maps an already decoded element onto a schema class. */
export function fromAsn1<T>(node: asn1js.AsnType, type: new () => T, o: Asn1Options): T {
  try {
    return AsnParser.fromASN(node, type) as T;
  } catch (e) {
    throw fail(o, `${type.name} expected (${e instanceof Error ? e.message.split('\n')[0] : 'schema mismatch'})`);
  }
}

/** X.690 §10 (DER) on a decoded tree: definite minimal lengths, low tag numbers, primitive strings. */
function assertDer(node: asn1js.AsnType, o: Asn1Options, depth: number): void {
  const b = node as asn1js.BaseBlock;
  if (b.lenBlock.isIndefiniteForm) throw fail(o, 'indefinite length (not DER)');
  if (b.idBlock.tagNumber >= 31 || b.idBlock.blockLength !== 1) throw fail(o, 'multi-octet tag (not DER)');
  // §10.1: the long form only from 128 on, without leading zero octets. (asn1js's own warning tests the
  // last length octet, so 82 03 00 — a minimal 768 — would look padded to it.)
  const head = b.valueBeforeDecodeView;
  if ((head[1] ?? 0) & 0x80 && (b.lenBlock.length < 0x80 || head[2] === 0)) throw fail(o, 'length not in its shortest form (not DER)');
  if (b.idBlock.isConstructed && b.idBlock.tagClass === 1 && [3, 4, 12, 19, 22, 24, 23, 30].includes(b.idBlock.tagNumber)) {
    throw fail(o, 'constructed string (not DER)');
  }
  const inner = (b.valueBlock as { value?: unknown }).value;
  if (depth > 0 && b.idBlock.isConstructed && Array.isArray(inner)) for (const c of inner as asn1js.AsnType[]) assertDer(c, o, depth - 1);
}

/** The content of an OCTET STRING, the BER constructed form included (X.690 §8.7.3). */
export function octetStringValue(node: asn1js.AsnType, o: Asn1Options): Buffer {
  if (!(node instanceof asn1js.OctetString)) throw fail(o, 'OCTET STRING expected');
  if (!node.idBlock.isConstructed) return Buffer.from(node.valueBlock.valueHexView);
  return Buffer.concat(node.valueBlock.value.filter((c) => !(c instanceof asn1js.EndOfContent)).map((c) => octetStringValue(c, o)));
}

/** An OCTET STRING's content from its encoding (BER forms included). */
export function octetStringOf(bytes: Uint8Array, o: Asn1Options): Buffer {
  return octetStringValue(decodeAsn1(bytes, o), o);
}

/** The OID an encoded OBJECT IDENTIFIER element names. */
export function oidOf(bytes: Uint8Array, o: Asn1Options): string {
  const node = decodeAsn1(bytes, o);
  if (!(node instanceof asn1js.ObjectIdentifier)) throw fail(o, 'OBJECT IDENTIFIER expected');
  return dotted(node, o);
}

/**
 * Dotted text of OBJECT IDENTIFIER content octets (X.690 §8.19) — the tree's one OID decoder. A padded
 * (leading 80) or truncated arc, an empty value and arcs beyond 2^53 are refused with `code`.
 */
export function decodeOid(content: Uint8Array, what = 'OID', code: ErrorCode = ErrorCodes.CARD_MALFORMED_RESPONSE): string {
  const o = { what, code };
  if (content.length === 0) throw fail(o, 'empty OID');
  const node = new asn1js.ObjectIdentifier();
  const c = view(content);
  if (node.valueBlock.fromBER(c, 0, c.length) === -1 || node.valueBlock.error) throw fail(o, `malformed OID (${node.valueBlock.error || 'truncated'})`);
  return dotted(node, o);
}

function dotted(node: asn1js.ObjectIdentifier, o: Pick<Asn1Options, 'code' | 'what'>): string {
  const text = node.getValue();
  // A padded arc starts with a zero 7-bit group (one zero octet is arc 0); asn1js writes arcs beyond its
  // integer range in hex braces, which the pattern refuses.
  const warned = node.valueBlock.value.some((s) => s.error || (s.blockLength > 1 && s.valueHexView[0] === 0));
  if (warned || !/^\d+(\.\d+)+$/.test(text)) throw fail(o, 'malformed OID');
  if (text.split('.').some((a) => !Number.isSafeInteger(Number(a)))) throw fail(o, 'OID arc too large');
  return text;
}
