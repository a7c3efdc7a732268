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
import type { X509Certificate } from 'node:crypto';
import { ErrorCodes, KioskError, type ErrorCode } from '../../core/errors.ts';
import { publicKeyProblem, signatureAlgorithmProblem } from './algorithm-policy.ts';
import { certFields, policyQualifierIds, type CertFields } from './cert-fields.ts';
import { namesMatch } from './name-compare.ts';
import { OID, parseExtensions, type CertExtensions, type KeyUsageName } from './x509-extensions.ts';
import type { TrustStore } from './trust-store.ts';

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

type Failure = Extract<ChainResult, { valid: false }>;
const fail = (code: ErrorCode, message: string): Failure => ({ valid: false, code, message });

/**
 * Extensions that change which policies a path is valid for beyond what checkPolicies computes (RFC 5280
 * §6.1.3–6.1.5: policy mappings, inhibitAnyPolicy). Without mappings the valid policy tree reduces to a set
 * of policy OIDs, which checkPolicies tracks (requireExplicitPolicy included); a path carrying mappings or
 * inhibitAnyPolicy, critical or not, is refused rather than validated as if they were absent.
 */
const POLICY_PROCESSING = ['2.5.29.33', '2.5.29.54'];

const ANY_POLICY = '2.5.29.32.0';

/** RFC 5280 §4.2.1.4 qualifiers: CPS pointer and user notice. */
const KNOWN_QUALIFIERS = new Set(['1.3.6.1.5.5.7.2.1', '1.3.6.1.5.5.7.2.2']);

interface Parsed {
  cert: X509Certificate;
  ext: CertExtensions;
  fields: CertFields;
}

/**
 * Parsed certificates, by object: a CSCA store holds a thousand anchors (two master lists), and every DSC
 * and link validation would otherwise parse them all again. An X509Certificate never changes.
 */
const parsedCache = new WeakMap<X509Certificate, Parsed | Failure>();

function parse(cert: X509Certificate): Parsed | Failure {
  let p = parsedCache.get(cert);
  if (!p) {
    try {
      p = { cert, ext: parseExtensions(cert.raw), fields: certFields(cert.raw) };
    } catch (e) {
      p = fail(ErrorCodes.TRUST_CERT_MALFORMED, e instanceof KioskError ? e.message : 'certificate malformed');
    }
    parsedCache.set(cert, p);
  }
  return p;
}
const isFailure = (p: Parsed | Failure): p is Failure => 'valid' in p;

function sameKeyId(a: Buffer | null, b: Buffer | null): boolean {
  return !a || !b || a.equals(b);
}

function selfIssued(p: Parsed): boolean {
  return namesMatch(p.fields.issuer, p.fields.subject);
}

function issuedBy(cert: Parsed, issuer: Parsed): boolean {
  if (!namesMatch(cert.fields.issuer, issuer.fields.subject)) return false;
  if (!sameKeyId(cert.ext.authorityKeyId, issuer.ext.subjectKeyId)) return false;
  try {
    return cert.cert.verify(issuer.cert.publicKey);
  } catch {
    return false;
  }
}

/**
 * Whether `cert` is valid at `at`. RFC 5280 §4.1.2.5 encodes validity to the second and makes notAfter
 * inclusive, so the whole second notAfter names is still valid: the time is compared to the second.
 */
function checkTime(cert: X509Certificate, at: Date, role: string): Failure | null {
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  if (Number.isNaN(from) || Number.isNaN(to)) return fail(ErrorCodes.TRUST_CERT_MALFORMED, `${role} validity unreadable`);
  const t = Math.floor(at.getTime() / 1000) * 1000;
  if (t < from) return fail(ErrorCodes.TRUST_CERT_NOT_YET_VALID, `${role} not valid before ${cert.validFrom}`);
  if (t > to) return fail(ErrorCodes.TRUST_CERT_EXPIRED, `${role} expired ${cert.validTo}`);
  return null;
}

/** An empty Name: SEQUENCE of no RDNs. */
const EMPTY_NAME = Buffer.from([0x30, 0x00]);

