// Decides on a passport read. Authenticity `proven` needs passive authentication (SOD signature, every
// data-group hash, DSC → CSCA of the issuing state) AND the chip's anti-clone proof for every protocol the
// SOD (signed) offers: chip authentication when it lists DG14 with a CA key, active authentication when
// it lists DG15. A data group the SOD lists that the chip will not serve, or a protocol that fails, is a
// clone suspect (authenticity `failed`, refused). A passport whose SOD lists neither DG14 nor DG15 offers
// no clone check: its signed data can still be `proven` (ICAO 9303-11 §5.1 alone), and `clone-check:
// not-offered` says that a copy of such a chip cannot be told apart. A CA key type the kiosk cannot use
// (DH) leaves the chip unproven: `chip-read`, never verified. Verdict: `verified` only for proven data
// with every other check held (DG1 check digits, expiry, DSC revocation); `chip-read` when the only gap
// is proof (no anchor configured, CA unsupported); `refused` otherwise. Holder binding is `mrz-only`.
import { ErrorCodes } from '../../../core/errors.ts';
import type { Reason } from '../../result/result-view.ts';
import type { CscaStore } from './pki/csca-store.ts';
import type { FaceImage } from './datagroups/data-groups.ts';
import type { MrzFields } from './datagroups/mrz.ts';
import type { RevocationChecker } from '../../trust/revocation.ts';
import { passiveAuthenticationWithPath, type PassiveAuthResult } from './pki/passive-auth.ts';
import { cscaCountryOf } from './pki/issuing-state.ts';
import type { PassportEvidence } from './passport-read.ts';

/** Converts the DG2 face for the screen; resolves null when it cannot (reported as "not-decoded"). */
export type FaceConverter = (face: FaceImage) => Promise<{ mime: string; data: Buffer } | null>;

export interface PassportResult {
  document: 'passport';
  verdict: 'verified' | 'chip-read' | 'refused';
  /** What the evidence proves about the document (see the header). */
  authenticity: 'proven' | 'chip-read' | 'failed';
  /** The presenter typed (or scanned) the MRZ access key; nothing else ties them to the chip. */
  holderBinding: 'mrz-only';
  /** Every check made and its result; checks not made say so. */
  checks: Record<string, string>;
  reasons: Reason[];
  access: 'BAC' | 'PACE';
  paceFallback: string | null;
  secureMessaging: string;
  /** DG1's MRZ fields as parsed, less the MRZ format and its optional-data field. */
  dg1: Omit<MrzFields, 'format' | 'optionalData'>;
  expired: boolean;
  dataGroupsRead: number[];
  /** Data groups the SOD lists (signed), or null when EF.SOD does not parse. */
  dataGroupsListed: number[] | null;
  /** Listed in the SOD, not served by the chip. */
  dataGroupsMissing: number[];
  /** CSCA subject country vs DG1 issuing state. */
  cscaCountry: { status: 'match' | 'exception' | 'mismatch' | 'not-checked'; expected: string | null; csca: string | null };
  /** Whether the chip proved it is the original (AA/CA as the SOD offers them). */
  cloneCheck: 'verified' | 'failed' | 'unsupported' | 'not-offered' | 'not-checked';
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
  /** Deployment exceptions to "CSCA country = issuing state" (config passport.cscaCountryExceptions). */
  cscaCountryExceptions?: readonly CscaCountryException[];
}

/** A state whose passports are signed under another country's CSCA (e.g. a territory), listed by config. */
export interface CscaCountryException {
  /** DG1 issuing state, ICAO 9303-3 three-letter code. */
  issuingState: string;
  /** The CSCA subject's C attribute accepted for it (ISO 3166-1 alpha-2). */
  cscaCountry: string;
}

/** The subject C attribute of a certificate (node prints the subject one attribute per line). */
export function subjectCountry(subject: string): string | null {
  const m = /^C=([A-Za-z]{2})$/m.exec(subject);
  return m?.[1]?.toUpperCase() ?? null;
}

