// Path validation from a document certificate to a configured trust anchor (RFC 5280 §6, the parts a
// kiosk needs) — the one path validator of the kiosk: JPKI and the residence card, the passport's DSC →
// CSCA (link certificates included) and the OCSP responder certificate each call it with their profile
// (chain-profiles.ts). Issuer and subject names compared as §7.1 says (not as formatted text), signatures
// with node:crypto under an algorithm allow-list and minimum key sizes (algorithm-policy.ts), validity at
// the given time (to the second, as certificates encode it), CA basic constraints and keyCertSign on every
// issuer, pathLenConstraint and the depth limit counting only certificates that are not self-issued
// (§4.2.1.9), the leaf's key usage and extended key usage, no CA certificate as leaf, a required policy
// OID that the leaf must carry (a leaf without a policies extension does not carry it), the certificate
// policies of the path with requireExplicitPolicy (§6.1.3–6.1.5, checkPolicies; policyConstraints must be
// critical, §4.2.1.11), and no unknown critical extension or critical policy qualifier anywhere. Name
// constraints, policy mappings and inhibitAnyPolicy are not processed, so a certificate that carries them
// is refused rather than trusted without them. How much of the anchor's own certificate is path input is the
// profile's choice (AnchorRules: RFC 5280 §6.1.1 (d) takes only its name and key; RFC 5937 adds its
// constraints). Checked against NIST PKITS, BoringSSL's chain cases and x509-limbo
// (test/unit/trust/*-conformance.test.ts; docs/verdicts.md "Conformance").
//
// This file builds the path (issuer search, depth, which checks apply where); the per-certificate checks
// are in chain-checks.ts, the certificate-policy processing in chain-cert-policies.ts, the inputs and the
// result in chain-policy.ts (re-exported here).
import type { X509Certificate } from 'node:crypto';
import { ErrorCodes, KioskError } from '../../core/errors.ts';
import { checkPolicies } from './chain-cert-policies.ts';
import {
  ANY_POLICY,
  checkAnchor,
  checkCaConstraints,
  checkCaIdentity,
  checkCommon,
  checkIntermediate,
  checkSignatureAlgorithm,
  checkTime,
  isFailure,
  issuedBy,
  type Parsed,
  parse,
  selfIssued,
} from './chain-checks.ts';
import { CHECKED_ANCHOR, type ChainPolicy, type ChainResult, fail, type Failure } from './chain-policy.ts';
import { namesMatch } from './name-compare.ts';
import type { TrustStore } from './trust-store.ts';

export { CHECKED_ANCHOR, KEY_ONLY_ANCHOR } from './chain-policy.ts';
export type { AnchorRules, ChainPolicy, ChainResult } from './chain-policy.ts';

/** The time an issuer must be valid at: the validation time, or the issuance of the certificate below it. */
function issuerTime(below: Parsed, policy: ChainPolicy): Date | Failure {
  if ((policy.issuerValidity ?? 'at') === 'at') return policy.at;
  const t = Date.parse(below.cert.validFrom);
  return Number.isNaN(t) ? fail(ErrorCodes.TRUST_CERT_MALFORMED, 'validity unreadable') : new Date(t);
}

