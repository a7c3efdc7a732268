// Distinguished-name comparison as RFC 5280 §7.1 asks for path validation and CRL issuer matching: the
// same number of RDNs, each RDN the same set of attributes, and attribute values compared after RFC 4518
// string preparation (simplified to what issuers actually vary: Unicode compatibility normalisation, case
// folding, leading/trailing space removed and inner runs of space collapsed) whenever both values are
// directory strings, whatever their ASN.1 string type (a UTF8String issuer matches a PrintableString
// subject). Anything else is compared byte for byte. Malformed input never matches.
import { DerReader } from './crl/der.ts';

/** PrintableString, UTF8String, TeletexString, UniversalString, BMPString, IA5String. */
const STRING_TAGS = new Set([0x13, 0x0c, 0x14, 0x1c, 0x1e, 0x16]);

function decodeString(tag: number, v: Buffer): string | null {
  switch (tag) {
    case 0x13:
    case 0x16:
    case 0x14: // T.61 is treated as Latin-1 (its common use); exotic escapes simply will not match
      return tag === 0x14 ? v.toString('latin1') : v.toString('ascii');
    case 0x0c: {
      const s = v.toString('utf8');
      return Buffer.from(s, 'utf8').equals(v) ? s : null;
    }
    case 0x1e: {
      if (v.length % 2) return null;
      const swapped = Buffer.from(v);
      swapped.swap16();
      return swapped.toString('utf16le');
    }
    case 0x1c: {
      if (v.length % 4) return null;
      let s = '';
      for (let i = 0; i < v.length; i += 4) s += String.fromCodePoint(v.readUInt32BE(i));
      return s;
    }
    default:
      return null;
  }
}

const prepare = (s: string) => s.normalize('NFKC').toLowerCase().trim().replace(/\s+/g, ' ');

interface Attribute {
  type: string;
  /** prepared string, or the value's DER for non-string values */
  key: string;
}

function parseName(der: Buffer): Attribute[][] {
  const top = new DerReader(der);
  const rdns = top.inner(top.read(0x30, 'Name'));
  top.expectEnd('Name');
  const out: Attribute[][] = [];
  while (!rdns.done) {
    const set = rdns.inner(rdns.read(0x31, 'RelativeDistinguishedName'));
    const rdn: Attribute[] = [];
    while (!set.done) {
      const atv = set.inner(set.read(0x30, 'AttributeTypeAndValue'));
      const type = atv.value(atv.read(0x06, 'type')).toString('hex');
      const v = atv.read(undefined, 'value');
      atv.expectEnd('AttributeTypeAndValue');
      const text = STRING_TAGS.has(v.tag) ? decodeString(v.tag, atv.value(v)) : null;
      rdn.push({ type, key: text === null ? `der:${atv.bytes(v).toString('hex')}` : `str:${prepare(text)}` });
    }
    if (rdn.length === 0) throw new Error('empty RDN');
    out.push(rdn.map((a) => a).sort((a, b) => (a.type + a.key < b.type + b.key ? -1 : 1)));
  }
  return out;
}

/**
 * A Name's RDNs with prepared values as one string (JSON: unambiguous), or null when malformed. Memoised by
 * DER: a path search compares one issuer name with every anchor (a CSCA store holds hundreds), and the
 * same names recur from one document to the next. The memo is cleared when it grows past MEMO_MAX.
 */
const memo = new Map<string, string | null>();
const MEMO_MAX = 20_000;

function canonical(der: Buffer): string | null {
  const k = der.toString('latin1');
  let c = memo.get(k);
  if (c === undefined) {
    try {
      c = JSON.stringify(parseName(der).map((rdn) => rdn.map((a) => [a.type, a.key])));
    } catch {
      c = null;
    }
    if (memo.size >= MEMO_MAX) memo.clear();
    memo.set(k, c);
  }
  return c;
}

/** True when the two DER-encoded Names are the same name under RFC 5280 §7.1. */
export function namesMatch(a: Buffer, b: Buffer): boolean {
  if (a.equals(b)) return true;
  const x = canonical(a);
  return x !== null && x === canonical(b);
}
