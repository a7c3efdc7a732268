// Issuer signature, certificate chain and expiry decisions on evidence read from virtual cards.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readResidence } from '../../../daemon/documents/residence/read-residence.ts';
import { assessResidence, japanDate } from '../../../daemon/documents/residence/residence-verdict.ts';
import { gen1SignedData, gen2SignedData, parseCheckCode, parseGen1Df1, parseGen2Df1 } from '../../../daemon/documents/residence/card-data.ts';
import type { ResidenceEvidence } from '../../../daemon/documents/residence/read-residence.ts';
import { RESIDENCE_TLV } from '../../../daemon/documents/residence/constants.ts';
import { ErrorCodes, KioskError } from '../../../core/errors.ts';
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
    expect(result).toMatchObject({
      verdict: 'chip-read',
      authenticity: 'chip-read',
      kind: 'unproven',
      checks: { 'certificate-chain': 'no-configured-anchor' },
    });
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
    const { result } = await assess(
      { generation: 2, printed: { cardExpiry: '20300615', periodOfStayExpiry: '20300615' } },
      trustBoth(),
      new Date('2030-06-15T14:59:00Z'),
    );
    expect(result.expiry).toEqual({ card: 'valid', periodOfStay: 'valid' });
    const next = await assess(
      { generation: 2, printed: { cardExpiry: '20300615', periodOfStayExpiry: '20300615' } },
      trustBoth(),
      new Date('2030-06-15T15:00:00Z'),
    );
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
    expect(result.printed).toMatchObject({
      dateOfBirth: '19900101',
      sex: '2',
      nationality: 'XXA',
      statusOfResidence: '0000000010',
      periodOfStay: '0300',
      workRestriction: '1',
    });
  });
});

// The card type (MF/EF02 C1) is not covered by the issuer signature. A genuine card whose type byte was edited
// must never be proven as the other kind (issue 14.3).
describe('card kind from signed data, not from the type byte', () => {
  it.each([
    ['05', '06'],
    ['06', '05'],
  ] as const)('gen 2 issued as %s, type byte changed to %s: refused, authenticity failed, kind never the claimed one', async (issued, presented) => {
    const { result } = await assess({ generation: 2, cardType: issued, presentedCardType: presented });
    expect(result.cardType).toBe(presented);
    expect(result).toMatchObject({
      verdict: 'refused',
      authenticity: 'failed',
      kind: 'unproven',
      issuerSignature: 'valid',
      checks: { 'card-kind': 'mismatch' },
    });
    expect(codes(result)).toContain('RESIDENCE_CARD_KIND_MISMATCH');
  });

  it.each(['05', '06'] as const)('gen 2 %s unedited: proven with the kind its signed entries state', async (cardType) => {
    const { result } = await assess({ generation: 2, cardType });
    expect(result).toMatchObject({
      verdict: 'verified',
      authenticity: 'proven',
      kind: cardType === '05' ? 'residence-card' : 'special-permanent-resident',
      checks: { 'card-kind': 'signed' },
    });
  });

  it.each([
    ['1', '2'],
    ['2', '1'],
    ['1', '1'],
  ] as const)('gen 1 issued as %s presenting %s: the signed data is images only, so the kind is unproven', async (issued, presented) => {
    const { result } = await assess({ generation: 1, cardType: issued, presentedCardType: presented });
    expect(result).toMatchObject({ verdict: 'verified', authenticity: 'proven', kind: 'unproven', checks: { 'card-kind': 'unproven' } });
    expect(result.claimedKind).toBe(presented === '1' ? 'residence-card' : 'special-permanent-resident');
  });

  it('a genuine SPR certificate re-split into the residence-card layout (CA..CD as 00) is refused', async () => {
    const { ev } = await assess({ generation: 2, cardType: '06' });
    const values = parseGen2Df1(ev.df1.get(3)!, ev.df1.get(4)!).printedSigned; // 34 bytes + 19 × 00
    let at = 0;
    const fields = [
      [0xc5, 8],
      [0xc6, 8],
      [0xc7, 1],
      [0xc8, 3],
      [0xc9, 10],
      [0xce, 4],
      [0xca, 2],
      [0xcb, 8],
      [0xcc, 1],
      [0xcd, 8],
    ] as const;
    const ef02 = Buffer.concat(
      fields.map(([t, n]) => {
        const from = at;
        at += n;
        return RESIDENCE_TLV.tlv(t, values.subarray(from, at));
      }),
    );
    const forged = { ...ev, cardType: '05', claimedKind: 'residence-card' as const, df1: new Map(ev.df1).set(3, ef02) };
    const { result } = assessResidence(forged, { trust: trustBoth(), at: new Date() });
    expect(result.issuerSignature).not.toBe('valid'); // not even checked: the layout contradicts the signed values
    expect(result).toMatchObject({ verdict: 'refused', kind: 'unproven' });
    expect(result.authenticity).not.toBe('proven');
    expect(codes(result)).toContain('CARD_MALFORMED_RESPONSE');
  });

  it('moving a field boundary (C5 of 7 bytes, C6 of 9) is refused even though the signed bytes are unchanged', async () => {
    const { ev } = await assess({ generation: 2 });
    const tlvs = RESIDENCE_TLV.all(ev.df1.get(3)!, 'EF02');
    const joined = Buffer.concat([tlvs[0]!.value, tlvs[1]!.value]);
    const shifted = Buffer.concat([
      RESIDENCE_TLV.tlv(0xc5, joined.subarray(0, 7)),
      RESIDENCE_TLV.tlv(0xc6, joined.subarray(7)),
      ...tlvs.slice(2).map((t) => RESIDENCE_TLV.tlv(t.tag, t.value)),
    ]);
    const { result } = assessResidence({ ...ev, df1: new Map(ev.df1).set(3, shifted) }, { trust: trustBoth(), at: new Date() });
    expect(result).toMatchObject({ verdict: 'refused', checks: { 'data-structure': 'malformed' } });
  });
});

