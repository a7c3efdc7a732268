// Issuer signature, certificate chain and expiry decisions on evidence read from virtual cards.
import { describe, expect, it } from 'vitest';
import { readResidence } from '../../../daemon/documents/residence/read-residence.ts';
import { assessResidence, japanDate } from '../../../daemon/documents/residence/residence-verdict.ts';
import { gen1SignedData, gen2SignedData, parseGen1Df1, parseGen2Df1 } from '../../../daemon/documents/residence/card-data.ts';
import { TrustStore } from '../../../daemon/trust/trust-store.ts';
import type { VirtualResidenceOptions } from '../../../drivers/sim/residence/index.ts';
import { promptWith, residenceCard, sessionFor, testCa, trustBoth } from './helpers.ts';

async function assess(o: VirtualResidenceOptions, trust = trustBoth(), at = new Date()) {
  const { card } = residenceCard(o);
  const { session } = await sessionFor(card);
  const ev = await readResidence(session, { prompt: promptWith('AA12345678BB') });
  return { ev, ...assessResidence(ev, { trust, at }) };
}
const codes = (r: { reasons: { code: string }[] }) => r.reasons.map((x) => x.code);

describe('issuer signature', () => {
  it.each([1, 2] as const)('gen %i: bad signature and data changed after signing are refused', async (generation) => {
    for (const faults of [{ badSignature: true }, { tamperedData: true }]) {
      const { result } = await assess({ generation, faults });
      expect(result.issuerSignature).toBe('invalid');
      expect(result.verdict).toBe('refused');
      expect(codes(result)).toContain('CARD_SIGNATURE_INVALID');
      expect(result.authenticity).toBe('failed');
    }
  });

  it('gen 2: raw r‖s and DER signatures are both accepted', async () => {
    expect((await assess({ generation: 2 })).result).toMatchObject({ verdict: 'verified', signatureEncoding: 'ieee-p1363' });
    expect((await assess({ generation: 2, faults: { derSignature: true } })).result).toMatchObject({ verdict: 'verified', signatureEncoding: 'der' });
  });

  it('signed data layout: gen 1 front‖face padded to 7000‖3000; gen 2 printed(53)‖face padded to 3000‖name padded to 2500', async () => {
    const g1 = await assess({ generation: 1 });
    const p1 = parseGen1Df1(g1.ev.df1.get(5)!, g1.ev.df1.get(6)!);
    const d1 = gen1SignedData(p1);
    expect(d1.length).toBe(10_000);
    expect(d1.subarray(0, p1.frontImage.length).equals(p1.frontImage)).toBe(true);
    expect(d1.subarray(p1.frontImage.length, 7000).every((b) => b === 0)).toBe(true);
    expect(d1.subarray(7000, 7000 + p1.face.length).equals(p1.face)).toBe(true);

    const g2 = await assess({ generation: 2 });
    const p2 = parseGen2Df1(g2.ev.df1.get(3)!, g2.ev.df1.get(4)!);
    const d2 = gen2SignedData(p2);
    // Sizes from the public specification: 53 printed bytes, D1 ≤ 3000, D0 ≤ 2500 (tlv_tag_reference.md),
    // each image right-padded with 00 to its size (eringoio rc_signature.py build_signed_target).
    expect(d2.length).toBe(53 + 3000 + 2500);
    expect(p2.face.length).toBeLessThan(3000);
    expect(d2.subarray(53, 53 + p2.face.length).equals(p2.face)).toBe(true);
    expect(d2.subarray(53 + p2.face.length, 53 + 3000).every((b) => b === 0)).toBe(true);
    expect(d2.subarray(3053, 3053 + p2.nameImage.length).equals(p2.nameImage)).toBe(true);
    expect(d2.subarray(3053 + p2.nameImage.length).every((b) => b === 0)).toBe(true);
  });

  it('SPR certificate (06): 34 bytes of entries NUL-padded to 53, verified, no period of stay', async () => {
    const { result, ev } = await assess({ generation: 2, cardType: '06' });
    const p = parseGen2Df1(ev.df1.get(3)!, ev.df1.get(4)!);
    expect(p.printedSigned.subarray(34).every((b) => b === 0)).toBe(true);
    expect(result).toMatchObject({ verdict: 'verified', kind: 'special-permanent-resident', expiry: { card: 'valid', periodOfStay: 'not-applicable' } });
  });
});

