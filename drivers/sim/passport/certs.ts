// Synthetic ICAO PKI for the virtual passport: a CSCA (self-signed), link certificates and Document
// Signer certificates, as X.509 v3 DER laid out here and signed with node:crypto (RSA PKCS#1 v1.5,
// RSA-PSS or ECDSA incl. brainpool — node-forge cannot do EC). Test data only: names say "TEST".
import { createHash, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { intTlv, oidTlv, tlv } from '../iso7816/ber-tlv.ts';

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
  return spec.kind === 'rsa'
    ? generateKeyPairSync('rsa', { modulusLength: spec.bits })
    : generateKeyPairSync('ec', { namedCurve: spec.curve });
}

const SHA256 = '2.16.840.1.101.3.4.2.1';

/** AlgorithmIdentifier DER and a signer for a key (SHA-256 throughout). */
export function signatureAlgorithm(spec: KeySpec): { algId: Buffer; sign: (key: KeyObject, data: Buffer) => Buffer } {
  if (spec.kind === 'ec') {
    return { algId: tlv(0x30, oidTlv('1.2.840.10045.4.3.2')), sign: (key, data) => sign('sha256', data, { key, dsaEncoding: 'der' }) };
  }
  if (spec.pss) {
    const hashAlg = tlv(0x30, oidTlv(SHA256), Buffer.from([0x05, 0x00]));
    const params = tlv(
      0x30,
      tlv(0xa0, hashAlg),
      tlv(0xa1, tlv(0x30, oidTlv('1.2.840.113549.1.1.8'), hashAlg)),
      tlv(0xa2, intTlv(32)),
    );
    return {
      algId: tlv(0x30, oidTlv('1.2.840.113549.1.1.10'), params),
      sign: (key, data) => sign('sha256', data, { key, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: 32 }),
    };
  }
  return { algId: tlv(0x30, oidTlv('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00])), sign: (key, data) => sign('sha256', data, key) };
}

export interface Name {
  C: string;
  O?: string;
  CN: string;
}

export function encodeName(n: Name): Buffer {
  const rdn = (oid: string, value: string, tag: number) => tlv(0x31, tlv(0x30, oidTlv(oid), tlv(tag, Buffer.from(value, 'utf8'))));
  return tlv(
    0x30,
    rdn('2.5.4.6', n.C, 0x13),
    ...(n.O ? [rdn('2.5.4.10', n.O, 0x0c)] : []),
    rdn('2.5.4.3', n.CN, 0x0c),
  );
}

function utcTime(d: Date): Buffer {
  const s = d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  return tlv(0x17, Buffer.from(s, 'latin1'));
}

function keyId(spki: Buffer): Buffer {
  return createHash('sha1').update(spki).digest();
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
  const spki = o.subjectKey.publicKey.export({ type: 'spki', format: 'der' });
  const issuerSpki = o.issuerPublic.export({ type: 'spki', format: 'der' });
  const serial = randomBytes(8);
  serial[0] = 0x40 | (serial[0]! & 0x3f); // positive and minimal: a leading 00 would make the DER INTEGER non-minimal
  const ext = (oid: string, critical: boolean, value: Buffer) =>
    tlv(0x30, oidTlv(oid), ...(critical ? [Buffer.from([0x01, 0x01, 0xff])] : []), tlv(0x04, value));
  const extensions = [
    ext('2.5.29.35', false, tlv(0x30, tlv(0x80, keyId(issuerSpki)))),
    ext('2.5.29.14', false, tlv(0x04, keyId(spki))),
    // keyUsage: CA keyCertSign|cRLSign (bits 5,6) ; DSC digitalSignature (bit 0).
    ext('2.5.29.15', true, o.ca ? Buffer.from([0x03, 0x02, 0x01, 0x06]) : Buffer.from([0x03, 0x02, 0x07, 0x80])),
    ...(o.ca ? [ext('2.5.29.19', true, tlv(0x30, Buffer.from([0x01, 0x01, 0xff]), intTlv(0)))] : []),
    ...(o.extKeyUsage ? [ext('2.5.29.37', false, tlv(0x30, ...o.extKeyUsage.map(oidTlv)))] : []),
  ];
  const alg = signatureAlgorithm(o.issuerSpec);
  const tbs = tlv(
    0x30,
    tlv(0xa0, intTlv(2)),
    tlv(0x02, serial),
    alg.algId,
    encodeName(o.issuer),
    tlv(0x30, utcTime(o.notBefore), utcTime(o.notAfter)),
    encodeName(o.subject),
    spki,
    tlv(0xa3, tlv(0x30, ...extensions)),
  );
  return tlv(0x30, tbs, alg.algId, tlv(0x03, Buffer.from([0]), alg.sign(o.issuerKey, tbs)));
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
    subject: name, issuer: name, subjectKey: key, issuerKey: key.privateKey, issuerPublic: key.publicKey, issuerSpec: spec,
    notBefore: new Date(now.getTime() - YEAR), notAfter: new Date(now.getTime() + 10 * YEAR), ca: true,
  });
  return wrap(der, key, spec);
}

/** A certificate for `subjectName` with a new key, issued by `issuer` (DSC, or a link certificate when ca). */
export function issueBy(issuer: IssuedCert, o: { cn: string; spec?: KeySpec; ca?: boolean; now?: Date; notAfter?: Date; key?: { publicKey: KeyObject; privateKey: KeyObject }; extKeyUsage?: string[] }): IssuedCert {
  const spec = o.spec ?? { kind: 'ec', curve: 'prime256v1' };
  const key = o.key ?? generateKey(spec);
  const issuerName = nameOf(issuer);
  const now = o.now ?? new Date();
  const der = issueCertificate({
    subject: { C: issuerName.C, O: issuerName.O, CN: o.cn }, issuer: issuerName, subjectKey: key,
    issuerKey: issuer.privateKey, issuerPublic: issuer.publicKey, issuerSpec: issuer.keySpec,
    notBefore: new Date(now.getTime() - 24 * 3600 * 1000), notAfter: o.notAfter ?? new Date(now.getTime() + 5 * YEAR), ca: o.ca ?? false,
    extKeyUsage: o.extKeyUsage,
  });
  return wrap(der, key, spec);
}

function nameOf(c: IssuedCert): Name {
  const get = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(c.x509.subject)?.[1];
  return { C: get('C') ?? 'JP', O: get('O'), CN: get('CN') ?? '' };
}
