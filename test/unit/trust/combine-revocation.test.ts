// Several revocation sources, one answer: no source can hide another's revocation, and an older `good`
// is never preferred over a newer one.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { combineRevocation } from '../../../daemon/trust/ocsp/fallback-checker.ts';
import type { RevocationStatus } from '../../../daemon/trust/revocation.ts';

const at = '2026-12-01T00:00:00.000Z';
const good = (source: 'ocsp' | 'crl' | 'platform', thisUpdate: string): RevocationStatus => ({ status: 'good', source, checkedAt: at, thisUpdate });
const revoked = (source: 'ocsp' | 'crl' | 'platform'): RevocationStatus => ({
  status: 'revoked',
  source,
  checkedAt: at,
  revokedAt: '2026-11-30T00:00:00.000Z',
});
const unknown = (source: 'ocsp' | 'crl' | 'platform', reason: string): RevocationStatus => ({ status: 'unknown', source, checkedAt: at, reason });

describe('combineRevocation', () => {
  it('a revoked from any source wins over good answers from the others, whatever the order', () => {
    const arb = fc.array(fc.constantFrom(good('ocsp', at), good('platform', at), unknown('ocsp', 'OCSP_TIMEOUT')), { maxLength: 4 });
    fc.assert(
      fc.property(arb, fc.nat(4), (others, pos) => {
        const answers = [...others];
        answers.splice(Math.min(pos, answers.length), 0, revoked('crl'));
        expect(combineRevocation(answers)).toMatchObject({ status: 'revoked', source: 'crl' });
      }),
    );
  });

  it('the freshest good answer is named; an older one is never preferred', () => {
    const r = combineRevocation([good('ocsp', '2026-11-01T00:00:00.000Z'), good('crl', '2026-11-30T00:00:00.000Z')]);
    expect(r).toMatchObject({ status: 'good', source: 'crl' });
  });

  it('good beats unknown, and the unknown source is listed as tried', () => {
    expect(combineRevocation([unknown('ocsp', 'OCSP_BAD_RESPONSE'), good('crl', at)])).toEqual({
      ...good('crl', at),
      tried: [{ source: 'ocsp', reason: 'OCSP_BAD_RESPONSE' }],
    });
  });

  it('all unknown: unknown (fail closed) with the last reason, the others listed as tried', () => {
    expect(combineRevocation([unknown('ocsp', 'OCSP_TIMEOUT'), unknown('crl', 'CRL_STALE')])).toEqual({
      ...unknown('crl', 'CRL_STALE'),
      tried: [{ source: 'ocsp', reason: 'OCSP_TIMEOUT' }],
    });
  });
});
