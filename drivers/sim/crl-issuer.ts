// A synthetic CA's CRL issuer, for the demo and for tests that need a revocation answer from the real CRL
// store (empty CRL → "good", a listed serial → "revoked", an old nextUpdate → "stale"). Small CRLs only;
// the benchmark has its own streaming generator.
import type { X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { buildCrl } from '../../core/der-build.ts';
import type { TestCertificate } from './pki.ts';

export interface RevokedEntry {
  /** Serial as hex (as X509Certificate.serialNumber prints it). */
  serial: string;
  date: Date;
  /** RFC 5280 CRLReason code (1 keyCompromise, 4 superseded, …). */
  reason?: number;
}

export interface CrlOptions {
  revoked?: RevokedEntry[];
  thisUpdate?: Date;
  nextUpdate?: Date;
  crlNumber?: number;
}

/** DER CRL (v2, sha256WithRSAEncryption, CRL number, AKI) signed by the synthetic CA. */
export function issueCrl(ca: TestCertificate, o: CrlOptions = {}): Buffer {
  const now = Date.now();
  return buildCrl({
    issuer: subjectNameDer(ca.x509),
    signer: { key: ca.privateKey, digest: 'sha256' },
    thisUpdate: o.thisUpdate ?? new Date(now - 3600_000),
    nextUpdate: o.nextUpdate ?? new Date(now + 7 * 86400_000),
    entries: (o.revoked ?? []).map((r) => ({ serial: BigInt(`0x${r.serial}`), date: r.date, reason: r.reason })),
    crlNumber: o.crlNumber ?? 1,
    aki: ca.subjectKeyId,
  });
}

/** The DER of the certificate's subject Name (the CRL issuer must match it byte for byte). */
function subjectNameDer(cert: X509Certificate): Buffer {
  return Buffer.from(AsnConvert.serialize(AsnConvert.parse(cert.raw, Certificate).tbsCertificate.subject));
}
