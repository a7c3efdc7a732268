// Online first, offline fallback: asks each source in order (OCSP or a platform operator's status API,
// then the CRL store) and returns the first definite answer (good or revoked). When every source answers
// "unknown", the last one's answer is returned (fail closed). The answer names the source that gave it
// (`source`) and when (`checkedAt`); `tried` lists the sources that could not answer, for the audit trail.
import type { X509Certificate } from 'node:crypto';
import type { RevocationChecker, RevocationStatus } from '../revocation.ts';

export type FallbackStatus = RevocationStatus & { tried?: { source: string; reason: string }[] };

export class FallbackRevocationChecker implements RevocationChecker {
  constructor(private readonly sources: readonly RevocationChecker[]) {
    if (sources.length === 0) throw new Error('FallbackRevocationChecker needs at least one source');
  }

  async check(cert: X509Certificate, issuer: X509Certificate): Promise<FallbackStatus> {
    const tried: { source: string; reason: string }[] = [];
    let last: RevocationStatus | null = null;
    for (const s of this.sources) {
      const r = await s.check(cert, issuer);
      if (r.status !== 'unknown') return tried.length ? { ...r, tried } : r;
      tried.push({ source: r.source, reason: r.reason });
      last = r;
    }
    return { ...last!, tried: tried.slice(0, -1) };
  }
}
