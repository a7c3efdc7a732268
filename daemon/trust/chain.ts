// Path validation from a document certificate to a configured trust anchor (RFC 5280, the parts a
// kiosk needs): signatures with node:crypto, validity at the given time, CA basic constraints and
// keyCertSign on every issuer, the leaf's key usage, a required policy OID when the leaf carries
// policies, and no unknown critical extension anywhere. Anchors are trusted as configured (their own
// validity is still checked: an expired root is an operator problem we report, not ignore).
import type { X509Certificate } from 'node:crypto';
import { ErrorCodes, KioskError, type ErrorCode } from '../errors.ts';
import { parseExtensions, type KeyUsageName } from './x509-extensions.ts';
import type { TrustStore } from './trust-store.ts';

export interface ChainPolicy {
  /** Time of validation (normally now, from a synchronised clock). */
  at: Date;
  /** Key usage bits the leaf must have. */
  leafKeyUsage: KeyUsageName[];
  /** When the leaf has a certificatePolicies extension, it must contain this OID. */
  leafPolicy?: string;
  maxDepth?: number;
}

export type ChainResult =
  | { valid: true; path: X509Certificate[]; anchor: X509Certificate }
  | { valid: false; code: ErrorCode; message: string };

function sameKeyId(a: Buffer | null, b: Buffer | null): boolean {
  return !a || !b || a.equals(b);
}

function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  if (cert.issuer !== issuer.subject) return false;
  if (!sameKeyId(parseExtensions(cert.raw).authorityKeyId, parseExtensions(issuer.raw).subjectKeyId)) return false;
  try {
    return cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function checkTime(cert: X509Certificate, at: Date, role: string): ChainResult | null {
  if (at.getTime() < Date.parse(cert.validFrom)) {
    return { valid: false, code: ErrorCodes.TRUST_CERT_NOT_YET_VALID, message: `${role} not valid before ${cert.validFrom}` };
  }
  if (at.getTime() > Date.parse(cert.validTo)) {
    return { valid: false, code: ErrorCodes.TRUST_CERT_EXPIRED, message: `${role} expired ${cert.validTo}` };
  }
  return null;
}

export function validateChain(
  leaf: X509Certificate,
  store: TrustStore,
  policy: ChainPolicy,
  intermediates: readonly X509Certificate[] = [],
): ChainResult {
  let leafExt;
  try {
    leafExt = parseExtensions(leaf.raw);
  } catch (e) {
    return { valid: false, code: ErrorCodes.TRUST_CERT_MALFORMED, message: (e as KioskError).message };
  }
  if (leafExt.unknownCritical.length) {
    return { valid: false, code: ErrorCodes.TRUST_CERT_MALFORMED, message: `unknown critical extension ${leafExt.unknownCritical.join(', ')}` };
  }
  for (const ku of policy.leafKeyUsage) {
    if (!leafExt.keyUsage?.has(ku)) return { valid: false, code: ErrorCodes.TRUST_KEY_USAGE, message: `certificate lacks key usage ${ku}` };
  }
  if (policy.leafPolicy && leafExt.policies && !leafExt.policies.includes(policy.leafPolicy)) {
    return { valid: false, code: ErrorCodes.TRUST_POLICY, message: `certificate policy ${policy.leafPolicy} missing` };
  }
  const timeError = checkTime(leaf, policy.at, 'certificate');
  if (timeError) return timeError;

  const path: X509Certificate[] = [leaf];
  const maxDepth = policy.maxDepth ?? 4;
  let current = leaf;
  for (let depth = 0; depth < maxDepth; depth++) {
    const anchor = store.anchors.find((a) => issuedBy(current, a));
    const issuer = anchor ?? intermediates.find((c) => !path.includes(c) && issuedBy(current, c));
    if (!issuer) {
      const nameMatch = [...store.anchors, ...intermediates].some((a) => a.subject === current.issuer);
      return nameMatch
        ? { valid: false, code: ErrorCodes.TRUST_CHAIN_INVALID, message: `signature by ${current.issuer} does not verify` }
        : { valid: false, code: ErrorCodes.TRUST_NO_ANCHOR, message: `issuer ${current.issuer} is not a trusted CA` };
    }
    const ext = parseExtensions(issuer.raw);
    if (ext.unknownCritical.length) {
      return { valid: false, code: ErrorCodes.TRUST_CERT_MALFORMED, message: `CA has unknown critical extension ${ext.unknownCritical.join(', ')}` };
    }
    if (!ext.basicConstraints?.ca) {
      return { valid: false, code: ErrorCodes.TRUST_BASIC_CONSTRAINTS, message: `${issuer.subject} is not a CA` };
    }
    const pathLen = ext.basicConstraints.pathLen;
    if (pathLen !== null && path.length - 1 > pathLen) {
      return { valid: false, code: ErrorCodes.TRUST_BASIC_CONSTRAINTS, message: `path length constraint of ${issuer.subject} exceeded` };
    }
    if (ext.keyUsage && !ext.keyUsage.has('keyCertSign')) {
      return { valid: false, code: ErrorCodes.TRUST_KEY_USAGE, message: `${issuer.subject} may not sign certificates` };
    }
    const issuerTime = checkTime(issuer, policy.at, anchor ? 'trust anchor' : 'intermediate CA');
    if (issuerTime) return issuerTime;
    path.push(issuer);
    if (anchor) return { valid: true, path, anchor };
    current = issuer;
  }
  return { valid: false, code: ErrorCodes.TRUST_NO_ANCHOR, message: 'no path to a trust anchor within the depth limit' };
}

export function assertValid(r: ChainResult): asserts r is Extract<ChainResult, { valid: true }> {
  if (!r.valid) throw new KioskError(r.code, r.message);
}