export function validateChain(leafCert: X509Certificate, store: TrustStore, policy: ChainPolicy, intermediates: readonly X509Certificate[] = []): ChainResult {
  const leaf = parse(leafCert);
  if (isFailure(leaf)) return leaf;
  const leafError = checkCommon(leaf, 'certificate', policy.leafAuthorityKeyId !== 'optional');
  if (leafError) return leafError;
  if ((policy.leafRole ?? 'end-entity') === 'ca') {
    const caError = checkCaConstraints(leaf, [], true) ?? checkCaIdentity(leaf, 'certificate');
    if (caError) return caError;
  } else {
    if (leaf.ext.basicConstraints?.ca) {
      return fail(ErrorCodes.TRUST_BASIC_CONSTRAINTS, 'certificate is a CA certificate, not an end-entity certificate');
    }
    // §4.2.1.3: keyCertSign only with cA set; an end entity claiming it is mis-issued.
    if (leaf.ext.keyUsage?.has('keyCertSign')) {
      return fail(ErrorCodes.TRUST_KEY_USAGE, 'end-entity certificate asserts keyCertSign');
    }
  }
  for (const ku of policy.leafKeyUsage) {
    if (!leaf.ext.keyUsage?.has(ku)) return fail(ErrorCodes.TRUST_KEY_USAGE, `certificate lacks key usage ${ku}`);
  }
  if (policy.leafExtendedKeyUsage && !leaf.ext.extKeyUsage?.includes(policy.leafExtendedKeyUsage)) {
    return fail(ErrorCodes.TRUST_KEY_USAGE, `certificate lacks extended key usage ${policy.leafExtendedKeyUsage}`);
  }
  if (policy.leafPolicy && !leaf.ext.policies?.includes(policy.leafPolicy)) {
    return fail(ErrorCodes.TRUST_POLICY, `certificate policy ${policy.leafPolicy} missing`);
  }
  let leafExpired = false;
  const timeError = checkTime(leafCert, policy.at, 'certificate');
  if (timeError?.code === ErrorCodes.TRUST_CERT_EXPIRED && policy.leafExpiry === 'report') leafExpired = true;
  else if (timeError) return timeError;

  // Candidates that do not parse are never issuers.
  const parsedOnly = (certs: readonly X509Certificate[]) => certs.map(parse).filter((p): p is Parsed => !isFailure(p));
  const anchors = parsedOnly(store.anchors);
  const others = parsedOnly(intermediates);
  const anchorRules = policy.anchor ?? CHECKED_ANCHOR;

  const path: [Parsed, ...Parsed[]] = [leaf];
  const maxDepth = policy.maxDepth ?? 4;
  let counted = 0;
  let current = leaf;
  for (;;) {
    const role = current === leaf ? 'certificate' : 'intermediate CA';
    const algError = checkSignatureAlgorithm(current, role, policy);
    if (algError) return algError;
    const at = issuerTime(current, policy);
    if (!(at instanceof Date)) return at;
    // Several anchors may hold the key that signed (a CSCA re-issued with a longer validity, a root and
    // its link certificate): the first that passes the anchor rules ends the path.
    let anchorError: Failure | null = null;
    for (const anchor of anchors.filter((a) => issuedBy(current, a))) {
      const error =
        (counted + 1 > maxDepth ? fail(ErrorCodes.TRUST_NO_ANCHOR, 'no path to a trust anchor within the depth limit') : null) ??
        checkAnchor(anchor, path, anchorRules) ??
        (anchorRules.validity === 'checked' ? checkTime(anchor.cert, at, 'trust anchor') : null);
      if (!error) {
        const policyError = checkPolicies(path, anchor, anchorRules, policy);
        if (policyError) return policyError;
        return { valid: true, path: [...path, anchor].map((p) => p.cert), anchor: anchor.cert, leafExpired };
      }
      anchorError ??= error;
    }
    const issuer = others.find((c) => !path.some((p) => p.cert === c.cert) && issuedBy(current, c));
    if (!issuer) {
      if (anchorError) return anchorError;
      const nameMatch = [...anchors, ...others].some((a) => namesMatch(a.fields.subject, current.fields.issuer));
      return nameMatch
        ? fail(ErrorCodes.TRUST_CHAIN_INVALID, `signature by ${current.cert.issuer} does not verify`)
        : fail(ErrorCodes.TRUST_NO_ANCHOR, `issuer ${current.cert.issuer} is not a trusted CA`);
    }
    // Issuers counted toward maxDepth: the anchor and every intermediate that is not self-issued (§4.2.1.9
    // counts the same way). Each intermediate is used once, so the loop ends after at most all of them.
    if (!selfIssued(issuer)) counted++;
    if (counted + 1 > maxDepth) return anchorError ?? fail(ErrorCodes.TRUST_NO_ANCHOR, 'no path to a trust anchor within the depth limit');
    const issuerError = checkIntermediate(issuer, path) ?? checkTime(issuer.cert, at, 'intermediate CA');
    if (issuerError) return anchorError ?? issuerError;
    // With a required policy, RFC 5280 §6.1.3 (d) keeps it in the valid policy tree only if every
    // certificate below the anchor asserts it or anyPolicy (mappings and inhibitAnyPolicy are refused above).
    if (policy.leafPolicy && !issuer.ext.policies?.some((oid) => oid === policy.leafPolicy || oid === ANY_POLICY)) {
      return anchorError ?? fail(ErrorCodes.TRUST_POLICY, `intermediate CA ${issuer.cert.subject} does not assert policy ${policy.leafPolicy}`);
    }
    path.push(issuer);
    current = issuer;
  }
}

export function assertValid(r: ChainResult): asserts r is Extract<ChainResult, { valid: true }> {
  if (!r.valid) throw new KioskError(r.code, r.message);
}
