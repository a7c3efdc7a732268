// What a session result is, in the words receipts and the integration API use: the document type and
// the verification method behind a ResultView.document id. One table, so the printed receipt, its QR
// token and the API's signed result never disagree.
import type { ResultView, ScreenTextRun } from './session-machine.ts';

export interface DocumentKind {
  /** 'my-number-card' | 'drivers-licence' | 'residence-card' | 'passport' (or the document id itself). */
  documentType: string;
  /** e.g. 'jpki-auth', 'jpki-sign', 'pin-and-chip', 'chip-passive-auth', 'pace', 'bac'. */
  method: string;
}

const KINDS: Record<string, DocumentKind> = {
  'mynumber-jpki-auth': { documentType: 'my-number-card', method: 'jpki-auth' },
  'mynumber-sign': { documentType: 'my-number-card', method: 'jpki-sign' },
  'mynumber-info': { documentType: 'my-number-card', method: 'pin-and-chip' },
  'mynumber-face': { documentType: 'my-number-card', method: 'pin-and-chip' },
  license: { documentType: 'drivers-licence', method: 'pin-and-chip' },
  residence: { documentType: 'residence-card', method: 'chip-passive-auth' },
  passport: { documentType: 'passport', method: 'chip-passive-auth' },
};

export function documentKind(result: Pick<ResultView, 'document' | 'checks'>): DocumentKind {
  const id = result.document ?? 'unknown';
  const k = KINDS[id] ?? { documentType: id, method: 'chip' };
  // Passports say how the chip was opened (PACE or BAC) when the flow recorded it.
  const access = result.checks?.access;
  if (id === 'passport' && (access === 'pace' || access === 'bac')) return { ...k, method: access };
  return k;
}

const runsText = (runs: ScreenTextRun[]) => runs.map((r) => ('text' in r ? r.text : '〓')).join('');

/** The holder's name when the document mode disclosed it (for the masked name on the receipt), else null. */
export function holderNameOf(result: ResultView): string | null {
  if (result.holder?.name) return result.holder.name;
  if (result.licenseHolder?.name?.length) return runsText(result.licenseHolder.name);
  return null;
}
