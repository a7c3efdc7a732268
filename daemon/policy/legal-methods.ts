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

/** The entries for a document flow (all regimes); an unknown document gets none (the verdict then says so by an empty list). */
export function legalEntriesFor(document: string | null, t: LegalTable = LEGAL_TABLE): LegalEntry[] {
  return document ? t.entries.filter((e) => e.document === document) : [];
}

export function legalMappingFor(document: string | null, t: LegalTable = LEGAL_TABLE): LegalMapping {
  return {
    version: t.version,
    citationsChecked: t.citationsChecked,
    entries: legalEntriesFor(document, t).map((e) => ({ id: e.id, regime: e.regime, status: e.status, methodRef: e.methodRef })),
  };
}
