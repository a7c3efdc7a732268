// The integration API's signed result: a compact JWS (RFC 7515) with ES256 (P-256, SHA-256, raw r‖s
// signature as RFC 7518 §3.4 requires), signed by the kiosk's device key. The business application
// verifies it with the kiosk's public key (GET /v1/kiosk gives it as a JWK, `kid` = SHA-256 of the SPKI)
// and checks `nonce` against the one it sent when it started the verification (replay protection).
// Claims carry no personal data: verdict, what was proven (authenticity), how the holder was bound, the
// checks made, document type, method, certificate serial and fingerprint, revocation status, time, kiosk id.
import { createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { DeviceKey } from '../device/device-key.ts';
import { keyFingerprint } from '../device/device-key.ts';
import { isLowS } from '../device/es256-low-s.ts';
import type { PolicyResultView } from '../result/result-view.ts';

export interface ResultClaims {
  /** "idkiosk:<kioskId>" */
  iss: string;
  /** The business application's audience string, when it sent one. */
  aud?: string;
  /** Verification id (unique per kiosk). */
  jti: string;
  iat: number;
  exp: number;
  kioskId: string;
  /** Echo of the nonce the business application sent with POST /v1/verifications. */
  nonce: string | null;
  /**
   * 'verified' only for proven data (docs/verdicts.md); 'chip-read' only under a policy that accepts it
   * (the chip was read, its data not proven: never treat it as verified).
   */
  verdict: 'verified' | 'chip-read' | 'refused' | 'error' | 'cancelled';
  /** 'proven' | 'chip-read' | 'failed'; null when the session ended before the document was assessed. */
  authenticity: 'proven' | 'chip-read' | 'failed' | null;
  /** 'pin' | 'password' | 'printed-number-only' | 'mrz-only' | 'none'; null when unknown. */
  holderBinding: 'pin' | 'password' | 'printed-number-only' | 'mrz-only' | 'none' | null;
  /** Every check the kiosk made and its result; checks not made say so ('not-checked'…). Codes only. */
  checks: Record<string, string>;
  /** Stable error codes behind a refusal or error. */
  reasons: string[];
  /** Document id the kiosk ran (e.g. "mynumber-jpki-auth"), type and method (daemon/result/document-types.ts). */
  document: string | null;
  documentType: string;
  method: string;
  certificate: { serialNumber: string; fingerprintSha256: string; notAfter: string | null } | null;
  /** "good" | "revoked" | "unknown" | "not-checked" */
  revocation: string;
  /** ISO 8601 time the result was decided. */
  time: string;
  /** Which revocation source answered ('crl', 'ocsp', 'platform') and when. */
  revocationSource?: { source: string; checkedAt: string };
  /** Policy sessions: name, age answer ({ threshold, over: yes/no/null }; never the birth date), legal-method entries + table version. */
  policy?: PolicyResultView;
}

const b64u = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export function signResultToken(claims: ResultClaims, key: DeviceKey): string {
  const header = { alg: 'ES256', typ: 'JWT', kid: key.fingerprint };
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims))}`;
  return `${input}.${b64u(key.sign(Buffer.from(input, 'ascii')))}`;
}

export type ResultTokenCheck = { valid: true; claims: ResultClaims } | { valid: false; reason: string };

/**
 * Verifies a result token with the kiosk's public key (KeyObject, PEM or JWK). Checks alg, kid, the
 * signature and expiry; the caller checks `nonce`, `aud` and `kioskId` against its own records.
 */
export function verifyResultToken(token: string, publicKey: KeyObject | string | JsonWebKey, now: Date = new Date()): ResultTokenCheck {
  try {
    const key =
      typeof publicKey === 'string'
        ? createPublicKey(publicKey)
        : 'asymmetricKeyType' in publicKey
          ? (publicKey as KeyObject)
          : createPublicKey({ key: publicKey as JsonWebKey, format: 'jwk' });
    const parts = token.split('.');
    if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) return { valid: false, reason: 'malformed' };
    const [h, p, s] = parts as [string, string, string];
    const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { alg?: string; kid?: string };
    if (header.alg !== 'ES256') return { valid: false, reason: 'alg' };
    if (header.kid !== keyFingerprint(key)) return { valid: false, reason: 'kid' };
    const sig = Buffer.from(s, 'base64url');
    if (sig.length !== 64) return { valid: false, reason: 'signature-length' };
    // (r, n − s) verifies too: only the canonical low-S form the kiosk issues is accepted.
    if (!isLowS(sig)) return { valid: false, reason: 'signature-not-canonical' };
    if (!verify('sha256', Buffer.from(`${h}.${p}`, 'ascii'), { key, dsaEncoding: 'ieee-p1363' }, sig)) return { valid: false, reason: 'signature' };
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as ResultClaims;
    if (typeof claims.exp !== 'number' || claims.exp * 1000 < now.getTime()) return { valid: false, reason: 'expired' };
    return { valid: true, claims };
  } catch {
    return { valid: false, reason: 'malformed' };
  }
}

/** The device public key as the API publishes it. */
export function publicJwk(key: DeviceKey): JsonWebKey & { kid: string; alg: string; use: string } {
  return { ...(key.publicKey.export({ format: 'jwk' }) as JsonWebKey), kid: key.fingerprint, alg: 'ES256', use: 'sig' };
}