describe('certificate chain', () => {
  it.each([1, 2] as const)('gen %i: unknown CA with the same name → TRUST_CHAIN_INVALID; expired card cert → TRUST_CERT_EXPIRED', async (generation) => {
    expect(codes((await assess({ generation, unknownCa: true })).result)).toEqual(['TRUST_CHAIN_INVALID']);
    expect(codes((await assess({ generation, expiredCert: true })).result)).toEqual(['TRUST_CERT_EXPIRED']);
  });
  it('anchors of the other generation only: no configured anchor → chip-read (not proven), kind unproven', async () => {
    const { result } = await assess({ generation: 2 }, new TrustStore([testCa(1).x509]));
    expect(result.chain).toBe('invalid');
    expect(codes(result)).toEqual([]);
    expect(result).toMatchObject({ verdict: 'chip-read', authenticity: 'chip-read', kind: 'unproven', checks: { 'certificate-chain': 'no-configured-anchor' } });
  });
  it.each([1, 2] as const)('gen %i: an impostor CA with the trusted name is a forgery → authenticity failed', async (generation) => {
    expect((await assess({ generation, unknownCa: true })).result).toMatchObject({ verdict: 'refused', authenticity: 'failed' });
  });
});

describe('expiry', () => {
  it('expired card and expired period of stay are refused with their reasons', async () => {
    expect(codes((await assess({ generation: 2, expiredCard: true })).result)).toEqual(['RESIDENCE_CARD_EXPIRED']);
    const stay = (await assess({ generation: 2, expiredStay: true })).result;
    expect(codes(stay)).toEqual(['RESIDENCE_STAY_EXPIRED']);
    expect(stay.expiry).toEqual({ card: 'valid', periodOfStay: 'expired' });
  });
  it('the expiry date itself is still valid (Japanese calendar date)', async () => {
    const { result } = await assess({ generation: 2, printed: { cardExpiry: '20300615', periodOfStayExpiry: '20300615' } }, trustBoth(), new Date('2030-06-15T14:59:00Z'));
    expect(result.expiry).toEqual({ card: 'valid', periodOfStay: 'valid' });
    const next = await assess({ generation: 2, printed: { cardExpiry: '20300615', periodOfStayExpiry: '20300615' } }, trustBoth(), new Date('2030-06-15T15:00:00Z'));
    expect(codes(next.result)).toEqual(['RESIDENCE_CARD_EXPIRED', 'RESIDENCE_STAY_EXPIRED']);
    expect(japanDate(new Date('2030-06-15T15:00:00Z'))).toBe('20300616');
  });
  it('indefinite period of stay (no CD date) is accepted', async () => {
    const { result } = await assess({ generation: 2, printed: { periodOfStay: '0000', periodOfStayExpiry: '00000000' } });
    expect(result).toMatchObject({ verdict: 'verified', expiry: { periodOfStay: 'indefinite' } });
  });
  it('gen 1 carries no machine-readable expiry: reported as not-on-chip', async () => {
    const { result } = await assess({ generation: 1 });
    expect(result).toMatchObject({ verdict: 'verified', printed: null, expiry: { card: 'not-on-chip', periodOfStay: 'not-on-chip' } });
    expect((result.supplementary as { address: string }).address).toBe('東京都千代田区霞が関テスト町１－１');
  });
  it('gen 2 printed fields come out as UTF-8 text', async () => {
    const { result } = await assess({ generation: 2 });
    expect(result.printed).toMatchObject({ dateOfBirth: '19900101', sex: '2', nationality: 'XXA', statusOfResidence: '0000000010', periodOfStay: '0300', workRestriction: '1' });
  });
});
