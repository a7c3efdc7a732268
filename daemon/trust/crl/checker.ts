// RevocationChecker backed by the local CRL store. Answers good / revoked / unknown and never throws:
// no CRL for the issuer, a CRL past nextUpdate + grace, a CRL whose scope does not cover the certificate
// and an unreadable store are all "unknown" with a stable reason code, so the verdict fails closed.
import { at } from '../../../core/checked.ts';
import type { X509Certificate } from 'node:crypto';
import { ErrorCodes, toKioskError } from '../../../core/errors.ts';
import type { RevocationChecker, RevocationStatus } from '../revocation.ts';
import { distributionPointsMatch, parseCertificate, type CertInfo } from './cert-info.ts';
import { REASON_NAMES } from './oids.ts';
import { namesMatch } from '../name-compare.ts';
import { CrlStore } from './store.ts';
import { effectiveTimes } from './store-schema.ts';

export interface CrlCheckerOptions {
  /** the store, or its directory */
  store: CrlStore | string;
  /** how long after nextUpdate a CRL is still used (default 0 s: fail closed exactly at nextUpdate) */
  graceSeconds?: number;
  /** clock (tests; the daemon passes its trusted clock) */
  now?: () => Date;
  /** A CRL whose thisUpdate is older than this is stale even before its nextUpdate (default: no limit). */
  maxAgeSeconds?: number;
  /** Tolerated clock difference for a thisUpdate in the future (default 300 s). */
  skewSeconds?: number;
}

/**
 * The certificates of `above` (the validated path above `issuer`, toward the anchor) that hold another key
 * of the same CA: while the certificate below is self-issued (issuer name = subject name), the next one has
 * that name and its key verifies the one below. Never throws: anything unreadable ends the walk.
 */
function sameCaKeys(issuer: X509Certificate, above: readonly X509Certificate[]): X509Certificate[] {
  const out: X509Certificate[] = [];
  try {
    let below = issuer;
    for (const next of above) {
      const b = parseCertificate(below);
      if (!namesMatch(b.issuerDer, b.subjectDer) || !namesMatch(parseCertificate(next).subjectDer, b.subjectDer) || !below.verify(next.publicKey)) break;
      out.push(next);
      below = next;
    }
  } catch {
    // an unreadable certificate names no further key
  }
  return out;
}

const iso = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');

export class CrlRevocationChecker implements RevocationChecker {
  readonly store: CrlStore;
  private readonly grace: number;
  private readonly now: () => Date;
  private readonly maxAge: number | undefined;
  private readonly skew: number;

  constructor(o: CrlCheckerOptions) {
    this.maxAge = o.maxAgeSeconds;
    this.skew = o.skewSeconds ?? 300;
    this.store = typeof o.store === 'string' ? new CrlStore(o.store) : o.store;
    this.grace = o.graceSeconds ?? 0;
    this.now = o.now ?? (() => new Date());
  }

  async check(cert: X509Certificate, issuer: X509Certificate, above: readonly X509Certificate[] = []): Promise<RevocationStatus> {
    return this.checkSync(cert, issuer, above);
  }

  /**
   * The store keeps CRLs per CA key. After a key rollover the CA may sign its CRL with another key than the
   * one that issued `cert`: RFC 5280 §6.3.3 (f) accepts a CRL issuer whose certificate is validated to the
   * same trust anchor. Those asked besides `issuer` are the CA's keys on the validated path itself (`above`):
   * each certified the one below it through a self-issued certificate of the same CA name. A revoked answer
   * from any of them wins; otherwise the issuer's own answer, unless the store has no CRL for its key.
   */
  checkSync(cert: X509Certificate, issuer: X509Certificate, above: readonly X509Certificate[] = []): RevocationStatus {
    const answers = [issuer, ...sameCaKeys(issuer, above)].map((signer) =>
      this.decide(() => {
        const c = parseCertificate(cert);
        const ca = parseCertificate(signer);
        if (!namesMatch(c.issuerDer, ca.subjectDer)) return { reason: ErrorCodes.CRL_ISSUER_MISMATCH };
        return { issuerId: ca.issuerId, serial: c.serial, cert: c };
      }),
    );
    const notFound = (a: RevocationStatus) => a.status === 'unknown' && a.reason === ErrorCodes.CRL_NOT_FOUND;
    return answers.find((a) => a.status === 'revoked') ?? answers.find((a) => !notFound(a)) ?? at(answers, 0);
  }

