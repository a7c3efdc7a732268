// Passive authentication (ICAO 9303-11 §5.1, docs/reference/passport.md §8): EF.SOD → LDSSecurityObject; the Document
// Signer's signature over the signed attributes; every data group read hashed whole and compared, and a
// data group read but not listed rejected; the DSC chained to a CSCA (or link certificate) in the store by
// the kiosk's one path validator (trust/chain.ts under passportDscProfile: ICAO 9303-12 DSC/CSCA rules).
// DSC validity: not-yet-valid always fails; an expired DSC fails only under the strict policy, because
// an expired DSC on a still-valid passport is normal (its key-usage period is much shorter).
import { at } from '../../../../core/checked.ts';
import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import { ErrorCodes, KioskError, isKioskError, type ErrorCode } from '../../../../core/errors.ts';
import { validateChain } from '../../../trust/chain.ts';
import { passportDscProfile } from '../../../trust/chain-profiles.ts';
import { fingerprintSha256 } from '../../../trust/trust-store.ts';
import { HASHES, parseSignedData, verifySigner, type SignedData } from './cms.ts';
import type { CscaStore } from './csca-store.ts';
import { readTlv } from '../../../encoding/ber-tlv.ts';
import { parseAsn1 } from '../../../encoding/asn1.ts';
import { LdsSecurityObjectAsn } from './icao-asn1.ts';

export const LDS_SECURITY_OBJECT_OIDS = ['2.23.136.1.1.1', '1.3.27.1.1.1', '1.2.528.1.1006.1.20.1'];

export interface LdsSecurityObject {
  version: number;
  hashAlgorithm: string;
  hashes: Map<number, Buffer>;
  ldsVersion: string | null;
}

const sodInvalid = (msg: string) => new KioskError(ErrorCodes.PASSPORT_SOD_INVALID, `LDSSecurityObject: ${msg}`);

export function parseLdsSecurityObject(eContent: Buffer): LdsSecurityObject {
  // Untrusted chip data: a missing or mistyped field is a typed refusal, never a TypeError.
  const lso = parseAsn1(eContent, LdsSecurityObjectAsn, { code: ErrorCodes.PASSPORT_SOD_INVALID, what: 'LDSSecurityObject' });
  const hashOid = lso.hashAlgorithm.algorithm;
  const hashes = new Map<number, Buffer>();
  for (const h of lso.dataGroupHashValues) hashes.set(smallNumber(h.dataGroupNumber, 'dataGroupNumber'), Buffer.from(h.dataGroupHashValue));
  return {
    version: smallNumber(lso.version, 'version'),
    hashAlgorithm: HASHES[hashOid] ?? hashOid,
    hashes,
    ldsVersion: lso.ldsVersionInfo?.ldsVersion ?? null,
  };
}

/** A version or data-group number: a non-negative integer (asn1js reads INTEGERs as signed numbers). */
function smallNumber(n: number, what: string): number {
  if (!Number.isSafeInteger(n) || n < 0) throw sodInvalid(`${what} is not a small non-negative INTEGER`);
  return n;
}

/** CMS id-data: some issuers (real Chinese passports) label the LDSSecurityObject so; openssl and gmrtd accept it. */
export const OID_ID_DATA = '1.2.840.113549.1.7.1';

/**
 * The LDSSecurityObject of an EF.SOD: eContentType id-icao-ldsSecurityObject (or a variant seen in the
 * field), or id-data when the content parses as an LDSSecurityObject (issue 15 §3). The signature still
 * covers the eContentType through the contentType signed attribute, so the label cannot be swapped.
 */
export function ldsSecurityObjectOf(sd: SignedData): LdsSecurityObject {
  if (!LDS_SECURITY_OBJECT_OIDS.includes(sd.eContentType) && sd.eContentType !== OID_ID_DATA)
    throw sodInvalid(`eContentType ${sd.eContentType} is not an LDSSecurityObject`);
  return parseLdsSecurityObject(sd.eContent);
}

export type DgCheck = 'match' | 'mismatch' | 'not-listed';

export interface CertSummary {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  fingerprintSha256: string;
}