/** RFC 5280 §4.1.2.2: a positive INTEGER of at most 20 octets. */
function serialProblem(serial: Buffer): string | null {
  if (serial.length === 0 || serial[0]! & 0x80) return 'serial number is not positive';
  if (serial.every((b) => b === 0)) return 'serial number is zero';
  if (serial.length > 20 + (serial[0] === 0 ? 1 : 0)) return 'serial number longer than 20 octets';
  return null;
}

/** Checks every certificate of the path gets, whatever its role. */
function checkCommon(p: Parsed, role: string, requireAki = true): Failure | null {
  if (p.ext.unknownCritical.length) {
    return fail(ErrorCodes.TRUST_CERT_MALFORMED, `${role} has unknown critical extension ${p.ext.unknownCritical.join(', ')}`);
  }
  const serial = serialProblem(p.fields.serial);
  if (serial) return fail(ErrorCodes.TRUST_CERT_MALFORMED, `${role}: ${serial}`);
  // §4.2.1.1, §4.2.1.2, §4.2.2.1: these extensions MUST be non-critical.
  for (const [oid, name] of [
    [OID.authorityKeyIdentifier, 'authorityKeyIdentifier'],
    [OID.subjectKeyIdentifier, 'subjectKeyIdentifier'],
    [OID.authorityInfoAccess, 'authorityInfoAccess'],
  ] as const) {
    if (p.ext.raw.get(oid)?.critical) return fail(ErrorCodes.TRUST_CERT_MALFORMED, `${role}: ${name} marked critical`);
  }
  // §4.2.1.1: every certificate but a self-signed one names its issuer's key (an anchor's own issuer is
  // outside the path, so the rule does not apply to it).
  if (requireAki && role !== 'trust anchor' && !p.ext.authorityKeyId && !selfIssued(p))
    return fail(ErrorCodes.TRUST_CERT_MALFORMED, `${role} lacks authorityKeyIdentifier`);
  if (p.ext.raw.has(OID.nameConstraints)) {
    return fail(ErrorCodes.TRUST_CHAIN_INVALID, `${role} carries name constraints, which the kiosk does not process`);
  }
  // §4.2.1.11: conforming CAs MUST mark policyConstraints critical; a CA that does not is mis-issued (x509-limbo
  // rfc5280::pc::ica-noncritical-pc rejects it; NIST PKITS, older, accepts it in 4.8.10/4.8.11).
  if (p.ext.raw.has(OID.policyConstraints) && !p.ext.raw.get(OID.policyConstraints)!.critical) {
    return fail(ErrorCodes.TRUST_POLICY, `${role}: policyConstraints not marked critical`);
  }
  const policyProcessing = POLICY_PROCESSING.filter((oid) => p.ext.raw.has(oid));
  if (policyProcessing.length) {
    return fail(ErrorCodes.TRUST_POLICY, `${role} carries policy processing extension ${policyProcessing.join(', ')}, which the kiosk does not process`);
  }
  const policies = p.ext.raw.get(OID.certificatePolicies);
  if (policies?.critical) {
    let qualifiers: string[];
    try {
      qualifiers = policyQualifierIds(policies.value);
    } catch (e) {
      return fail(ErrorCodes.TRUST_CERT_MALFORMED, (e as KioskError).message);
    }
    const unknown = qualifiers.filter((q) => !KNOWN_QUALIFIERS.has(q));
    if (unknown.length) return fail(ErrorCodes.TRUST_CERT_MALFORMED, `${role} has unknown critical policy qualifier ${unknown.join(', ')}`);
  }
  return checkKey(p, role);
}

/** The algorithm policy's key types and sizes (issue 15); node:crypto throws on a key it cannot import. */
function checkKey(p: Parsed, role: string): Failure | null {
  let keyProblem: string | null;
  try {
    keyProblem = publicKeyProblem(p.cert.publicKey);
  } catch {
    keyProblem = 'public key unreadable';
  }
  return keyProblem ? fail(ErrorCodes.TRUST_CHAIN_INVALID, `${role}: ${keyProblem}`) : null;
}

