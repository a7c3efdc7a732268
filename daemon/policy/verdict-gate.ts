// The verdict gate: the one place that decides whether a document flow's result may say "verified".
// Every result passes through it (policy-flow.ts) before the screen, the receipt, the signed result (JWS)
// and the audit record see it, so none of them can disagree. It fails closed:
// - `verified` stands only with authenticity `proven` and a named holder binding;
// - `chip-read` (read from a chip, data not proven) stands only where the session's policy accepts it
//   explicitly; otherwise it becomes `refused` with DOCUMENT_NOT_PROVEN;
// - anything else that claims `verified` (authenticity missing, `chip-read` or `failed`) is refused;
// - an outcome the kiosk does not know is an error, never an acceptance.
// docs/verdicts.md lists what each document × mode can reach.
import { ErrorCodes } from '../../core/errors.ts';
import { COMMON_RESULT_FIELDS, withoutFields, type ResultView } from '../result/result-view.ts';

export interface VerdictGateOptions {
  /** The session's policy accepts `chip-read` results (policy `acceptChipRead`; never by default). */
  acceptChipRead: boolean;
}

const withReason = (reasons: readonly string[], code: string) => (reasons.includes(code) ? [...reasons] : [...reasons, code]);

/**
 * Holder data a refused result must not carry: what the flow read from an unproven document is not shown
 * as the holder's (name, address, images) on the screen, the receipt, the JWS or in the audit record. That
 * is the shared `holder` and every display field a document adds beside the shared ones (licenseHolder,
 * residence, cardFace, and whatever a future document adds: fail closed, no list to forget).
 */
function refuse(view: ResultView, code: string): ResultView {
  return withoutFields({ ...view, outcome: 'refused', reasons: withReason(view.reasons ?? [], code) }, (f) => f === 'holder' || !COMMON_RESULT_FIELDS.has(f));
}

/** Outcomes that accept nothing and pass unchanged. */
const NOT_ACCEPTED: ReadonlySet<string> = new Set(['refused', 'error', 'cancelled']);

export function gateVerdict(view: ResultView, o: VerdictGateOptions): ResultView {
  if (view.outcome === 'verified') {
    if (view.authenticity === 'proven' && view.holderBinding) return view;
    // A flow that says verified for something it did not prove is a defect; the kiosk still refuses.
    if (view.authenticity === 'chip-read') return gateVerdict({ ...view, outcome: 'chip-read' }, o);
    return refuse(view, ErrorCodes.DOCUMENT_NOT_PROVEN);
  }
  if (view.outcome === 'chip-read') {
    if (view.authenticity !== 'chip-read' || !view.holderBinding) return refuse(view, ErrorCodes.DOCUMENT_NOT_PROVEN);
    return o.acceptChipRead ? view : refuse(view, ErrorCodes.DOCUMENT_NOT_PROVEN);
  }
  if (NOT_ACCEPTED.has(view.outcome)) return view;
  return { ...view, outcome: 'error', reasons: withReason(view.reasons ?? [], ErrorCodes.INTERNAL) };
}
