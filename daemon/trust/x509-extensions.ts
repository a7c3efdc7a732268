// The certificate extensions node:crypto's X509Certificate does not expose as structured data:
// KeyUsage bits, BasicConstraints, CertificatePolicies, SKI/AKI, and which extensions are critical.
// node-forge's ASN.1 reader does the DER walking; forge's certificate model is not used because it only
// understands RSA keys (residence cards and passports carry ECDSA certificates).
import forge from 'node-forge';
import { ErrorCodes, KioskError } from '../../core/errors.ts';

export const OID = {
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  certificatePolicies: '2.5.29.32',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  subjectAltName: '2.5.29.17',
  extKeyUsage: '2.5.29.37',
  crlDistributionPoints: '2.5.29.31',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  issuerAltName: '2.5.29.18',
  nameConstraints: '2.5.29.30',
  policyConstraints: '2.5.29.36',
  inhibitAnyPolicy: '2.5.29.54',
} as const;

/** Extensions this kiosk understands; any other extension marked critical makes a certificate unusable. */
const UNDERSTOOD = new Set<string>([
  OID.keyUsage,
  OID.basicConstraints,
  OID.certificatePolicies,
  OID.subjectKeyIdentifier,
  OID.authorityKeyIdentifier,
  OID.subjectAltName,
  OID.extKeyUsage,
  OID.crlDistributionPoints,
  OID.authorityInfoAccess,
  OID.issuerAltName,
  // Processed by the path validator (requireExplicitPolicy; inhibitPolicyMapping has no effect because a
  // path with policyMappings is refused), so it may be critical (RFC 5280 §4.2.1.11 says it MUST be).
  OID.policyConstraints,
]);

export const KeyUsageBit = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
} as const;
export type KeyUsageName = keyof typeof KeyUsageBit;

export interface CertExtensions {
  keyUsage: Set<KeyUsageName> | null;
  basicConstraints: { ca: boolean; pathLen: number | null } | null;
  policies: string[] | null;
  subjectKeyId: Buffer | null;
  authorityKeyId: Buffer | null;
  /** extKeyUsage KeyPurposeId OIDs (RFC 5280 §4.2.1.12), or null when the extension is absent. */
  extKeyUsage: string[] | null;
  /** policyConstraints SkipCerts (RFC 5280 §4.2.1.11), or null when the extension is absent. */
  policyConstraints: { requireExplicitPolicy: number | null; inhibitPolicyMapping: number | null } | null;
  /** Critical extensions the kiosk does not understand (certificate must be rejected). */
  unknownCritical: string[];
  /** Raw extension values by OID, for document-specific parsing (e.g. JPKI subjectAltName). */
  raw: Map<string, { critical: boolean; value: Buffer }>;
}

const bin = (b: Buffer) => forge.util.createBuffer(b.toString('binary')).getBytes();
const buf = (s: string) => Buffer.from(s, 'binary');

function fromDer(der: Buffer, what: string): forge.asn1.Asn1 {
  try {
    // decodeBitStrings off: BIT STRING values stay raw (unused-bits byte first). The typings lag the API.
    return (forge.asn1.fromDer as unknown as (b: string, o: object) => forge.asn1.Asn1)(bin(der), { strict: true, decodeBitStrings: false });
  } catch (e) {
    throw new KioskError(ErrorCodes.TRUST_CERT_MALFORMED, `${what}: not DER (${(e as Error).message})`);
  }
}

function children(n: forge.asn1.Asn1 | undefined, what: string): forge.asn1.Asn1[] {
  if (!n || !Array.isArray(n.value)) throw new KioskError(ErrorCodes.TRUST_CERT_MALFORMED, `${what}: expected a constructed value`);
  return n.value as forge.asn1.Asn1[];
}

function bytes(n: forge.asn1.Asn1 | undefined, what: string): Buffer {
  if (!n || typeof n.value !== 'string') throw new KioskError(ErrorCodes.TRUST_CERT_MALFORMED, `${what}: expected a primitive value`);
  return buf(n.value);
}

/**
 * OBJECT IDENTIFIER contents (X.690 §8.19) as dotted text. Our own decoder rather than forge's derToOid,
 * which throws a plain Error ("OID value too large") on a long subidentifier and accepts non-minimal
 * encodings: every malformation here is TRUST_CERT_MALFORMED.
 */
export function oidFromDer(b: Buffer, what: string): string {
  const bad = (why: string) => new KioskError(ErrorCodes.TRUST_CERT_MALFORMED, `${what}: ${why}`);
  if (b.length === 0) throw bad('empty OBJECT IDENTIFIER');
  if (b[b.length - 1]! & 0x80) throw bad('OBJECT IDENTIFIER ends inside a subidentifier');
  const subs: number[] = [];
  let v = 0;
  let start = true;
  for (const byte of b) {
    if (start && byte === 0x80) throw bad('non-minimal OBJECT IDENTIFIER subidentifier');
    if (v > (Number.MAX_SAFE_INTEGER - 0x7f) / 0x80) throw bad('OBJECT IDENTIFIER subidentifier too large');
    v = v * 0x80 + (byte & 0x7f);
    start = !(byte & 0x80);
    if (start) {
      subs.push(v);
      v = 0;
    }
  }
  const first = subs[0]!;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...subs.slice(1)].join('.');
}

