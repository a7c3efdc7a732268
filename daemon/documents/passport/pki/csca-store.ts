// The CSCA store for passive authentication: single certificates (PEM/DER) and ICAO CSCA master lists
// (CMS SignedData, eContentType 2.23.136.1.1.2, CscaMasterList { version, certList SET OF Certificate }).
// Self-signed CSCAs are anchors; a link certificate (new CSCA key signed by the previous CSCA) is an anchor
// only when it is a CA certificate (basicConstraints cA) and verifies under a self-signed CSCA of the same
// store, directly or through other such links — anything else a root signed (a DSC, a master-list signer) must never vouch for a DSC.
// A master list is loaded only when its CMS signature verifies with its embedded signer certificate AND
// that signer is one of the deployment's configured master-list signers or is a master-list signer
// (extKeyUsage 2.23.136.1.1.3) that the path validator accepts under one of them (masterListSignerProfile)
// (config passport.masterListSigners, docs/reference/passport.md §9): a list is only as
// trustworthy as whoever signed it, and an unsigned or self-vouched list would let anyone add a CSCA.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ErrorCodes, KioskError } from '../../../../core/errors.ts';
import { validateChain } from '../../../trust/chain.ts';
import { certFields } from '../../../trust/cert-fields.ts';
import { cscaLinkProfile, MASTER_LIST_SIGNING, masterListSignerProfile, type PassportChainOptions } from '../../../trust/chain-profiles.ts';
import { namesMatch } from '../../../trust/name-compare.ts';
import { parseCertificates, TrustStore } from '../../../trust/trust-store.ts';
import { parseSignedData, verifySigner } from './cms.ts';
import { parseAsn1 } from '../../../encoding/asn1.ts';
import { CscaMasterList } from './icao-asn1.ts';
import { DEFAULT_PASSPORT_CONFIG, type PassportConfig } from '../passport-config.ts';

export const OID_CSCA_MASTER_LIST = '2.23.136.1.1.2';

export interface MasterList {
  certificates: X509Certificate[];
  /** The CMS signature over the list verifies with the embedded list-signer certificate. */
  signatureValid: boolean;
  /** The certificate whose key verified the signature, or null. */
  signerCertificate: X509Certificate | null;
  signer: string | null;
}

const loadError = (msg: string) => new KioskError(ErrorCodes.TRUST_ANCHOR_LOAD, msg);

function certificate(der: Buffer, what: string): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch {
    throw loadError(`${what}: not a certificate`);
  }
}

/** Parses a CSCA master list and checks its signature against the embedded certificates. */
export function parseMasterList(der: Buffer): MasterList {
  let sd: ReturnType<typeof parseSignedData>;
  try {
    sd = parseSignedData(der);
  } catch {
    throw loadError('not a CMS SignedData structure');
  }
  if (sd.eContentType !== OID_CSCA_MASTER_LIST) throw loadError('not a CSCA master list');
  const { certList } = parseAsn1(sd.eContent, CscaMasterList, { code: ErrorCodes.TRUST_ANCHOR_LOAD, what: 'master list content' });
  const certificates = certList.map((c, i) => certificate(Buffer.from(c), `master list entry ${i}`));
  let signerCertificate: X509Certificate | null = null;
  const signer0 = sd.signers[0];
  if (signer0) {
    for (const der of sd.certificates) {
      let cert: X509Certificate;
      let key: X509Certificate['publicKey'];
      try {
        cert = new X509Certificate(der);
        key = cert.publicKey;
      } catch {
        continue; // an embedded certificate node cannot read cannot have signed the list
      }
      if (verifySigner(signer0, sd.eContentType, sd.eContent, key).ok) {
        signerCertificate = cert;
        break;
      }
    }
  }
  return { certificates, signatureValid: signerCertificate !== null, signerCertificate, signer: signerCertificate?.subject ?? null };
}

/** extKeyUsage id-icao-mrtd-security-cscaMasterListSigningKey of a Master List Signer (ICAO 9303-12 §7.1.1). */
export const OID_MASTER_LIST_SIGNING_KEY = MASTER_LIST_SIGNING;

/** The certificate is a master-list signer by its extKeyUsage (node lists extKeyUsage OIDs as `keyUsage`). */
export function isMasterListSigner(c: X509Certificate): boolean {
  return (c.keyUsage ?? []).includes(OID_MASTER_LIST_SIGNING_KEY);
}

/**
 * True when `signer` is one of the configured master-list signers, or a master-list signer (by its
 * extKeyUsage) carrying a valid signature of a configured CA. Without the extKeyUsage rule any certificate
 * that CA issued — every Document Signer of that country — could publish a list of CSCAs.
 */
