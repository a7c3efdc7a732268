// 現況確認: re-checks the JPKI signing certificates the audit trail recorded (issuer fingerprint + serial
// of each verified 'mynumber-sign' session) against the revocation data in force now. A 署名用電子証明書
// is revoked when the holder's name or address changes or the card is reported lost, so "revoked" tells
// the business that the customer's details changed or the card was lost (the reason code, when the source
// gives one, is passed through; which reasons J-LIS uses for which event is not mapped — uncertain).
// Where a platform operator's API links an old certificate to its successor, the report follows the link.
// Reads the audit database read-only; writes nothing.
import type { X509Certificate } from 'node:crypto';
import Database from 'better-sqlite3';
import { combineRevocation } from '../trust/ocsp/fallback-checker.ts';
import { ErrorCodes, KioskError } from '../../core/errors.ts';
import { serialFromHex } from '../trust/crl/der.ts';
import type { RevocationStatus } from '../trust/revocation.ts';
import type { PlatformStatusApi } from '../trust/ocsp/platform-status.ts';

/** A revocation source that can answer for a serial without the certificate (CRL store, OCSP). */
export interface SerialStatusSource {
  checkSerial(issuer: X509Certificate, serial: Buffer): RevocationStatus | Promise<RevocationStatus>;
}

export interface StatusCheckOptions {
  auditDb: string;
  /** Issuer certificates (JPKI signing CAs) to look the recorded issuer fingerprints up in. */
  issuers: readonly X509Certificate[];
  /** Asked in order; the first definite answer (good/revoked) counts. */
  sources: readonly SerialStatusSource[];
  /** Platform operator's API: status and old→new linkage (optional). */
  platform?: PlatformStatusApi;
  /** Only sessions at or after this time. */
  since?: Date;
  /** Documents whose certificates are re-checked (default the JPKI signing route). */
  documents?: readonly string[];
}

export type CertificateState = 'unchanged' | 'revoked' | 'unknown';

export interface CertificateStatusReport {
  issuerFingerprintSha256: string;
  serialNumber: string;
  /** Audit records (seq) that verified this certificate, and when the last one was. */
  records: number[];
  lastVerifiedAt: string;
  state: CertificateState;
  /** "unchanged" | "revoked (details changed or card lost)" | "unknown (<reason>)" */
  summary: string;
  source: string | null;
  checkedAt: string;
  revokedAt?: string;
  reason?: string;
  /** The platform operator's successor certificate, when it links one. */
  successor?: { serialNumber: string; state: CertificateState };
}

export interface StatusCheckReport {
  checkedAt: string;
  certificates: CertificateStatusReport[];
  counts: Record<CertificateState, number>;
}

interface Recorded {
  document: string | null;
  verdict: string;
  time: string;
  certificate: { serial: string; issuerFingerprintSha256: string | null } | null;
}

const norm = (fp: string) => fp.replace(/:/g, '').toLowerCase();

function summaryOf(s: RevocationStatus): string {
  if (s.status === 'good') return 'unchanged';
  if (s.status === 'revoked') return 'revoked (details changed or card lost)';
  return `unknown (${s.reason})`;
}

const stateOf = (s: RevocationStatus): CertificateState => (s.status === 'good' ? 'unchanged' : s.status === 'revoked' ? 'revoked' : 'unknown');

/** Every source is asked; a revoked from any of them wins (fallback-checker.ts combineRevocation). */
async function ask(sources: readonly SerialStatusSource[], issuer: X509Certificate, serialHex: string): Promise<RevocationStatus> {
  if (sources.length === 0) return { status: 'unknown', source: 'none', checkedAt: new Date().toISOString(), reason: ErrorCodes.TRUST_REVOCATION_UNKNOWN };
  const answers: RevocationStatus[] = [];
  for (const s of sources) answers.push(await s.checkSerial(issuer, serialFromHex(serialHex)));
  return combineRevocation(answers);
}

const PLATFORM_TIMEOUT_MS = 5000;

