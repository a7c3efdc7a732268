// Turns a document flow's ResultView into the policy's result: the age answer (age policies), the
// legal-method entries, and nothing the policy does not disclose. Runs inside the daemon before the
// result reaches the session state, so the screen, the receipt, the signed result and the audit record
// all see the same filtered view.
import { ErrorCodes } from '../../core/errors.ts';
import { COMMON_RESULT_FIELDS, withoutFields, type PolicyResultView, type ResultView } from '../result/result-view.ts';
import { isAtLeast, parseBirthDate, resolveMrzBirthDate, type CalendarDate } from './age.ts';
import { birthDateOf } from './birth-date.ts';
import { legalMappingFor, type LegalTable } from './legal-methods.ts';
import type { VerificationPolicy } from './policy.ts';

/**
 * ResultView fields a policy withholds unless it discloses them by name: the shared `holder` and
 * `certificate`, and every display field a document adds beside the shared ones (licenseHolder, residence,
 * cardFace, …) — fail closed: a new document's view is withheld until a policy names it.
 */
const withheld = (field: string) => field === 'holder' || field === 'certificate' || !COMMON_RESULT_FIELDS.has(field);

function birthOf(view: ResultView, at: Date): CalendarDate | null {
  const fact = birthDateOf(view);
  if (!fact) return null;
  return fact.form === 'mrz' ? resolveMrzBirthDate(fact.value, at) : parseBirthDate(fact.value);
}

export function applyPolicy(policy: VerificationPolicy, view: ResultView, at: Date, table?: LegalTable): ResultView {
  const disclosed = new Set<string>(policy.disclose);
  const out: ResultView = withoutFields({ ...view, reasons: [...view.reasons] }, (f) => withheld(f) && !disclosed.has(f));
  let age: PolicyResultView['age'] = null;
  if (policy.ageThreshold !== null) {
    age = { threshold: policy.ageThreshold, over: null };
    // The answer needs the document's own checks first (chain, signature, revocation, expiry) and data that
    // is proven authentic: a forged chip can carry any birth date. Anything but `verified` + `proven`
    // answers nothing about age, and a chip-read result under an age policy is refused.
    if (view.outcome === 'chip-read' || (view.outcome === 'verified' && view.authenticity !== 'proven')) {
      out.outcome = 'refused';
      if (!out.reasons.includes(ErrorCodes.DOCUMENT_NOT_PROVEN)) out.reasons.push(ErrorCodes.DOCUMENT_NOT_PROVEN);
    } else if (view.outcome === 'verified') {
      const birth = birthOf(view, at);
      if (!birth) {
        out.outcome = 'refused';
        out.reasons.push(ErrorCodes.AGE_BIRTH_DATE_UNAVAILABLE);
      } else {
        age.over = isAtLeast(birth, policy.ageThreshold, at);
        if (!age.over) {
          out.outcome = 'refused';
          out.reasons.push(ErrorCodes.AGE_BELOW_THRESHOLD);
        }
      }
    }
  }
  // After the age answer: a result the age rule refused satisfies no legal method either.
  out.policy = { name: policy.name, age, legal: legalMappingFor(out, table) };
  return out;
}

/** The policy part of a result that ended without a document result (card pulled, PIN locked, timeout…): nothing satisfied. */
export function policyViewForFailure(policy: VerificationPolicy, document: string | null, table?: LegalTable): PolicyResultView {
  return {
    name: policy.name,
    age: policy.ageThreshold === null ? null : { threshold: policy.ageThreshold, over: null },
    legal: legalMappingFor({ document, outcome: 'refused' }, table),
  };
}