export function trustedListSigner(signer: X509Certificate, configured: readonly X509Certificate[], at = new Date()): boolean {
  return configured.some((t) => t.raw.equals(signer.raw) || (t.ca && validateChain(signer, new TrustStore([t]), masterListSignerProfile(at)).valid));
}

export interface CscaLoadOptions {
  /** Certificates that may sign master lists (the list signer itself, or the CA that issued it). */
  masterListSigners?: readonly X509Certificate[];
  /** When a list signer vouched for by a configured CA must be valid (default now). */
  at?: Date;
}

/** A master list's CSCAs, refused unless its signature holds and comes from a configured signer. */
export function masterListCertificates(content: Buffer, path: string, o: CscaLoadOptions): X509Certificate[] {
  const ml = parseMasterList(content);
  if (!ml.signerCertificate) throw loadError(`master list ${path}: its signature does not verify with any embedded certificate`);
  if (!trustedListSigner(ml.signerCertificate, o.masterListSigners ?? [], o.at)) {
    throw loadError(
      `master list ${path}: signed by ${ml.signerCertificate.subject.replace(/\n/g, ', ')}, which is not a configured master-list signer (passport.masterListSigners)`,
    );
  }
  return ml.certificates;
}

/** Certificates from PEM/DER certificate files or master lists (detected by content). */
export function loadCscaFile(path: string, o: CscaLoadOptions = {}): X509Certificate[] {
  let content: Buffer;
  try {
    content = readFileSync(path);
  } catch (e) {
    throw loadError(`cannot read CSCA file ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  if (!content.toString('latin1', 0, 64).includes('-----BEGIN') && isMasterList(content)) return masterListCertificates(content, path, o);
  return parseCertificates(content, path);
}

function isMasterList(content: Buffer): boolean {
  try {
    return parseSignedData(content).eContentType === OID_CSCA_MASTER_LIST;
  } catch {
    return false; // not CMS: a DER certificate
  }
}

/** A self-signed CA certificate: issuer and subject the same Name (RFC 5280 §7.1), its own key verifies it. */
function selfSigned(c: X509Certificate): boolean {
  try {
    const f = certFields(c.raw);
    return c.ca && namesMatch(f.issuer, f.subject) && c.verify(c.publicKey);
  } catch {
    return false;
  }
}

export class CscaStore {
  /** Self-signed CSCAs, then the link certificates validated under them (in the order they were reached). */
  readonly anchors: X509Certificate[];

  constructor(certs: readonly X509Certificate[], o: PassportChainOptions = {}) {
    const roots = certs.filter(selfSigned);
    // A CSCA that re-keyed more than once is reached through a chain of links (Indonesia: 2010 root →
    // 2016 link → 2020 link), so links are collected until no further one validates under the anchors so
    // far. Each is validated by the path validator as a CA certificate directly below an anchor (ICAO
    // 9303-12 link rules, trust/chain-profiles.ts); its key then becomes an anchor in turn, as ICAO intends
    // (the CSCAs' pathLenConstraint 0 would refuse a DSC below a chain of renamed links in RFC 5280 terms).
    const anchors = [...roots];
    for (let added = true; added; ) {
      const store = new TrustStore(anchors);
      const next = certs.filter((c) => !anchors.includes(c) && c.ca && validateChain(c, store, cscaLinkProfile(c, o)).valid);
      anchors.push(...next);
      added = next.length > 0;
    }
    this.anchors = anchors;
  }

  static fromFiles(paths: readonly string[], o: CscaLoadOptions & PassportChainOptions = {}): CscaStore {
    return new CscaStore(
      paths.flatMap((p) => loadCscaFile(p, o)),
      o,
    );
  }

  /** The anchors as a trust store for the path validator. */
  trustStore(): TrustStore {
    return new TrustStore(this.anchors);
  }
}

/** The certificates of passport.masterListSigners. */
export function loadMasterListSigners(paths: readonly string[]): X509Certificate[] {
  return paths.flatMap((p) => {
    let content: Buffer;
    try {
      content = readFileSync(p);
    } catch (e) {
      throw new KioskError(ErrorCodes.TRUST_ANCHOR_LOAD, `cannot read master-list signer file ${p}: ${(e as NodeJS.ErrnoException).code ?? e}`);
    }
    return parseCertificates(content, p);
  });
}

/** trust.csca entries (certificates and master lists), master lists checked against the configured signers. */
export function loadCscaFiles(files: readonly string[], cfg: PassportConfig = DEFAULT_PASSPORT_CONFIG): X509Certificate[] {
  const masterListSigners = loadMasterListSigners(cfg.masterListSigners);
  return files.flatMap((f) => loadCscaFile(f, { masterListSigners }));
}
