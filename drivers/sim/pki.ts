// Synthetic PKI for the virtual My Number card: a "JPKI-TEST" user-authentication CA and per-card
// certificates shaped like the J-LIS ones (docs/reference/mynumber.md §4.1): RSA-2048, sha256WithRSAEncryption, CA with
// critical basicConstraints + keyUsage certSign/cRLSign, leaf with critical keyUsage digitalSignature and
// the JPKI authentication policy OID. Nothing here is a real J-LIS key or name; nothing is cached on disk.
//
// Keys come from node:crypto; node-forge only lays out the TBSCertificate, which node:crypto then signs.
import { createSign, generateKeyPairSync, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

const { asn1, pki } = forge;
// Present in node-forge since 0.x but missing from @types/node-forge.
const getTbs = (pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate;

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

function randomSerial(): string {
  const b = randomBytes(9);
  b[0] = (b[0]! & 0x7f) | 0x01; // positive, no leading zero octet
  return b.toString('hex');
}

const bin = (b: Buffer): string => b.toString('binary');
const fromBin = (s: string): Buffer => Buffer.from(s, 'binary');

function subjectKeyIdOf(publicKey: KeyObject): Buffer {
  const fk = pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  return fromBin(pki.getPublicKeyFingerprint(fk, { type: 'RSAPublicKey', md: forge.md.sha1.create() }).getBytes());
}

function policiesDer(oids: string[]): string {
  const seq = asn1.create(
    asn1.Class.UNIVERSAL,
    asn1.Type.SEQUENCE,
    true,
    oids.map((oid) =>
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes()),
      ]),
    ),
  );
  return asn1.toDer(seq).getBytes();
}

/** subjectAltName with otherName entries (UTF8String values), as on a JPKI signing certificate. */
function otherNamesDer(entries: Array<[string, string]>): string {
  const names = entries.map(([oid, value]) =>
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes()),
      asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTF8, false, forge.util.encodeUtf8(value)),
      ]),
    ]),
  );
  return asn1.toDer(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, names)).getBytes();
}

const toForgeDn = (dn: DnAttribute[]) =>
  dn.map((a) => ({ shortName: a.type, value: a.type === 'C' ? a.value : forge.util.encodeUtf8(a.value), valueTagClass: (a.type === 'C' ? asn1.Type.PRINTABLESTRING : asn1.Type.UTF8) as number }));

interface BuildSpec {
  subject: DnAttribute[];
  issuer: DnAttribute[];
  keyPair: RsaKeyPair;
  signer: KeyObject;
  validity: Validity;
  extensions: object[];
}

function build(spec: BuildSpec): TestCertificate {
  const cert = pki.createCertificate();
  cert.version = 2;
  cert.serialNumber = randomSerial();
  cert.validity.notBefore = spec.validity.notBefore;
  cert.validity.notAfter = spec.validity.notAfter;
  cert.publicKey = pki.publicKeyFromPem(spec.keyPair.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.setSubject(toForgeDn(spec.subject) as never);
  cert.setIssuer(toForgeDn(spec.issuer) as never);
  cert.setExtensions(spec.extensions as never);
  // Sign the TBSCertificate with node:crypto (forge's JS RSA is slow and would need the key in forge form).
  cert.siginfo.algorithmOid = pki.oids.sha256WithRSAEncryption!;
  cert.signatureOid = pki.oids.sha256WithRSAEncryption!;
  const tbs = fromBin(asn1.toDer(getTbs(cert)).getBytes());
  cert.signature = bin(createSign('sha256').update(tbs).sign(spec.signer));
  const der = fromBin(asn1.toDer(pki.certificateToAsn1(cert)).getBytes());
  const x509 = new X509Certificate(der);
  return {
    der,
    pem: x509.toString(),
    x509,
    privateKey: spec.keyPair.privateKey,
    publicKey: spec.keyPair.publicKey,
    privateKeyPem: spec.keyPair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    subject: spec.subject,
    subjectKeyId: subjectKeyIdOf(spec.keyPair.publicKey),
  };
}

function createCa(defaultSubject: DnAttribute[], o: CaOptions & { expired?: boolean }): TestCertificate {
  const keyPair = o.keyPair ?? generateRsaKeyPair();
  const subject = o.subject ?? defaultSubject;
  const ski = subjectKeyIdOf(keyPair.publicKey);
  return build({
    subject,
    issuer: subject,
    keyPair,
    signer: keyPair.privateKey,
    validity: window(o, 10),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      { name: 'subjectKeyIdentifier', subjectKeyIdentifier: ski.toString('hex') },
    ],
  });
}

function issueLeaf(ca: TestCertificate, o: LeafOptions, defaults: { keyUsage: string[]; policy: string; san?: string }): TestCertificate {
  const keyPair = o.keyPair ?? generateRsaKeyPair();
  const ku = Object.fromEntries((o.keyUsage ?? defaults.keyUsage).map((k) => [k, true]));
  const policies = o.policies ?? [defaults.policy];
  const extensions: object[] = [
    { name: 'keyUsage', critical: true, ...ku },
    { name: 'authorityKeyIdentifier', keyIdentifier: bin(ca.subjectKeyId) },
  ];
  if (policies.length > 0) extensions.push({ id: '2.5.29.32', critical: false, value: policiesDer(policies) });
  if (defaults.san) extensions.push({ id: '2.5.29.17', critical: false, value: defaults.san });
  return build({
    subject: [
      { type: 'C', value: 'JP' },
      { type: 'CN', value: o.cn ?? randomBytes(12).toString('hex').toUpperCase() },
    ],
    issuer: ca.subject,
    keyPair,
    signer: ca.privateKey,
    validity: window(o, 5),
    extensions,
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
