// The device key: a P-256 (ES256) key pair generated on the kiosk itself. The private key never leaves
// the device; it signs audit records, chain heads, heartbeats and the enrolment CSR. The file is written
// with mode 0600 atomically (temp file + rename), so a crash never leaves half a key behind.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, openSync, closeSync, readFileSync, renameSync, statSync, writeSync, fsyncSync } from 'node:fs';
import { dirname } from 'node:path';
import { ErrorCodes, KioskError } from '../../core/errors.ts';
import { derToLowS, isLowS, toLowS } from './es256-low-s.ts';

/** SHA-256 of the SubjectPublicKeyInfo DER, upper-case hex: how a key is named in records and on screen. */
export function keyFingerprint(key: KeyObject): string {
  const spki = key.type === 'private' ? createPublicKey(key).export({ type: 'spki', format: 'der' }) : key.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('hex').toUpperCase();
}

/** Writes a file atomically with the given mode (fsync before rename so power loss keeps old or new). */
export function writeFileAtomic(file: string, data: string | Buffer, mode: number): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, mode); // umask may have narrowed or (for 0644) the file pre-existed
  renameSync(tmp, file);
}

export class DeviceKey {
  readonly publicKey: KeyObject;
  readonly fingerprint: string;

  private constructor(private readonly privateKey: KeyObject) {
    if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new KioskError(ErrorCodes.CONFIG_INVALID, 'the device key must be an EC P-256 key');
    }
    this.publicKey = createPublicKey(privateKey);
    this.fingerprint = keyFingerprint(this.publicKey);
  }

  /** A key held only in memory (tests, simulated runs). */
  static ephemeral(): DeviceKey {
    return new DeviceKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
  }

  static load(file: string): DeviceKey {
    let pem: Buffer;
    try {
      pem = readFileSync(file);
    } catch (e) {
      throw new KioskError(ErrorCodes.CONFIG_INVALID, `cannot read device key ${file}: ${(e as NodeJS.ErrnoException).code ?? e}`, { field: 'device.keyFile' });
    }
    const mode = statSync(file).mode & 0o077;
    if (mode !== 0)
      throw new KioskError(ErrorCodes.CONFIG_INVALID, `device key ${file} is readable by group/others (chmod 600 it)`, { field: 'device.keyFile' });
    try {
      return new DeviceKey(createPrivateKey(pem));
    } catch (e) {
      if (e instanceof KioskError) throw e;
      throw new KioskError(ErrorCodes.CONFIG_INVALID, `device key ${file} is not a private key`, { field: 'device.keyFile' });
    }
  }

  /** Loads the key, or generates and stores one when the file does not exist yet (idempotent). */
  static loadOrGenerate(file: string): { key: DeviceKey; created: boolean } {
    if (existsSync(file)) return { key: DeviceKey.load(file), created: false };
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileAtomic(file, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 0o600);
    return { key: new DeviceKey(privateKey), created: true };
  }

  publicKeyPem(): string {
    return this.publicKey.export({ type: 'spki', format: 'pem' }) as string;
  }

  spkiDer(): Buffer {
    return this.publicKey.export({ type: 'spki', format: 'der' });
  }

  /** ES256 signature, raw r‖s (64 bytes) as JWS and most HTTP signature schemes expect; canonical low-S. */
  sign(data: Buffer | string): Buffer {
    return toLowS(sign('sha256', typeof data === 'string' ? Buffer.from(data) : data, { key: this.privateKey, dsaEncoding: 'ieee-p1363' }));
  }

  /** ECDSA-SHA256 in DER (what X.509/PKCS#10 signatures carry); canonical low-S. */
  signDer(data: Buffer): Buffer {
    return derToLowS(sign('sha256', data, { key: this.privateKey, dsaEncoding: 'der' }));
  }
}

/**
 * Checks an ES256 raw signature against a public key (PEM/KeyObject). Only canonical (low-S) signatures pass,
 * unless `acceptHighS` is set: the audit trail names its records by their hash (the signature is over the
 * hash), so a malleated signature changes nothing there, and records signed before the kiosk issued low-S
 * signatures (about half of them are high-S) must keep verifying after an upgrade.
 */
export function verifyEs256(publicKey: KeyObject | string, data: Buffer | string, signature: Buffer, o: { acceptHighS?: boolean } = {}): boolean {
  if (!o.acceptHighS && !isLowS(signature)) return false;
  try {
    const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
    return verify('sha256', typeof data === 'string' ? Buffer.from(data) : data, { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}