  /**
   * Status of a serial (canonical DER INTEGER content, see serialFromHex) under an issuer, without the
   * certificate itself: used by `idkiosk crl check`. The IDP scope checks need the certificate and are skipped.
   */
  checkSerial(issuer: X509Certificate, serial: Buffer): RevocationStatus {
    return this.decide(() => ({ issuerId: parseCertificate(issuer).issuerId, serial }));
  }

  private decide(subject: () => { reason: string } | { issuerId: string; serial: Buffer; cert?: CertInfo }): RevocationStatus {
    const nowDate = this.now();
    const checkedAt = nowDate.toISOString();
    const unknown = (reason: string): RevocationStatus => ({ status: 'unknown', source: 'crl', checkedAt, reason });
    try {
      const s = subject();
      if ('reason' in s) return unknown(s.reason);
      const q = this.store.query(s.issuerId, s.serial);
      if (!q) return unknown(ErrorCodes.CRL_NOT_FOUND);
      const { meta, row } = q;
      const c = s.cert;
      // a partitioned CRL only speaks for the certificates in its scope
      if (c && ((meta.idp_only_user && c.isCa) || (meta.idp_only_ca && !c.isCa))) return unknown(ErrorCodes.CRL_SCOPE);
      // a v1/v2 certificate has no basicConstraints: it may be a CA, so a user-certificates-only CRL cannot speak for it
      if (c && meta.idp_only_user && c.version < 3) return unknown(ErrorCodes.CRL_SCOPE);
      // every distribution point of the certificate names a separate cRLIssuer: only that issuer's (indirect) CRL can answer
      if (c?.crlDistributionPointsOnlyIndirect) return unknown(ErrorCodes.CRL_SCOPE);
      if (c && meta.idp_dp && !distributionPointsMatch(c.crlDistributionPointNames, meta.idp_dp)) return unknown(ErrorCodes.CRL_SCOPE);
      const crlNumber = meta.delta_number ?? meta.crl_number ?? undefined;
      if (row) {
        // a listed certificate is revoked whatever the CRL's age: that answer already fails closed
        return {
          status: 'revoked',
          source: 'crl',
          checkedAt,
          revokedAt: iso(row.revoked_at),
          reason: row.reason === null ? undefined : REASON_NAMES[row.reason],
          crlNumber,
        };
      }
      const t = effectiveTimes(meta);
      const nowS = nowDate.getTime() / 1000;
      // a CRL from the future is no evidence of the present (clock attack or a wrong kiosk clock)
      if (t.thisUpdate > nowS + this.skew) return unknown(ErrorCodes.CRL_STALE);
      if (this.maxAge !== undefined && nowS - t.thisUpdate > this.maxAge) return unknown(ErrorCodes.CRL_STALE);
      if (nowS > t.nextUpdate + this.grace) return unknown(ErrorCodes.CRL_STALE);
      return { status: 'good', source: 'crl', checkedAt, crlNumber, thisUpdate: iso(t.thisUpdate), nextUpdate: iso(t.nextUpdate) };
    } catch (e) {
      const k = toKioskError(e, ErrorCodes.CRL_STORE_UNAVAILABLE);
      return unknown(k.code === ErrorCodes.TRUST_CERT_MALFORMED ? k.code : ErrorCodes.CRL_STORE_UNAVAILABLE);
    }
  }

  close(): void {
    this.store.close();
  }
}
