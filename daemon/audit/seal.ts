// Sealing personal data to the operator: ECIES with node:crypto — an ephemeral P-256 ECDH key agreement
// with the operator's public key, HKDF-SHA256 to an AES-256-GCM key, and the record's identity as AAD so
// a sealed blob cannot be moved to another record. The kiosk keeps no private key for it: once sealed,
// only the operator can open it.
import { createCipheriv, createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { defined } from '../../core/checked.ts';
import { ErrorCodes, KioskError } from '../../core/errors.ts';

export const SEAL_ALGORITHM = 'ECIES-P256-HKDF-SHA256-AES256GCM';
const VERSION = 1;
const INFO = Buffer.from('idkiosk audit seal v1');
const POINT = 65; // uncompressed P-256 point

/** The operator's P-256 public key from a PEM/DER SPKI or certificate. */
export function loadOperatorKey(file: string): KeyObject {
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch (e) {
    throw new KioskError(ErrorCodes.CONFIG_INVALID, `cannot read operator key ${file}: ${(e as NodeJS.ErrnoException).code ?? e}`, {
      field: 'audit.operatorKey',
    });
  }
  return parseOperatorKey(raw, file);
}

export function parseOperatorKey(raw: Buffer, source = 'operator key'): KeyObject {
  let key: KeyObject;
  try {
    const text = raw.toString('latin1');
    if (text.includes('BEGIN CERTIFICATE')) key = new X509Certificate(raw).publicKey;
    else if (text.includes('-----BEGIN')) key = createPublicKey(raw);
    else {
      try {
        key = createPublicKey({ key: raw, format: 'der', type: 'spki' });
      } catch {
        key = new X509Certificate(raw).publicKey;
      }
    }
  } catch {
    throw new KioskError(ErrorCodes.CONFIG_INVALID, `${source}: not a public key or certificate`, { field: 'audit.operatorKey' });
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new KioskError(ErrorCodes.CONFIG_INVALID, `${source}: the operator key must be EC P-256`, { field: 'audit.operatorKey' });
  }
  return key;
}

function rawPoint(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  return Buffer.concat([
    Buffer.from([4]),
    Buffer.from(defined(jwk.x, ErrorCodes.CONFIG_INVALID, 'operator key x'), 'base64url'),
    Buffer.from(defined(jwk.y, ErrorCodes.CONFIG_INVALID, 'operator key y'), 'base64url'),
  ]);
}

function deriveKey(shared: Buffer, ephemeral: Buffer, recipient: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, Buffer.concat([ephemeral, recipient]), INFO, 32));
}

/** version(1) ‖ ephemeral point(65) ‖ iv(12) ‖ tag(16) ‖ ciphertext */
export function seal(operatorKey: KeyObject, plaintext: Buffer, aad: Buffer): Buffer {
  const ecdh = createECDH('prime256v1');
  const eph = ecdh.generateKeys();
  const recipient = rawPoint(operatorKey);
  const key = deriveKey(ecdh.computeSecret(recipient), eph, recipient);
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(aad);
  const ct = Buffer.concat([c.update(plaintext), c.final()]);
  key.fill(0);
  return Buffer.concat([Buffer.from([VERSION]), eph, iv, c.getAuthTag(), ct]);
}

/** The operator's side (and tests): opens a sealed blob with the operator's private key. */
export function unseal(operatorPrivateKey: KeyObject, blob: Buffer, aad: Buffer): Buffer {
  if (blob.length < 1 + POINT + 12 + 16 || blob[0] !== VERSION) throw new KioskError(ErrorCodes.AUDIT_CHAIN_BROKEN, 'sealed blob: bad format');
  const eph = blob.subarray(1, 1 + POINT);
  const iv = blob.subarray(1 + POINT, 1 + POINT + 12);
  const tag = blob.subarray(1 + POINT + 12, 1 + POINT + 28);
  const ct = blob.subarray(1 + POINT + 28);
  const jwk = operatorPrivateKey.export({ format: 'jwk' });
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(Buffer.from(defined(jwk.d, ErrorCodes.CONFIG_INVALID, 'operator private key'), 'base64url'));
  const recipient = ecdh.getPublicKey();
  const key = deriveKey(ecdh.computeSecret(eph), eph, recipient);
  const d = createDecipheriv('aes-256-gcm', key, iv);
  d.setAAD(aad);
  d.setAuthTag(tag);
  try {
    return Buffer.concat([d.update(ct), d.final()]);
  } catch {
    throw new KioskError(ErrorCodes.AUDIT_CHAIN_BROKEN, 'sealed blob: authentication failed');
  }
}
