// 現況確認 as the deployment configures it: the audit database (audit.db), the JPKI signing CAs
// (trust.jpkiSign) and the revocation sources (revocation.ocsp first, then the CRL store revocation.crlDb).
import type { KioskConfig } from '../config/config.ts';
import { CrlRevocationChecker } from '../trust/crl/checker.ts';
import { OcspRevocationChecker } from '../trust/ocsp/ocsp-checker.ts';
import { TrustStore } from '../trust/trust-store.ts';
import { runStatusCheck, type SerialStatusSource, type StatusCheckReport } from './status-check.ts';

/** null when the configuration has no audit database (nothing to re-check). */
export function statusCheckFromConfig(cfg: KioskConfig): ((o?: { since?: Date }) => Promise<StatusCheckReport>) | null {
  const auditDb = cfg.audit.db;
  if (!auditDb) return null;
  return async (o = {}) => {
    const issuers = TrustStore.fromFiles(cfg.trust.jpkiSign).anchors;
    const sources: SerialStatusSource[] = [];
    if (cfg.revocation.ocsp) sources.push(new OcspRevocationChecker({ ...cfg.revocation.ocsp, retryAfterMs: 0 }));
    const crl = cfg.revocation.crlDb ? new CrlRevocationChecker({ store: cfg.revocation.crlDb, graceSeconds: cfg.revocation.graceSeconds }) : null;
    if (crl) sources.push(crl);
    try {
      return await runStatusCheck({ auditDb, issuers, sources, since: o.since });
    } finally {
      crl?.close();
    }
  };
}
