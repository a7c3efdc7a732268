// Synthetic Immigration Services Agency PKI for the virtual residence cards (never a real ISA key):
// 1st gen an RSA-2048 CA issuing RSA-2048 card certificates (keyUsage digitalSignature, directly under
// the CA); 2nd gen an ECDSA P-384 CA issuing P-384 card certificates signed with ecdsa-with-SHA256.
import { generateKeyPairSync, type KeyObject, type X509Certificate } from 'node:crypto';
import { buildCertificate, keyIdOf, type DnPart } from './x509-builder.ts';

export interface SynthCert {
  x509: X509Certificate;
  der: Buffer;
  pem: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  subject: DnPart[];
}

const DAY = 86_400_000;

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function caSubject(generation: 1 | 2): DnPart[] {
  return [
    { type: 'C', value: 'JP' },
    { type: 'O', value: 'idkiosk synthetic ISA' },
    { type: 'CN', value: generation === 1 ? 'zairyucard_ca TEST (synthetic, gen 1)' : 'zairyucard_ca2 TEST (synthetic, gen 2)' },
  ];
}

function keys(generation: 1 | 2) {
  return generation === 1 ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
}

const wrap = (x509: X509Certificate, k: { privateKey: KeyObject; publicKey: KeyObject }, subject: DnPart[]): SynthCert => ({
  x509,
  der: x509.raw,
  pem: x509.toString(),
  privateKey: k.privateKey,
  publicKey: k.publicKey,
  subject,
});

/** A self-signed synthetic ISA CA; `k` reuses a key (the demo's gen-1 ISA CA shares its licence CA's key). */
export function createResidenceCa(generation: 1 | 2, subject: DnPart[] = caSubject(generation), k: KeyPair = keys(generation)): SynthCert {
  const now = Date.now();
  return wrap(
    buildCertificate({
      subject,
      issuer: subject,
      publicKey: k.publicKey,
      signer: k.privateKey,
      notBefore: new Date(now - DAY),
      notAfter: new Date(now + 3650 * DAY),
      ca: true,
    }),
    k,
    subject,
  );
}

export function issueCardCertificate(ca: SynthCert, generation: 1 | 2, o: { expired?: boolean; keyPair?: KeyPair } = {}): SynthCert {
  const k = o.keyPair ?? keys(generation);
  const now = Date.now();
  const subject: DnPart[] = [
    { type: 'C', value: 'JP' },
    { type: 'CN', value: `synthetic residence card ${generation === 1 ? 'RSA' : 'ECDSA'}` },
  ];
  const window = o.expired
    ? { notBefore: new Date(now - 800 * DAY), notAfter: new Date(now - DAY) }
    : { notBefore: new Date(now - DAY), notAfter: new Date(now + 3650 * DAY) };
  return wrap(
    buildCertificate({ subject, issuer: ca.subject, publicKey: k.publicKey, signer: ca.privateKey, issuerKeyId: keyIdOf(ca.publicKey), ...window, ca: false }),
    k,
    subject,
  );
}

export interface ResidencePki {
  /** The CA a kiosk under test trusts. */
  trustedCa: SynthCert;
  /** The CA that issued the card certificate (an impostor with the same name when unknownCa). */
  issuingCa: SynthCert;
  cardCert: SynthCert;
}

/** `cardKeyPair` reuses a key (RSA-2048 generation takes ~0.2 s; tests make many cards). */
export function createResidencePki(
  generation: 1 | 2,
  o: { ca?: SynthCert; unknownCa?: boolean; expiredCert?: boolean; cardKeyPair?: KeyPair } = {},
): ResidencePki {
  const trustedCa = o.ca ?? createResidenceCa(generation);
  const issuingCa = o.unknownCa ? createResidenceCa(generation, trustedCa.subject) : trustedCa;
  return { trustedCa, issuingCa, cardCert: issueCardCertificate(issuingCa, generation, { expired: o.expiredCert, keyPair: o.cardKeyPair }) };
}
