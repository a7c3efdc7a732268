// Reads the PKCS#10 request that `idkiosk provision enroll` makes (RFC 2986): subject, the device's P-256
// key, and the subjectAltName it asks for. The request is untrusted input from the network: every step is
// checked and anything unexpected is a typed KioskError, never a crash. The self-signature proves only
// that the sender holds the key; whether the kiosk is ours is the operator's decision (`fleet approve`).
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { CertificationRequest } from '@peculiar/asn1-csr';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Extensions, type Name } from '@peculiar/asn1-x509';
import { keyFingerprint } from '../../daemon/device/device-key.ts';
import { ErrorCodes, KioskError } from '../../core/errors.ts';
import { pemToDer } from './x509.ts';

const ECDSA_SHA256 = '1.2.840.10045.4.3.2';
const CN = '2.5.4.3';
const EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const SAN = '2.5.29.17';
/** Kiosk ids become TLS names, metric labels and file names: keep them to a safe alphabet. */
export const KIOSK_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface ParsedCsr {
  kioskId: string;
  subjectName: Buffer;
  spki: Buffer;
  publicKey: KeyObject;
  keyFingerprint: string;
  sanDer: Buffer | null;
}

const bad = (m: string) => new KioskError(ErrorCodes.TRUST_CERT_MALFORMED, `certificate request: ${m}`);

function commonName(name: Name): string | null {
  for (const rdn of name) {
    for (const atv of rdn) if (atv.type === CN) return atv.value.toString();
  }
  return null;
}

function requestedSan(csr: CertificationRequest): Buffer | null {
  for (const attr of csr.certificationRequestInfo.attributes) {
    if (attr.type !== EXTENSION_REQUEST) continue;
    for (const value of attr.values) {
      const san = AsnConvert.parse(value, Extensions).find((e) => e.extnID === SAN);
      if (san) return Buffer.from(san.extnValue.buffer);
    }
  }
  return null;
}

export function parseCsr(text: string): ParsedCsr {
  let csr: CertificationRequest;
  try {
    const der = text.includes('-----BEGIN') ? pemToDer(text, 'CERTIFICATE REQUEST') : Buffer.from(text, 'base64');
    csr = AsnConvert.parse(der, CertificationRequest);
  } catch {
    throw bad('not a DER/PEM PKCS#10 structure');
  }
  const info = csr.certificationRequestInfoRaw;
  if (!info || csr.signature.byteLength === 0) throw bad('missing fields');
  if (csr.signatureAlgorithm.algorithm !== ECDSA_SHA256) throw bad('signature algorithm must be ecdsa-with-SHA256');
  const spki = Buffer.from(AsnConvert.serialize(csr.certificationRequestInfo.subjectPKInfo));
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  } catch {
    throw bad('subject public key is not readable');
  }
  if (publicKey.asymmetricKeyType !== 'ec' || publicKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw bad('the device key must be EC P-256');
  let ok = false;
  try {
    ok = verify('sha256', Buffer.from(info), { key: publicKey, dsaEncoding: 'der' }, Buffer.from(csr.signature));
  } catch {
    ok = false;
  }
  if (!ok) throw bad('the self-signature does not verify (the sender does not hold the key)');
  let kioskId: string | null;
  let sanDer: Buffer | null;
  try {
    kioskId = commonName(csr.certificationRequestInfo.subject);
    sanDer = requestedSan(csr);
  } catch {
    throw bad('subject or extensionRequest malformed');
  }
  if (!kioskId || !KIOSK_ID.test(kioskId)) throw bad('subject CN must be the kiosk id (letters, digits, . _ -, at most 64)');
  const subjectName = Buffer.from(AsnConvert.serialize(csr.certificationRequestInfo.subject));
  return { kioskId, subjectName, spki, publicKey, keyFingerprint: keyFingerprint(publicKey), sanDer };
}
