// The certificate extensions node:crypto's X509Certificate does not expose as structured data:
// KeyUsage bits, BasicConstraints, CertificatePolicies, SKI/AKI, and which extensions are critical.
// The certificate and each extension value are read with the project's ASN.1 stack (@peculiar/asn1-x509, the
// schemas PKI.js and @peculiar/webcrypto use); this module turns them into the few facts the validator needs.
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  CertificatePolicies,
  ExtendedKeyUsage,
  KeyUsage,
  PolicyConstraints,
  SubjectKeyIdentifier,
} from '@peculiar/asn1-x509';
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

function parse<T>(der: Buffer | ArrayBuffer, type: new () => T, what: string): T {
  try {
    return AsnConvert.parse(der, type);
  } catch (e) {
    throw new KioskError(ErrorCodes.TRUST_CERT_MALFORMED, `${what}: not DER (${(e as Error).message})`);
  }
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

/** SkipCerts ::= INTEGER (0..MAX), as its content octets: values beyond any path length mean "never". */
function skipCerts(v: ArrayBuffer | undefined): number | null {
  if (v === undefined) return null;
  const b = Buffer.from(v);
  const b0 = b[0];
  if (b0 === undefined || b0 & 0x80) throw new KioskError(ErrorCodes.TRUST_CERT_MALFORMED, 'policyConstraints: SkipCerts not a non-negative INTEGER');
  return b.length > 6 ? Number.MAX_SAFE_INTEGER : b.readUIntBE(0, b.length);
}

function parseExtensionsUnguarded(certDer: Buffer): CertExtensions {
  const cert = parse(certDer, Certificate, 'certificate');
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
  for (const ext of cert.tbsCertificate.extensions ?? []) {
    const oid = ext.extnID;
    const critical = ext.critical;
    const value = Buffer.from(ext.extnValue.buffer);
    if (out.raw.has(oid)) throw new KioskError(ErrorCodes.TRUST_CERT_MALFORMED, `duplicate extension ${oid}`);
    out.raw.set(oid, { critical, value });
    if (critical && !UNDERSTOOD.has(oid)) out.unknownCritical.push(oid);
    switch (oid) {
      case OID.keyUsage: {
        const ku = parse(value, KeyUsage, 'keyUsage');
        const bits = Buffer.from(ku.value);
        const unused = ku.unusedBits;
        const set = new Set<KeyUsageName>();
        for (const [name, bit] of Object.entries(KeyUsageBit) as [KeyUsageName, number][]) {
          const byte = bits[bit >> 3];
          const isLastByte = bit >> 3 === bits.length - 1;
          if (byte !== undefined && !(isLastByte && 7 - (bit & 7) < unused) && byte & (0x80 >> (bit & 7))) set.add(name);
        }
        out.keyUsage = set;
        break;
      }
      case OID.basicConstraints: {
        const bc = parse(value, BasicConstraints, 'basicConstraints');
        const pathLen = bc.pathLenConstraint;
        if (pathLen !== undefined && !(Number.isSafeInteger(pathLen) && pathLen >= 0)) {
          throw new KioskError(ErrorCodes.TRUST_CERT_MALFORMED, 'basicConstraints: pathLenConstraint not a small non-negative INTEGER');
        }
        out.basicConstraints = { ca: bc.cA, pathLen: pathLen ?? null };
        break;
      }
      case OID.certificatePolicies:
        out.policies = parse(value, CertificatePolicies, 'certificatePolicies').map((pi) => pi.policyIdentifier);
        break;
      case OID.extKeyUsage:
        out.extKeyUsage = [...parse(value, ExtendedKeyUsage, 'extKeyUsage')];
        break;
      case OID.policyConstraints: {
        const pc = parse(value, PolicyConstraints, 'policyConstraints');
        out.policyConstraints = { requireExplicitPolicy: skipCerts(pc.requireExplicitPolicy), inhibitPolicyMapping: skipCerts(pc.inhibitPolicyMapping) };
        break;
      }
      case OID.subjectKeyIdentifier:
        out.subjectKeyId = Buffer.from(parse(value, SubjectKeyIdentifier, 'subjectKeyIdentifier').buffer);
        break;
      case OID.authorityKeyIdentifier: {
        const keyId = parse(value, AuthorityKeyIdentifier, 'authorityKeyIdentifier').keyIdentifier;
        out.authorityKeyId = keyId ? Buffer.from(keyId.buffer) : null;
        break;
      }
    }
  }
  return out;
}
