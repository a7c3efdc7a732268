// The parts of a DER certificate (RFC 5280 §4.1) path validation needs and node:crypto's X509Certificate
// does not expose as bytes: the issuer and subject Names (for §7.1 comparison, not their formatted text),
// both signature AlgorithmIdentifiers (which must agree, §4.1.1.2), and the policy qualifier OIDs of a
// certificatePolicies extension. Malformed input throws KioskError TRUST_CERT_MALFORMED only.
import { ErrorCodes, KioskError } from '../../core/errors.ts';
import { DerReader } from './crl/der.ts';
import { oidFromDer } from './x509-extensions.ts';

export interface AlgorithmId {
  oid: string;
  /** DER of the whole AlgorithmIdentifier (to compare the inner and outer copies) */
  der: Buffer;
  /** DER of the parameters, when present */
  params: Buffer | null;
}

export interface CertFields {
  /** content octets of the serialNumber INTEGER */
  serial: Buffer;
  issuer: Buffer;
  subject: Buffer;
  /** signatureAlgorithm after the tbsCertificate */
  signatureAlgorithm: AlgorithmId;
  /** signature field inside the tbsCertificate */
  tbsSignatureAlgorithm: AlgorithmId;
}

function guarded<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof KioskError && e.code === ErrorCodes.TRUST_CERT_MALFORMED) throw e;
    throw new KioskError(ErrorCodes.TRUST_CERT_MALFORMED, `${what}: ${e instanceof Error ? e.message : 'malformed'}`);
  }
}

function algorithmId(r: DerReader, what: string): AlgorithmId {
  const t = r.read(0x30, what);
  const inner = r.inner(t);
  const oid = oidFromDer(inner.value(inner.read(0x06, `${what} algorithm`)), what);
  const params = inner.done ? null : inner.bytes(inner.read(undefined, `${what} parameters`));
  inner.expectEnd(what);
  return { oid, der: r.bytes(t), params };
}

export function certFields(der: Buffer): CertFields {
  return guarded('certificate', () => {
    const top = new DerReader(der);
    const cert = top.inner(top.read(0x30, 'Certificate'));
    const tbs = cert.inner(cert.read(0x30, 'tbsCertificate'));
    const signatureAlgorithm = algorithmId(cert, 'signatureAlgorithm');
    if (tbs.peekTag() === 0xa0) tbs.read(0xa0, 'version');
    const serial = Buffer.from(tbs.value(tbs.read(0x02, 'serialNumber')));
    const tbsSignatureAlgorithm = algorithmId(tbs, 'signature');
    const issuer = tbs.bytes(tbs.read(0x30, 'issuer'));
    tbs.read(0x30, 'validity');
    const subject = tbs.bytes(tbs.read(0x30, 'subject'));
    return { serial, issuer, subject, signatureAlgorithm, tbsSignatureAlgorithm };
  });
}

/** Every policyQualifierId in a certificatePolicies extension value (RFC 5280 §4.2.1.4). */
export function policyQualifierIds(extnValue: Buffer): string[] {
  return guarded('certificatePolicies', () => {
    const top = new DerReader(extnValue);
    const policies = top.inner(top.read(0x30, 'certificatePolicies'));
    const out: string[] = [];
    while (!policies.done) {
      const info = policies.inner(policies.read(0x30, 'PolicyInformation'));
      info.read(0x06, 'policyIdentifier');
      if (info.done) continue;
      const quals = info.inner(info.read(0x30, 'policyQualifiers'));
      while (!quals.done) {
        const q = quals.inner(quals.read(0x30, 'PolicyQualifierInfo'));
        out.push(oidFromDer(q.value(q.read(0x06, 'policyQualifierId')), 'policyQualifierId'));
      }
    }
    return out;
  });
}
