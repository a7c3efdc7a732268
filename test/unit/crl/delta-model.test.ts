// The store against a plain model of RFC 5280 full and delta CRLs: a random sequence of full CRLs and delta
// CRLs (some naming the wrong base) over a small set of serials must leave the store answering exactly what
// the model says after every step — the overlay, the delta generation on top of its untouched base, and the
// next full CRL replacing both. The model is written from RFC 5280 alone: a full CRL's listed serials are
// revoked except those listed only with removeFromCRL (§6.3.3 (k)); a delta applies on top of the base CRL
// it names (§5.2.4), removeFromCRL takes a serial off, any other entry (re)revokes it with its own date and
// reason; a delta naming another base, or no CRL in force, changes nothing.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { makeCa } from '../../harness/crl-fixtures.ts';
import { buildCrl, type EntrySpec } from '../../../core/der-build.ts';
import { CrlStore } from '../../../daemon/trust/crl/store.ts';
import { serialFromHex } from '../../../daemon/trust/crl/der.ts';
import { codeOf } from '../../harness/error-code.ts';
import { writeTemp } from './helpers.ts';

const ca = makeCa({ cn: 'Delta Model CA' });
const T0 = Date.parse('2026-01-01T00:00:00Z');
const REMOVE_FROM_CRL = 8;
const SERIALS = 24;

type Listing = 'revoke' | 'remove' | 'both';
interface Op {
  kind: 'full' | 'delta' | 'wrong-base';
  /** serial (1..SERIALS) → how the CRL lists it, and the reason of its revoking entry (-1: none) */
  entries: [number, Listing, number][];
}
interface Revoked {
  at: number;
  reason: number | null;
}

const op: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom<Op['kind']>('full', 'full', 'delta', 'delta', 'delta', 'wrong-base'),
  entries: fc.uniqueArray(
    fc.tuple(fc.integer({ min: 1, max: SERIALS }), fc.constantFrom<Listing>('revoke', 'revoke', 'remove', 'both'), fc.constantFrom(-1, 1, 6)),
    {
      selector: (e) => e[0],
      maxLength: 12,
    },
  ),
});

const hex = (s: number) => s.toString(16).padStart(2, '0');

describe('CRL store: full and delta CRLs against a model', () => {
  it('answers what the model says after every CRL of a random sequence', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 2, maxLength: 7 }), (ops) => {
        const store = new CrlStore(mkdtempSync(join(tmpdir(), 'idkiosk-crl-model-')), { recheckMs: 0 });
        let model: Map<number, Revoked> | undefined;
        let fullNumber: number | undefined;
        let number = 0;
        let issuerId: string | undefined;
        try {
          for (const [step, o] of ops.entries()) {
            const at = Math.floor(T0 / 1000) + step * 60;
            const entries: EntrySpec[] = [];
            for (const [s, how, reason] of o.entries) {
              if (how !== 'revoke') entries.push({ serial: BigInt(s), date: new Date(at * 1000), reason: REMOVE_FROM_CRL });
              if (how !== 'remove') entries.push({ serial: BigInt(s), date: new Date((at + s) * 1000), reason: reason < 0 ? undefined : reason });
            }
            const isDelta = o.kind !== 'full';
            const base = o.kind === 'wrong-base' ? (fullNumber ?? 0) + 1000 : (fullNumber ?? 999);
            const file = writeTemp(
              buildCrl({
                issuer: ca.name,
                signer: ca.signer,
                thisUpdate: new Date(T0),
                nextUpdate: new Date(T0 + 7 * 86400_000),
                crlNumber: number + 1,
                deltaBase: isDelta ? base : undefined,
                aki: ca.ski,
                entries,
              }),
            );
            if (isDelta && (model === undefined || o.kind === 'wrong-base')) {
              expect(codeOf(() => store.import(file, ca.cert))).toBe('CRL_DELTA_BASE_MISMATCH');
            } else {
              const r = store.import(file, ca.cert);
              number++;
              issuerId = r.issuerId;
              if (!isDelta) {
                fullNumber = number;
                model = new Map();
              }
              const m = model!;
              for (const [s, how, reason] of o.entries) {
                if (how === 'remove') m.delete(s);
                else m.set(s, { at: at + s, reason: reason < 0 ? null : reason });
              }
              expect(r.kind).toBe(isDelta ? 'delta' : 'full');
              expect(r.revokedInForce).toBe(m.size);
            }
            if (!issuerId || !model) continue;
            for (let s = 1; s <= SERIALS; s++) {
              const want = model.get(s);
              const got = store.lookup(issuerId, serialFromHex(hex(s)));
              expect(got && { at: got.revoked_at, reason: got.reason }, `serial ${s} after step ${step} (${o.kind})`).toEqual(want);
            }
            expect(store.listRevoked(issuerId).size).toBe(model.size);
            expect(store.status()[0]!.entries).toBe(model.size);
            // a delta generation stands on one full generation; nothing else accumulates
            const files = readdirSync(join(store.root, 'issuers', issuerId)).filter((f) => f.startsWith('gen-'));
            expect(files.length).toBeLessThanOrEqual(3);
          }
        } finally {
          store.close();
        }
      }),
      { numRuns: 10 },
    );
  });
});