/** The operator's answer, or null on error or after the deadline (even from an adapter that ignores its signal). */
function withDeadline<T>(p: Promise<T>): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<null>((r) => (timer = setTimeout(() => r(null), PLATFORM_TIMEOUT_MS)));
  return Promise.race([p.catch(() => null), deadline]).finally(() => clearTimeout(timer));
}

export async function runStatusCheck(o: StatusCheckOptions): Promise<StatusCheckReport> {
  let db: Database.Database;
  try {
    db = new Database(o.auditDb, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new KioskError(ErrorCodes.AUDIT_CHAIN_BROKEN, `cannot open audit database ${o.auditDb}: ${(e as Error).message}`);
  }
  const documents = o.documents ?? ['mynumber-sign'];
  const seen = new Map<string, { issuer: string; serial: string; records: number[]; last: string }>();
  try {
    const rows = db.prepare('SELECT seq, time, body FROM records ORDER BY seq').all() as { seq: number; time: string; body: string }[];
    for (const row of rows) {
      if (o.since && row.time < o.since.toISOString()) continue;
      const b = JSON.parse(row.body) as Recorded;
      if (b.verdict !== 'verified' || !b.document || !documents.includes(b.document) || !b.certificate?.issuerFingerprintSha256) continue;
      const key = `${norm(b.certificate.issuerFingerprintSha256)}/${b.certificate.serial.toUpperCase()}`;
      const e = seen.get(key) ?? {
        issuer: norm(b.certificate.issuerFingerprintSha256),
        serial: b.certificate.serial.toUpperCase(),
        records: [],
        last: row.time,
      };
      e.records.push(row.seq);
      e.last = row.time;
      seen.set(key, e);
    }
  } finally {
    db.close();
  }
  const byFp = new Map(o.issuers.map((c) => [norm(c.fingerprint256), c]));
  const out: CertificateStatusReport[] = [];
  for (const e of seen.values()) {
    const issuer = byFp.get(e.issuer);
    let status: RevocationStatus;
    let successor: CertificateStatusReport['successor'];
    if (!issuer) {
      status = { status: 'unknown', source: 'none', checkedAt: new Date().toISOString(), reason: ErrorCodes.TRUST_NO_ANCHOR };
    } else {
      status = await ask(o.sources, issuer, e.serial);
      if (o.platform) {
        const p = await withDeadline(
          o.platform.status({ issuerFingerprintSha256: e.issuer.toUpperCase(), serialNumber: e.serial }, AbortSignal.timeout(PLATFORM_TIMEOUT_MS)),
        );
        if (p && status.status === 'unknown' && p.status !== 'unknown') {
          status =
            p.status === 'good'
              ? { status: 'good', source: 'platform', checkedAt: p.checkedAt }
              : {
                  status: 'revoked',
                  source: 'platform',
                  checkedAt: p.checkedAt,
                  revokedAt: p.revokedAt ?? p.checkedAt,
                  ...(p.reason ? { reason: p.reason } : {}),
                };
        }
        if (p?.successorSerial) {
          const next = await ask(o.sources, issuer, p.successorSerial);
          successor = { serialNumber: p.successorSerial.toUpperCase(), state: stateOf(next) };
        }
      }
    }
    out.push({
      issuerFingerprintSha256: e.issuer,
      serialNumber: e.serial,
      records: e.records,
      lastVerifiedAt: e.last,
      state: stateOf(status),
      summary: summaryOf(status),
      source: status.source,
      checkedAt: status.checkedAt,
      ...(status.status === 'revoked' ? { revokedAt: status.revokedAt, ...(status.reason ? { reason: status.reason } : {}) } : {}),
      ...(successor ? { successor } : {}),
    });
  }
  const counts: Record<CertificateState, number> = { unchanged: 0, revoked: 0, unknown: 0 };
  for (const c of out) counts[c.state]++;
  return { checkedAt: new Date().toISOString(), certificates: out, counts };
}
