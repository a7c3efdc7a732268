// The ISA 2nd-generation specification's worked example (vectors.md §1.1), value by value: first the
// pure recipe, then the same values on the wire between the host protocol and the virtual card (both
// ends with the example's fixed randomness), so host and card are pinned to the published bytes.
import { describe, expect, it } from 'vitest';
import { aesCbcDecrypt, aesCbcEncrypt, aesCmac } from '../../../daemon/crypto/index.ts';
import { baseKey, checkCardAuth, GEN2_SUITE, hostAuthData, sessionKey, verifyDataObject } from '../../../daemon/documents/residence/access-crypto.ts';
import { authenticateWithCardNumber } from '../../../daemon/documents/residence/card-access.ts';
import { CardSession } from '../../../drivers/reader/card-session.ts';
import type { CardChannel } from '../../../drivers/reader/types.ts';
import { residenceCard } from './helpers.ts';

const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const hex = (b: Buffer) => b.toString('hex').toUpperCase();

const V = {
  cardNumber: Buffer.from('AA12345678BB', 'latin1'),
  k: '6522B4E171195BB218223A976C040111',
  rndIfd: '1122334455667788',
  kIfd: '404142434445464748494A4B4C4D4E4F',
  rndIcc: '921CE277323DA057',
  s: '1122334455667788921CE277323DA057404142434445464748494A4B4C4D4E4F',
  eIfd: '4AD3C7B6BB484A52771977DED618B41DF841FA0476A05FBE041DEAD6109E773B',
  fullCmac: 'AC854617634F53976FDFFE1B62FE4124',
  mIfd: 'AC854617634F5397',
  eIcc: '289A96B1DA6AE3DA87770419BFD14F0BDAD15F36432B5A946C188C7221759A62',
  mIcc: 'FA942EC51E62FF5F',
  kIcc: '2CC6AF9B8B607C662FDCAD27B401D08B',
  ksEnc: 'C19CF13D3D7FBEE9EA293D834C88952F',
  verifyCryptogram: 'EE0B31EF877F68D071C56D58C72E6748',
};

describe('2nd generation official example — the recipe', () => {
  it('card number → SHA-1 → K', () => {
    expect(hex(Buffer.from('AA12345678BB', 'latin1'))).toBe('414131323334353637384242');
    expect(hex(baseKey(V.cardNumber))).toBe(V.k);
  });
  it('E.IFD, full CMAC, M.IFD', () => {
    const k = h(V.k);
    expect(hex(Buffer.concat([h(V.rndIfd), h(V.rndIcc), h(V.kIfd)]))).toBe(V.s);
    expect(hex(aesCbcEncrypt(k, h(V.s)))).toBe(V.eIfd);
    expect(hex(aesCmac(k, h(V.eIfd)))).toBe(V.fullCmac);
    expect(hex(hostAuthData(GEN2_SUITE, k, h(V.rndIfd), h(V.rndIcc), h(V.kIfd)))).toBe(V.eIfd + V.mIfd);
  });
  it('card answer: M.ICC checks, decrypts to RND.ICC ‖ RND.IFD ‖ K.ICC', () => {
    const k = h(V.k);
    expect(hex(aesCmac(k, h(V.eIcc), 8))).toBe(V.mIcc);
    expect(hex(aesCbcDecrypt(k, h(V.eIcc)))).toBe(V.rndIcc + V.rndIfd + V.kIcc);
    expect(hex(checkCardAuth(GEN2_SUITE, k, h(V.eIcc + V.mIcc), h(V.rndIfd), h(V.rndIcc)))).toBe(V.kIcc);
  });
  it('K.IFD ⊕ K.ICC → KSenc → VERIFY cryptogram', () => {
    expect(hex(sessionKey(h(V.kIfd), h(V.kIcc)))).toBe(V.ksEnc);
    expect(hex(aesCbcEncrypt(h(V.ksEnc), h('41413132333435363738424280000000')))).toBe(V.verifyCryptogram);
    expect(hex(verifyDataObject(GEN2_SUITE, h(V.ksEnc), V.cardNumber))).toBe('861101' + V.verifyCryptogram);
  });
  it('a corrupted M.ICC or swapped nonces are rejected', () => {
    const k = h(V.k);
    const bad = h(V.eIcc + V.mIcc);
    bad[39]! ^= 1;
    expect(() => checkCardAuth(GEN2_SUITE, k, bad, h(V.rndIfd), h(V.rndIcc))).toThrow(/MAC/);
    expect(() => checkCardAuth(GEN2_SUITE, k, h(V.eIcc + V.mIcc), h(V.rndIcc), h(V.rndIfd))).toThrow(/nonces/);
  });
});

describe('2nd generation official example — on the wire (host protocol ↔ virtual card)', () => {
  it('sends and receives exactly the published APDUs', async () => {
    const { card } = residenceCard({ generation: 2, fixedChallenge: h(V.rndIcc), fixedKIcc: h(V.kIcc) });
    card.reset();
    const wire: Array<[string, string]> = [];
    const channel: CardChannel = {
      readerName: 'wire',
      atr: card.atr,
      protocol: 2,
      async transmit(apdu: Buffer) {
        const res = card.process(apdu);
        wire.push([hex(apdu), hex(res)]);
        return res;
      },
      async disconnect() {},
    } as unknown as CardChannel;
    const session = new CardSession(channel);
    const s = await authenticateWithCardNumber(session, GEN2_SUITE, Buffer.from(V.cardNumber), { hostRandom: h(V.rndIfd + V.kIfd) });
    expect(hex(s.ksEnc)).toBe(V.ksEnc);
    expect(wire).toEqual([
      ['0084000008', V.rndIcc + '9000'],
      ['0082000028' + V.eIfd + V.mIfd + '00', V.eIcc + V.mIcc + '9000'],
      ['0820008613' + '861101' + V.verifyCryptogram, '9000'],
    ]);
    expect(card.numberVerified).toBe(true);
    s.close();
    expect(s.ksEnc.equals(Buffer.alloc(16))).toBe(true);
  });
});
