// The CSCA store for passive authentication: single certificates (PEM/DER) and ICAO CSCA master lists
// (CMS SignedData, eContentType 2.23.136.1.1.2, CscaMasterList { version, certList SET OF Certificate }).
// Self-signed CSCAs are anchors; a link certificate (new CSCA key signed by the previous CSCA) is an anchor
// only when it verifies under a self-signed CSCA of the same store. A master list's own signature is
// checked against its embedded signer certificate and reported; the list signer itself must still be
// verified out of band when the list is provisioned (cards.md §5.6).
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ErrorCodes, KioskError } from '../../errors.ts';
import { parseCertificates } from '../../trust/trust-store.ts';
import { parseSignedData, verifySigner } from './cms.ts';
import { children, readTlv } from './tlv.ts';

export const OID_CSCA_MASTER_LIST = '2.23.136.1.1.2';

export interface MasterList {
  certificates: X509Certificate[];
  /** The CMS signature over the list verifies with the embedded list-signer certificate. */
  signatureValid: boolean;
  signer: string | null;
}

export function parseMasterList(der: Buffer): MasterList {
  const sd = parseSignedData(der);
  if (sd.eContentType !== OID_CSCA_MASTER_LIST) throw new KioskError(ErrorCodes.TRUST_ANCHOR_LOAD, 'not a CSCA master list');
  const list = children(readTlv(sd.eContent));
  const certList = list.find((t) => t.tag === 0x31);
  if (!certList) throw new KioskError(ErrorCodes.TRUST_ANCHOR_LOAD, 'master list without certList');
  const certificates = children(certList).map((c) => new X509Certificate(c.raw));
  let signatureValid = false;
  let signer: string | null = null;
  for (const der of sd.certificates) {
    const cert = new X509Certificate(der);
    if (verifySigner(sd.signers[0]!, sd.eContentType, sd.eContent, cert.publicKey).ok) {
      signatureValid = true;
      signer = cert.subject;
      break;
    }
  }
  return { certificates, signatureValid, signer };
}

/** Certificates from PEM/DER certificate files or master lists (detected by content). */
export function loadCscaFile(path: string): X509Certificate[] {
  let content: Buffer;
  try {
    content = readFileSync(path);
  } catch (e) {
    throw new KioskError(ErrorCodes.TRUST_ANCHOR_LOAD, `cannot read CSCA file ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  if (!content.toString('latin1', 0, 64).includes('-----BEGIN')) {
    try {
      return parseMasterList(content).certificates;
    } catch {
      /* not a master list: a DER certificate */
    }
  }
  return parseCertificates(content, path);
}

function selfSigned(c: X509Certificate): boolean {
  try {
    return c.subject === c.issuer && c.verify(c.publicKey);
  } catch {
    return false;
  }
}

export class CscaStore {
  readonly anchors: X509Certificate[];

  constructor(certs: readonly X509Certificate[]) {
    const roots = certs.filter(selfSigned);
    const links = certs.filter((c) => !roots.includes(c) && roots.some((r) => r.subject === c.issuer && safeVerify(c, r)));
    this.anchors = [...roots, ...links];
  }

  static fromFiles(paths: readonly string[]): CscaStore {
    return new CscaStore(paths.flatMap(loadCscaFile));
  }

  /** Anchors whose key verifies `cert`'s signature (name match first; several CSCAs may share a name). */
  issuersOf(cert: X509Certificate): X509Certificate[] {
    return this.anchors.filter((a) => a.subject === cert.issuer && safeVerify(cert, a));
  }

  hasName(name: string): boolean {
    return this.anchors.some((a) => a.subject === name);
  }
}

function safeVerify(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}
