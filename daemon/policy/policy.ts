// Verification policies as data: which documents a policy accepts and what its result may disclose. A
// deployment picks from the built-in set and may redefine or add policies in the config block `policies`
// (policy-config.ts); the integration API and the walk-up screen start a session by policy name, which maps
// onto the document-id request path (the idle screen then lists exactly the policy's documents).

/** Parts of a ResultView a policy may let through to the screen, the receipt, the signed result and the audit record. */
export const DISCLOSURES = ['holder', 'licenseHolder', 'residence', 'cardFace', 'certificate'] as const;
export type Disclosure = (typeof DISCLOSURES)[number];

export interface VerificationPolicy {
  name: string;
  /** Accepted document ids (daemon/documents/registry.ts), in the order the router tries them. */
  documents: string[];
  /** What the result may disclose; everything else is removed before the result leaves the flow. */
  disclose: Disclosure[];
  /** "N years of age or older" policies: the answer is yes/no only, the birth date never leaves the daemon. */
  ageThreshold: number | null;
  /**
   * Accept `chip-read` results (read from the chip, data not proven authentic: e.g. a driver's licence with
   * no EF07 key configured) instead of refusing them with DOCUMENT_NOT_PROVEN. Default false. The screen,
   * receipt and signed result then say 「ICチップ読取のみ（署名未検証）」, never "verified"; an age policy
   * can never set it (an unproven birth date answers nothing), and the legal-method entries of a chip-read
   * result are all `not-satisfied` (docs/verdicts.md).
   */
  acceptChipRead: boolean;
}

/** Documents whose checked chip data yields a date of birth (see docs/policies.md for each source). */
export const AGE_DOCUMENTS = ['mynumber-sign', 'mynumber-info', 'license', 'residence', 'passport'];

const age = (name: string, n: number): VerificationPolicy => ({ name, documents: [...AGE_DOCUMENTS], disclose: [], ageThreshold: n, acceptChipRead: false });

export const BUILT_IN_POLICIES: readonly VerificationPolicy[] = [
  { name: 'jpki-auth', documents: ['mynumber-jpki-auth'], disclose: ['certificate'], ageThreshold: null, acceptChipRead: false },
  { name: 'mynumber-4info', documents: ['mynumber-info'], disclose: ['holder'], ageThreshold: null, acceptChipRead: false },
  { name: 'jpki-sign', documents: ['mynumber-sign'], disclose: ['holder', 'certificate'], ageThreshold: null, acceptChipRead: false },
  { name: 'license', documents: ['license'], disclose: ['licenseHolder'], ageThreshold: null, acceptChipRead: false },
  { name: 'residence', documents: ['residence'], disclose: ['residence', 'certificate'], ageThreshold: null, acceptChipRead: false },
  { name: 'passport', documents: ['passport'], disclose: ['holder', 'certificate'], ageThreshold: null, acceptChipRead: false },
  age('age-20', 20),
  age('age-18', 18),
];

export type PolicyRegistry = ReadonlyMap<string, VerificationPolicy>;

export function policyRegistry(policies: readonly VerificationPolicy[]): PolicyRegistry {
  return new Map(policies.map((p) => [p.name, p]));
}

/** The policy's documents that this kiosk has enabled (order kept); empty = the policy cannot run here. */
export function runnableDocuments(p: VerificationPolicy, enabled: readonly string[]): string[] {
  return p.documents.filter((d) => enabled.includes(d));
}
