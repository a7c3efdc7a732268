// The seam for a プラットフォーム事業者's certificate-status API (公的個人認証法 17条: J-LIS gives JPKI
// revocation data only to approved verifiers and platform operators). Each operator's API differs; a
// deployment supplies an adapter with this shape, and the kiosk wraps it as a RevocationChecker (source
// 'platform'). `successorSerial` is the operator's old→new certificate linkage (a 署名用電子証明書 is
// re-issued when the holder's name or address changes), which 現況確認 (status-check) follows.
import type { X509Certificate } from 'node:crypto';
import { ErrorCodes, toKioskError } from '../../../core/errors.ts';
import type { RevocationChecker, RevocationStatus } from '../revocation.ts';

export interface PlatformStatusQuery {
  /** Issuer certificate SHA-256 fingerprint (hex, upper-case, no colons) */
  issuerFingerprintSha256: string;
  /** Certificate serial (hex, upper-case) */
  serialNumber: string;
}

export interface PlatformStatusAnswer {
  status: 'good' | 'revoked' | 'unknown';
  /** When the operator's data was current. */
  checkedAt: string;
  revokedAt?: string;
  reason?: string;
  /** The certificate that replaced this one (same holder), when the operator links them. */
  successorSerial?: string;
}

export interface PlatformStatusApi {
  status(q: PlatformStatusQuery, signal: AbortSignal): Promise<PlatformStatusAnswer>;
}

const fp = (c: X509Certificate) => c.fingerprint256.replace(/:/g, '');

export class PlatformRevocationChecker implements RevocationChecker {
  constructor(
    private readonly api: PlatformStatusApi,
    private readonly timeoutMs = 2000,
  ) {}

  async check(cert: X509Certificate, issuer: X509Certificate): Promise<RevocationStatus> {
    const checkedAt = new Date().toISOString();
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      // The deadline holds even for an adapter that ignores its signal.
      const timeout = new Promise<never>((_, reject) =>
        signal.addEventListener('abort', () => reject(Object.assign(new Error('timeout'), { code: ErrorCodes.OCSP_TIMEOUT })), { once: true }),
      );
      const a = await Promise.race([this.api.status({ issuerFingerprintSha256: fp(issuer), serialNumber: cert.serialNumber.toUpperCase() }, signal), timeout]);
      if (a.status === 'good') return { status: 'good', source: 'platform', checkedAt: a.checkedAt };
      if (a.status === 'revoked')
        return {
          status: 'revoked',
          source: 'platform',
          checkedAt: a.checkedAt,
          revokedAt: a.revokedAt ?? a.checkedAt,
          ...(a.reason ? { reason: a.reason } : {}),
        };
      return { status: 'unknown', source: 'platform', checkedAt: a.checkedAt, reason: ErrorCodes.TRUST_REVOCATION_UNKNOWN };
    } catch (e) {
      const code = (e as { code?: string }).code === ErrorCodes.OCSP_TIMEOUT ? ErrorCodes.OCSP_TIMEOUT : toKioskError(e, ErrorCodes.OCSP_UNAVAILABLE).code;
      return { status: 'unknown', source: 'platform', checkedAt, reason: code };
    }
  }
}