/** The signature of `p` (about to be verified with its issuer's key) uses an accepted algorithm. */
function checkSignatureAlgorithm(p: Parsed, role: string, policy: ChainPolicy): Failure | null {
  if (!p.fields.signatureAlgorithm.der.equals(p.fields.tbsSignatureAlgorithm.der)) {
    return fail(ErrorCodes.TRUST_CERT_MALFORMED, `${role}: signatureAlgorithm differs from the signature field of the tbsCertificate`);
  }
  const problem = signatureAlgorithmProblem(p.fields.signatureAlgorithm, { allowSha1: policy.allowSha1 });
  return problem ? fail(ErrorCodes.TRUST_CHAIN_INVALID, `${role}: ${problem}`) : null;
}

/** RFC 5280 §6.1.4 (k), (l), (m), (n) for a CA of the path: cA set, pathLenConstraint, keyCertSign. */
function checkCaConstraints(issuer: Parsed, below: Parsed[], requireBasicConstraints: boolean): Failure | null {
  const name = issuer.cert.subject;
  const bc = issuer.ext.basicConstraints;
  if (!bc) {
    if (requireBasicConstraints) return fail(ErrorCodes.TRUST_BASIC_CONSTRAINTS, `${name} is not a CA (no basicConstraints)`);
  } else {
    if (!bc.ca) return fail(ErrorCodes.TRUST_BASIC_CONSTRAINTS, `${name} is not a CA`);
    // §4.2.1.9: pathLenConstraint limits the non-self-issued intermediate certificates that may follow.
    const following = below.slice(1).filter((c) => !selfIssued(c)).length;
    if (bc.pathLen !== null && following > bc.pathLen) return fail(ErrorCodes.TRUST_BASIC_CONSTRAINTS, `path length constraint of ${name} exceeded`);
  }
  if (issuer.ext.keyUsage && !issuer.ext.keyUsage.has('keyCertSign')) return fail(ErrorCodes.TRUST_KEY_USAGE, `${name} may not sign certificates`);
  return null;
}

/** §4.1.2.6 and §4.2.1.2: a CA has a non-empty subject and a subjectKeyIdentifier. */
function checkCaIdentity(issuer: Parsed, role: string): Failure | null {
  if (issuer.fields.subject.equals(EMPTY_NAME)) return fail(ErrorCodes.TRUST_CERT_MALFORMED, `${role} has an empty subject`);
  if (!issuer.ext.subjectKeyId) return fail(ErrorCodes.TRUST_CERT_MALFORMED, `${issuer.cert.subject} lacks subjectKeyIdentifier`);
  return null;
}

function checkIntermediate(issuer: Parsed, below: Parsed[]): Failure | null {
  const role = 'intermediate CA';
  return checkCommon(issuer, role) ?? checkCaConstraints(issuer, below, true) ?? checkCaIdentity(issuer, role);
}

function checkAnchor(anchor: Parsed, below: Parsed[], rules: AnchorRules): Failure | null {
  const role = 'trust anchor';
  if (rules.wellFormed) {
    const common = checkCommon(anchor, role) ?? checkCaIdentity(anchor, role);
    if (common) return common;
    // §4.2.1.9: a CA marks basicConstraints critical. Enforced on well-formed anchors only (a root
    // configured for a document family must be well-formed); PKITS 4.6.4 accepts an intermediate that does not.
    if (anchor.ext.basicConstraints && !anchor.ext.raw.get(OID.basicConstraints)?.critical) {
      return fail(ErrorCodes.TRUST_BASIC_CONSTRAINTS, `${anchor.cert.subject}: basicConstraints not marked critical`);
    }
  } else {
    const key = checkKey(anchor, role);
    if (key) return key;
  }
  if (rules.constraints) {
    // RFC 5937 §2: the anchor's constraints apply — name constraints, policy mappings and inhibitAnyPolicy
    // too, which the kiosk does not process, so an anchor carrying them is refused under these rules (its
    // certificatePolicies and requireExplicitPolicy are applied in checkPolicies).
    if (anchor.ext.raw.has(OID.nameConstraints))
      return fail(ErrorCodes.TRUST_CHAIN_INVALID, `${role} carries name constraints, which the kiosk does not process`);
    const policyProcessing = POLICY_PROCESSING.filter((oid) => anchor.ext.raw.has(oid));
    if (policyProcessing.length)
      return fail(ErrorCodes.TRUST_POLICY, `${role} carries policy processing extension ${policyProcessing.join(', ')}, which the kiosk does not process`);
    return checkCaConstraints(anchor, below, rules.requireBasicConstraints);
  }
  return null;
}

