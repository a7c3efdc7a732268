// Chooses the revocation source from configuration. Without a CRL store every answer is "unknown" and
// every verdict fails closed.
import { CrlRevocationChecker } from './crl/checker.ts';
import { noRevocationSource, type RevocationChecker } from './revocation.ts';
import { FallbackRevocationChecker } from './ocsp/fallback-checker.ts';
import { OcspRevocationChecker } from './ocsp/ocsp-checker.ts';

/** With `ocsp`: OCSP first (network up), then the CRL store (offline fallback); the answer names its source. */
export function revocationFromConfig(crlDb: string | null, graceSeconds = 0, ocsp?: { url: string; timeoutMs: number; retryAfterMs: number } | null): RevocationChecker {
  const crl = crlDb ? new CrlRevocationChecker({ store: crlDb, graceSeconds }) : null;
  if (!ocsp) return crl ?? noRevocationSource;
  const online = new OcspRevocationChecker(ocsp);
  return new FallbackRevocationChecker(crl ? [online, crl] : [online]);
}
