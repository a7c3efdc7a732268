// Importing an ICAO CSCA master list (ICAO 9303-12 §9: CMS SignedData, eContentType id-icao-cscaMasterList
// 2.23.136.1.1.2, content CscaMasterList { version, certList SET OF Certificate }) into a PEM bundle that
// trust.csca can name. A list is only as trustworthy as its signer, so nothing is written unless
//   1. the CMS signature verifies with the signer certificate the list carries (parseMasterList),
//   2. that signer chains to a root the technician gives (--root, compared out of band with the issuing
//      state's published fingerprint) through the one path validator (daemon/trust/chain.ts), and
//   3. the signer is a master-list signer: extKeyUsage id-icao-cscaMasterListSigningKey (9303-12 §7.1.1,
//      table 6), so a DSC or any other certificate under the same root cannot publish a list.
// Each CSCA of a verified list is then taken or skipped with a reason (not a CA, expired, weak key, …);
// link certificates are taken like any CA certificate — CscaStore anchors them only under a self-signed
// CSCA it also holds. The bundle is written atomically: a kiosk never reads half a list.
import type { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../../device/device-key.ts';
import { ErrorCodes, KioskError } from '../../../../core/errors.ts';
import { publicKeyProblem, signatureAlgorithmProblem } from '../../../trust/algorithm-policy.ts';
import { certFields } from '../../../trust/cert-fields.ts';
import { validateChain } from '../../../trust/chain.ts';
import { masterListSignerProfile } from '../../../trust/chain-profiles.ts';
import { fingerprintSha256, parseCertificates, TrustStore } from '../../../trust/trust-store.ts';
import { isMasterListSigner, OID_MASTER_LIST_SIGNING_KEY, parseMasterList } from './csca-store.ts';

export { OID_MASTER_LIST_SIGNING_KEY };

export type SkipReason = 'duplicate' | 'unreadable' | 'not-a-ca' | 'expired' | 'weak-key' | 'weak-signature';

export interface CscaEntry {
  subject: string;
  fingerprintSha256: string;
  notAfter: string | null;
}

export interface SkippedCsca extends CscaEntry {
  reason: SkipReason;
  detail: string;
}

export interface VerifiedMasterList {
  signer: X509Certificate;
  /** signer … root, as the path validator built it */
  signerPath: X509Certificate[];
  root: X509Certificate;
  certificates: X509Certificate[];
}

const refuse = (msg: string) => new KioskError(ErrorCodes.TRUST_ANCHOR_LOAD, msg);
const oneLine = (name: string) => name.replace(/\n/g, ', ');

/**
 * Parses a master list and proves who signed it: the CMS signature with the embedded signer certificate,
 * the signer's path to one of `roots` at `at`, and the signer's extKeyUsage. Throws TRUST_ANCHOR_LOAD (or
 * the path validator's code) otherwise.
 */
export function verifyMasterList(der: Buffer, roots: readonly X509Certificate[], at: Date): VerifiedMasterList {
  if (roots.length === 0) throw refuse('no root certificate given: a master list is imported only under a root verified out of band');
  const ml = parseMasterList(der);
  if (!ml.signerCertificate) throw refuse('the master list signature does not verify with any certificate it carries');
  const signer = ml.signerCertificate;
  if (!isMasterListSigner(signer)) {
    throw refuse(`master list signer ${oneLine(signer.subject)} is not a master-list signer (extKeyUsage ${OID_MASTER_LIST_SIGNING_KEY} missing)`);
  }
  const chain = validateChain(signer, new TrustStore(roots), masterListSignerProfile(at));
  if (!chain.valid) throw new KioskError(chain.code, `master list signer ${oneLine(signer.subject)}: ${oneLine(chain.message)}`);
  return { signer, signerPath: chain.path, root: chain.anchor, certificates: ml.certificates };
}

function entryOf(c: X509Certificate): CscaEntry {
  const t = Date.parse(c.validTo);
  return { subject: oneLine(c.subject), fingerprintSha256: fingerprintSha256(c.raw), notAfter: Number.isFinite(t) ? new Date(t).toISOString() : null };
}

/** Why a CSCA from a verified list is not taken, or null. SHA-1 is allowed: many CSCAs still use it. */
function skipReason(c: X509Certificate, at: Date): { reason: SkipReason; detail: string } | null {
  if (!c.ca) return { reason: 'not-a-ca', detail: 'basicConstraints cA is not set' };
  const notAfter = Date.parse(c.validTo);
  if (!Number.isFinite(notAfter) || !Number.isFinite(Date.parse(c.validFrom))) return { reason: 'unreadable', detail: 'validity is not a valid time' };
  if (notAfter < at.getTime()) return { reason: 'expired', detail: `expired ${new Date(notAfter).toISOString()}` };
  let keyProblem: string | null;
  try {
    keyProblem = publicKeyProblem(c.publicKey);
  } catch {
    keyProblem = 'public key cannot be imported';
  }
  if (keyProblem) return { reason: 'weak-key', detail: keyProblem };
  let algProblem: string | null;
  try {
    algProblem = signatureAlgorithmProblem(certFields(c.raw).signatureAlgorithm, { allowSha1: true });
  } catch {
    return { reason: 'unreadable', detail: 'signature algorithm unreadable' };
  }
  if (algProblem) return { reason: 'weak-signature', detail: algProblem };
  return null;
}

/** Splits a verified list's certificates into the CSCAs to trust and the ones skipped (with why). */
export function selectCscas(certs: readonly X509Certificate[], at: Date): { taken: X509Certificate[]; skipped: SkippedCsca[] } {
  const taken: X509Certificate[] = [];
  const skipped: SkippedCsca[] = [];
  const seen = new Set<string>();
  for (const c of certs) {
    const entry = entryOf(c);
    if (seen.has(entry.fingerprintSha256)) {
      skipped.push({ ...entry, reason: 'duplicate', detail: 'listed more than once' });
      continue;
    }
    seen.add(entry.fingerprintSha256);
    const why = skipReason(c, at);
    if (why) skipped.push({ ...entry, ...why });
    else taken.push(c);
  }
  return { taken, skipped };
}

export interface MasterListImportOptions {
  file: string;
  /** Root certificate files (PEM/DER): the list signer must chain to one of them. */
  roots: readonly string[];
  /** PEM bundle to write (replaced atomically). */
  out: string;
  at?: Date;
}

export interface MasterListImportReport {
  signer: CscaEntry;
  root: CscaEntry;
  listed: number;
  taken: CscaEntry[];
  skipped: SkippedCsca[];
  out: string;
}

function readFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw refuse(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
}

/** Verifies the list, selects its CSCAs and writes them as one PEM bundle (mode 0640). */
export function importMasterList(o: MasterListImportOptions): MasterListImportReport {
  const at = o.at ?? new Date();
  const roots = o.roots.flatMap((p) => parseCertificates(readFile(p, 'root certificate'), p));
  const list = verifyMasterList(readFile(o.file, 'master list'), roots, at);
  const { taken, skipped } = selectCscas(list.certificates, at);
  if (taken.length === 0) throw refuse(`master list ${o.file}: no usable CSCA (${skipped.length} skipped)`);
  writeFileAtomic(o.out, taken.map((c) => c.toString()).join(''), 0o640);
  return { signer: entryOf(list.signer), root: entryOf(list.root), listed: list.certificates.length, taken: taken.map(entryOf), skipped, out: o.out };
}