/**
 * RFC 5280 §6.1.3 (d)–(f), §6.1.4 (h)–(i), §6.1.5 (a), (b), (g) over the path (leaf first, anchor not
 * included). Policy mappings and inhibitAnyPolicy are refused before this runs, so every node's
 * expected_policy_set is its own valid_policy and anyPolicy is always processed: the nodes of the valid
 * policy tree at each depth reduce to the set of their valid_policy OIDs, which is what is tracked here.
 */
function checkPolicies(leafFirst: Parsed[], anchor: Parsed, rules: AnchorRules, policy: ChainPolicy): Failure | null {
  const certs = [...leafFirst].reverse();
  const n = certs.length;
  const userSet = policy.initialPolicySet ?? (policy.leafPolicy ? [policy.leafPolicy] : [ANY_POLICY]);
  let explicit = (policy.initialExplicitPolicy ?? policy.leafPolicy !== undefined) ? 0 : n + 1;
  // RFC 5937 §2: with the anchor's constraints applied, its requireExplicitPolicy counts from the anchor and
  // its certificatePolicies bound the tree from the start.
  const anchorRequire = rules.constraints ? (anchor.ext.policyConstraints?.requireExplicitPolicy ?? null) : null;
  if (anchorRequire !== null && anchorRequire < explicit) explicit = anchorRequire;
  const anchorPolicies = rules.constraints ? anchor.ext.policies : null;
  let valid: Set<string> | null = new Set(anchorPolicies && !anchorPolicies.includes(ANY_POLICY) ? anchorPolicies : [ANY_POLICY]);
  const nullTree = (c: Parsed) => fail(ErrorCodes.TRUST_POLICY, `no valid certificate policy at ${c.cert.subject} while an explicit policy is required`);
  for (let i = 0; i < n; i++) {
    const c = certs[i]!;
    // (d), (e): a policy below a node of the same policy or of anyPolicy; anyPolicy keeps every node.
    const asserted = c.ext.policies;
    if (!asserted || !valid) valid = null;
    else {
      const next = new Set<string>();
      for (const p of asserted) if (p !== ANY_POLICY && (valid.has(p) || valid.has(ANY_POLICY))) next.add(p);
      if (asserted.includes(ANY_POLICY)) for (const p of valid) next.add(p);
      valid = next.size ? next : null;
    }
    // (f)
    if (explicit === 0 && !valid) return nullTree(c);
    const require = c.ext.policyConstraints?.requireExplicitPolicy ?? null;
    if (i < n - 1) {
      // §6.1.4 (h), (i)
      if (!selfIssued(c) && explicit > 0) explicit--;
      if (require !== null && require < explicit) explicit = require;
    } else {
      // §6.1.5 (a), (b)
      if (explicit > 0) explicit--;
      if (require === 0) explicit = 0;
    }
  }
  // §6.1.5 (g): the tree intersected with user-initial-policy-set.
  let final = valid;
  if (valid && !userSet.includes(ANY_POLICY)) {
    final = new Set([...valid].filter((p) => p !== ANY_POLICY && userSet.includes(p)));
    if (valid.has(ANY_POLICY)) for (const p of userSet) final.add(p);
  }
  if (explicit === 0 && !final?.size) return nullTree(certs[n - 1]!);
  return null;
}

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

  const path: Parsed[] = [leaf];
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