export interface PassiveAuthResult {
  verified: boolean;
  reasons: { code: ErrorCode; message: string }[];
  signature: 'valid' | 'invalid' | 'not-checked';
  signatureAlgorithm: string | null;
  hashAlgorithm: string | null;
  dataGroups: Record<string, DgCheck>;
  chain: 'valid' | 'no-anchor' | 'invalid' | 'not-checked';
  dsc: CertSummary | null;
  dscExpired: boolean;
  csca: CertSummary | null;
}

/**
 * A certificate's validity bound as epoch milliseconds. A tampered certificate can carry a time that node
 * formats into a string `Date.parse` rejects; a NaN would make every comparison false and so silently pass
 * a validity check, hence the typed refusal instead.
 */
export function certTime(c: X509Certificate, which: 'validFrom' | 'validTo'): number {
  const t = Date.parse(c[which]);
  if (!Number.isFinite(t)) throw new KioskError(ErrorCodes.TRUST_CHAIN_INVALID, `certificate ${which} is not a valid time`);
  return t;
}

export function summarizeCert(c: X509Certificate): CertSummary {
  return {
    subject: c.subject.replace(/\n/g, ', '),
    issuer: c.issuer.replace(/\n/g, ', '),
    serialNumber: c.serialNumber,
    notBefore: new Date(certTime(c, 'validFrom')).toISOString(),
    notAfter: new Date(certTime(c, 'validTo')).toISOString(),
    fingerprintSha256: fingerprintSha256(c.raw),
  };
}

export interface PassiveAuthInput {
  /** EF.SOD as read (tag 77 included). */
  sod: Buffer;
  /** Every data group read (whole file: tag ‖ length ‖ value). */
  dataGroups: ReadonlyMap<number, Buffer>;
  csca: CscaStore;
  at: Date;
  /** Refuse an expired DSC too (default false, see above). */
  strictDscValidity?: boolean;
  /** SHA-1 in the DSC → CSCA path (default true: DSCs in circulation still use it). */
  allowSha1?: boolean;
}

/** parseSignedData refuses a SignedData without a signer; the EF.SOD's first one is the DSC's. */
const firstSigner = (sd: SignedData) => at(sd.signers, 0, ErrorCodes.PASSPORT_SOD_INVALID, 'EF.SOD signerInfos');

function pickDsc(sd: SignedData): X509Certificate | null {
  const serial = firstSigner(sd).serial;
  const certs = sd.certificates.map((d) => new X509Certificate(d));
  const strip = (h: string) => h.replace(/^0+/, '').toUpperCase();
  if (serial) {
    const hit = certs.find((c) => strip(c.serialNumber) === strip(serial.toString('hex')));
    if (hit) return hit;
  }
  return certs[0] ?? null;
}

export function passiveAuthentication(i: PassiveAuthInput): PassiveAuthResult {
  return passiveAuthenticationWithPath(i).result;
}

