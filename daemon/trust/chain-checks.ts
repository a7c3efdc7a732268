// The checks path validation (chain.ts) makes on each certificate by its role — every certificate,
// intermediate CA, trust anchor — and the parsed form they work on (cached per certificate object). Each
// returns a Failure or null; the path building in chain.ts decides which applies where.
import type { X509Certificate } from 'node:crypto';
import { ErrorCodes, KioskError } from '../../core/errors.ts';
import { publicKeyProblem, signatureAlgorithmProblem } from './algorithm-policy.ts';
import { certFields, policyQualifierIds, type CertFields } from './cert-fields.ts';
import { fail, type AnchorRules, type ChainPolicy, type Failure } from './chain-policy.ts';
import { namesMatch } from './name-compare.ts';
import { OID, parseExtensions, type CertExtensions } from './x509-extensions.ts';

/**
 * Extensions that change which policies a path is valid for beyond what checkPolicies computes (RFC 5280
 * §6.1.3–6.1.5: policy mappings, inhibitAnyPolicy). Without mappings the valid policy tree reduces to a set
 * of policy OIDs, which checkPolicies tracks (requireExplicitPolicy included); a path carrying mappings or
 * inhibitAnyPolicy, critical or not, is refused rather than validated as if they were absent.
 */
export const POLICY_PROCESSING = ['2.5.29.33', '2.5.29.54'];

export const ANY_POLICY = '2.5.29.32.0';

/** RFC 5280 §4.2.1.4 qualifiers: CPS pointer and user notice. */
const KNOWN_QUALIFIERS = new Set(['1.3.6.1.5.5.7.2.1', '1.3.6.1.5.5.7.2.2']);

export interface Parsed {
  cert: X509Certificate;
  ext: CertExtensions;
  fields: CertFields;
}

/**
 * Parsed certificates, by object: a CSCA store holds a thousand anchors (two master lists), and every DSC
 * and link validation would otherwise parse them all again. An X509Certificate never changes.
 */
const parsedCache = new WeakMap<X509Certificate, Parsed | Failure>();

export function parse(cert: X509Certificate): Parsed | Failure {
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
export const isFailure = (p: Parsed | Failure): p is Failure => 'valid' in p;

function sameKeyId(a: Buffer | null, b: Buffer | null): boolean {
  return !a || !b || a.equals(b);
}

export function selfIssued(p: Parsed): boolean {
  return namesMatch(p.fields.issuer, p.fields.subject);
}

export function issuedBy(cert: Parsed, issuer: Parsed): boolean {
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
export function checkTime(cert: X509Certificate, at: Date, role: string): Failure | null {
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
  const first = serial[0];
  if (first === undefined || first & 0x80) return 'serial number is not positive';
  if (serial.every((b) => b === 0)) return 'serial number is zero';
  if (serial.length > 20 + (serial[0] === 0 ? 1 : 0)) return 'serial number longer than 20 octets';
  return null;
}

/** Checks every certificate of the path gets, whatever its role. */
export function checkCommon(p: Parsed, role: string, requireAki = true): Failure | null {
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
  const policyConstraints = p.ext.raw.get(OID.policyConstraints);
  if (policyConstraints && !policyConstraints.critical) {
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
export function checkSignatureAlgorithm(p: Parsed, role: string, policy: ChainPolicy): Failure | null {
  if (!p.fields.signatureAlgorithm.der.equals(p.fields.tbsSignatureAlgorithm.der)) {
    return fail(ErrorCodes.TRUST_CERT_MALFORMED, `${role}: signatureAlgorithm differs from the signature field of the tbsCertificate`);
  }
  const problem = signatureAlgorithmProblem(p.fields.signatureAlgorithm, { allowSha1: policy.allowSha1 });
  return problem ? fail(ErrorCodes.TRUST_CHAIN_INVALID, `${role}: ${problem}`) : null;
}

/** RFC 5280 §6.1.4 (k), (l), (m), (n) for a CA of the path: cA set, pathLenConstraint, keyCertSign. */
export function checkCaConstraints(issuer: Parsed, below: Parsed[], requireBasicConstraints: boolean): Failure | null {
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
export function checkCaIdentity(issuer: Parsed, role: string): Failure | null {
  if (issuer.fields.subject.equals(EMPTY_NAME)) return fail(ErrorCodes.TRUST_CERT_MALFORMED, `${role} has an empty subject`);
  if (!issuer.ext.subjectKeyId) return fail(ErrorCodes.TRUST_CERT_MALFORMED, `${issuer.cert.subject} lacks subjectKeyIdentifier`);
  return null;
}

export function checkIntermediate(issuer: Parsed, below: Parsed[]): Failure | null {
  const role = 'intermediate CA';
  return checkCommon(issuer, role) ?? checkCaConstraints(issuer, below, true) ?? checkCaIdentity(issuer, role);
}

export function checkAnchor(anchor: Parsed, below: Parsed[], rules: AnchorRules): Failure | null {
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
