// What the fleet CA issues: its own certificate, device (TLS client) and collector (TLS server)
// certificates, and the CRL — RFC 5280 structures with ecdsa-with-SHA256, laid out by the project's one DER
// builder (core/der-build.ts). The signature comes from a CaSigner, so the private key can live in a file or
// behind PKCS#11 without this module knowing.
import type { KeyObject } from 'node:crypto';
import { algorithmIdentifier, assemble, buildTbsCertList, dn, extension, keyIdOf, pem, tbsCertificate, type Signer } from '../../core/der-build.ts';
import { ErrorCodes, KioskError } from '../../core/errors.ts';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const SAN = '2.5.29.17';

/** Signs DER bytes with the CA key: ECDSA P-256 over SHA-256, DER-encoded signature (X.509 convention). */
export interface CaSigner {
  /** The CA certificate (PEM); absent only while the CA certificate itself is being made. */
  readonly certificatePem: string | null;
  readonly publicKey: KeyObject;
  signDer(tbs: Buffer): Promise<Buffer>;
}

export { pem };

/** The CA key as the builder's Signer: it names the algorithm (ecdsa-with-SHA256); the CaSigner signs. */
const algorithmOf = (signer: CaSigner): Signer => ({ key: signer.publicKey, digest: 'sha256' });

async function signWith(signer: CaSigner, tbs: Buffer): Promise<Buffer> {
  return assemble(tbs, algorithmIdentifier(algorithmOf(signer)), await signer.signDer(tbs));
}

export function nameDer(cn: string): Buffer {
  return dn([{ type: 'CN', value: cn }]);
}

export interface CertificateSpec {
  serial: Buffer;
  issuerName: Buffer;
  subjectName: Buffer;
  spki: Buffer;
  issuerSpki: Buffer;
  notBefore: Date;
  notAfter: Date;
  role: 'ca' | 'client' | 'server';
  /** SubjectAltName GeneralNames, already encoded (client: copied from the CSR; server: DNS/IP). */
  sanDer?: Buffer | null;
}

export async function issueCertificate(spec: CertificateSpec, signer: CaSigner): Promise<string> {
  const ca = spec.role === 'ca';
  const tbs = tbsCertificate({
    serial: spec.serial,
    issuer: spec.issuerName,
    subject: spec.subjectName,
    publicKey: spec.spki,
    signer: algorithmOf(signer),
    notBefore: spec.notBefore,
    notAfter: spec.notAfter,
    ca,
    ...(ca ? { pathLen: 0, keyUsage: [5, 6] } : { keyUsage: [0], extKeyUsage: [spec.role === 'client' ? CLIENT_AUTH : SERVER_AUTH] }),
    ski: keyIdOf(spec.spki),
    aki: keyIdOf(spec.issuerSpki),
    // not critical: the subject Name is not empty (RFC 5280 §4.2.1.6)
    extensions: spec.sanDer ? [extension(SAN, spec.sanDer)] : [],
  });
  return pem(await signWith(signer, tbs), 'CERTIFICATE');
}

export interface RevokedEntry {
  serialHex: string;
  revokedAt: Date;
}

/** A v2 CRL with a CRL number (RFC 5280 §5); nextUpdate tells relying parties when to fetch again. */
export async function issueCrl(
  o: { issuerName: Buffer; issuerSpki: Buffer; thisUpdate: Date; nextUpdate: Date; number: bigint; revoked: RevokedEntry[] },
  signer: CaSigner,
): Promise<string> {
  const tbs = buildTbsCertList({
    issuer: o.issuerName,
    signer: algorithmOf(signer),
    thisUpdate: o.thisUpdate,
    nextUpdate: o.nextUpdate,
    entries: o.revoked.map((r) => ({ serial: BigInt(`0x${r.serialHex}`), date: r.revokedAt })),
    aki: keyIdOf(o.issuerSpki),
    crlNumber: o.number,
  });
  return pem(await signWith(signer, tbs), 'X509 CRL');
}

export function pemToDer(text: string, label: string): Buffer {
  const m = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(text);
  if (!m) throw new KioskError(ErrorCodes.TRUST_CERT_MALFORMED, `no ${label} PEM block`);
  return Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64');
}
