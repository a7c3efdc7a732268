// The revocation seam. The certificate checks ask a RevocationChecker; which source answers (the local
// CRL store, OCSP, a platform operator's API) is the composition root's choice. A verdict never treats
// "unknown" as good: the kiosk fails closed.
import type { X509Certificate } from 'node:crypto';

export type RevocationSource = 'crl' | 'ocsp' | 'platform' | 'none';

export type RevocationStatus =
  | { status: 'good'; source: RevocationSource; checkedAt: string; crlNumber?: string; thisUpdate?: string; nextUpdate?: string }
  | {
      status: 'revoked';
      source: RevocationSource;
      checkedAt: string;
      revokedAt: string;
      /** RFC 5280 CRLReason name, e.g. "keyCompromise"; absent when the CRL entry has no reason code. */
      reason?: string;
      crlNumber?: string;
    }
  | {
      status: 'unknown';
      source: RevocationSource;
      checkedAt: string;
      /** A stable error code (CRL_STALE, CRL_STORE_UNAVAILABLE, TRUST_REVOCATION_UNKNOWN…). */
      reason: string;
    };

export interface RevocationChecker {
  /**
   * `cert` is the certificate to check, `issuer` the CA certificate that issued it, `above` the rest of
   * its validated path above `issuer` (toward the anchor; optional): a source may use it to find the CA's
   * other key that signed the CRL after a key rollover (RFC 5280 §6.3.3 (f)). Never throws.
   */
  check(cert: X509Certificate, issuer: X509Certificate, above?: readonly X509Certificate[]): Promise<RevocationStatus>;
}

/** The checker used when no revocation source is configured: always "unknown", so verdicts fail closed. */
export const noRevocationSource: RevocationChecker = {
  async check() {
    return { status: 'unknown', source: 'none', checkedAt: new Date().toISOString(), reason: 'TRUST_REVOCATION_UNKNOWN' };
  },
};