describe('image padding (2nd gen signed data uses the fixed sizes 3000 / 2500)', () => {
  it('images stored at their own length and stored NUL-padded to full length (Appendix 2 form) both verify', async () => {
    const short = await assess({ generation: 2 });
    const full = await assess({ generation: 2, fullLengthImages: true });
    expect(parseGen2Df1(short.ev.df1.get(3)!, short.ev.df1.get(4)!).face.length).toBeLessThan(3000);
    expect(full.ev.df1.get(4)!.subarray(0, 4).toString('hex')).toBe('d08209c4'); // D0 82 09 C4 as published
    expect(short.result.verdict).toBe('verified');
    expect(full.result.verdict).toBe('verified');
  });
});

// Tampered answers must end in a typed refusal, never a RangeError/TypeError out of node:crypto or Date.
describe('malformed certificate, key or signature in DF3', () => {
  // DF3 tags: DA/DB on the 1st generation, DC/DD on the 2nd.
  const withDf3 = (ev: ResidenceEvidence, sig: Buffer, cert: Buffer) => {
    const [s, c] = ev.generation === 1 ? [0xda, 0xdb] : [0xdc, 0xdd];
    return { ...ev, df3: Buffer.concat([RESIDENCE_TLV.tlv(s, sig), RESIDENCE_TLV.tlv(c, cert)]) };
  };
  const knownCodes = new Set<string>(Object.values(ErrorCodes));

  it('a certificate whose validity date does not parse → TRUST_CERT_MALFORMED', async () => {
    const { ev } = await assess({ generation: 2 });
    const { certificateDer, signature } = parseCheckCode(ev.df3, 2);
    const der = Buffer.from(certificateDer);
    const first = der.indexOf(Buffer.from([0x17, 0x0d]));
    const notAfter = der.indexOf(Buffer.from([0x17, 0x0d]), first + 1);
    der[notAfter + 4] = 0x31; // month "13"
    der[notAfter + 5] = 0x33;
    const { result } = assessResidence(withDf3(ev, signature, der), { trust: trustBoth(), at: new Date() });
    expect(result.verdict).toBe('refused');
    expect(codes(result)).toContain('TRUST_CERT_MALFORMED');
  });

  it.each([1, 2] as const)('gen %i: every single-byte corruption of the certificate is a typed refusal', async (generation) => {
    const { ev } = await assess({ generation });
    const { certificateDer, signature } = parseCheckCode(ev.df3, generation);
    for (let i = 0; i < certificateDer.length; i += 2) {
      const der = Buffer.from(certificateDer);
      der[i]! ^= 0x41;
      let result: ReturnType<typeof assessResidence>['result'] | undefined;
      expect(() => ({ result } = assessResidence(withDf3(ev, signature, der), { trust: trustBoth(), at: new Date() })), `byte ${i}`).not.toThrow();
      expect(result!.verdict, `byte ${i}`).not.toBe('verified');
      expect(result!.authenticity, `byte ${i}`).not.toBe('proven');
      for (const c of codes(result!)) expect(knownCodes.has(c), `byte ${i}: ${c}`).toBe(true);
    }
  });

  it.each([1, 2] as const)('gen %i: signatures of the wrong size or encoding → CARD_SIGNATURE_INVALID, authenticity failed', async (generation) => {
    const { ev } = await assess({ generation });
    const { certificateDer, signature } = parseCheckCode(ev.df3, generation);
    for (const sig of [
      Buffer.alloc(0),
      signature.subarray(1),
      Buffer.concat([signature, Buffer.from([0])]),
      Buffer.from('3006020101020101', 'hex'),
      Buffer.alloc(96, 0xff),
    ]) {
      const { result } = assessResidence(withDf3(ev, sig, certificateDer), { trust: trustBoth(), at: new Date() });
      expect(result).toMatchObject({ verdict: 'refused', authenticity: 'failed', issuerSignature: 'invalid' });
      expect(codes(result)).toContain('CARD_SIGNATURE_INVALID');
    }
  });
});