/** Reasons that only say the data is not proven (no refusal by themselves: outcome chip-read). */
const NOT_PROVEN: ReadonlySet<string> = new Set([ErrorCodes.TRUST_NO_ANCHOR]);
/** Reasons that are not about authenticity (the document may be proven and still refused). */
const NOT_AUTHENTICITY: ReadonlySet<string> = new Set([
  ErrorCodes.PASSPORT_EXPIRED,
  ErrorCodes.PASSPORT_MRZ_INVALID,
  ErrorCodes.TRUST_REVOKED,
  ErrorCodes.TRUST_REVOCATION_UNKNOWN,
]);

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
    if (rs.status === 'unknown' && o.revocationPolicy === 'require')
      reasons.push({ code: ErrorCodes.TRUST_REVOCATION_UNKNOWN, message: `DSC revocation unknown (${rs.reason})` });
  }
  if (!ev.dg1.checkDigitsValid) reasons.push({ code: ErrorCodes.PASSPORT_MRZ_INVALID, message: 'DG1 MRZ check digits do not hold' });
  const expired = expiryPassed(ev.dg1.dateOfExpiry, o.at);
  if (expired) reasons.push({ code: ErrorCodes.PASSPORT_EXPIRED, message: `the passport expired (${ev.dg1.dateOfExpiry})` });

  // CSCA country = DG1 issuing state (9303-12 §7.1), unless the deployment lists an exception.
  const cscaCountry: PassportResult['cscaCountry'] = { status: 'not-checked', expected: null, csca: null };
  if (path.csca) {
    const state = ev.dg1.issuingState.replace(/<+$/, '');
    const exception = o.cscaCountryExceptions?.find((x) => x.issuingState === state);
    cscaCountry.expected = exception?.cscaCountry.toUpperCase() ?? cscaCountryOf(state);
    cscaCountry.csca = subjectCountry(path.csca.subject);
    cscaCountry.status = cscaCountry.csca !== null && cscaCountry.csca === cscaCountry.expected ? (exception ? 'exception' : 'match') : 'mismatch';
    if (cscaCountry.status === 'mismatch') {
      reasons.push({
        code: ErrorCodes.PASSPORT_CSCA_COUNTRY_MISMATCH,
        message: `the CSCA is of ${cscaCountry.csca ?? 'no country'}, the passport of ${state} (${cscaCountry.expected ?? 'no known CSCA country'})`,
      });
    }
  }

  // Data groups the SOD lists but the chip will not serve: a genuine chip serves every one it was signed with.
  for (const n of ev.missing) reasons.push({ code: ErrorCodes.PASSPORT_DG_MISSING, message: `DG${n} is listed in the SOD but the chip does not serve it` });

  // Anti-clone protocols the SOD offers are required; EF.COM's word is not enough to skip one.
  const listed = (n: number) => ev.sodListed?.includes(n) === true;
  const aaRequired = listed(15);
  const aa: PassportResult['activeAuthentication'] = ev.aa
    ? { status: ev.aa.status, algorithm: ev.aa.algorithm, challenge: ev.aa.challenge, reason: ev.aa.reason }
    : { status: 'not-supported', algorithm: null, challenge: null };
  // Required by the SOD, or run and failed. EF.COM alone (unsigned) neither requires nor excuses AA.
  if ((aaRequired && aa.status !== 'verified') || ev.aa?.status === 'failed') {
    const why = ev.aa?.reason ?? (ev.missing.includes(15) ? 'DG15 is listed in the SOD but not served' : 'not completed');
    reasons.push({ code: ErrorCodes.PASSPORT_AA_FAILED, message: `active authentication ${ev.aa ? 'failed' : 'was not completed'}: ${why}` });
    aa.status = 'failed';
    aa.reason = why;
  }
  const caRequired = listed(14) && (ev.caAdvertised || ev.missing.includes(14));
  const ca: PassportResult['chipAuthentication'] = ev.ca
    ? { status: ev.ca.status, protocol: ev.ca.protocol, reason: ev.ca.reason }
    : { status: 'not-supported', protocol: null };
  if (ev.missing.includes(14)) {
    ca.status = 'failed';
    ca.reason = 'DG14 is listed in the SOD but not served';
  }
  if (ca.status === 'failed') reasons.push({ code: ErrorCodes.PASSPORT_CA_FAILED, message: `chip authentication failed${ca.reason ? `: ${ca.reason}` : ''}` });
  const caUnproven = (caRequired || ev.caAdvertised) && ca.status !== 'verified' && ca.status !== 'failed';

  let cloneCheck: PassportResult['cloneCheck'];
  if (ev.sodListed === null) cloneCheck = 'not-checked';
  else if (aa.status === 'failed' || ca.status === 'failed') cloneCheck = 'failed';
  else if (caUnproven) cloneCheck = 'unsupported';
  else if (aaRequired || caRequired) cloneCheck = 'verified';
  else cloneCheck = 'not-offered';

  const failedAuth = reasons.some((r) => !NOT_PROVEN.has(r.code) && !NOT_AUTHENTICITY.has(r.code));
  const authenticity: PassportResult['authenticity'] = failedAuth
    ? 'failed'
    : pa.verified && pa.chain === 'valid' && (cloneCheck === 'verified' || cloneCheck === 'not-offered') && cscaCountry.status !== 'not-checked'
      ? 'proven'
      : 'chip-read';
  const otherFailures = reasons.some((r) => !NOT_PROVEN.has(r.code));
  const verdict: PassportResult['verdict'] = otherFailures || authenticity === 'failed' ? 'refused' : authenticity === 'proven' ? 'verified' : 'chip-read';

  const dgChecks: Record<string, string> = Object.fromEntries(Object.entries(pa.dataGroups).map(([k, v]) => [`${k}-hash`, v]));
  for (const n of ev.missing) dgChecks[`dg${n}-hash`] = 'missing';
  const checks: Record<string, string> = {
    access: ev.access,
    'passive-authentication': pa.verified ? 'verified' : 'failed',
    'sod-signature': pa.signature,
    'dsc-chain': pa.chain,
    'csca-country': cscaCountry.status,
    ...dgChecks,
    'chip-authentication': ca.status === 'not-supported' ? (caRequired ? 'not-checked' : 'not-offered') : ca.status,
    'active-authentication': aa.status === 'not-supported' ? 'not-offered' : aa.status,
    'clone-check': cloneCheck,
    'mrz-check-digits': ev.dg1.checkDigitsValid ? 'valid' : 'invalid',
    expiry: expired ? 'expired' : 'valid',
    'dsc-revocation': dscRevocation,
  };

  let face: PassportResult['face'] = null;
  if (ev.face) {
    // DG2 reaches the image decoder only for a verified passport: a face whose hash failed passive
    // authentication (or that nothing proved) must never be fed to opj_decompress (issue 17).
    const convert = verdict === 'verified' ? o.faceConverter : undefined;
    const display = convert ? await convert(ev.face).catch(() => null) : null;
    face = { format: ev.face.format, bytes: ev.face.data.length, display };
    checks['face-decode'] = verdict !== 'verified' ? 'skipped-not-proven' : display ? 'decoded' : 'not-decoded';
  }
  const { format: _f, optionalData: _o, ...dg1 } = ev.dg1;
  return {
    document: 'passport',
    verdict,
    authenticity,
    holderBinding: 'mrz-only',
    checks,
    reasons,
    access: ev.access,
    paceFallback: ev.paceFallback,
    secureMessaging: ev.smCipher,
    dg1,
    expired,
    dataGroupsRead: [...ev.dataGroups.keys()].sort((a, b) => a - b),
    dataGroupsListed: ev.sodListed,
    dataGroupsMissing: [...ev.missing],
    cscaCountry,
    cloneCheck,
    passiveAuthentication: pa,
    dscRevocation,
    activeAuthentication: aa,
    chipAuthentication: ca,
    face,
  };
}
