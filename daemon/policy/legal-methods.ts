// The legal-method table (legal-methods.json): for each document flow, what its verified result can be
// under the My Number Act, the 犯収法 施行規則 (current rules and those from 2027-04-01) and the 携帯電話
// 不正利用防止法. Data, versioned, with its sources and an explicit "uncertain" wherever the mapping depends
// on an unsettled legal question. Each verdict records the entries and the table version.
import table from './legal-methods.json' with { type: 'json' };

export type LegalStatus = 'satisfies-with-conditions' | 'partial' | 'not-satisfied' | 'uncertain';
export type LegalRegime = 'mynumber-act' | 'aml-current' | 'aml-2027' | 'mobile-phone-act';

export interface LegalEntry {
  id: string;
  document: string;
  method: string;
  regime: LegalRegime;
  status: LegalStatus;
  methodRef: string | null;
  conditions?: string[];
  reason: string;
}

/** What a verdict carries: the table version and, per entry, the id, regime, status and method reference. */
export interface LegalMapping {
  version: string;
  citationsChecked: boolean;
  entries: Pick<LegalEntry, 'id' | 'regime' | 'status' | 'methodRef'>[];
}

export interface LegalTable {
  version: string;
  citationsChecked: boolean;
  entries: LegalEntry[];
}

export const LEGAL_TABLE: LegalTable = table as unknown as LegalTable;

/** The result a mapping is made for: its document, and whether it was verified with proven authenticity. */
export interface LegalSubject {
  document: string | null;
  outcome: string;
  authenticity?: string | null;
}

/**
 * Whether a result may carry the table's statuses at all: only `verified` with authenticity `proven`. A
 * refused, failed or `chip-read` result (even one a policy accepted) is no identity verification under any
 * regime, so each of its entries says `not-satisfied` — the table's status describes what a *verified*
 * result of that document can be, and must never travel with data nobody proved.
 */
export function resultCanSatisfy(s: LegalSubject): boolean {
  return s.outcome === 'verified' && s.authenticity === 'proven';
}

/** The entries for a document flow (all regimes); an unknown document gets none (the verdict then says so by an empty list). */
export function legalEntriesFor(document: string | null, t: LegalTable = LEGAL_TABLE): LegalEntry[] {
  return document ? t.entries.filter((e) => e.document === document) : [];
}

/** The mapping a verdict records; statuses as in the table only for a verified, proven result (resultCanSatisfy). */
export function legalMappingFor(subject: LegalSubject, t: LegalTable = LEGAL_TABLE): LegalMapping {
  const proven = resultCanSatisfy(subject);
  return {
    version: t.version,
    citationsChecked: t.citationsChecked,
    entries: legalEntriesFor(subject.document, t).map((e) => ({
      id: e.id,
      regime: e.regime,
      status: proven ? e.status : 'not-satisfied',
      methodRef: e.methodRef,
    })),
  };
}
