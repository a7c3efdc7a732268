// The few certificate facts the CRL code needs, read straight from the DER (node's X509Certificate does
// not expose raw names or the exact serial bytes): subject/issuer Name DER, canonical serial, SPKI,
// subject key identifier, keyUsage, basicConstraints and CRL distribution points.
import { createHash, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { KioskError, ErrorCodes } from '../../../core/errors.ts';
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
  /** X.509 version (1, 2 or 3): a v1/v2 certificate has no basicConstraints, so it may be a CA. */
  version: number;
  /**
   * DER of each DistributionPointName in the cRLDistributionPoints extension whose CRL the certificate's own
   * issuer signs (distribution points that name a separate cRLIssuer are left out: RFC 5280 §6.3.3 needs
   * that issuer's indirect CRL, which the store does not hold).
   */
  crlDistributionPointNames: Buffer[];
  /** The extension is present and every distribution point in it names a separate cRLIssuer. */
  crlDistributionPointsOnlyIndirect: boolean;
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
    let version = 1;
    if (tbs.peekTag() === 0xa0) {
      const v = tbs.inner(tbs.read(0xa0, 'version'));
      const n = v.value(v.read(0x02, 'version'));
      version = n.length === 1 && n[0] !== undefined ? n[0] + 1 : 0;
    }
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
      version,
      crlDistributionPointNames: [],
      crlDistributionPointsOnlyIndirect: false,
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
      let direct = 0;
      let indirect = 0;
      while (!dps.done) {
        const dp = dps.inner(dps.read(0x30, 'DistributionPoint'));
        let name: Buffer | null = null;
        let crlIssuer = false;
        while (!dp.done) {
          const f = dp.read(undefined, 'DistributionPoint field');
          if (f.tag === 0xa0) name = Buffer.from(dp.value(f));
          else if (f.tag === 0xa2) crlIssuer = true;
        }
        if (crlIssuer) indirect++;
        else {
          direct++;
          if (name) info.crlDistributionPointNames.push(name);
        }
      }
      info.crlDistributionPointsOnlyIndirect = indirect > 0 && direct === 0;
      break;
    }
  }
}

/**
 * The names inside a DistributionPointName: each GeneralName of a fullName ([0]), or the whole
 * nameRelativeToCRLIssuer ([1]) as one name.
 */
function pointNames(dpName: Buffer): Buffer[] {
  const r = new DerReader(dpName);
  const t = r.read(undefined, 'DistributionPointName');
  r.expectEnd('DistributionPointName'); // a CHOICE holds exactly one element
  if (t.tag !== 0xa0) return [dpName];
  const names = r.inner(t);
  const out: Buffer[] = [];
  while (!names.done) out.push(Buffer.from(names.bytes(names.read(undefined, 'GeneralName'))));
  return out;
}

/**
 * RFC 5280 §6.3.3 (b)(2)(i): the CRL's issuing distribution point covers the certificate when one of its
 * names matches one of the names in one of the certificate's distribution points. Names are compared as
 * encoded (URIs, the common case, have one encoding); an unparsable name matches nothing.
 */
export function distributionPointsMatch(certPoints: readonly Buffer[], idpPoint: Buffer): boolean {
  try {
    const wanted = pointNames(idpPoint);
    return certPoints.some((p) => pointNames(p).some((n) => wanted.some((w) => w.equals(n))));
  } catch {
    return false;
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
