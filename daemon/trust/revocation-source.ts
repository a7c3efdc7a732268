// Chooses the revocation source from configuration. Without a CRL store every answer is "unknown" and
// every verdict fails closed.
import type { OcspConfig } from '../config/config.ts';
import { CrlRevocationChecker } from './crl/checker.ts';
import { noRevocationSource, type RevocationChecker } from './revocation.ts';
import { FallbackRevocationChecker } from './ocsp/fallback-checker.ts';
import { OcspRevocationChecker } from './ocsp/ocsp-checker.ts';

/** With `ocsp`: OCSP and the CRL store are both asked (a revoked from either wins); the answer names its source. */
export function revocationFromConfig(crlDb: string | null, graceSeconds = 0, ocsp?: OcspConfig | null): RevocationChecker {
  const crl = crlDb ? new CrlRevocationChecker({ store: crlDb, graceSeconds }) : null;
  if (!ocsp) return crl ?? noRevocationSource;
  const online = new OcspRevocationChecker(ocsp);
  return new FallbackRevocationChecker(crl ? [online, crl] : [online]);
}
