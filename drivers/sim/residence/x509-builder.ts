// X.509 v3 certificates for the synthetic residence-card PKI: RSA (1st gen) and ECDSA P-384 (2nd gen) keys,
// laid out by the project's one DER builder (core/der-build.ts) and signed by node:crypto
// (sha256WithRSAEncryption or ecdsa-with-SHA256); node:crypto parses the result back, so a malformed build
// fails here, not in a test.
import { X509Certificate, type KeyObject } from 'node:crypto';
import { buildCert, dn, keyIdOf, randomSerial, type DnType } from '../../../core/der-build.ts';

export { keyIdOf };

export interface DnPart {
  type: DnType;
  value: string;
}

export interface CertSpec {
  subject: DnPart[];
  issuer: DnPart[];
  publicKey: KeyObject;
  signer: KeyObject;
  /** Issuer's subject key identifier (for authorityKeyIdentifier); absent on a self-signed CA. */
  issuerKeyId?: Buffer;
  notBefore: Date;
  notAfter: Date;
  ca: boolean;
}

export function buildCertificate(s: CertSpec): X509Certificate {
  return new X509Certificate(
    buildCert({
      serial: randomSerial(9),
      subject: dn(s.subject),
      issuer: dn(s.issuer),
      publicKey: s.publicKey,
      signer: { key: s.signer, digest: 'sha256' },
      notBefore: s.notBefore,
      notAfter: s.notAfter,
      // basicConstraints cA on the CA only; keyUsage certSign+cRLSign, or digitalSignature
      ...(s.ca ? { ca: true } : {}),
      keyUsage: s.ca ? [5, 6] : [0],
      ski: keyIdOf(s.publicKey),
      aki: s.issuerKeyId,
    }),
  );
}
