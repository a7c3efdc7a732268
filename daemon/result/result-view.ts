// The DocumentResult contract: what a document flow's result is, in terms every part of the kiosk shares —
// the session state machine (daemon/kiosk/), the screen protocol, receipts, the signed API result and the
// audit record. Nothing here names a document: each document's own display view lives beside it
// (daemon/documents/<document>/…-view.ts) and its names and holder data are described by the
// DocumentResultType it registers (document-types.ts). See docs/verdicts.md for the verdict model.

import type { ErrorCode } from '../../core/errors.ts';

/**
 * What the evidence proves about the document itself (docs/verdicts.md):
 * - `proven`: the data is covered by a signature that chains to a configured anchor, and the chip proved it is
 *   not a copy wherever the document offers that (JPKI challenge signature, passport AA/CA when the SOD lists
 *   DG15/DG14, residence-card issuer signature, My Number DF33/DF28);
 * - `chip-read`: read from a chip, data not proven (no key configured, signature scheme not checkable);
 * - `failed`: a check that proves the document failed (signature mismatch, clone suspected).
 */
export const AUTHENTICITIES = ['proven', 'chip-read', 'failed'] as const;
export type Authenticity = (typeof AUTHENTICITIES)[number];

/**
 * How the presenter was tied to the document. Room is left for a future 'face-match'. The lists here are the
 * daemon's side of the screen protocol: ui/protocol.js validates the same values (a unit test compares them).
 */
export const HOLDER_BINDINGS = ['pin', 'password', 'printed-number-only', 'mrz-only', 'none'] as const;
export type HolderBinding = (typeof HOLDER_BINDINGS)[number];

/** Why a document was refused or only read: a stable code, and words for the operator's log. */
export interface Reason {
  code: ErrorCode;
  message: string;
}

/**
 * - `verified`: authenticity `proven` and every check the document needs held (the only outcome that says
 *   「本人確認できました」, exit 0, "verified" in the JWS);
 * - `chip-read`: every check held except that authenticity is only `chip-read`; accepted only by a policy
 *   that allows it explicitly (policy `acceptChipRead`), otherwise the verdict gate turns it into `refused`
 *   with DOCUMENT_NOT_PROVEN (daemon/policy/verdict-gate.ts).
 */
export const OUTCOMES = ['verified', 'chip-read', 'refused', 'error', 'cancelled'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/**
 * What the screen shows after a session; no personal data beyond what the document mode may disclose.
 * These are the fields every consumer (state machine, screen, receipt, signed result, audit) may read. A
 * document adds its own display fields beside these (e.g. `licenseHolder`, `residence`, `cardFace`), typed
 * in its own module as `ResultView & { … }`; nothing outside the document and the screen reads them, and
 * the verdict gate and the policy withhold every field not listed in COMMON_RESULT_FIELDS unless disclosed.
 */
export interface ResultView {
  outcome: Outcome;
  /** Set by every document flow that got as far as reading the document; null/absent for errors before that. */
  authenticity?: Authenticity | null;
  /** Set by every document flow: how the presenter was tied to the document. */
  holderBinding?: HolderBinding | null;
  document: string | null;
  /** Stable codes; the UI maps them to Japanese/English guidance. */
  reasons: string[];
  triesLeft?: number | null;
  certificate?: {
    serialNumber: string;
    fingerprintSha256: string;
    notAfter: string;
    /** SHA-256 of the CA certificate that issued it (the trust anchor or intermediate the chain ended on). */
    issuerFingerprintSha256?: string;
  } | null;
  revocation?: string;
  /** Which revocation source answered, when, and from which CRL (audit trail; no personal data). */
  revocationDetail?: { source: string; checkedAt: string; crlNumber: string | null } | null;
  /**
   * Holder attributes a document discloses in the one shape several documents share (My Number 4 info and
   * JPKI signing certificate, the passport's name). Never the My Number.
   */
  holder?: HolderView | null;
  /** What the kiosk checked and what it could not (e.g. { 'basic-info-hash': 'match', 'issuer-signature': 'unverified' }). */
  checks?: Record<string, string>;
  /** The verification policy the session ran under (daemon/policy/): its name, the age answer, the legal-method entries. */
  policy?: PolicyResultView | null;
}

/** The ResultView fields every document shares; anything else on a result is a document's own display view. */
export const COMMON_RESULT_FIELDS: ReadonlySet<string> = new Set<keyof ResultView>([
  'outcome',
  'authenticity',
  'holderBinding',
  'document',
  'reasons',
  'triesLeft',
  'certificate',
  'revocation',
  'revocationDetail',
  'holder',
  'checks',
  'policy',
]);

/**
 * The verdict part of a document's own result (docs/verdicts.md); V narrows the outcomes that document can
 * reach (JPKI 署名用 is never chip-read).
 */
export interface VerdictFields<V extends Outcome = Outcome> {
  authenticity: Authenticity | null;
  holderBinding: HolderBinding | null;
  verdict: V;
  reasons: Reason[];
}

/** Before any check has run: nothing proven, nobody bound, refused. A result starts here, never at a pass. */
export function unassessed(): VerdictFields<'refused'> {
  return { authenticity: null, holderBinding: null, verdict: 'refused', reasons: [] };
}

/**
 * The shared head of a document's result view: its verdict as the outcome, how it was proven and bound to
 * the presenter, which document, and its reasons as stable codes.
 */
export function resultViewHead(r: {
  verdict: Outcome;
  authenticity: Authenticity | null;
  holderBinding: HolderBinding | null;
  document: string | null;
  reasons: readonly { code: string }[];
}): Pick<ResultView, 'outcome' | 'authenticity' | 'holderBinding' | 'document' | 'reasons'> {
  return { outcome: r.verdict, authenticity: r.authenticity, holderBinding: r.holderBinding, document: r.document, reasons: r.reasons.map((x) => x.code) };
}

/** A copy of the result without the fields `drop` names (the verdict gate and the policy withhold display data with it). */
export function withoutFields<V extends ResultView>(view: V, drop: (field: string) => boolean): V {
  const out = { ...view };
  for (const f of Object.keys(out)) if (drop(f)) delete (out as Record<string, unknown>)[f];
  return out;
}

export interface PolicyResultView {
  /** null: the session ran without a policy (the legal-method entries are recorded all the same). */
  name: string | null;
  /** Age policies only: "threshold years of age or older" yes/no; null when the document's own checks did not hold. Never the birth date. */
  age: { threshold: number; over: boolean | null } | null;
  /** Legal-method table (daemon/policy/legal-methods.json): its version and the entries for the document that answered. */
  legal: { version: string; citationsChecked: boolean; entries: { id: string; regime: string; status: string; methodRef: string | null }[] };
}

/** Text as the screen draws it: plain runs, and licence 外字 as small PNG data URLs. */
export type ScreenTextRun = { text: string } | { glyph: string; alt: string };

/** Holder attributes in the shared shape (ResultView.holder). */
export interface HolderView {
  name: string | null;
  address: string | null;
  /** YYYY-MM-DD */
  dateOfBirth: string | null;
  sex: 'male' | 'female' | 'not-applicable' | 'unknown' | null;
  /** JIS X 0208-only renderings when the original has characters outside it (explicit substitution). */
  nameJisX0208?: string;
  addressJisX0208?: string;
}
