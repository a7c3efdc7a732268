// Decides what JPKI user-authentication evidence proves: the card holds the private key of the
// certificate (challenge signature), the certificate chains to a configured JPKI authentication CA and
// is valid now, and it is not revoked. Revocation "unknown" refuses: the kiosk fails closed.
import { at } from '../../../core/checked.ts';
import { X509Certificate, constants, verify } from 'node:crypto';
import { ErrorCodes } from '../../../core/errors.ts';
import type { Authenticity, HolderBinding, Reason } from '../../result/result-view.ts';
import { validateChain } from '../../trust/chain.ts';
import type { RevocationChecker, RevocationStatus } from '../../trust/revocation.ts';
import { fingerprintSha256, type TrustStore } from '../../trust/trust-store.ts';
import type { JpkiAuthEvidence } from './jpki-auth.ts';

/** Certificate policy of JPKI user-authentication certificates (J-LIS profile). */
export const JPKI_AUTH_POLICY_OID = '1.2.392.200149.8.5.1.3.30';

export interface CertificateSummary {
  serialNumber: string;
  fingerprintSha256: string;
  issuer: string;
  notAfter: string;
}

/** What both JPKI verdicts (authentication and signing) report about the card's certificate. */
export interface JpkiCertificateChecks {
  certificate: CertificateSummary | null;
  chain: 'valid' | 'invalid' | 'not-checked';
  revocation: 'good' | 'revoked' | 'unknown';
  revocationDetail?: RevocationStatus;
  /** SHA-256 of the issuing CA certificate, once the chain is valid. */
  issuerFingerprintSha256?: string;
}

export interface JpkiAuthResult extends JpkiCertificateChecks {
  document: 'mynumber-jpki-auth';
  pinTriesBefore: number | null;
  challengeSignature: 'valid' | 'invalid' | 'not-checked';
  /** proven: challenge signature + chain to a configured anchor + revocation 'good' (the chip proved the key). */
  authenticity?: Authenticity | null;
  /** 'pin' once the card accepted the 利用者証明用 PIN (the challenge signature needs it). */
  holderBinding?: HolderBinding | null;
  verdict: 'verified' | 'refused';
  reasons: Reason[];
}

/**
 * What a JPKI verdict proves about the card (shared by authentication and signing): `proven` only when the
 * card's signature, the chain and revocation all hold; `failed` when one of them disproves it (bad
 * signature, broken chain, revoked); null when it could not be established (e.g. revocation unknown).
 */
export function jpkiAuthenticity(
  signature: 'valid' | 'invalid' | 'not-checked',
  chain: 'valid' | 'invalid' | 'not-checked',
  revocation: 'good' | 'revoked' | 'unknown',
): Authenticity | null {
  if (signature === 'invalid' || chain === 'invalid' || revocation === 'revoked') return 'failed';
  if (signature === 'valid' && chain === 'valid' && revocation === 'good') return 'proven';
  return null;
}

export interface AssessOptions {
  trust: TrustStore;
  revocation: RevocationChecker;
  at: Date;
}

/**
 * A certificate time as ISO 8601. A tampered certificate can carry a time node formats into a string Date
 * cannot read; `toISOString` would then throw a RangeError out of the verdict (found by fuzzing, issue 17).
 * The chain check refuses such a certificate (TRUST_CERT_MALFORMED); the summary only has to say so.
 */
function isoTime(s: string): string {
  const t = Date.parse(s);
  return Number.isNaN(t) ? `unreadable (${s})` : new Date(t).toISOString();
}

export function summarize(cert: X509Certificate): CertificateSummary {
  return {
    serialNumber: cert.serialNumber.toLowerCase(),
    fingerprintSha256: fingerprintSha256(cert.raw).toLowerCase(),
    issuer: cert.issuer.replace(/\n/g, ', '),
    notAfter: isoTime(cert.validTo),
  };
}

/**
 * The card's certificate (JPKI authentication or signing), summarised into the result; null, with the
 * result marked failed and the reason named, when it does not parse.
 */
export function readCardCertificate(
  der: Buffer,
  result: { certificate: CertificateSummary | null; authenticity?: Authenticity | null; reasons: Reason[] },
): X509Certificate | null {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch (e) {
    result.reasons.push({ code: ErrorCodes.TRUST_CERT_MALFORMED, message: `certificate does not parse: ${(e as Error).message}` });
    result.authenticity = 'failed';
    return null;
  }
  result.certificate = summarize(cert);
  return cert;
}

export async function assessJpkiAuth(ev: JpkiAuthEvidence, o: AssessOptions): Promise<JpkiAuthResult> {
  const result: JpkiAuthResult = {
    document: 'mynumber-jpki-auth',
    certificate: null,
    pinTriesBefore: ev.pinTriesBefore,
    challengeSignature: 'not-checked',
    chain: 'not-checked',
    revocation: 'unknown',
    authenticity: null,
    holderBinding: 'pin',
    verdict: 'refused',
    reasons: [],
  };
  const cert = readCardCertificate(ev.certificateDer, result);
  if (!cert) return result;

  let sigOk = false;
  try {
    sigOk = verify('sha256', ev.challenge, { key: cert.publicKey, padding: constants.RSA_PKCS1_PADDING }, ev.signature);
  } catch {
    sigOk = false;
  }
  result.challengeSignature = sigOk ? 'valid' : 'invalid';
  if (!sigOk) {
    result.reasons.push({ code: ErrorCodes.CARD_SIGNATURE_INVALID, message: 'the card did not prove possession of the certificate key' });
  }

  const chain = validateChain(cert, o.trust, { at: o.at, leafKeyUsage: ['digitalSignature'], leafPolicy: JPKI_AUTH_POLICY_OID });
  result.chain = chain.valid ? 'valid' : 'invalid';
  if (!chain.valid) {
    result.reasons.push({ code: chain.code, message: chain.message });
  } else {
    await checkRevocation(result, cert, at(chain.path, 1, ErrorCodes.INTERNAL, 'certificate path'), o.revocation, chain.path.slice(2));
  }
  result.authenticity = jpkiAuthenticity(result.challengeSignature, result.chain, result.revocation);
  result.verdict = result.reasons.length === 0 && result.authenticity === 'proven' ? 'verified' : 'refused';
  return result;
}

/** The revocation step both JPKI verdicts share: ask the checker, record what answered, fail closed. */
export async function checkRevocation(
  result: { reasons: Reason[]; revocation: 'good' | 'revoked' | 'unknown'; revocationDetail?: RevocationStatus; issuerFingerprintSha256?: string },
  cert: X509Certificate,
  issuer: X509Certificate,
  checker: RevocationChecker,
  // the validated path above the issuer: after a CA key rollover the CRL may be signed by the CA's other
  // key, which a source may take only from this path (RFC 5280 §6.3.3 (f))
  above: readonly X509Certificate[] = [],
): Promise<void> {
  result.issuerFingerprintSha256 = fingerprintSha256(issuer.raw).toLowerCase();
  const status = await checker.check(cert, issuer, above);
  result.revocation = status.status;
  result.revocationDetail = status;
  if (status.status === 'revoked') {
    result.reasons.push({ code: ErrorCodes.TRUST_REVOKED, message: `certificate revoked ${status.revokedAt}${status.reason ? ` (${status.reason})` : ''}` });
  } else if (status.status === 'unknown') {
    result.reasons.push({ code: ErrorCodes.TRUST_REVOCATION_UNKNOWN, message: `revocation status unknown (${status.reason}); the kiosk fails closed` });
  }
}
