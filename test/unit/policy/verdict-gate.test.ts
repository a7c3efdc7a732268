// The verdict gate over every combination a flow could hand it: outcome × authenticity × holder binding ×
// the policy's acceptChipRead. The rules are the (#14): "verified" only for proven data with a
// binding; "chip-read" only where a policy accepts it explicitly, otherwise refused with
// DOCUMENT_NOT_PROVEN; nothing is ever upgraded; unknown outcomes are never acceptances.
import { describe, expect, it } from 'vitest';
import type { ResultView } from '../../../daemon/result/result-view.ts';
import { gateVerdict } from '../../../daemon/policy/verdict-gate.ts';

const OUTCOMES = ['verified', 'chip-read', 'refused', 'error', 'cancelled'] as const;
const AUTH = ['proven', 'chip-read', 'failed', null, undefined] as const;
const BINDINGS = ['pin', 'password', 'printed-number-only', 'mrz-only', 'none', null, undefined] as const;

function view(outcome: string, authenticity: (typeof AUTH)[number], holderBinding: (typeof BINDINGS)[number]): ResultView {
  return {
    outcome: outcome as ResultView['outcome'],
    ...(authenticity !== undefined ? { authenticity } : {}),
    ...(holderBinding !== undefined ? { holderBinding } : {}),
    document: 'license',
    reasons: [],
    checks: { 'ef07-signature': 'not-checked' },
  };
}

const cases = OUTCOMES.flatMap((o) => AUTH.flatMap((a) => BINDINGS.flatMap((b) => [true, false].map((accept) => [o, a, b, accept] as const))));

describe('verdict gate: every outcome × authenticity × binding × acceptChipRead', () => {
  it(`covers ${cases.length} combinations`, () => expect(cases.length).toBe(5 * 5 * 7 * 2));

  it.each(cases)('%s / %s / %s / accept=%s', (outcome, auth, binding, accept) => {
    const input = view(outcome, auth, binding);
    const out = gateVerdict(input, { acceptChipRead: accept });
    const bound = binding !== null && binding !== undefined;
    // What the issue allows, spelled out case by case.
    let expected: ResultView['outcome'];
    if (outcome === 'verified' && auth === 'proven' && bound) expected = 'verified';
    else if ((outcome === 'verified' || outcome === 'chip-read') && auth === 'chip-read' && bound && accept) expected = 'chip-read';
    else if (outcome === 'verified' || outcome === 'chip-read') expected = 'refused';
    else expected = outcome; // refused, error, cancelled pass unchanged
    expect(out.outcome).toBe(expected);
    if ((outcome === 'verified' || outcome === 'chip-read') && expected === 'refused') expect(out.reasons).toEqual(['DOCUMENT_NOT_PROVEN']);
    else expect(out.reasons).toEqual([]);
    // The gate never rewrites what was proven or how the holder was bound, and never drops checks.
    expect(out.authenticity).toBe(input.authenticity);
    expect(out.holderBinding).toBe(input.holderBinding);
    expect(out.checks).toEqual(input.checks);
    // Invariants the screen, receipt, JWS and audit rely on.
    if (out.outcome === 'verified') expect([out.authenticity, bound]).toEqual(['proven', true]);
    if (out.outcome === 'chip-read') expect([out.authenticity, accept]).toEqual(['chip-read', true]);
  });

  it('keeps the reasons a flow gave, adds DOCUMENT_NOT_PROVEN once, and does not mutate its input', () => {
    const input: ResultView = { ...view('chip-read', 'chip-read', 'pin'), reasons: ['LICENSE_EF07_NO_KEY'] };
    const out = gateVerdict(input, { acceptChipRead: false });
    expect(out.reasons).toEqual(['LICENSE_EF07_NO_KEY', 'DOCUMENT_NOT_PROVEN']);
    expect(input.outcome).toBe('chip-read');
    expect(input.reasons).toEqual(['LICENSE_EF07_NO_KEY']);
    expect(gateVerdict(out, { acceptChipRead: false }).reasons).toEqual(['LICENSE_EF07_NO_KEY', 'DOCUMENT_NOT_PROVEN']);
  });

  it('an outcome it does not know is an error with INTERNAL, never an acceptance', () => {
    const out = gateVerdict(view('ok', 'proven', 'pin'), { acceptChipRead: true });
    expect(out).toMatchObject({ outcome: 'error', reasons: ['INTERNAL'] });
  });
});

describe('a result the gate refuses carries no holder data', () => {
  it('drops name, address and images read from an unproven document', () => {
    const view = {
      outcome: 'chip-read' as const,
      document: 'license',
      reasons: [],
      authenticity: 'chip-read' as const,
      holderBinding: 'pin' as const,
      licenseHolder: { name: [{ text: '見本' }], address: [], nameChanged: false, addressChanged: false, expiryDate: '2030-01-01' },
      holder: { name: '見本', address: null, dateOfBirth: null, sex: null },
    };
    const out = gateVerdict(view, { acceptChipRead: false });
    expect(out.outcome).toBe('refused');
    expect(out).not.toHaveProperty('licenseHolder');
    expect(out).not.toHaveProperty('holder');
    // a policy that accepts chip-read keeps them (the screen then says ICチップ読取のみ)
    expect(gateVerdict(view, { acceptChipRead: true })).toHaveProperty('licenseHolder');
  });
});
