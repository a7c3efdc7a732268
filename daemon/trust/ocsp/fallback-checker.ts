// Several revocation sources, one answer. Every source is asked (a platform operator's status API, OCSP,
// the CRL store — in that order) and the answers are combined so that no source can hide another's
// revocation: a `good` OCSP answer captured before the revocation and replayed within its validity must
// not beat a CRL that lists the certificate.
// - any `revoked` wins (the earliest-listed source that says so is named);
// - otherwise the freshest `good` (latest thisUpdate; an older answer is never preferred over a newer one);
// - otherwise `unknown` (fail closed), naming the last source's reason.
// `tried` lists the sources that could not answer, for the audit trail.
import type { X509Certificate } from 'node:crypto';
import type { RevocationChecker, RevocationStatus } from '../revocation.ts';

export type FallbackStatus = RevocationStatus & { tried?: { source: string; reason: string }[] };

/** When a `good` answer was true: the source's thisUpdate, else when it was asked. */
function asOf(s: RevocationStatus): number {
  const t = s.status === 'good' && s.thisUpdate ? Date.parse(s.thisUpdate) : Date.parse(s.checkedAt);
  return Number.isNaN(t) ? 0 : t;
}

/** Combines the answers of several sources (given in the order they were asked). */
export function combineRevocation(answers: readonly RevocationStatus[]): FallbackStatus {
  const last = answers.at(-1);
  if (last === undefined) throw new Error('combineRevocation needs at least one answer');
  const revoked = answers.find((a) => a.status === 'revoked');
  const freshestGood = answers.filter((a) => a.status === 'good').sort((a, b) => asOf(b) - asOf(a))[0];
  const pick = revoked ?? freshestGood ?? last;
  const tried = answers.filter((a) => a !== pick && a.status === 'unknown').map((a) => ({ source: a.source, reason: (a as { reason: string }).reason }));
  return tried.length ? { ...pick, tried } : pick;
}

export class FallbackRevocationChecker implements RevocationChecker {
  constructor(private readonly sources: readonly RevocationChecker[]) {
    if (sources.length === 0) throw new Error('FallbackRevocationChecker needs at least one source');
  }

  async check(cert: X509Certificate, issuer: X509Certificate, above: readonly X509Certificate[] = []): Promise<FallbackStatus> {
    // In order, not in parallel: an online source's strict deadline bounds the wait, and the audit trail
    // then reads in the order the sources were asked.
    const answers: RevocationStatus[] = [];
    for (const s of this.sources) answers.push(await s.check(cert, issuer, above));
    return combineRevocation(answers);
  }
}
