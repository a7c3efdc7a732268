// Path validation from a document certificate to a configured trust anchor (RFC 5280 §6, the parts a
// kiosk needs): issuer and subject names compared as §7.1 says (not as formatted text), signatures with
// node:crypto under an algorithm allow-list and minimum key sizes (algorithm-policy.ts), validity at the
// given time, CA basic constraints and keyCertSign on every issuer, pathLenConstraint counting only
// certificates that are not self-issued (§4.2.1.9), the leaf's key usage, no CA certificate as leaf, a
// required policy OID that the leaf must carry (a leaf without a policies extension does not carry it),
// and no unknown critical extension or critical policy qualifier anywhere. Name constraints and the policy
// tree (policy constraints, mappings, inhibitAnyPolicy) are not processed, so a certificate that carries
// them is refused rather than trusted without them. Anchors are trusted as
// configured (their own validity, CA flag and key are still checked: an expired root is an operator
// problem we report, not ignore). Checked against NIST PKITS, BoringSSL's chain cases and x509-limbo
// (test/unit/trust/*-conformance.test.ts; docs/verdicts.md "Conformance").
import type { X509Certificate } from 'node:crypto';
import { ErrorCodes, KioskError, type ErrorCode } from '../errors.ts';
import { publicKeyProblem, signatureAlgorithmProblem } from './algorithm-policy.ts';
import { certFields, policyQualifierIds, type CertFields } from './cert-fields.ts';
import { namesMatch } from './name-compare.ts';
import { OID, parseExtensions, type CertExtensions, type KeyUsageName } from './x509-extensions.ts';
import type { TrustStore } from './trust-store.ts';

export interface ChainPolicy {
  /** Time of validation (normally now, from a synchronised clock). */
  at: Date;
  /** Key usage bits the leaf must have. */
  leafKeyUsage: KeyUsageName[];
  /** The leaf must carry this policy OID in its certificatePolicies extension. */
  leafPolicy?: string;
  maxDepth?: number;
  /** SHA-1 signatures in the path (off unless a document family still needs them; never JPKI/residence). */
  allowSha1?: boolean;
}

export type ChainResult =
  | { valid: true; path: X509Certificate[]; anchor: X509Certificate }
  | { valid: false; code: ErrorCode; message: string };

type Failure = Extract<ChainResult, { valid: false }>;
const fail = (code: ErrorCode, message: string): Failure => ({ valid: false, code, message });

/**
 * Extensions that change which policies a path is valid for (RFC 5280 §6.1.3–6.1.5: requireExplicitPolicy,
 * policy mappings, inhibitAnyPolicy). The kiosk does not build the policy tree, so a path carrying any of
 * them, critical or not, is refused rather than validated as if they were absent.
 */
const POLICY_PROCESSING = ['2.5.29.36', '2.5.29.33', '2.5.29.54'];

const ANY_POLICY = '2.5.29.32.0';

/** RFC 5280 §4.2.1.4 qualifiers: CPS pointer and user notice. */
const KNOWN_QUALIFIERS = new Set(['1.3.6.1.5.5.7.2.1', '1.3.6.1.5.5.7.2.2']);

interface Parsed {
  cert: X509Certificate;
  ext: CertExtensions;
  fields: CertFields;
}

