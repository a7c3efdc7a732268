// The option sets (profiles) under which the one path validator (chain.ts) serves documents other than
// JPKI and the residence card (passport DSC, CSCA link, master-list signer), OCSP responders and the fleet's
// device certificates, whose verdicts pass their own policy OIDs and key usages with the defaults
// (anchor checked like a CA, valid now; SHA-1 never). Each profile says why it departs from the defaults.
import { KEY_ONLY_ANCHOR, type AnchorRules, type ChainPolicy } from './chain.ts';

/**
 * A CSCA as anchor (ICAO 9303-12 §5, §7.1): a CA (the CSCA store admits only self-signed CA certificates
 * and link certificates validated under them) allowed to sign certificates, valid when it signed. Its
 * pathLenConstraint is 0 by the ICAO profile and DSCs sit directly below it, so it is applied. The rest of
 * the anchor certificate is not path input (RFC 5280 §6.1.1 (d)): real CSCAs are not all well-formed.
 */
const CSCA_ANCHOR: AnchorRules = { ...KEY_ONLY_ANCHOR, constraints: true, requireBasicConstraints: true, validity: 'checked' };

export interface PassportChainOptions {
  /** SHA-1 signatures (default true: many DSCs and CSCAs still in circulation use them). */
  allowSha1?: boolean;
}

/**
 * DSC → CSCA (ICAO 9303-11 §5.1, 9303-12 §7.1): the DSC directly below a CSCA (or an accepted link
 * certificate), with digitalSignature; the CSCA valid when it issued the DSC (the chain model: a passport
 * outlives the CSCA key's usage period); an expired DSC reported rather than refused, because a DSC's
 * validity ends with the passports it signed and the verdict decides (`--strict-dsc`).
 */
export function passportDscProfile(at: Date, o: PassportChainOptions = {}): ChainPolicy {
  return {
    at,
    leafKeyUsage: ['digitalSignature'],
    allowSha1: o.allowSha1 ?? true,
    maxDepth: 1,
    anchor: CSCA_ANCHOR,
    issuerValidity: 'issuance',
    leafExpiry: 'report',
  };
}

/**
 * A CSCA link certificate (the new CSCA key certified by the previous one, ICAO 9303-12 §5.1) validated
 * under the CSCAs trusted so far, before its own key becomes an anchor: a CA certificate allowed to sign
 * certificates, directly below an anchor that was valid when the link was issued. It is validated as of its
 * own issuance (the chain model): whether it was still valid when it signed a DSC is checked on the DSC's
 * path, where it is the anchor.
 */
export function cscaLinkProfile(link: { validFrom: string }, o: PassportChainOptions = {}): ChainPolicy {
  const issued = Date.parse(link.validFrom);
  return {
    at: new Date(Number.isNaN(issued) ? 0 : issued),
    leafKeyUsage: [],
    leafRole: 'ca',
    allowSha1: o.allowSha1 ?? true,
    maxDepth: 1,
    anchor: CSCA_ANCHOR,
    issuerValidity: 'issuance',
    leafExpiry: 'report',
  };
}

/** id-icao-mrtd-security-cscaMasterListSigningKey, the master-list signer's extKeyUsage (ICAO 9303-12 §7.1.1). */
export const MASTER_LIST_SIGNING = '2.23.136.1.1.3';

/**
 * A CSCA master-list signer (ICAO 9303-12 §7.1.1, §8) under the CA that vouches for it — a configured
 * CSCA or the root given to `idkiosk passport import-master-list`: digitalSignature and the master-list
 * extKeyUsage, valid now, at most one CA between it and the anchor, checked as a CSCA anchor (real ones are
 * not all well-formed). SHA-1 is refused: list signers are current certificates, not decade-old CSCAs.
 */
export function masterListSignerProfile(at: Date): ChainPolicy {
  return { at, leafKeyUsage: ['digitalSignature'], leafExtendedKeyUsage: MASTER_LIST_SIGNING, maxDepth: 2, anchor: CSCA_ANCHOR };
}

/**
 * A kiosk's device certificate under the operator's fleet CA (`provision enroll --install --ca`): issued
 * directly by that CA, valid at `at`, the CA valid and a CA. Key usages are the CA's business: an operator
 * may sign the CSR with `openssl x509 -req`, which writes neither keyUsage nor extKeyUsage nor always an
 * authorityKeyIdentifier; the TLS stack checks the purpose when the certificate is used.
 */
export function fleetDeviceProfile(at: Date): ChainPolicy {
  return { at, leafKeyUsage: [], maxDepth: 1, leafAuthorityKeyId: 'optional' };
}

/** id-kp-OCSPSigning (RFC 6960 §4.2.2.2). */
export const OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';

/**
 * A delegated OCSP responder (RFC 6960 §4.2.2.2): issued directly by the CA that issued the certificate in
 * question (the anchor here, already validated on the document's own path, so it is taken as a name and a
 * key), carrying id-kp-OCSPSigning, valid now. Its authorityKeyIdentifier is not required: the CA key is
 * the only candidate (BoringSSL's ocsp_sign_indirect responder has none and is accepted).
 */
export function ocspResponderProfile(at: Date): ChainPolicy {
  return { at, leafKeyUsage: [], leafExtendedKeyUsage: OCSP_SIGNING, maxDepth: 1, anchor: KEY_ONLY_ANCHOR, leafAuthorityKeyId: 'optional' };
}
