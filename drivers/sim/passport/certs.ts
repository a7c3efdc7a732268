// Synthetic ICAO PKI for the virtual passport: a CSCA (self-signed), link certificates and Document
// Signer certificates, as X.509 v3 DER laid out by the project's one DER builder (core/der-build.ts) and
// signed with node:crypto (RSA PKCS#1 v1.5, RSA-PSS or ECDSA incl. brainpool). Test data only: names say "TEST".
import { generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { buildCert, signatureAlgorithmFor, dn, keyIdOf, randomSerial, signBytes, type Signer } from '../../../core/der-build.ts';

export type KeySpec = { kind: 'rsa'; bits: number; pss?: boolean } | { kind: 'ec'; curve: string };

export interface IssuedCert {
  der: Buffer;
  pem: string;
  x509: X509Certificate;
  privateKey: KeyObject;
  publicKey: KeyObject;
  keySpec: KeySpec;
}

export function generateKey(spec: KeySpec): { privateKey: KeyObject; publicKey: KeyObject } {
  return spec.kind === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: spec.bits }) : generateKeyPairSync('ec', { namedCurve: spec.curve });
}

/** The builder's signer for a key (SHA-256 throughout; PSS with a 32-byte salt). */
const signerOf = (spec: KeySpec, key: KeyObject): Signer => ({ key, digest: 'sha256', pss: spec.kind === 'rsa' && spec.pss });

/** AlgorithmIdentifier DER and a signer for a key (SHA-256 throughout). */
export function signatureAlgorithm(spec: KeySpec): { algId: Buffer; sign: (key: KeyObject, data: Buffer) => Buffer } {
  return {
    algId: signatureAlgorithmFor(spec.kind, 'sha256', spec.kind === 'rsa' && spec.pss ? 32 : null),
    sign: (key, data) => signBytes(signerOf(spec, key), data),
  };
}

export interface Name {
  C: string;
  O?: string;
  CN: string;
}

export function encodeName(n: Name): Buffer {
  return dn([{ type: 'C', value: n.C }, ...(n.O ? [{ type: 'O' as const, value: n.O }] : []), { type: 'CN', value: n.CN }]);
}

export interface CertOptions {
  subject: Name;
  issuer: Name;
  subjectKey: { publicKey: KeyObject; privateKey: KeyObject };
  issuerKey: KeyObject;
  issuerPublic: KeyObject;
  issuerSpec: KeySpec;
  notBefore: Date;
  notAfter: Date;
  ca: boolean;
  /** extendedKeyUsage OIDs (e.g. 2.23.136.1.1.3 for a master-list signer); absent when not given. */
  extKeyUsage?: string[];
}

export function issueCertificate(o: CertOptions): Buffer {
  return buildCert({
    // 8 octets, positive and minimal (a leading 00 would make the DER INTEGER non-minimal)
    serial: randomSerial(8),
    subject: encodeName(o.subject),
    issuer: encodeName(o.issuer),
    publicKey: o.subjectKey.publicKey,
    signer: signerOf(o.issuerSpec, o.issuerKey),
    notBefore: o.notBefore,
    notAfter: o.notAfter,
    aki: keyIdOf(o.issuerPublic),
    ski: keyIdOf(o.subjectKey.publicKey),
    // keyUsage: CA keyCertSign|cRLSign ; DSC digitalSignature. basicConstraints on CAs only, pathLen 0 (ICAO 9303-12 §7.1.1)
    keyUsage: o.ca ? [5, 6] : [0],
    ...(o.ca ? { ca: true, pathLen: 0 } : {}),
    extKeyUsage: o.extKeyUsage,
  });
}

function wrap(der: Buffer, key: { publicKey: KeyObject; privateKey: KeyObject }, spec: KeySpec): IssuedCert {
  // Node writes the PEM: a hand-made one gained an empty line whenever the base64 filled its last line
  // exactly, which OpenSSL then refused ("wrong tag") about one run in sixteen.
  const x509 = new X509Certificate(der);
  return { der, pem: x509.toString(), x509, ...key, keySpec: spec };
}

const YEAR = 365 * 24 * 3600 * 1000;

export function createCsca(o: { country?: string; spec?: KeySpec; cn?: string; now?: Date } = {}): IssuedCert {
  const spec = o.spec ?? { kind: 'ec', curve: 'brainpoolP256r1' };
  const key = generateKey(spec);
  const name: Name = { C: o.country ?? 'JP', O: 'idkiosk TEST', CN: o.cn ?? 'TEST CSCA' };
  const now = o.now ?? new Date();
  const der = issueCertificate({
    subject: name,
    issuer: name,
    subjectKey: key,
    issuerKey: key.privateKey,
    issuerPublic: key.publicKey,
    issuerSpec: spec,
    notBefore: new Date(now.getTime() - YEAR),
    notAfter: new Date(now.getTime() + 10 * YEAR),
    ca: true,
  });
  return wrap(der, key, spec);
}

/** A certificate for `subjectName` with a new key, issued by `issuer` (DSC, or a link certificate when ca). */
export function issueBy(
  issuer: IssuedCert,
  o: { cn: string; spec?: KeySpec; ca?: boolean; now?: Date; notAfter?: Date; key?: { publicKey: KeyObject; privateKey: KeyObject }; extKeyUsage?: string[] },
): IssuedCert {
  const spec = o.spec ?? { kind: 'ec', curve: 'prime256v1' };
  const key = o.key ?? generateKey(spec);
  const issuerName = nameOf(issuer);
  const now = o.now ?? new Date();
  const der = issueCertificate({
    subject: { C: issuerName.C, O: issuerName.O, CN: o.cn },
    issuer: issuerName,
    subjectKey: key,
    issuerKey: issuer.privateKey,
    issuerPublic: issuer.publicKey,
    issuerSpec: issuer.keySpec,
    notBefore: new Date(now.getTime() - 24 * 3600 * 1000),
    notAfter: o.notAfter ?? new Date(now.getTime() + 5 * YEAR),
    ca: o.ca ?? false,
    extKeyUsage: o.extKeyUsage,
  });
  return wrap(der, key, spec);
}

function nameOf(c: IssuedCert): Name {
  const get = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(c.x509.subject)?.[1];
  return { C: get('C') ?? 'JP', O: get('O'), CN: get('CN') ?? '' };
}
