// The few certificate facts the CRL code needs, read straight from the DER (node's X509Certificate does
// not expose raw names or the exact serial bytes): subject/issuer Name DER, canonical serial, SPKI,
// subject key identifier, keyUsage, basicConstraints and CRL distribution points.
import { createHash, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { KioskError, ErrorCodes } from '../../errors.ts';
import { DerReader, canonicalInteger } from './der.ts';
import { OID } from './oids.ts';

export interface CertInfo {
  der: Buffer;
  serial: Buffer; // canonical DER INTEGER content
  issuerDer: Buffer;
  subjectDer: Buffer;
  spkiDer: Buffer;
  publicKey: KeyObject;
  subjectKeyId?: Buffer;
  /** keyUsage bits as a number (bit 0 = digitalSignature … bit 6 = cRLSign); undefined when absent */
  keyUsage?: number;
  isCa: boolean;
  /** DER of each DistributionPointName in the cRLDistributionPoints extension */
  crlDistributionPointNames: Buffer[];
  /** Stable identity of this certificate as a CRL issuer: SHA-256(subject DER ‖ SPKI DER), 32 hex digits. */
  issuerId: string;
}

const KU_CRL_SIGN = 6;

export function parseCertificate(input: Buffer | X509Certificate): CertInfo {
  const der = Buffer.isBuffer(input) ? input : input.raw;
  try {
    const top = new DerReader(der);
    const cert = top.read(0x30, 'Certificate');
    top.expectEnd('Certificate');
    const c = top.inner(cert);
    const tbs = c.inner(c.read(0x30, 'tbsCertificate'));
    if (tbs.peekTag() === 0xa0) tbs.read(0xa0, 'version');
    const serial = canonicalInteger(tbs.value(tbs.read(0x02, 'serialNumber')));
    tbs.read(0x30, 'signature');
    const issuerDer = Buffer.from(tbs.bytes(tbs.read(0x30, 'issuer')));
    tbs.read(0x30, 'validity');
    const subjectDer = Buffer.from(tbs.bytes(tbs.read(0x30, 'subject')));
    const spkiDer = Buffer.from(tbs.bytes(tbs.read(0x30, 'subjectPublicKeyInfo')));
    const info: CertInfo = {
      der,
      serial,
      issuerDer,
      subjectDer,
      spkiDer,
      publicKey: createPublicKey({ key: spkiDer, format: 'der', type: 'spki' }),
      isCa: false,
      crlDistributionPointNames: [],
      issuerId: createHash('sha256').update(subjectDer).update(spkiDer).digest('hex').slice(0, 32),
    };
    while (!tbs.done) {
      const t = tbs.read(undefined, 'tbsCertificate field');
      if (t.tag !== 0xa3) continue; // issuer/subject unique IDs
      const exts = tbs.inner(t);
      const seq = exts.inner(exts.read(0x30, 'extensions'));
      while (!seq.done) readCertExtension(seq.inner(seq.read(0x30, 'extension')), info);
    }
    return info;
  } catch (e) {
    if (e instanceof KioskError && e.code === ErrorCodes.TRUST_CERT_MALFORMED) throw e;
    throw new KioskError(ErrorCodes.TRUST_CERT_MALFORMED, `certificate does not parse: ${(e as Error).message}`);
  }
}

function readCertExtension(ext: DerReader, info: CertInfo): void {
  const oid = ext.value(ext.read(0x06, 'extnID')).toString('hex');
  if (ext.peekTag() === 0x01) ext.read(0x01, 'critical');
  const v = ext.value(ext.read(0x04, 'extnValue'));
  const r = new DerReader(v);
  switch (oid) {
    case OID.subjectKeyIdentifier:
      info.subjectKeyId = Buffer.from(r.value(r.read(0x04, 'subjectKeyIdentifier')));
      break;
    case OID.keyUsage: {
      const bits = r.value(r.read(0x03, 'keyUsage'));
      let n = 0;
      for (let i = 0; i < 9; i++) {
        const byte = bits[1 + (i >> 3)];
        if (byte !== undefined && byte & (0x80 >> (i & 7))) n |= 1 << i;
      }
      info.keyUsage = n;
      break;
    }
    case OID.basicConstraints: {
      const bc = r.inner(r.read(0x30, 'basicConstraints'));
      if (bc.peekTag() === 0x01) info.isCa = bc.value(bc.read(0x01, 'cA'))[0] !== 0;
      break;
    }
    case OID.cRLDistributionPoints: {
      const dps = r.inner(r.read(0x30, 'cRLDistributionPoints'));
      while (!dps.done) {
        const dp = dps.inner(dps.read(0x30, 'DistributionPoint'));
        if (dp.peekTag() === 0xa0) {
          const name = dp.read(0xa0, 'distributionPoint');
          info.crlDistributionPointNames.push(Buffer.from(dp.value(name)));
        }
      }
      break;
    }
  }
}

/** A CA certificate that may sign CRLs (keyUsage, when present, must include cRLSign). */
export function parseCrlIssuer(input: Buffer | X509Certificate): CertInfo {
  const info = parseCertificate(input);
  if (info.keyUsage !== undefined && !(info.keyUsage & (1 << KU_CRL_SIGN))) {
    throw new KioskError(ErrorCodes.TRUST_KEY_USAGE, 'issuer certificate keyUsage lacks cRLSign');
  }
  return info;
}

/** Load a PEM or DER certificate file (the first certificate in a PEM bundle). */
export function loadCertificateFile(path: string): X509Certificate {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (e) {
    throw new KioskError(ErrorCodes.TRUST_ANCHOR_LOAD, `cannot read certificate file ${path}`, {
      errno: (e as NodeJS.ErrnoException).code,
    });
  }
  try {
    return new X509Certificate(raw);
  } catch {
    throw new KioskError(ErrorCodes.TRUST_CERT_MALFORMED, `not a certificate: ${path}`);
  }
}