function parse(cert: X509Certificate): Parsed | Failure {
  try {
    return { cert, ext: parseExtensions(cert.raw), fields: certFields(cert.raw) };
  } catch (e) {
    return fail(ErrorCodes.TRUST_CERT_MALFORMED, e instanceof KioskError ? e.message : 'certificate malformed');
  }
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

function checkTime(cert: X509Certificate, at: Date, role: string): Failure | null {
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  if (Number.isNaN(from) || Number.isNaN(to)) return fail(ErrorCodes.TRUST_CERT_MALFORMED, `${role} validity unreadable`);
  if (at.getTime() < from) return fail(ErrorCodes.TRUST_CERT_NOT_YET_VALID, `${role} not valid before ${cert.validFrom}`);
  if (at.getTime() > to) return fail(ErrorCodes.TRUST_CERT_EXPIRED, `${role} expired ${cert.validTo}`);
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
function checkCommon(p: Parsed, role: string): Failure | null {
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
  if (role !== 'trust anchor' && !p.ext.authorityKeyId && !selfIssued(p)) return fail(ErrorCodes.TRUST_CERT_MALFORMED, `${role} lacks authorityKeyIdentifier`);
  if (p.ext.raw.has(OID.nameConstraints)) {
    return fail(ErrorCodes.TRUST_CHAIN_INVALID, `${role} carries name constraints, which the kiosk does not process`);
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
  let keyProblem: string | null;
  try {
    keyProblem = publicKeyProblem(p.cert.publicKey);
  } catch {
    keyProblem = 'public key unreadable';
  }
  if (keyProblem) return fail(ErrorCodes.TRUST_CHAIN_INVALID, `${role}: ${keyProblem}`);
  return null;
}

/** The signature of `p` (about to be verified with its issuer's key) uses an accepted algorithm. */
function checkSignatureAlgorithm(p: Parsed, role: string, policy: ChainPolicy): Failure | null {
  if (!p.fields.signatureAlgorithm.der.equals(p.fields.tbsSignatureAlgorithm.der)) {
    return fail(ErrorCodes.TRUST_CERT_MALFORMED, `${role}: signatureAlgorithm differs from the signature field of the tbsCertificate`);
  }
  const problem = signatureAlgorithmProblem(p.fields.signatureAlgorithm, { allowSha1: policy.allowSha1 });
  return problem ? fail(ErrorCodes.TRUST_CHAIN_INVALID, `${role}: ${problem}`) : null;
}

function checkIssuer(issuer: Parsed, below: Parsed[], role: string): Failure | null {
  const name = issuer.cert.subject;
  const common = checkCommon(issuer, role);
  if (common) return common;
  if (!issuer.ext.basicConstraints?.ca) return fail(ErrorCodes.TRUST_BASIC_CONSTRAINTS, `${name} is not a CA`);
  // §4.2.1.9: a CA marks basicConstraints critical. Enforced on anchors only (a root configured for a
  // document family must be well-formed); PKITS 4.6.4 accepts an intermediate that does not.
  if (role === 'trust anchor' && !issuer.ext.raw.get(OID.basicConstraints)?.critical) {
    return fail(ErrorCodes.TRUST_BASIC_CONSTRAINTS, `${name}: basicConstraints not marked critical`);
  }
  // §4.1.2.6 and §4.2.1.2: a CA has a non-empty subject and a subjectKeyIdentifier.
  if (issuer.fields.subject.equals(EMPTY_NAME)) return fail(ErrorCodes.TRUST_CERT_MALFORMED, `${role} has an empty subject`);
  if (!issuer.ext.subjectKeyId) return fail(ErrorCodes.TRUST_CERT_MALFORMED, `${name} lacks subjectKeyIdentifier`);
  // §4.2.1.9: pathLenConstraint limits the non-self-issued intermediate certificates that may follow.
  const pathLen = issuer.ext.basicConstraints.pathLen;
  const following = below.slice(1).filter((c) => !selfIssued(c)).length;
  if (pathLen !== null && following > pathLen) {
    return fail(ErrorCodes.TRUST_BASIC_CONSTRAINTS, `path length constraint of ${name} exceeded`);
  }
  if (issuer.ext.keyUsage && !issuer.ext.keyUsage.has('keyCertSign')) {
    return fail(ErrorCodes.TRUST_KEY_USAGE, `${name} may not sign certificates`);
  }
  return null;
}

export function validateChain(
  leafCert: X509Certificate,
  store: TrustStore,
  policy: ChainPolicy,
  intermediates: readonly X509Certificate[] = [],
): ChainResult {
  const leaf = parse(leafCert);
  if (isFailure(leaf)) return leaf;
  const leafError = checkCommon(leaf, 'certificate');
  if (leafError) return leafError;
  if (leaf.ext.basicConstraints?.ca) {
    return fail(ErrorCodes.TRUST_BASIC_CONSTRAINTS, 'certificate is a CA certificate, not an end-entity certificate');
  }
  // §4.2.1.3: keyCertSign only with cA set; an end entity claiming it is mis-issued.
  if (leaf.ext.keyUsage?.has('keyCertSign')) {
    return fail(ErrorCodes.TRUST_KEY_USAGE, 'end-entity certificate asserts keyCertSign');
  }
  for (const ku of policy.leafKeyUsage) {
    if (!leaf.ext.keyUsage?.has(ku)) return fail(ErrorCodes.TRUST_KEY_USAGE, `certificate lacks key usage ${ku}`);
  }
  if (policy.leafPolicy && !leaf.ext.policies?.includes(policy.leafPolicy)) {
    return fail(ErrorCodes.TRUST_POLICY, `certificate policy ${policy.leafPolicy} missing`);
  }
  const timeError = checkTime(leafCert, policy.at, 'certificate');
  if (timeError) return timeError;

  // Candidates that do not parse are never issuers.
  const parsedOnly = (certs: readonly X509Certificate[]) => certs.map(parse).filter((p): p is Parsed => !isFailure(p));
  const anchors = parsedOnly(store.anchors);
  const others = parsedOnly(intermediates);

  const path: Parsed[] = [leaf];
  const maxDepth = policy.maxDepth ?? 4;
  let current = leaf;
  for (let depth = 0; depth < maxDepth; depth++) {
    const role = depth === 0 ? 'certificate' : 'intermediate CA';
    const algError = checkSignatureAlgorithm(current, role, policy);
    if (algError) return algError;
    const anchor = anchors.find((a) => issuedBy(current, a));
    const issuer = anchor ?? others.find((c) => !path.some((p) => p.cert === c.cert) && issuedBy(current, c));
    if (!issuer) {
      const nameMatch = [...anchors, ...others].some((a) => namesMatch(a.fields.subject, current.fields.issuer));
      return nameMatch
        ? fail(ErrorCodes.TRUST_CHAIN_INVALID, `signature by ${current.cert.issuer} does not verify`)
        : fail(ErrorCodes.TRUST_NO_ANCHOR, `issuer ${current.cert.issuer} is not a trusted CA`);
    }
    const issuerRole = anchor ? 'trust anchor' : 'intermediate CA';
    const issuerError = checkIssuer(issuer, path, issuerRole) ?? checkTime(issuer.cert, policy.at, issuerRole);
    if (issuerError) return issuerError;
    // With a required policy, RFC 5280 §6.1.3 (d) keeps it in the valid policy tree only if every
    // certificate below the anchor asserts it or anyPolicy (mappings and inhibitAnyPolicy are refused above).
    if (!anchor && policy.leafPolicy && !issuer.ext.policies?.some((oid) => oid === policy.leafPolicy || oid === ANY_POLICY)) {
      return fail(ErrorCodes.TRUST_POLICY, `intermediate CA ${issuer.cert.subject} does not assert policy ${policy.leafPolicy}`);
    }
    path.push(issuer);
    if (anchor) return { valid: true, path: path.map((p) => p.cert), anchor: anchor.cert };
    current = issuer;
  }
  return fail(ErrorCodes.TRUST_NO_ANCHOR, 'no path to a trust anchor within the depth limit');
}

export function assertValid(r: ChainResult): asserts r is Extract<ChainResult, { valid: true }> {
  if (!r.valid) throw new KioskError(r.code, r.message);
}
