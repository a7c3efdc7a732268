// Reads the PKCS#10 request that `idkiosk provision enroll` makes (RFC 2986): subject, the device's P-256
// key, and the subjectAltName it asks for. The request is untrusted input from the network: every step is
// checked and anything unexpected is a typed KioskError, never a crash. The self-signature proves only
// that the sender holds the key; whether the kiosk is ours is the operator's decision (`fleet approve`).
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { keyFingerprint } from '../../daemon/device/device-key.ts';
import { ErrorCodes, KioskError } from '../../core/errors.ts';
import { fromDer, pemToDer, toDer } from './x509.ts';

type Node = forge.asn1.Asn1;

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
const kids = (n: Node | undefined): Node[] => (n && Array.isArray(n.value) ? (n.value as Node[]) : []);
const oidOf = (n: Node | undefined): string | null => (n && n.type === forge.asn1.Type.OID && typeof n.value === 'string' ? forge.asn1.derToOid(n.value) : null);

function commonName(name: Node): string | null {
  for (const rdn of kids(name)) {
    for (const atv of kids(rdn)) {
      const [type, value] = kids(atv);
      if (oidOf(type) === CN && typeof value?.value === 'string') return forge.util.decodeUtf8(value.value);
    }
  }
  return null;
}

function requestedSan(attributes: Node | undefined): Buffer | null {
  for (const attr of kids(attributes)) {
    const [type, values] = kids(attr);
    if (oidOf(type) !== EXTENSION_REQUEST) continue;
    for (const e of kids(kids(values)[0])) {
      const [id, ...rest] = kids(e);
      const value = rest[rest.length - 1];
      if (oidOf(id) === SAN && typeof value?.value === 'string') return Buffer.from(value.value, 'binary');
    }
  }
  return null;
}

export function parseCsr(text: string): ParsedCsr {
  let der: Buffer;
  let root: Node;
  try {
    der = text.includes('-----BEGIN') ? pemToDer(text, 'CERTIFICATE REQUEST') : Buffer.from(text, 'base64');
    root = fromDer(der);
  } catch {
    throw bad('not a DER/PEM PKCS#10 structure');
  }
  const [info, alg, sig] = kids(root);
  const [version, subject, spkiNode, attributes] = kids(info);
  if (!info || !version || !subject || !spkiNode || !alg || !sig || typeof sig.value !== 'string') throw bad('missing fields');
  if (oidOf(kids(alg)[0]) !== ECDSA_SHA256) throw bad('signature algorithm must be ecdsa-with-SHA256');
  const spki = toDer(spkiNode);
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  } catch {
    throw bad('subject public key is not readable');
  }
  if (publicKey.asymmetricKeyType !== 'ec' || publicKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw bad('the device key must be EC P-256');
  const signature = Buffer.from(sig.value.slice(1), 'binary');
  let ok = false;
  try {
    ok = verify('sha256', toDer(info), { key: publicKey, dsaEncoding: 'der' }, signature);
  } catch {
    ok = false;
  }
  if (!ok) throw bad('the self-signature does not verify (the sender does not hold the key)');
  const kioskId = commonName(subject);
  if (!kioskId || !KIOSK_ID.test(kioskId)) throw bad('subject CN must be the kiosk id (letters, digits, . _ -, at most 64)');
  return { kioskId, subjectName: toDer(subject), spki, publicKey, keyFingerprint: keyFingerprint(publicKey), sanDer: requestedSan(attributes) };
}
