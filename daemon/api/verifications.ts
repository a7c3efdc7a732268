// Verifications the business application started through the integration API. They go through the same
// command path as the kiosk screen and keypad (the runtime): a request names the accepted documents,
// the next card placed on the reader is read for those only, progress follows the session's state, and
// the end of the session becomes a signed result token (result-token.ts). No personal data and no
// secret is ever part of what this module keeps or sends.
import { randomUUID } from 'node:crypto';
import type { DeviceKey } from '../device/device-key.ts';
import { documentKind } from '../result/document-types.ts';
import type { KioskRuntime } from '../kiosk/runtime.ts';
import type { KioskState } from '../kiosk/session-machine.ts';
import type { ResultView } from '../result/result-view.ts';
import { signResultToken, type ResultClaims } from './result-token.ts';
import { policyViewForFailure } from '../policy/apply-policy.ts';
import { runnableDocuments, type PolicyRegistry } from '../policy/policy.ts';
import { legalMappingFor } from '../policy/legal-methods.ts';

export type VerificationStatus = 'waiting-card' | 'reading' | 'secret-entry' | 'verifying' | 'completed' | 'ended';

export interface ProgressData {
  status: VerificationStatus;
  step: string | null;
  /** During secret entry: which secret, and the tries the card reports (never the entry itself). */
  secret?: { purpose: string; triesLeft: number | null };
}

export type ApiEvent =
  | { event: 'progress'; data: ProgressData }
  | { event: 'result'; data: { verdict: ResultClaims['verdict']; token: string } }
  | { event: 'ended'; data: { code: string } };

export interface VerificationView {
  id: string;
  documents: string[];
  /** The policy the verification was started with (null: by document ids). */
  policy: string | null;
  status: VerificationStatus;
  step: string | null;
  createdAt: string;
  result: { verdict: ResultClaims['verdict']; token: string } | null;
  code: string | null;
}

interface Verification {
  id: string;
  documents: string[];
  policy: string | null;
  nonce: string | null;
  audience: string | null;
  createdAt: Date;
  progress: ProgressData;
  result: { verdict: ResultClaims['verdict']; token: string } | null;
  code: string | null;
  listeners: Set<(e: ApiEvent) => void>;
}

export interface StartRequest {
  documents: string[];
  /** A verification policy name (daemon/policy/): its documents replace `documents`, its rules shape the result. */
  policy?: string;
  nonce?: string;
  audience?: string;
}

export type StartOutcome = { ok: true; view: VerificationView } | { ok: false; code: string };

const KEEP = 200;
const KEEP_MS = 15 * 60_000;

/** The documents the kiosk reads and the verification policies a start may name (`policy`). */
export interface KioskOffer {
  documents: readonly string[];
  policies?: PolicyRegistry;
}

export class Verifications {
  private readonly all = new Map<string, Verification>();
  private readonly off: (() => void)[] = [];

  constructor(
    private readonly o: {
      runtime: KioskRuntime;
      deviceKey: DeviceKey;
      kioskId: string;
      /** The documents and policies on offer now . */
      offer: () => KioskOffer;
      tokenTtlSeconds: number;
      now?: () => Date;
    },
  ) {
    const rt = o.runtime;
    this.off.push(
      rt.events.on('state', (s) => this.onState(s), 'api'),
      rt.events.on('session-ended', ({ result, request }) => request && this.onResult(request, result), 'api'),
      rt.events.on('request-ended', ({ id, code }) => this.onEnded(id, code), 'api'),
    );
  }

  dispose(): void {
    for (const f of this.off.splice(0)) f();
  }

  private now(): Date {
    return (this.o.now ?? (() => new Date()))();
  }

  /** Starts a verification; refused (with a stable code) when a document is not enabled or the kiosk is busy or blocked. */
  start(req: StartRequest): StartOutcome {
    const offer = this.o.offer();
    let documents = req.documents;
    if (req.policy !== undefined) {
      const policy = offer.policies?.get(req.policy);
      if (!policy) return { ok: false, code: 'POLICY_UNKNOWN' };
      documents = runnableDocuments(policy, offer.documents);
    }
    const unknown = documents.filter((d) => !offer.documents.includes(d));
    if (documents.length === 0 || unknown.length) return { ok: false, code: 'DOCUMENT_NOT_ENABLED' };
    this.prune();
    const v: Verification = {
      id: randomUUID(),
      documents: [...documents],
      policy: req.policy ?? null,
      nonce: req.nonce ?? null,
      audience: req.audience ?? null,
      createdAt: this.now(),
      progress: { status: 'waiting-card', step: null },
      result: null,
      code: null,
      listeners: new Set(),
    };
    this.all.set(v.id, v);
    this.o.runtime.request({ id: v.id, documents: v.documents, ...(v.policy ? { policy: v.policy } : {}) });
    if (v.code) {
      // Refused synchronously by the session machine (busy, maintenance, printer): never became a request.
      this.all.delete(v.id);
      return { ok: false, code: v.code };
    }
    return { ok: true, view: this.view(v) };
  }

