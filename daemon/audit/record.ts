// What one audit record says about a session. Built from the session's ResultView: codes, identifiers of
// certificates and CRLs, never personal data (that goes, only when enabled, into the sealed part).
import { documentKind } from '../result/document-types.ts';
import type { ResultView } from '../result/result-view.ts';

export interface AuditContext {
  kioskId: string;
  site: string | null;
  operator: string | null;
  softwareVersion: string;
  /** Where revocation answers come from ('crl' store, 'none'); and the CRL number in force, when known. */
  revocationSource: string;
  crlNumberFor?: (issuerFingerprint: string | null) => string | null;
}

export interface AuditBody {
  v: 1;
  /** Position in the chain; also the row key, so a moved record is recognised. */
  seq: number;
  chain: string;
  time: string;
  kioskId: string;
  site: string | null;
  operator: string | null;
  session: number;
  document: string | null;
  method: string;
  verdict: ResultView['outcome'];
  /** What the evidence proved about the document (docs/verdicts.md); null when the flow did not get that far or did not say. */
  authenticity: NonNullable<ResultView['authenticity']> | null;
  /** How the presenter was tied to the document; null when unknown. */
  holderBinding: NonNullable<ResultView['holderBinding']> | null;
  reasons: string[];
  /** Every check made and its result (checks not made say so), as the flow reported them. */
  checks: Record<string, string>;
  certificate: { serial: string; fingerprintSha256: string; issuerFingerprintSha256: string | null; notAfter: string } | null;
  /** checkedAt: when the revocation source answered (present when the document flow reported it). */
  revocation: { status: string; source: string; crlNumber: string | null; checkedAt?: string } | null;
  softwareVersion: string;
  /**
   * Policy sessions (daemon/policy/): the policy (`id`: its name; null without a policy), the age answer (yes/no/null — never the birth date) and
   * the legal-method table version with the entry ids that applied. Absent only when the result did not come
   * from a document flow (e.g. the card was pulled).
   */
  policy?: { id: string | null; age: { threshold: number; over: boolean | null } | null; legal: { version: string; entries: string[] } };
  /** SHA-256 of the sealed personal-data blob (the blob itself may be erased later without breaking the chain). */
  sealed: { alg: string; sha256: string } | null;
}

/** A handler may name a more specific method on its result (additive; see docs/operations.md). */
interface AuditExtras {
  method?: string;
}

export type SessionFacts = Omit<AuditBody, 'v' | 'seq' | 'chain' | 'sealed'>;

export function sessionFacts(session: number, result: ResultView, ctx: AuditContext, now: Date): SessionFacts {
  const extra = result as ResultView & AuditExtras;
  const issuer = result.certificate?.issuerFingerprintSha256 ?? null;
  const revStatus = result.revocation ?? null;
  return {
    time: now.toISOString(),
    kioskId: ctx.kioskId,
    site: ctx.site,
    operator: ctx.operator,
    session,
    document: result.document,
    // The same document/method vocabulary as the receipt and the signed API result (one table).
    method: extra.method ?? (result.document ? documentKind(result).method : 'none'),
    verdict: result.outcome,
    // The same three verdict-model fields as the screen, receipt and signed result (one ResultView).
    authenticity: result.authenticity ?? null,
    holderBinding: result.holderBinding ?? null,
    reasons: [...result.reasons],
    checks: { ...(result.checks ?? {}) },
    certificate: result.certificate
      ? {
          serial: result.certificate.serialNumber,
          fingerprintSha256: result.certificate.fingerprintSha256,
          issuerFingerprintSha256: issuer,
          notAfter: result.certificate.notAfter,
        }
      : null,
    revocation:
      revStatus && revStatus !== 'not-applicable'
        ? {
            status: revStatus,
            source: result.revocationDetail?.source ?? ctx.revocationSource,
            crlNumber: result.revocationDetail?.crlNumber ?? ctx.crlNumberFor?.(issuer) ?? null,
            ...(result.revocationDetail?.checkedAt ? { checkedAt: result.revocationDetail.checkedAt } : {}),
          }
        : null,
    softwareVersion: ctx.softwareVersion,
    ...(result.policy
      ? {
          policy: {
            id: result.policy.name,
            age: result.policy.age,
            legal: { version: result.policy.legal.version, entries: result.policy.legal.entries.map((e) => e.id) },
          },
        }
      : {}),
  };
}
