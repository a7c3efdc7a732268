// Turns a document flow's ResultView into the policy's result: the age answer (age policies), the
// legal-method entries, and nothing the policy does not disclose. Runs inside the daemon before the
// result reaches the session state, so the screen, the receipt, the signed result and the audit record
// all see the same filtered view.
import { ErrorCodes } from '../../core/errors.ts';
import type { PolicyResultView, ResultView } from '../kiosk/session-machine.ts';
import { isAtLeast, parseBirthDate, resolveMrzBirthDate, type CalendarDate } from './age.ts';
import { birthDateOf } from './birth-date.ts';
import { legalMappingFor, type LegalTable } from './legal-methods.ts';
import type { VerificationPolicy } from './policy.ts';

/** ResultView fields a policy may withhold, by disclosure name. */
const WITHHELD: Record<string, (keyof ResultView)[]> = {
  holder: ['holder'],
  licenseHolder: ['licenseHolder'],
  residence: ['residence'],
  cardFace: ['cardFace'],
  certificate: ['certificate'],
};

function birthOf(view: ResultView, at: Date): CalendarDate | null {
  const fact = birthDateOf(view);
  if (!fact) return null;
  return fact.form === 'mrz' ? resolveMrzBirthDate(fact.value, at) : parseBirthDate(fact.value);
}

export function applyPolicy(policy: VerificationPolicy, view: ResultView, at: Date, table?: LegalTable): ResultView {
  const out: ResultView = { ...view, reasons: [...view.reasons] };
  for (const [name, fields] of Object.entries(WITHHELD)) {
    if (!(policy.disclose as string[]).includes(name)) for (const f of fields) delete out[f];
  }
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
