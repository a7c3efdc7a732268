// Where the fleet CA's private key lives. Everything that issues (device certificates, the collector's TLS
// certificate, CRLs) goes through the CaSigner interface and hands it only the bytes to sign, so the key
// can move into an HSM without touching the rest: a PKCS#11 signer implements signDer() with C_Sign
// (CKM_ECDSA over a SHA-256 digest, then DER-encode r‖s) and loads the certificate from the token or a
// file (docs/fleet.md, "Key handling"). The file signer below is the default: a PEM key the operator owns,
// mode 0600, on the collector host (or on the offline machine that runs `fleet approve`).
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { writeFileAtomic } from '../../daemon/device/device-key.ts';
import { ErrorCodes, KioskError } from '../../core/errors.ts';
import type { CaSigner } from './x509.ts';

export class FileCaSigner implements CaSigner {
  readonly publicKey: KeyObject;

  private constructor(
    private readonly key: KeyObject,
    readonly certificatePem: string | null,
  ) {
    this.publicKey = createPublicKey(key);
  }

  static generate(keyFile: string): FileCaSigner {
    if (existsSync(keyFile)) throw new KioskError(ErrorCodes.CONFIG_INVALID, `${keyFile} exists: refusing to replace a CA key`);
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileAtomic(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 0o600);
    return new FileCaSigner(privateKey, null);
  }

  static load(keyFile: string, certFile: string | null): FileCaSigner {
    let pem: Buffer;
    try {
      pem = readFileSync(keyFile);
    } catch (e) {
      throw new KioskError(ErrorCodes.CONFIG_INVALID, `cannot read the fleet CA key ${keyFile}: ${(e as NodeJS.ErrnoException).code ?? e}`, {
        field: 'ca.keyFile',
      });
    }
    if (statSync(keyFile).mode & 0o077)
      throw new KioskError(ErrorCodes.CONFIG_INVALID, `${keyFile} is readable by group/others (chmod 600 it)`, { field: 'ca.keyFile' });
    let key: KeyObject;
    try {
      key = createPrivateKey(pem);
    } catch {
      throw new KioskError(ErrorCodes.CONFIG_INVALID, `${keyFile} is not a private key`, { field: 'ca.keyFile' });
    }
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new KioskError(ErrorCodes.CONFIG_INVALID, `${keyFile}: the fleet CA key must be EC P-256`, { field: 'ca.keyFile' });
    }
    return new FileCaSigner(key, certFile ? readFileSync(certFile, 'utf8') : null);
  }

  withCertificate(pem: string): FileCaSigner {
    return new FileCaSigner(this.key, pem);
  }

  async signDer(tbs: Buffer): Promise<Buffer> {
    return sign('sha256', tbs, { key: this.key, dsaEncoding: 'der' });
  }
}
