// Decides on a passport read: verified only when access control succeeded, passive authentication holds
// (SOD signature, every data-group hash, DSC → CSCA), DG1's MRZ is consistent, the document has not
// expired, and every advertised chip check passed — AA when DG15 is present, CA when DG14 offers a key
// (a chip that advertises them and fails is a clone suspect). A CA key type the kiosk cannot use (DH) is
// reported as "unsupported" and does not by itself refuse.
import { ErrorCodes, type ErrorCode } from '../../errors.ts';
import type { CscaStore } from './csca-store.ts';
import type { FaceImage } from './data-groups.ts';
import type { RevocationChecker } from '../../trust/revocation.ts';
import { passiveAuthenticationWithPath, type PassiveAuthResult } from './passive-auth.ts';
import type { PassportEvidence } from './passport-read.ts';

export interface Reason {
  code: ErrorCode;
  message: string;
}

/** Converts the DG2 face for the screen; resolves null when it cannot (reported as "not-decoded"). */
export type FaceConverter = (face: FaceImage) => Promise<{ mime: string; data: Buffer } | null>;

export interface PassportResult {
  document: 'passport';
  verdict: 'verified' | 'refused';
  reasons: Reason[];
  access: 'BAC' | 'PACE';
  paceFallback: string | null;
  secureMessaging: string;
  dg1: {
    documentCode: string;
    issuingState: string;
    documentNumber: string;
    dateOfBirth: string;
    dateOfExpiry: string;
    surname: string;
    givenNames: string;
    nationality: string;
    sex: string;
    checkDigitsValid: boolean;
  };
  expired: boolean;
  dataGroupsRead: number[];
  passiveAuthentication: PassiveAuthResult;
  /** DSC revocation: 'not-checked' without a source or without a valid chain. */
  dscRevocation: 'good' | 'revoked' | 'unknown' | 'not-checked';
  activeAuthentication: { status: 'verified' | 'failed' | 'not-supported'; algorithm: string | null; challenge: string | null; reason?: string };
  chipAuthentication: { status: 'verified' | 'failed' | 'unsupported' | 'not-supported'; protocol: string | null; reason?: string };
  face: { format: string; bytes: number; display: { mime: string; data: Buffer } | null } | null;
}

export interface AssessPassportOptions {
  csca: CscaStore;
  at: Date;
  strictDscValidity?: boolean;
  faceConverter?: FaceConverter;
  /** Revocation source for the DSC (CSCA CRLs). Revoked always refuses; unknown refuses only under 'require'. */
  revocation?: RevocationChecker;
  revocationPolicy?: 'report' | 'require';
}

/** YYMMDD expiry → end of that day (UTC); the century is 20YY (passports are valid ≤ 10 years). */
export function expiryPassed(yymmdd: string, at: Date): boolean {
  if (!/^[0-9]{6}$/.test(yymmdd)) return true;
  const end = Date.UTC(2000 + Number(yymmdd.slice(0, 2)), Number(yymmdd.slice(2, 4)) - 1, Number(yymmdd.slice(4, 6)) + 1);
  return at.getTime() >= end;
}

export async function assessPassport(ev: PassportEvidence, o: AssessPassportOptions): Promise<PassportResult> {
  const reasons: Reason[] = [];
  const path = passiveAuthenticationWithPath({ sod: ev.sod, dataGroups: ev.dataGroups, csca: o.csca, at: o.at, strictDscValidity: o.strictDscValidity });
  const pa = path.result;
  reasons.push(...pa.reasons);
  let dscRevocation: PassportResult['dscRevocation'] = 'not-checked';
  if (o.revocation && path.dsc && path.csca) {
    const rs = await o.revocation.check(path.dsc, path.csca);
    dscRevocation = rs.status;
    if (rs.status === 'revoked') reasons.push({ code: ErrorCodes.TRUST_REVOKED, message: `the Document Signer certificate is revoked (${rs.revokedAt})` });
    if (rs.status === 'unknown' && o.revocationPolicy === 'require') reasons.push({ code: ErrorCodes.TRUST_REVOCATION_UNKNOWN, message: `DSC revocation unknown (${rs.reason})` });
  }
  if (!ev.dg1.checkDigitsValid) reasons.push({ code: ErrorCodes.PASSPORT_MRZ_INVALID, message: 'DG1 MRZ check digits do not hold' });
  const expired = expiryPassed(ev.dg1.dateOfExpiry, o.at);
  if (expired) reasons.push({ code: ErrorCodes.PASSPORT_EXPIRED, message: `the passport expired (${ev.dg1.dateOfExpiry})` });

  const aa: PassportResult['activeAuthentication'] = ev.aa
    ? { status: ev.aa.status, algorithm: ev.aa.algorithm, challenge: ev.aa.challenge, reason: ev.aa.reason }
    : { status: 'not-supported', algorithm: null, challenge: null };
  if (ev.aaAdvertised && aa.status !== 'verified') {
    reasons.push({ code: ErrorCodes.PASSPORT_AA_FAILED, message: `active authentication ${ev.aa ? 'failed' : 'was not completed'}${ev.aa?.reason ? `: ${ev.aa.reason}` : ''}` });
    if (!ev.aa) aa.status = 'failed';
  }
  const ca: PassportResult['chipAuthentication'] = ev.ca ? { status: ev.ca.status, protocol: ev.ca.protocol, reason: ev.ca.reason } : { status: 'not-supported', protocol: null };
  if (ev.caAdvertised && ca.status === 'failed') reasons.push({ code: ErrorCodes.PASSPORT_CA_FAILED, message: `chip authentication failed${ca.reason ? `: ${ca.reason}` : ''}` });

  let face: PassportResult['face'] = null;
  if (ev.face) {
    const display = o.faceConverter ? await o.faceConverter(ev.face).catch(() => null) : null;
    face = { format: ev.face.format, bytes: ev.face.data.length, display };
  }
  const { format: _f, optionalData: _o, ...dg1 } = ev.dg1;
  return {
    document: 'passport',
    verdict: reasons.length === 0 ? 'verified' : 'refused',
    reasons,
    access: ev.access,
    paceFallback: ev.paceFallback,
    secureMessaging: ev.smCipher,
    dg1,
    expired,
    dataGroupsRead: [...ev.dataGroups.keys()].sort((a, b) => a - b),
    passiveAuthentication: pa,
    dscRevocation,
    activeAuthentication: aa,
    chipAuthentication: ca,
    face,
  };
}
