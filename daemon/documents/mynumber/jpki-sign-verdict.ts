// Decides what JPKI signing evidence proves, exactly like the authentication verdict: the card holds the
// private key of the signing certificate (its PKCS#1 v1.5 signature over the host's SHA-256 DigestInfo
// verifies), the certificate chains to a configured JPKI signing CA (trust purpose "jpkiSign", policy
// 1.2.392.200149.8.5.1.1.20) and is valid now, and it is not revoked ("unknown" refuses: fail closed).
// The holder's 4 info come from the certificate's subjectAltName; a signing certificate is revoked when
// name or address change, so "good" revocation is also what makes them current.
import { at } from '../../../core/checked.ts';
import { type X509Certificate, constants, publicDecrypt } from 'node:crypto';
import { ErrorCodes } from '../../../core/errors.ts';
import { unassessed, type VerdictFields } from '../../result/result-view.ts';
import { validateChain } from '../../trust/chain.ts';
import type { RevocationChecker } from '../../trust/revocation.ts';
import type { TrustStore } from '../../trust/trust-store.ts';
import { parseExtensions } from '../../trust/x509-extensions.ts';
import { holderText, type HolderText } from './holder-text.ts';
import { checkRevocation, jpkiAuthenticity, readCardCertificate, type JpkiCertificateChecks } from './jpki-auth-verdict.ts';
import { jpkiSignAttributes, type JpkiSignAttributes } from './jpki-sign-san.ts';
import { sha256DigestInfoOfDigest } from './jpki-card.ts';
import type { JpkiSignEvidence } from './jpki-sign.ts';

/** Certificate policy of JPKI signing certificates (J-LIS profile, as used by third-party code). */
export const JPKI_SIGN_POLICY_OID = '1.2.392.200149.8.5.1.1.20';

export interface JpkiSignHolder {
  name: HolderText | null;
  address: HolderText | null;
  dateOfBirth: string | null;
  dateOfBirthRaw: string | null;
  sex: JpkiSignAttributes['sex'];
  sexCode: string | null;
}

/**
 * authenticity proven: data signature + chain + revocation 'good' (jpkiAuthenticity); holderBinding 'password'
 * once the card accepted the 署名用パスワード; never chip-read.
 */
export interface JpkiSignResult extends VerdictFields<'verified' | 'refused'>, JpkiCertificateChecks {
  document: 'mynumber-sign';
  passwordTriesBefore: number | null;
  /** Hex SHA-256 of the transaction data the card signed. */
  dataSha256: string | null;
  /** Base64 of the card's signature (the host may keep it with the transaction). */
  signature: string | null;
  dataSignature: 'valid' | 'invalid' | 'not-checked';
  holder: JpkiSignHolder | null;
}

export interface AssessSignOptions {
  trust: TrustStore;
  revocation: RevocationChecker;
  at: Date;
}

export function emptySignResult(): JpkiSignResult {
  return {
    document: 'mynumber-sign',
    certificate: null,
    passwordTriesBefore: null,
    dataSha256: null,
    signature: null,
    dataSignature: 'not-checked',
    chain: 'not-checked',
    revocation: 'unknown',
    holder: null,
    ...unassessed(),
  };
}

/** RSA PKCS#1 v1.5: the signature must decrypt to exactly the expected SHA-256 DigestInfo. */
export function signatureMatchesDigest(cert: X509Certificate, digest: Buffer, signature: Buffer): boolean {
  try {
    const recovered = publicDecrypt({ key: cert.publicKey, padding: constants.RSA_PKCS1_PADDING }, signature);
    return recovered.equals(sha256DigestInfoOfDigest(digest));
  } catch {
    return false;
  }
}

export async function assessJpkiSign(ev: JpkiSignEvidence, o: AssessSignOptions): Promise<JpkiSignResult> {
  const result = emptySignResult();
  result.holderBinding = 'password'; // the card signs only after the 署名用パスワード was accepted
  result.passwordTriesBefore = ev.passwordTriesBefore;
  result.dataSha256 = ev.dataDigest.toString('hex');
  result.signature = ev.signature.toString('base64');
  const cert = readCardCertificate(ev.certificateDer, result);
  if (!cert) return result;

  const sigOk = signatureMatchesDigest(cert, ev.dataDigest, ev.signature);
  result.dataSignature = sigOk ? 'valid' : 'invalid';
  if (!sigOk) result.reasons.push({ code: ErrorCodes.CARD_SIGNATURE_INVALID, message: 'the card’s signature over the transaction data does not verify' });

  // A signing key may be marked digitalSignature, nonRepudiation or both; one of them is required.
  let usageOk = false;
  try {
    const ku = parseExtensions(cert.raw).keyUsage;
    usageOk = !!ku && (ku.has('digitalSignature') || ku.has('nonRepudiation'));
  } catch {
    usageOk = false;
  }
  const chain = validateChain(cert, o.trust, { at: o.at, leafKeyUsage: [], leafPolicy: JPKI_SIGN_POLICY_OID });
  result.chain = chain.valid && usageOk ? 'valid' : 'invalid';
  if (!usageOk) result.reasons.push({ code: ErrorCodes.TRUST_KEY_USAGE, message: 'certificate allows neither digitalSignature nor nonRepudiation' });
  if (!chain.valid) {
    result.reasons.push({ code: chain.code, message: chain.message });
  } else {
    await checkRevocation(result, cert, at(chain.path, 1, ErrorCodes.INTERNAL, 'certificate path'), o.revocation, chain.path.slice(2));
  }

  try {
    const a = jpkiSignAttributes(cert.raw);
    result.holder = {
      name: a.name === null ? null : holderText(a.name, a.nameSubstitute),
      address: a.address === null ? null : holderText(a.address, a.addressSubstitute),
      dateOfBirth: a.dateOfBirth,
      dateOfBirthRaw: a.dateOfBirth ? null : a.dateOfBirthRaw,
      sex: a.sex,
      sexCode: a.sexCode,
    };
    if (a.name === null) result.reasons.push({ code: ErrorCodes.TRUST_CERT_MALFORMED, message: 'the signing certificate carries no holder name' });
  } catch (e) {
    result.reasons.push({ code: ErrorCodes.TRUST_CERT_MALFORMED, message: (e as Error).message });
  }
  result.authenticity = jpkiAuthenticity(result.dataSignature, result.chain, result.revocation);
  result.verdict = result.reasons.length === 0 && result.authenticity === 'proven' ? 'verified' : 'refused';
  return result;
}
