// The verified date of birth a document flow found, kept beside its ResultView but never in it: a WeakMap
// keyed by the result object. Nothing that serialises the result (screen state, JWS, audit, receipt, logs)
// can reach the value; only the policy layer (policy-flow.ts) reads it, to answer "N or older: yes/no".
import type { ResultView } from '../result/result-view.ts';

/** 'iso': YYYY-MM-DD (JPKI certificate, 4 basic info, licence, residence card). 'mrz': YYMMDD (passport DG1). */
export interface BirthDateFact {
  form: 'iso' | 'mrz';
  value: string;
}

const facts = new WeakMap<object, BirthDateFact>();

/** Called by a document flow when its checks produced a date of birth (whatever the verdict). */
export function attachBirthDate<V extends ResultView>(view: V, value: string | null | undefined, form: BirthDateFact['form'] = 'iso'): V {
  if (value) facts.set(view, { form, value });
  return view;
}

export function birthDateOf(view: ResultView): BirthDateFact | null {
  return facts.get(view) ?? null;
}
