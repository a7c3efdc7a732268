// Synthetic PKI for the virtual My Number card: a "JPKI-TEST" user-authentication CA and per-card
// certificates shaped like the J-LIS ones (docs/reference/mynumber.md §4.1): RSA-2048, sha256WithRSAEncryption, CA with
// critical basicConstraints + keyUsage certSign/cRLSign, leaf with critical keyUsage digitalSignature and
// the JPKI authentication policy OID. Nothing here is a real J-LIS key or name; nothing is cached on disk.
//
// Keys come from node:crypto; the project's DER builder (core/der-build.ts) lays out the certificates.
import { generateKeyPairSync, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import { buildCert, ctx, dn, keyIdOf, oid, randomSerial, seq, utf8, extension } from '../../core/der-build.ts';

export const OID_JPKI_AUTH_POLICY = '1.2.392.200149.8.5.1.3.30';
export const OID_JPKI_SIGN_POLICY = '1.2.392.200149.8.5.1.1.20';
/** Signing-certificate subjectAltName otherName type-ids (name, name subst., sex, DOB, address, address subst.). */
export const OID_JPKI_SAN = {
  name: '1.2.392.200149.8.5.5.1',
  nameSubstitute: '1.2.392.200149.8.5.5.2',
  sex: '1.2.392.200149.8.5.5.3',
  dateOfBirth: '1.2.392.200149.8.5.5.4',
  address: '1.2.392.200149.8.5.5.5',
  addressSubstitute: '1.2.392.200149.8.5.5.6',
} as const;

export interface RsaKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** One DN attribute, e.g. { type: 'OU', value: 'idkiosk test CA' }. Order is kept. */
export interface DnAttribute {
  type: 'C' | 'O' | 'OU' | 'CN' | 'L' | 'ST';
  value: string;
}

export interface TestCertificate {
  der: Buffer;
  pem: string;
  x509: X509Certificate;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** PKCS#8 PEM of the private key (for profiles; test keys only). */
  privateKeyPem: string;
  subject: DnAttribute[];
  /** SHA-1 of the subjectPublicKey bits (RFC 5280 §4.2.1.2 method 1). */
  subjectKeyId: Buffer;
}

export interface Validity {
  notBefore: Date;
  notAfter: Date;
}

export interface CaOptions {
  subject?: DnAttribute[];
  validity?: Validity;
  keyPair?: RsaKeyPair;
}

export interface LeafOptions {
  /** Subject CN; default an opaque random id (the JPKI auth cert carries no personal data). */
  cn?: string;
  validity?: Validity;
  /** Shortcut: a validity window that ended yesterday. */
  expired?: boolean;
  /** Shortcut: a validity window that starts tomorrow. */
  notYetValid?: boolean;
  keyPair?: RsaKeyPair;
  /** Certificate policy OIDs; default the JPKI policy of the certificate type. Empty array = no extension. */
  policies?: string[];
  /** keyUsage bits; default as the certificate type prescribes. */
  keyUsage?: Array<'digitalSignature' | 'nonRepudiation' | 'keyEncipherment' | 'keyCertSign'>;
}

export const JPKI_TEST_AUTH_CA_SUBJECT: DnAttribute[] = [
  { type: 'C', value: 'JP' },
  { type: 'O', value: 'JPKI-TEST' },
  { type: 'OU', value: 'JPKI for user authentication (synthetic)' },
  { type: 'OU', value: 'idkiosk test CA' },
];

export const JPKI_TEST_SIGN_CA_SUBJECT: DnAttribute[] = [
  { type: 'C', value: 'JP' },
  { type: 'O', value: 'JPKI-TEST' },
  { type: 'OU', value: 'JPKI for digital signature (synthetic)' },
  { type: 'OU', value: 'idkiosk test CA' },
];

const DAY = 86_400_000;

export function generateRsaKeyPair(bits = 2048): RsaKeyPair {
  return generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 65537 });
}

function window(o: { validity?: Validity; expired?: boolean; notYetValid?: boolean }, years: number): Validity {
  if (o.validity) return o.validity;
  const now = Date.now();
  if (o.expired) return { notBefore: new Date(now - 2 * 365 * DAY), notAfter: new Date(now - DAY) };
  if (o.notYetValid) return { notBefore: new Date(now + DAY), notAfter: new Date(now + 2 * 365 * DAY) };
  return { notBefore: new Date(now - DAY), notAfter: new Date(now + years * 365 * DAY) };
}

/** subjectAltName with otherName entries (UTF8String values), as on a JPKI signing certificate. */
function otherNamesDer(entries: Array<[string, string]>): Buffer {
  return seq(...entries.map(([id, value]) => ctx(0, oid(id), ctx(0, utf8(value)))));
}

const KEY_USAGE_BIT = { digitalSignature: 0, nonRepudiation: 1, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 } as const;

interface BuildSpec {
  subject: DnAttribute[];
  issuer: DnAttribute[];
  keyPair: RsaKeyPair;
  signer: KeyObject;
  validity: Validity;
  ca: boolean;
  keyUsage: Array<keyof typeof KEY_USAGE_BIT>;
  /** the issuer's key identifier (absent on a self-signed CA) */
  aki?: Buffer;
  policies?: string[];
  san?: Buffer;
}

