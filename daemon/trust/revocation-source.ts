// Chooses the revocation source from configuration. Without a CRL store every answer is "unknown" and
// every verdict fails closed.
import { CrlRevocationChecker } from './crl/checker.ts';
import { noRevocationSource, type RevocationChecker } from './revocation.ts';

export function revocationFromConfig(crlDb: string | null, graceSeconds = 0): RevocationChecker {
  if (!crlDb) return noRevocationSource;
  return new CrlRevocationChecker({ store: crlDb, graceSeconds });
}
