// What a path validation is asked and answers (chain.ts): the profile's ChainPolicy and AnchorRules
// (chain-profiles.ts builds them per document family) and the ChainResult.
import type { X509Certificate } from 'node:crypto';
import type { ErrorCode } from '../../core/errors.ts';
import type { KeyUsageName } from './x509-extensions.ts';

/**
 * Which parts of the trust anchor's own certificate the path validation applies. RFC 5280 §6.1.1 (d) makes
 * an anchor a name and a key: its validity, CA flag, key usage and pathLenConstraint are not input unless
 * the relying party chooses to enforce them (RFC 5937). The kiosk's anchors are configured by an operator,
 * so each profile decides (chain-profiles.ts; docs/verdicts.md "Conformance").
 */
export interface AnchorRules {
  /** RFC 5937: the anchor's basicConstraints (cA false refused, pathLenConstraint applied) and keyUsage (keyCertSign). */
  constraints: boolean;
  /** With `constraints`: an anchor without basicConstraints is refused as well (not only one saying cA false). */
  requireBasicConstraints: boolean;
  /** 'checked': the anchor must be valid at the time `issuerValidity` names; 'ignored': RFC 5280 §6.1.1 (d). */
  validity: 'checked' | 'ignored';
  /**
   * The anchor must also be a well-formed profile CA: the checks every certificate of the path gets
   * (serial, extension criticality, no unknown critical extension, no name constraints or policy
   * processing), basicConstraints marked critical, a subjectKeyIdentifier and a non-empty subject.
   */
  wellFormed: boolean;
}

/** The anchor as a name and a key (RFC 5280 §6.1.1 (d)); its key must still meet the algorithm policy. */
export const KEY_ONLY_ANCHOR: AnchorRules = { constraints: false, requireBasicConstraints: false, validity: 'ignored', wellFormed: false };
/** The anchor checked like any CA of the path, plus its own validity (the default: an operator error is reported, not trusted). */
export const CHECKED_ANCHOR: AnchorRules = { constraints: true, requireBasicConstraints: true, validity: 'checked', wellFormed: true };

export interface ChainPolicy {
  /** Time of validation (normally now, from a synchronised clock). */
  at: Date;
  /** Key usage bits the leaf must have. */
  leafKeyUsage: KeyUsageName[];
  /**
   * The leaf must carry this policy OID in its certificatePolicies extension, and every intermediate it or
   * anyPolicy (the document's policy, required: RFC 5280 §6.1.1 (c) and (f) with this one OID and
   * initial-explicit-policy set, the leaf asserting it literally).
   */
  leafPolicy?: string;
  /**
   * RFC 5280 §6.1.1 (c) user-initial-policy-set (default anyPolicy, or `leafPolicy` when that is given) and
   * (f) initial-explicit-policy (default false, or true when `leafPolicy` is given).
   */
  initialPolicySet?: string[];
  initialExplicitPolicy?: boolean;
  /** The leaf must carry this KeyPurposeId in an extKeyUsage extension (anyExtendedKeyUsage does not stand in). */
  leafExtendedKeyUsage?: string;
  /** Most issuers above the leaf, the anchor included; self-issued intermediates are not counted (default 4). */
  maxDepth?: number;
  /** SHA-1 signatures in the path (off unless a document family still needs them; never JPKI/residence). */
  allowSha1?: boolean;
  /** How much of the anchor certificate is path input (default CHECKED_ANCHOR). */
  anchor?: AnchorRules;
  /**
   * When an issuer (intermediate or anchor) must be valid: 'at' the validation time (RFC 5280's shell
   * model, the default), or at 'issuance' of the certificate it signed — its notBefore (the chain model
   * ICAO 9303-12 uses for CSCAs: a CSCA must have been valid when it issued the DSC).
   */
  issuerValidity?: 'at' | 'issuance';
  /**
   * 'refuse' (default): an expired leaf fails. 'report': an expired leaf is returned with `leafExpired`
   * and the caller decides (an expired DSC on a passport that is still valid is normal, ICAO 9303-12 §7.1).
   */
  leafExpiry?: 'refuse' | 'report';
  /**
   * 'end-entity' (default): the leaf must not be a CA certificate. 'ca': the leaf must be one (cA set,
   * keyCertSign when keyUsage is present) — for validating an ICAO CSCA link certificate under the
   * previous CSCA before its key is trusted in turn (ICAO 9303-12 §5.1).
   */
  leafRole?: 'end-entity' | 'ca';
  /**
   * 'required' (default): the leaf names its issuer's key (RFC 5280 §4.2.1.1). 'optional': that rule binds
   * the issuing CA, not the path (§6.1 does not use it); a profile whose leaf sits one hop below a known
   * key (the OCSP responder) may waive it.
   */
  leafAuthorityKeyId?: 'required' | 'optional';
}

export type ChainResult =
  | { valid: true; path: X509Certificate[]; anchor: X509Certificate; leafExpired: boolean }
  | { valid: false; code: ErrorCode; message: string };

export type Failure = Extract<ChainResult, { valid: false }>;
export const fail = (code: ErrorCode, message: string): Failure => ({ valid: false, code, message });