function build(spec: BuildSpec): TestCertificate {
  // sha256WithRSAEncryption; basicConstraints only on the CA (the J-LIS leaf has none)
  const der = buildCert({
    serial: randomSerial(9),
    subject: dn(spec.subject),
    issuer: dn(spec.issuer),
    publicKey: spec.keyPair.publicKey,
    signer: { key: spec.signer, digest: 'sha256' },
    notBefore: spec.validity.notBefore,
    notAfter: spec.validity.notAfter,
    ...(spec.ca ? { ca: true, ski: keyIdOf(spec.keyPair.publicKey) } : {}),
    keyUsage: spec.keyUsage.map((k) => KEY_USAGE_BIT[k]),
    aki: spec.aki,
    policies: spec.policies,
    extensions: spec.san ? [extension('2.5.29.17', spec.san)] : [],
  });
  const x509 = new X509Certificate(der);
  return {
    der,
    pem: x509.toString(),
    x509,
    privateKey: spec.keyPair.privateKey,
    publicKey: spec.keyPair.publicKey,
    privateKeyPem: spec.keyPair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    subject: spec.subject,
    subjectKeyId: keyIdOf(spec.keyPair.publicKey),
  };
}

function createCa(defaultSubject: DnAttribute[], o: CaOptions & { expired?: boolean }): TestCertificate {
  const keyPair = o.keyPair ?? generateRsaKeyPair();
  const subject = o.subject ?? defaultSubject;
  return build({ subject, issuer: subject, keyPair, signer: keyPair.privateKey, validity: window(o, 10), ca: true, keyUsage: ['keyCertSign', 'cRLSign'] });
}

function issueLeaf(ca: TestCertificate, o: LeafOptions, defaults: { keyUsage: LeafOptions['keyUsage'] & {}; policy: string; san?: Buffer }): TestCertificate {
  return build({
    subject: [
      { type: 'C', value: 'JP' },
      { type: 'CN', value: o.cn ?? randomBytes(12).toString('hex').toUpperCase() },
    ],
    issuer: ca.subject,
    keyPair: o.keyPair ?? generateRsaKeyPair(),
    signer: ca.privateKey,
    validity: window(o, 5),
    ca: false,
    keyUsage: o.keyUsage ?? defaults.keyUsage,
    aki: ca.subjectKeyId,
    policies: o.policies ?? [defaults.policy],
    san: defaults.san,
  });
}

/** Self-signed synthetic JPKI user-authentication CA ("JPKI-TEST"). */
export function createJpkiAuthCa(o: CaOptions & { expired?: boolean } = {}): TestCertificate {
  return createCa(JPKI_TEST_AUTH_CA_SUBJECT, o);
}

/** A user-authentication certificate (利用者証明用電子証明書 shape) issued by `ca`. */
export function issueJpkiAuthCert(ca: TestCertificate, o: LeafOptions = {}): TestCertificate {
  return issueLeaf(ca, o, { keyUsage: ['digitalSignature'], policy: OID_JPKI_AUTH_POLICY });
}

/** Self-signed synthetic JPKI signing CA (shell for the 署名用 side; not used by the kiosk flow). */
export function createJpkiSignCa(o: CaOptions & { expired?: boolean } = {}): TestCertificate {
  return createCa(JPKI_TEST_SIGN_CA_SUBJECT, o);
}

/** A signing certificate with synthetic 4-info in subjectAltName otherNames (never a real person). */
export function issueJpkiSignCert(
  ca: TestCertificate,
  o: LeafOptions & { name?: string; address?: string; dateOfBirth?: string; sex?: string; nameSubstitute?: string; addressSubstitute?: string } = {},
): TestCertificate {
  const san = otherNamesDer([
    [OID_JPKI_SAN.name, o.name ?? 'テスト 花子'],
    ...(o.nameSubstitute !== undefined ? [[OID_JPKI_SAN.nameSubstitute, o.nameSubstitute] as [string, string]] : []),
    [OID_JPKI_SAN.sex, o.sex ?? '2'],
    [OID_JPKI_SAN.dateOfBirth, o.dateOfBirth ?? '419900101'],
    [OID_JPKI_SAN.address, o.address ?? '東京都千代田区霞が関テスト町1-1'],
    ...(o.addressSubstitute !== undefined ? [[OID_JPKI_SAN.addressSubstitute, o.addressSubstitute] as [string, string]] : []),
  ]);
  return issueLeaf(ca, o, { keyUsage: ['digitalSignature', 'nonRepudiation'], policy: OID_JPKI_SIGN_POLICY, san });
}

export interface MyNumberPki {
  /** The CA a kiosk under test should trust (write it as the anchor). */
  trustedAuthCa: TestCertificate;
  /** The CA that actually issued the card's auth cert (an impostor when unknownCa). Goes in EF 000B. */
  authCa: TestCertificate;
  authCert: TestCertificate;
  signCa?: TestCertificate;
  signCert?: TestCertificate;
}

export interface MyNumberPkiOptions {
  /** Auth certificate validity ended yesterday. */
  expired?: boolean;
  /**
   * Issue the card's certificate from an impostor CA with the same subject DN but another key, so only a
   * signature check (not a name match) rejects it.
   */
  unknownCa?: boolean;
  /** Also create the signing CA + signing certificate. */
  withSigning?: boolean;
  /** Reuse an existing trusted auth CA (saves a key generation per card). */
  authCa?: TestCertificate;
}

export function createMyNumberPki(o: MyNumberPkiOptions = {}): MyNumberPki {
  const trustedAuthCa = o.authCa ?? createJpkiAuthCa();
  const authCa = o.unknownCa ? createJpkiAuthCa({ subject: trustedAuthCa.subject }) : trustedAuthCa;
  const authCert = issueJpkiAuthCert(authCa, { expired: o.expired });
  const out: MyNumberPki = { trustedAuthCa, authCa, authCert };
  if (o.withSigning) {
    out.signCa = createJpkiSignCa();
    out.signCert = issueJpkiSignCert(out.signCa, { expired: o.expired });
  }
  return out;
}

/** PEM → DER for a single certificate. */
export function pemToDer(pem: string): Buffer {
  return new X509Certificate(pem).raw;
}