// Issue 14.3 found that of all values of the type byte exactly one alternative verified (as the other
// kind). Now: every value the byte can take on a genuine card ends either proven as the card's true kind
// (or with the kind unproven on gen 1) or not proven at all.
describe('every value of the card type byte on a genuine card', () => {
  async function outcome(generation: 1 | 2, issued: '1' | '05', presented: string): Promise<string> {
    const { card } = residenceCard({ generation, cardType: issued, presentedCardType: presented });
    const { session } = await sessionFor(card);
    try {
      const ev = await readResidence(session, { prompt: promptWith('AA12345678BB') });
      const { result } = assessResidence(ev, { trust: trustBoth(), at: new Date() });
      return result.authenticity === 'proven' ? `proven:${result.kind}` : `${result.verdict}:${result.authenticity}`;
    } catch (e) {
      if (e instanceof KioskError) return `error:${e.code}`;
      throw e;
    }
  }

  it('gen 1 residence card, C1 = each of the 256 single bytes: proven only as "1" or "2", and then with the kind unproven', async () => {
    const proven: string[] = [];
    for (let b = 0; b < 256; b++) {
      const presented = String.fromCharCode(b);
      const o = await outcome(1, '1', presented);
      if (o.startsWith('proven')) proven.push(`${b.toString(16)}=${o}`);
    }
    expect(proven).toEqual(['31=proven:unproven', '32=proven:unproven']);
  });

  it('gen 2 residence card, C1 = "0" + each of the 256 second bytes: proven only as "05", as a residence card', async () => {
    const proven: string[] = [];
    for (let b = 0; b < 256; b++) {
      const o = await outcome(2, '05', '0' + String.fromCharCode(b));
      if (o.startsWith('proven')) proven.push(`30${b.toString(16)}=${o}`);
    }
    expect(proven).toEqual(['3035=proven:residence-card']);
  });
});

describe('arbitrary file contents from a hostile card', () => {
  it.each([1, 2] as const)('gen %i: random DF1/DF2/DF3 contents never throw and never verify', async (generation) => {
    const { ev } = await assess({ generation });
    const [front, face] = generation === 1 ? [5, 6] : [3, 4];
    fc.assert(
      fc.property(fc.constantFrom('df1a', 'df1b', 'df2', 'df3'), fc.uint8Array({ maxLength: 300 }), (which, bytes) => {
        const b = Buffer.from(bytes);
        const bad: ResidenceEvidence = {
          ...ev,
          df1: which === 'df1a' ? new Map(ev.df1).set(front, b) : which === 'df1b' ? new Map(ev.df1).set(face, b) : ev.df1,
          df2: which === 'df2' ? new Map(ev.df2).set(1, b) : ev.df2,
          df3: which === 'df3' ? b : ev.df3,
        };
        const { result } = assessResidence(bad, { trust: trustBoth(), at: new Date() });
        // Only DF2 (unsigned, supplementary) may be anything and still leave the signed data verified.
        if (which !== 'df2') expect(result.verdict).not.toBe('verified');
        for (const r of result.reasons) expect(Object.values(ErrorCodes)).toContain(r.code);
      }),
      { numRuns: 150 },
    );
  });
});
