// The audit record carries the verdict model exactly as the session ended: verdict (chip-read included),
// authenticity, holder binding and every check — and null, never a guess, when the flow did not say.
import { describe, expect, it } from 'vitest';
import { sessionFacts } from '../../../daemon/audit/record.ts';
import type { ResultView } from '../../../daemon/result/result-view.ts';
import { CTX } from './helpers.ts';

describe('audit record: verdict model', () => {
  it('a chip-read session records chip-read, its authenticity, binding and checks', () => {
    const r: ResultView = {
      outcome: 'chip-read',
      authenticity: 'chip-read',
      holderBinding: 'pin',
      document: 'license',
      reasons: [],
      checks: { 'ef07-signature': 'no-key', pin1: 'verified' },
    };
    expect(sessionFacts(3, r, CTX, new Date())).toMatchObject({
      verdict: 'chip-read',
      authenticity: 'chip-read',
      holderBinding: 'pin',
      checks: { 'ef07-signature': 'no-key', pin1: 'verified' },
    });
  });

  it('a refused clone keeps authenticity failed; a card pulled before assessment records null, not proven', () => {
    const clone: ResultView = {
      outcome: 'refused',
      authenticity: 'failed',
      holderBinding: 'mrz-only',
      document: 'passport',
      reasons: ['DOCUMENT_NOT_PROVEN'],
      checks: { 'active-authentication': 'failed' },
    };
    expect(sessionFacts(4, clone, CTX, new Date())).toMatchObject({ verdict: 'refused', authenticity: 'failed', holderBinding: 'mrz-only' });
    const pulled = sessionFacts(5, { outcome: 'error', document: null, reasons: ['CARD_REMOVED'] }, CTX, new Date());
    expect(pulled).toMatchObject({ verdict: 'error', authenticity: null, holderBinding: null, checks: {} });
  });
});
