// The legal-method table is well-formed data, covers every document flow the kiosk has under every
// regime, never claims more than it can (no bare "satisfies"; conditions where it says "with conditions";
// a reason everywhere), and each verdict carries the entries of the document that answered.
import { describe, expect, it } from 'vitest';
import table from '../../../daemon/policy/legal-methods.json' with { type: 'json' };
import { DOCUMENTS } from '../../../daemon/documents/registry.ts';
import { LEGAL_TABLE, legalMappingFor } from '../../../daemon/policy/legal-methods.ts';
import { applyPolicy, policyViewForFailure } from '../../../daemon/policy/apply-policy.ts';
import { BUILT_IN_POLICIES } from '../../../daemon/policy/policy.ts';
import { documentKind } from '../../../daemon/result/document-types.ts';

const REGIMES = ['mynumber-act', 'aml-current', 'aml-2027', 'mobile-phone-act'];
// 'mynumber' is the configurable alias that runs one of the My Number flows below (mynumber.mode).
const FLOWS = [...DOCUMENTS.keys()].filter((d) => d !== 'mynumber');

/** The built-in policy without an age check that takes `doc`, or a bare one for a document none takes. */
const policyFor = (doc: string) =>
  BUILT_IN_POLICIES.find((p) => p.documents.includes(doc) && p.ageThreshold === null) ?? {
    name: 'x',
    documents: [doc],
    disclose: [],
    ageThreshold: null,
    acceptChipRead: false,
  };

describe('legal-method table', () => {
  it('is versioned, says its citations are unchecked, and names each regime with sources', () => {
    expect(LEGAL_TABLE.version).toMatch(/^\d{4}-\d{2}-\d{2}\.\d+$/);
    expect(LEGAL_TABLE.citationsChecked).toBe(false);
    for (const r of REGIMES) expect((table.regimes as Record<string, { sources: string[] }>)[r]!.sources.length).toBeGreaterThan(0);
  });

  it.each(FLOWS)('%s: exactly one entry per regime, with the method the flow reports', (doc) => {
    const entries = LEGAL_TABLE.entries.filter((e) => e.document === doc);
    expect(entries.map((e) => e.regime).sort()).toEqual([...REGIMES].sort());
    const method = documentKind({ document: doc, checks: {} }).method;
    for (const e of entries) {
      expect(e.id).toBe(`${doc}/${e.regime}`);
      expect(e.method).toBe(method);
    }
  });

  it('never a bare "satisfies": every status is hedged or negative, with a reason; conditions when conditional', () => {
    const ids = new Set<string>();
    for (const e of LEGAL_TABLE.entries) {
      expect(['satisfies-with-conditions', 'partial', 'not-satisfied', 'uncertain']).toContain(e.status);
      expect(e.reason.length).toBeGreaterThan(20);
      if (e.status === 'satisfies-with-conditions') expect(e.conditions?.length).toBeGreaterThan(0);
      expect(ids.has(e.id)).toBe(false);
      ids.add(e.id);
    }
    // Method letters that changed on 2027-04-01 are UNVERIFIED: the 2027 entries must not state a bare letter.
    for (const e of LEGAL_TABLE.entries.filter((x) => x.regime === 'aml-2027' && x.methodRef)) expect(e.methodRef).toMatch(/uncertain/);
  });

  it('only the JPKI signature route is mapped as a method under 犯収法; the auth certificate never is', () => {
    const aml = LEGAL_TABLE.entries.filter((e) => e.regime.startsWith('aml') && e.status === 'satisfies-with-conditions');
    expect(new Set(aml.map((e) => e.document))).toEqual(new Set(['mynumber-sign']));
    expect(LEGAL_TABLE.entries.filter((e) => e.document === 'mynumber-jpki-auth').every((e) => e.status === 'not-satisfied')).toBe(true);
  });

  it.each(FLOWS)('a %s verdict (verified or not) carries its entries and the table version', (doc) => {
    const policy = policyFor(doc);
    for (const outcome of ['verified', 'refused'] as const) {
      const v = applyPolicy(policy, { outcome, authenticity: 'proven', holderBinding: 'pin', document: doc, reasons: [] }, new Date());
      expect(v.policy!.legal).toEqual(legalMappingFor(v));
      expect(v.policy!.legal.entries).toHaveLength(4);
    }
    expect(policyViewForFailure(policy, doc).legal.entries).toHaveLength(4);
  });

  it.each(FLOWS)('%s: the table statuses travel only with a verified, proven result; anything else satisfies nothing', (doc) => {
    const table = LEGAL_TABLE.entries.filter((e) => e.document === doc).map((e) => e.status);
    expect(legalMappingFor({ document: doc, outcome: 'verified', authenticity: 'proven' }).entries.map((e) => e.status)).toEqual(table);
    const notProven = [
      { outcome: 'chip-read', authenticity: 'chip-read' },
      { outcome: 'verified', authenticity: 'chip-read' }, // a flow defect the gate refuses; the mapping does not trust it either
      { outcome: 'verified', authenticity: null },
      { outcome: 'verified' },
      { outcome: 'refused', authenticity: 'proven' },
      { outcome: 'refused', authenticity: 'failed' },
      { outcome: 'error' },
      { outcome: 'cancelled' },
    ];
    for (const s of notProven) {
      const m = legalMappingFor({ document: doc, ...s });
      expect(m.entries).toHaveLength(4);
      expect(m.entries.every((e) => e.status === 'not-satisfied')).toBe(true);
    }
    const policy = policyFor(doc);
    expect(policyViewForFailure(policy, doc).legal.entries.every((e) => e.status === 'not-satisfied')).toBe(true);
  });

  it('no document (card unsupported, removed before identification): an empty list, still versioned', () => {
    expect(legalMappingFor({ document: null, outcome: 'verified', authenticity: 'proven' })).toEqual({
      version: LEGAL_TABLE.version,
      citationsChecked: false,
      entries: [],
    });
  });
});