/**
 * Parses the extensions of a DER certificate. Throws only KioskError TRUST_CERT_MALFORMED for malformed
 * input: anything else escaping from the DER walk (a library's plain Error, a RangeError) is wrapped here,
 * so a new caller cannot forget to.
 */
export function parseExtensions(certDer: Buffer): CertExtensions {
  try {
    return parseExtensionsUnguarded(certDer);
  } catch (e) {
    if (e instanceof KioskError) throw e;
    throw new KioskError(ErrorCodes.TRUST_CERT_MALFORMED, `certificate extensions: ${e instanceof Error ? e.name : 'malformed'}`);
  }
}

function parseExtensionsUnguarded(certDer: Buffer): CertExtensions {
  const cert = children(fromDer(certDer, 'certificate'), 'certificate');
  const tbs = children(cert[0], 'tbsCertificate');
  const out: CertExtensions = {
    keyUsage: null,
    basicConstraints: null,
    policies: null,
    subjectKeyId: null,
    authorityKeyId: null,
    extKeyUsage: null,
    policyConstraints: null,
    unknownCritical: [],
    raw: new Map(),
  };
  const extWrapper = tbs.find((n) => n.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && n.type === 3);
  if (!extWrapper) return out;
  for (const ext of children(children(extWrapper, 'extensions')[0], 'extensions')) {
    const parts = children(ext, 'extension');
    const oid = oidFromDer(bytes(parts[0], 'extnID'), 'extnID');
    const critical = parts.length === 3 && bytes(parts[1], 'critical')[0] !== 0;
    const value = bytes(parts[parts.length - 1], 'extnValue');
    if (out.raw.has(oid)) throw new KioskError(ErrorCodes.TRUST_CERT_MALFORMED, `duplicate extension ${oid}`);
    out.raw.set(oid, { critical, value });
    if (critical && !UNDERSTOOD.has(oid)) out.unknownCritical.push(oid);
    const inner = () => fromDer(value, oid);
    switch (oid) {
      case OID.keyUsage: {
        const bits = bytes(inner(), 'keyUsage');
        const unused = bits[0] ?? 0;
        const set = new Set<KeyUsageName>();
        for (const [name, bit] of Object.entries(KeyUsageBit) as [KeyUsageName, number][]) {
          const byte = bits[1 + (bit >> 3)];
          const isLastByte = 1 + (bit >> 3) === bits.length - 1;
          if (byte !== undefined && !(isLastByte && 7 - (bit & 7) < unused) && byte & (0x80 >> (bit & 7))) set.add(name);
        }
        out.keyUsage = set;
        break;
      }
      case OID.basicConstraints: {
        const seq = children(inner(), 'basicConstraints');
        let ca = false;
        let pathLen: number | null = null;
        for (const n of seq) {
          if (n.type === forge.asn1.Type.BOOLEAN) ca = bytes(n, 'cA')[0] !== 0;
          else if (n.type === forge.asn1.Type.INTEGER) pathLen = bytes(n, 'pathLen').readUIntBE(0, Math.min(6, bytes(n, 'pathLen').length));
        }
        out.basicConstraints = { ca, pathLen };
        break;
      }
      case OID.certificatePolicies:
        out.policies = children(inner(), 'certificatePolicies').map((pi) =>
          oidFromDer(bytes(children(pi, 'policyInformation')[0], 'policyIdentifier'), 'policyIdentifier'),
        );
        break;
      case OID.extKeyUsage:
        out.extKeyUsage = children(inner(), 'extKeyUsage').map((k) => oidFromDer(bytes(k, 'KeyPurposeId'), 'KeyPurposeId'));
        break;
      case OID.policyConstraints: {
        // PolicyConstraints ::= SEQUENCE { requireExplicitPolicy [0] SkipCerts OPTIONAL,
        // inhibitPolicyMapping [1] SkipCerts OPTIONAL } (implicit tags); SkipCerts ::= INTEGER (0..MAX).
        const pc: { requireExplicitPolicy: number | null; inhibitPolicyMapping: number | null } = { requireExplicitPolicy: null, inhibitPolicyMapping: null };
        for (const n of children(inner(), 'policyConstraints')) {
          if (n.tagClass !== forge.asn1.Class.CONTEXT_SPECIFIC || n.type > 1) throw new KioskError(ErrorCodes.TRUST_CERT_MALFORMED, 'policyConstraints: unexpected element');
          const v = bytes(n, 'SkipCerts');
          if (v.length === 0 || v[0]! & 0x80) throw new KioskError(ErrorCodes.TRUST_CERT_MALFORMED, 'policyConstraints: SkipCerts not a non-negative INTEGER');
          // Values beyond any path length mean "never": clamp instead of overflowing.
          const skip = v.length > 6 ? Number.MAX_SAFE_INTEGER : v.readUIntBE(0, v.length);
          if (n.type === 0) pc.requireExplicitPolicy = skip;
          else pc.inhibitPolicyMapping = skip;
        }
        out.policyConstraints = pc;
        break;
      }
      case OID.subjectKeyIdentifier:
        out.subjectKeyId = bytes(inner(), 'subjectKeyIdentifier');
        break;
      case OID.authorityKeyIdentifier: {
        const keyId = children(inner(), 'authorityKeyIdentifier').find(
          (n) => n.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && n.type === 0,
        );
        out.authorityKeyId = keyId ? bytes(keyId, 'keyIdentifier') : null;
        break;
      }
    }
  }
  return out;
}