  get(id: string): VerificationView | null {
    const v = this.all.get(id);
    return v ? this.view(v) : null;
  }

  /** Cancels a pending or running verification; false when it does not exist or has already ended. */
  cancel(id: string): boolean {
    const v = this.all.get(id);
    if (!v || v.result || v.code) return false;
    this.o.runtime.cancelRequest(id);
    return true;
  }

  /** Subscribes to a verification's events; the current progress (or outcome) is delivered at once. */
  subscribe(id: string, fn: (e: ApiEvent) => void): (() => void) | null {
    const v = this.all.get(id);
    if (!v) return null;
    fn({ event: 'progress', data: v.progress });
    if (v.result) fn({ event: 'result', data: v.result });
    else if (v.code) fn({ event: 'ended', data: { code: v.code } });
    v.listeners.add(fn);
    return () => v.listeners.delete(fn);
  }

  private emit(v: Verification, e: ApiEvent): void {
    for (const l of [...v.listeners]) l(e);
  }

  private onState(s: KioskState): void {
    const v = s.request ? this.all.get(s.request.id) : undefined;
    if (!v || v.result || v.code) return;
    const status: VerificationStatus = s.phase === 'reading' || s.phase === 'secret-entry' || s.phase === 'verifying' ? s.phase : 'waiting-card';
    const progress: ProgressData = { status, step: s.step };
    if (s.phase === 'secret-entry' && s.entry) progress.secret = { purpose: s.entry.purpose, triesLeft: s.entry.triesLeft };
    if (JSON.stringify(progress) === JSON.stringify(v.progress)) return;
    v.progress = progress;
    this.emit(v, { event: 'progress', data: progress });
  }

  private onResult(id: string, result: ResultView): void {
    const v = this.all.get(id);
    if (!v) return;
    const now = this.now();
    const kind = documentKind(result);
    const cert = result.certificate ?? null;
    const claims: ResultClaims = {
      iss: `idkiosk:${this.o.kioskId}`,
      ...(v.audience ? { aud: v.audience } : {}),
      jti: v.id,
      iat: Math.floor(now.getTime() / 1000),
      exp: Math.floor(now.getTime() / 1000) + this.o.tokenTtlSeconds,
      kioskId: this.o.kioskId,
      nonce: v.nonce,
      verdict: result.outcome,
      authenticity: result.authenticity ?? null,
      holderBinding: result.holderBinding ?? null,
      checks: { ...(result.checks ?? {}) },
      reasons: [...result.reasons],
      document: result.document,
      documentType: kind.documentType,
      method: kind.method,
      certificate: cert ? { serialNumber: cert.serialNumber, fingerprintSha256: cert.fingerprintSha256, notAfter: cert.notAfter ?? null } : null,
      revocation: result.revocation ?? 'not-checked',
      time: now.toISOString(),
    };
    // Which revocation source answered and when (CRL store, OCSP, platform operator).
    if (result.revocationDetail) claims.revocationSource = { source: result.revocationDetail.source, checkedAt: result.revocationDetail.checkedAt };
    // Policy sessions: the age answer (never the birth date) and the legal-method entries, also when the
    // session ended without a document result (then the age answer is null).
    const policy = v.policy ? this.o.offer().policies?.get(v.policy) : undefined;
    if (result.policy) claims.policy = result.policy;
    else if (policy) claims.policy = policyViewForFailure(policy, result.document);
    else claims.policy = { name: null, age: null, legal: legalMappingFor(result) };
    v.result = { verdict: claims.verdict, token: signResultToken(claims, this.o.deviceKey) };
    v.progress = { status: 'completed', step: null };
    this.emit(v, { event: 'progress', data: v.progress });
    this.emit(v, { event: 'result', data: v.result });
  }

  private onEnded(id: string, code: string): void {
    const v = this.all.get(id);
    if (!v || v.result) return;
    v.code = code;
    v.progress = { status: 'ended', step: null };
    this.emit(v, { event: 'progress', data: v.progress });
    this.emit(v, { event: 'ended', data: { code } });
  }

  private view(v: Verification): VerificationView {
    return {
      id: v.id,
      documents: v.documents,
      policy: v.policy,
      status: v.progress.status,
      step: v.progress.step,
      createdAt: v.createdAt.toISOString(),
      result: v.result,
      code: v.code,
    };
  }

  private prune(): void {
    const cutoff = this.now().getTime() - KEEP_MS;
    for (const [id, v] of this.all) if ((v.result || v.code) && v.createdAt.getTime() < cutoff) this.all.delete(id);
    while (this.all.size >= KEEP) {
      const oldest = [...this.all.values()].find((v) => v.result || v.code);
      if (!oldest) break;
      this.all.delete(oldest.id);
    }
  }
}
