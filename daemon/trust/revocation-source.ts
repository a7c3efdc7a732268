// Chooses the revocation source from configuration. Until a CRL store is configured the answer is
// "unknown" and every verdict fails closed.
import { noRevocationSource, type RevocationChecker } from './revocation.ts';

export function revocationFromConfig(crlDb: string | null, _graceSeconds = 0): RevocationChecker {
  if (!crlDb) return noRevocationSource;
  return noRevocationSource;
}