/** The result plus the certificates it settled on (for the revocation check of the DSC). */
export function passiveAuthenticationWithPath(i: PassiveAuthInput): { result: PassiveAuthResult; dsc: X509Certificate | null; csca: X509Certificate | null } {
  let dscCert: X509Certificate | null = null;
  let cscaCert: X509Certificate | null = null;
  const r: PassiveAuthResult = {
    verified: false,
    reasons: [],
    signature: 'not-checked',
    signatureAlgorithm: null,
    hashAlgorithm: null,
    dataGroups: {},
    chain: 'not-checked',
    dsc: null,
    dscExpired: false,
    csca: null,
  };
  const fail = (code: ErrorCode, message: string) => r.reasons.push({ code, message });
  let sd: SignedData;
  let lso: LdsSecurityObject;
  try {
    const outer = readTlv(i.sod);
    if (outer.tag !== 0x77) throw new Error('EF.SOD tag is not 77');
    sd = parseSignedData(outer.value);
    lso = ldsSecurityObjectOf(sd);
  } catch (e) {
    fail(ErrorCodes.PASSPORT_SOD_INVALID, `EF.SOD unparsable: ${(e as Error).message}`);
    return { result: r, dsc: null, csca: null };
  }
  r.hashAlgorithm = lso.hashAlgorithm;

  // Data groups: every one read must be listed and match.
  for (const [n, file] of [...i.dataGroups].sort(([a], [b]) => a - b)) {
    const listed = lso.hashes.get(n);
    if (!listed) {
      r.dataGroups[`dg${n}`] = 'not-listed';
      fail(ErrorCodes.PASSPORT_DG_NOT_LISTED, `DG${n} was read but the SOD does not list it`);
      continue;
    }
    let ok = false;
    try {
      ok = createHash(lso.hashAlgorithm).update(file).digest().equals(listed);
    } catch {
      ok = false;
    }
    r.dataGroups[`dg${n}`] = ok ? 'match' : 'mismatch';
    if (!ok) fail(ErrorCodes.PASSPORT_DG_HASH_MISMATCH, `DG${n} does not match its hash in the SOD`);
  }

  // Signature by the Document Signer.
  let dsc: X509Certificate | null = null;
  try {
    dsc = pickDsc(sd);
  } catch (e) {
    fail(ErrorCodes.PASSPORT_SOD_INVALID, `DSC certificate unparsable: ${(e as Error).message}`);
  }
  if (!dsc) {
    fail(ErrorCodes.PASSPORT_SOD_INVALID, 'EF.SOD carries no Document Signer certificate');
    return { result: r, dsc: null, csca: null };
  }
  dscCert = dsc;
  try {
    r.dsc = summarizeCert(dsc);
  } catch (e) {
    fail(ErrorCodes.PASSPORT_SOD_INVALID, `DSC certificate: ${isKioskError(e) ? e.message : 'unreadable'}`);
    return { result: r, dsc: null, csca: null };
  }
  // `publicKey` throws on a key node cannot import (unknown curve, malformed SPKI): a failed signature.
  let dscKey: KeyObject | null = null;
  try {
    dscKey = dsc.publicKey;
  } catch {
    dscKey = null;
  }
  const sig = dscKey
    ? verifySigner(firstSigner(sd), sd.eContentType, sd.eContent, dscKey)
    : { ok: false as const, reason: 'the DSC public key cannot be imported' };
  r.signature = sig.ok ? 'valid' : 'invalid';
  r.signatureAlgorithm = sig.ok ? sig.algorithm : firstSigner(sd).signatureAlgorithm;
  if (!sig.ok) fail(ErrorCodes.PASSPORT_SOD_INVALID, `SOD signature: ${sig.reason}`);

  // DSC → CSCA through the one path validator (passport profile: CSCA valid when it issued the DSC, DSC
  // expiry reported, SHA-1 as configured).
  const chain = validateChain(dsc, i.csca.trustStore(), passportDscProfile(i.at, { allowSha1: i.allowSha1 }));
  if (chain.valid) {
    r.chain = 'valid';
    cscaCert = chain.anchor;
    r.csca = summarizeCert(chain.anchor);
    r.dscExpired = chain.leafExpired;
    if (chain.leafExpired && i.strictDscValidity) fail(ErrorCodes.TRUST_CERT_EXPIRED, 'the DSC has expired');
  } else {
    r.chain = chain.code === ErrorCodes.TRUST_NO_ANCHOR ? 'no-anchor' : 'invalid';
    fail(chain.code, `DSC → CSCA: ${chain.message}`);
  }
  r.verified = r.reasons.length === 0;
  return { result: r, dsc: dscCert, csca: cscaCert };
}

/**
 * The data-group numbers EF.SOD's LDSSecurityObject lists, read before the signature is checked: the
 * reader uses them to decide what it must read and which anti-clone protocols it must run (EF.COM is not
 * signed, so a clone can edit it). Trusting the list before the signature is safe because passive
 * authentication later refuses any SOD whose signature does not hold. Null when EF.SOD does not parse.
 */
export function sodDataGroupNumbers(sod: Buffer): number[] | null {
  try {
    const outer = readTlv(sod);
    if (outer.tag !== 0x77) return null;
    return [...ldsSecurityObjectOf(parseSignedData(outer.value)).hashes.keys()].sort((a, b) => a - b);
  } catch {
    return null;
  }
}
