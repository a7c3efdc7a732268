// Trust anchors: CA certificates configured per purpose (JPKI authentication CA, JPKI signing CA, …),
// loaded from PEM or DER files. Fingerprints are what a technician compares against the issuer's
// published values when provisioning (README: "Trust anchors").
import { X509Certificate, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ErrorCodes, KioskError } from '../../core/errors.ts';

export function fingerprintSha256(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex').toUpperCase();
}

/** All certificates in a PEM bundle or one DER certificate. */
export function parseCertificates(content: Buffer, source: string): X509Certificate[] {
  const text = content.toString('latin1');
  const pems = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  try {
    if (pems) return pems.map((p) => new X509Certificate(p));
    return [new X509Certificate(content)];
  } catch (e) {
    throw new KioskError(ErrorCodes.TRUST_ANCHOR_LOAD, `${source}: not a certificate (${(e as Error).message})`);
  }
}

export class TrustStore {
  constructor(readonly anchors: readonly X509Certificate[]) {}

  static fromFiles(paths: readonly string[]): TrustStore {
    const anchors: X509Certificate[] = [];
    for (const p of paths) {
      let content: Buffer;
      try {
        content = readFileSync(p);
      } catch (e) {
        throw new KioskError(ErrorCodes.TRUST_ANCHOR_LOAD, `cannot read trust anchor ${p}: ${(e as NodeJS.ErrnoException).code ?? e}`);
      }
      anchors.push(...parseCertificates(content, p));
    }
    return new TrustStore(anchors);
  }

  describe(): { subject: string; fingerprintSha256: string; notAfter: string }[] {
    return this.anchors.map((a) => ({ subject: a.subject, fingerprintSha256: fingerprintSha256(a.raw), notAfter: new Date(a.validTo).toISOString() }));
  }
}
